//! The error every SDK call returns, and the macros that make plan errors.
//!
//! [`Error`] mirrors the WIT `error` variant, so a plan can match on what went
//! wrong (a command failed, a fact is unknown), and adds the SDK's own cases
//! (a missing parameter) and [`Error::Plan`] for the author's errors. Its
//! `Display` is what the operator sees when a plan fails, so each message is a
//! lowercase fragment that names the command, fact or parameter involved.

use std::fmt;
use std::time::Duration;

use crate::__bindings::planrun::plan::types as wit;
use crate::exec::Output;

/// How many trailing lines of a failed command's output an error shows.
const TAIL_LINES: usize = 5;

/// `Result` with the SDK's [`Error`]: what every call and `run` return.
///
/// ```no_run
/// use planrun_sdk::{Result, exec};
///
/// fn restart(service: &str) -> Result<()> {
///     exec(format!("systemctl restart {service}"))?;
///     Ok(())
/// }
/// # fn main() { let _ = restart("nginx"); }
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a call failed.
///
/// The first variants mirror the WIT contract's `error`; the last ones are the
/// SDK's own. Its `Display` is written for the operator, e.g. ``command
/// `systemctl restart app` failed with exit status 3: Unit app.service
/// not found.``
///
/// ```no_run
/// use planrun_sdk::{Error, exec, warn};
///
/// # fn main() -> planrun_sdk::Result<()> {
/// match exec("systemctl reload nginx") {
///     Ok(_) => {}
///     // Reload failed: fall back to a restart.
///     Err(Error::CommandFailed(output)) => {
///         warn(format!("reload failed ({}), restarting", output.status()));
///         exec("systemctl restart nginx")?;
///     }
///     Err(other) => return Err(other),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The command ran and exited non-zero, or was killed by a signal.
    CommandFailed(Output),
    /// The call did not finish within its timeout and was killed.
    TimedOut {
        /// The command that timed out, when the call was `exec` or `probe`.
        command: Option<String>,
        /// The timeout it exceeded.
        timeout: Duration,
    },
    /// The host could not be reached, or the connection to it was lost.
    Connection(String),
    /// A file or asset that the call needs does not exist.
    NotFound(String),
    /// The sandbox or the host refused the call (an asset path that leaves
    /// the asset directory, sudo wanting a password).
    Denied(String),
    /// [`fact`](crate::fact) was asked for a fact planrun does not know.
    UnknownFact {
        /// The fact the plan asked for.
        name: String,
        /// The facts planrun knows.
        known: Vec<String>,
    },
    /// Every live host waits at a barrier and they wait at different ones;
    /// the message names the barriers.
    Deadlock(String),
    /// The operator interrupted the run.
    Cancelled,
    /// An argument of the call was not valid; the message says which and why.
    Invalid(String),
    /// Anything else the host reported, in words.
    Other(String),
    /// [`require_param`](crate::require_param) found no such run parameter.
    MissingParam(String),
    /// A run parameter could not be parsed by [`param_as`](crate::param_as).
    InvalidParam {
        /// The parameter's name.
        name: String,
        /// The value the operator passed.
        value: String,
        /// Why it does not parse.
        reason: String,
    },
    /// An error of the plan itself (see [`Error::msg`] and [`bail!`](crate::bail)).
    Plan(String),
}

impl Error {
    /// A plan error with this message; `From<&str>` and `From<String>` do
    /// the same, so `?` works on `Result<_, String>` too.
    ///
    /// ```no_run
    /// use planrun_sdk::{Error, fact};
    ///
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let os = fact("os.id")?;
    /// if os != "debian" {
    ///     return Err(Error::msg(format!("unsupported os `{os}`: this plan needs debian")));
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn msg(message: impl fmt::Display) -> Self {
        Error::Plan(message.to_string())
    }

    /// Converts a WIT error; `command` is the command of an `exec`/`probe`
    /// call, so a timeout can name it.
    pub(crate) fn from_wit(error: wit::Error, command: Option<&str>) -> Self {
        match error {
            wit::Error::CommandFailed(output) => Error::CommandFailed(output.into()),
            wit::Error::TimedOut(ms) => Error::TimedOut {
                command: command.map(str::to_owned),
                timeout: Duration::from_millis(ms),
            },
            wit::Error::Connection(why) => Error::Connection(why),
            wit::Error::NotFound(what) => Error::NotFound(what),
            wit::Error::Denied(why) => Error::Denied(why),
            // Callers that know the fact's name fill it in.
            wit::Error::UnknownFact(known) => Error::UnknownFact {
                name: String::new(),
                known,
            },
            wit::Error::Deadlock(barriers) => Error::Deadlock(barriers),
            wit::Error::Cancelled => Error::Cancelled,
            wit::Error::Invalid(why) => Error::Invalid(why),
            wit::Error::Other(why) => Error::Other(why),
        }
    }
}

impl From<wit::Error> for Error {
    fn from(error: wit::Error) -> Self {
        Error::from_wit(error, None)
    }
}

impl From<String> for Error {
    fn from(message: String) -> Self {
        Error::Plan(message)
    }
}

impl From<&str> for Error {
    fn from(message: &str) -> Self {
        Error::Plan(message.to_owned())
    }
}

