//! Coordination between the hosts of a run: [`barrier`] for ordering,
//! [`publish`] and [`lookup`] for data. A plan cannot name another host;
//! these are its only cross-host effects.
//!
//! The pattern: the control host publishes, everyone meets at a barrier,
//! then the others look the value up.
//!
//! ```no_run
//! use planrun_sdk::{barrier, exec, lookup, publish, this_host};
//!
//! # fn main() -> planrun_sdk::Result<()> {
//! if this_host().index == 0 {
//!     let token = exec("kubeadm token create")?.stdout_str().trim().to_owned();
//!     publish("join-token", token)?;
//! }
//! barrier("control-ready")?;
//! if this_host().index != 0 {
//!     let token = lookup("join-token").ok_or("the control host published no join token")?;
//!     exec(format!("kubeadm join --token {token}"))?;
//! }
//! # Ok(())
//! # }
//! ```

use crate::__bindings::planrun::plan::{fleet, types as wit};
use crate::error::{Error, Result};

/// Waits until every host still running in this wave has arrived at `name`
/// or finished. Hosts that failed or finished count as released, so a dead
/// host never blocks it; the [`BarrierOutcome`] says who arrived and who was
/// gone. If all live hosts wait at *different* barriers, each gets
/// [`Error::Deadlock`].
///
/// ```no_run
/// use planrun_sdk::{barrier, warn};
///
/// # fn main() -> planrun_sdk::Result<()> {
/// let outcome = barrier("drained")?;
/// if !outcome.gone.is_empty() {
///     warn(format!("continuing without {}", outcome.gone.join(", ")));
/// }
/// # Ok(())
/// # }
/// ```
pub fn barrier(name: impl AsRef<str>) -> Result<BarrierOutcome> {
    fleet::barrier(name.as_ref())
        .map(BarrierOutcome::from)
        .map_err(Error::from)
}

/// Sets a run-wide value that other hosts can [`lookup`]; a later publish of
/// the same key replaces it.
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let host = planrun_sdk::this_host();
/// planrun_sdk::publish("leader", host.address)?;
/// # Ok(())
/// # }
/// ```
pub fn publish(key: impl AsRef<str>, value: impl AsRef<str>) -> Result<()> {
    fleet::publish(key.as_ref(), value.as_ref()).map_err(Error::from)
}

/// A value some host [`publish`]ed, if any has yet. Put a [`barrier`]
/// between publish and lookup so the value is there.
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// planrun_sdk::barrier("leader-elected")?;
/// let leader = planrun_sdk::lookup("leader").ok_or("no leader was published")?;
/// # Ok(())
/// # }
/// ```
pub fn lookup(key: impl AsRef<str>) -> Option<String> {
    fleet::lookup(key.as_ref())
}

/// What a [`barrier`] saw when it released.
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let outcome = planrun_sdk::barrier("upgraded")?;
/// planrun_sdk::debug(format!("{} hosts arrived", outcome.arrived.len()));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BarrierOutcome {
    /// Hosts that arrived at the barrier (this host included).
    pub arrived: Vec<String>,
    /// Hosts that had finished or failed before arriving.
    pub gone: Vec<String>,
}

impl From<wit::BarrierOutcome> for BarrierOutcome {
    fn from(outcome: wit::BarrierOutcome) -> Self {
        BarrierOutcome {
            arrived: outcome.arrived,
            gone: outcome.gone,
        }
    }
}
