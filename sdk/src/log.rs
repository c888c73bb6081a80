//! Progress and messages, shown by planrun as `[host]  LABEL  message`, the
//! way Phage labels each host's progress.

use crate::__bindings::planrun::plan::log;

/// A labelled step, shown as `[host]  LABEL  message`. Labels are short
/// upper-case words, so the console lines up: `PULL`, `CONFIG`, `RESTART`.
///
/// ```no_run
/// planrun_sdk::step("PULL", "Upgrading library \"arcanist\"");
/// ```
pub fn step(label: impl AsRef<str>, message: impl AsRef<str>) {
    log::step(label.as_ref(), message.as_ref());
}

/// A warning about this host; it does not fail the host.
///
/// ```no_run
/// if planrun_sdk::probe("test -f /var/run/reboot-required").map(|o| o.success()).unwrap_or(false) {
///     planrun_sdk::warn("a reboot is pending");
/// }
/// ```
pub fn warn(message: impl AsRef<str>) {
    log::warn(message.as_ref());
}

/// Detail shown only when the operator asks for it (`-v`).
///
/// ```no_run
/// planrun_sdk::debug(format!("fleet has {} hosts", planrun_sdk::fleet().len()));
/// ```
pub fn debug(message: impl AsRef<str>) {
    log::debug(message.as_ref());
}

/// Plain output, one line per line of `text`, under the host's prefix.
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// planrun_sdk::print(planrun_sdk::probe("uptime")?.stdout_str());
/// # Ok(())
/// # }
/// ```
pub fn print(text: impl AsRef<str>) {
    log::print(text.as_ref());
}

/// A step that found the host already as wanted: shown like [`step`] and
/// counted as unchanged in the host's tally and the run's summary. The
/// [`ops`](crate::ops) call it for you; a plan calls it for its own checks.
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// if planrun_sdk::probe("grep -q '^PermitRootLogin no' /etc/ssh/sshd_config")?.success() {
///     planrun_sdk::unchanged("SSHD", "root login is already off");
/// } else {
///     planrun_sdk::exec("sed -i 's/^PermitRootLogin.*/PermitRootLogin no/' /etc/ssh/sshd_config")?;
///     planrun_sdk::step("SSHD", "root login turned off");
/// }
/// # Ok(())
/// # }
/// ```
pub fn unchanged(label: impl AsRef<str>, message: impl AsRef<str>) {
    log::unchanged(label.as_ref(), message.as_ref());
}