impl std::error::Error for Error {}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::CommandFailed(output) => {
                write!(f, "command `{}` ", output.command())?;
                match output.status() {
                    crate::ExitStatus::Code(code) => write!(f, "failed with exit status {code}")?,
                    crate::ExitStatus::Signal(signal) => {
                        write!(f, "was killed by signal {signal}")?
                    }
                }
                // Most commands explain themselves on stderr; some only on stdout.
                let tail = tail(&output.stderr_str()).or_else(|| tail(&output.stdout_str()));
                match tail {
                    Some(tail) => write!(f, ": {tail}"),
                    None => Ok(()),
                }
            }
            Error::TimedOut { command, timeout } => {
                match command {
                    Some(command) => write!(f, "command `{command}` timed out")?,
                    None => f.write_str("timed out")?,
                }
                write!(f, " after {}", human_duration(*timeout))
            }
            Error::Connection(why) => write!(f, "connection to the host failed: {why}"),
            Error::NotFound(what) => write!(f, "not found: {what}"),
            Error::Denied(why) => write!(f, "denied: {why}"),
            Error::UnknownFact { name, known } => {
                write!(f, "fact `{name}` is unknown")?;
                if !known.is_empty() {
                    write!(f, "; known facts: {}", known.join(", "))?;
                }
                Ok(())
            }
            Error::Deadlock(barriers) => write!(f, "barrier deadlock: {barriers}"),
            Error::Cancelled => f.write_str("cancelled by the operator"),
            Error::Invalid(why) => write!(f, "invalid argument: {why}"),
            Error::Other(why) => f.write_str(why),
            Error::MissingParam(name) => write!(
                f,
                "missing required parameter `{name}`: pass --param {name}=VALUE"
            ),
            Error::InvalidParam {
                name,
                value,
                reason,
            } => write!(
                f,
                "parameter `{name}` has an invalid value `{value}`: {reason}"
            ),
            Error::Plan(message) => f.write_str(message),
        }
    }
}

/// The last few non-empty lines of `text`, or `None` if it has none.
fn tail(text: &str) -> Option<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|line| !line.trim().is_empty())
        .collect();
    let start = lines.len().saturating_sub(TAIL_LINES);
    let tail = &lines[start..];
    (!tail.is_empty()).then(|| tail.join("\n"))
}

/// `5s` for whole seconds, `1500ms` otherwise.
fn human_duration(duration: Duration) -> String {
    let ms = duration.as_millis();
    if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// Returns early from a plan with an [`Error::Plan`] built like `format!`.
///
/// ```no_run
/// use planrun_sdk::{bail, fact};
///
/// # fn main() -> planrun_sdk::Result<()> {
/// let arch = fact("arch")?;
/// if arch != "x86_64" {
///     bail!("this release has no build for `{arch}`");
/// }
/// # Ok(())
/// # }
/// ```
#[macro_export]
macro_rules! bail {
    ($($message:tt)+) => {
        return ::core::result::Result::Err($crate::Error::Plan(::std::format!($($message)+)))
    };
}

/// Returns early with an [`Error::Plan`] unless a condition holds.
///
/// ```no_run
/// use planrun_sdk::{ensure, this_host};
///
/// # fn main() -> planrun_sdk::Result<()> {
/// let host = this_host();
/// ensure!(host.in_group("db"), "`{}` is not in group db", host.name);
/// # Ok(())
/// # }
/// ```
#[macro_export]
macro_rules! ensure {
    ($condition:expr, $($message:tt)+) => {
        if !$condition {
            $crate::bail!($($message)+);
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ExitStatus;

    fn failed(status: ExitStatus, stdout: &str, stderr: &str) -> Error {
        Error::CommandFailed(Output::new(
            "systemctl restart app",
            status,
            stdout,
            stderr,
            Duration::from_millis(12),
        ))
    }

    #[test]
    fn command_failed_shows_status_and_stderr_tail() {
        let stderr = "1\n2\n3\n4\n5\n6\nUnit app.service not found.\n";
        assert_eq!(
            failed(ExitStatus::Code(3), "", stderr).to_string(),
            "command `systemctl restart app` failed with exit status 3: 3\n4\n5\n6\nUnit app.service not found."
        );
    }

    #[test]
    fn command_failed_falls_back_to_stdout_then_nothing() {
        assert_eq!(
            failed(ExitStatus::Code(1), "oops\n", "\n").to_string(),
            "command `systemctl restart app` failed with exit status 1: oops"
        );
        assert_eq!(
            failed(ExitStatus::Signal("KILL".into()), "", "").to_string(),
            "command `systemctl restart app` was killed by signal KILL"
        );
    }

    #[test]
    fn messages_name_what_went_wrong() {
        let unknown = Error::UnknownFact {
            name: "foo".into(),
            known: vec!["hostname".into(), "os".into()],
        };
        assert_eq!(
            unknown.to_string(),
            "fact `foo` is unknown; known facts: hostname, os"
        );
        assert_eq!(
            Error::MissingParam("version".into()).to_string(),
            "missing required parameter `version`: pass --param version=VALUE"
        );
        assert_eq!(
            Error::TimedOut {
                command: Some("sleep 9".into()),
                timeout: Duration::from_millis(1500)
            }
            .to_string(),
            "command `sleep 9` timed out after 1500ms"
        );
        assert_eq!(
            Error::Connection("reset by peer".into()).to_string(),
            "connection to the host failed: reset by peer"
        );
        assert_eq!(Error::from("no release").to_string(), "no release");
    }

    #[test]
    fn bail_and_ensure_return_plan_errors() {
        fn check(n: u32) -> Result<u32> {
            ensure!(n > 1, "{n} is too small");
            if n > 9 {
                bail!("{n} is too big");
            }
            Ok(n)
        }
        assert_eq!(check(0), Err(Error::Plan("0 is too small".into())));
        assert_eq!(check(10), Err(Error::Plan("10 is too big".into())));
        assert_eq!(check(5), Ok(5));
    }
}
