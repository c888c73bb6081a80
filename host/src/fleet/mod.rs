//! Coordination between the hosts of a run: barriers and the publish/lookup
//! board. These are the only cross-host effects a plan has.

mod barrier;
mod board;

pub use barrier::Barriers;
pub use board::Board;
