//! What the user sees. Host tasks send [`Event`]s; the one reporter task owns
//! the console and the tally behind the summary (executor does the work,
//! only the reporter prints).

mod call;
mod console;
mod event;
mod summary;

pub use call::{Call, CallKind, CallResult};
pub use console::{Reporter, Verbosity};
pub use event::{Event, EventSender, FailedCommand, HostOutcome};
pub use summary::Summary;
