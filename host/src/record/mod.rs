//! The run record: every run, its hosts, each host's events and output, in
//! an embedded SQLite database (by default `$XDG_STATE_HOME/planrun/runs.db`).
//!
//! [`Recorder`] writes a run as it happens, from the same events the
//! console shows; [`Record`] reads runs back for `planrun runs`, `show`,
//! `serve` and `--retry-failed`, and removes old ones (`gc`).

mod db;
mod process;
mod read;
mod schema;
pub mod time;
mod transcript;
mod writer;

pub use db::default_path;
pub use read::{EventRow, Filter, GcReport, HostRow, Record, RunRow, Tally};
pub use schema::VERSION as SCHEMA_VERSION;
pub use writer::{Policy, RecordSink, Recorder, RunEnd, RunMeta};

#[cfg(test)]
mod tests;
