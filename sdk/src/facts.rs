//! Facts: what planrun knows about the host, gathered live and cached until
//! the next change on it. [`fact`] asks by name; the functions here are the
//! typed names of the known facts.
//!
//! ```no_run
//! use planrun_sdk::facts;
//!
//! # fn main() -> planrun_sdk::Result<()> {
//! if facts::os_id()? == "debian" && facts::arch()? == "x86_64" {
//!     planrun_sdk::exec("apt-get install -y ./app_amd64.deb")?;
//! }
//! # Ok(())
//! # }
//! ```

use crate::__bindings::planrun::plan::target;
use crate::error::{Error, Result};

/// A fact about the host by name: `hostname`, `os`, `os.id`, `os.version`,
/// `kernel`, `arch`. An unknown name is [`Error::UnknownFact`], which lists
/// the known ones.
///
/// ```no_run
/// use planrun_sdk::{fact, step};
///
/// # fn main() -> planrun_sdk::Result<()> {
/// step("FACTS", format!("{} on {}", fact("os")?, fact("kernel")?));
/// # Ok(())
/// # }
/// ```
pub fn fact(name: impl AsRef<str>) -> Result<String> {
    let name = name.as_ref();
    target::fact(name).map_err(|e| match Error::from(e) {
        // The WIT error lists the known facts; name the one asked for.
        Error::UnknownFact { known, .. } => Error::UnknownFact {
            name: name.to_owned(),
            known,
        },
        other => other,
    })
}

/// The host's name, as `hostname` says it (fact `hostname`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let name = planrun_sdk::facts::hostname()?;
/// # Ok(())
/// # }
/// ```
pub fn hostname() -> Result<String> {
    fact("hostname")
}

/// The operating system, e.g. `Debian GNU/Linux 12 (bookworm)` (fact `os`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// planrun_sdk::step("FACTS", planrun_sdk::facts::os()?);
/// # Ok(())
/// # }
/// ```
pub fn os() -> Result<String> {
    fact("os")
}

/// The operating system's id, e.g. `debian`, `ubuntu`, `alpine` (fact `os.id`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let installer = match planrun_sdk::facts::os_id()?.as_str() {
///     "alpine" => "apk add",
///     _ => "apt-get install -y",
/// };
/// # Ok(())
/// # }
/// ```
pub fn os_id() -> Result<String> {
    fact("os.id")
}

/// The operating system's version, e.g. `12` (fact `os.version`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let version = planrun_sdk::facts::os_version()?;
/// # Ok(())
/// # }
/// ```
pub fn os_version() -> Result<String> {
    fact("os.version")
}

/// The kernel release, as `uname -r` says it (fact `kernel`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let kernel = planrun_sdk::facts::kernel()?;
/// # Ok(())
/// # }
/// ```
pub fn kernel() -> Result<String> {
    fact("kernel")
}

/// The machine architecture, as `uname -m` says it, e.g. `x86_64` (fact `arch`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let arch = planrun_sdk::facts::arch()?;
/// # Ok(())
/// # }
/// ```
pub fn arch() -> Result<String> {
    fact("arch")
}
