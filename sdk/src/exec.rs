//! Running commands on the host: [`exec`] for changes, [`probe`] for
//! questions, the [`Exec`] builder for options, and the [`Output`] they give.
//!
//! A command is a `sh -c` string, so quoting is the author's: an argument that
//! may contain spaces or quotes belongs in single quotes (see [`quote`]).

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use crate::__bindings::planrun::plan::{target, types as wit};
use crate::error::{Error, Result};

/// Runs `sh -c command` on the host as a change: skipped in dry-run, where it
/// returns an empty, successful [`Output`]. A non-zero exit is
/// [`Error::CommandFailed`], carrying the output.
///
/// For options (another user, environment, working directory, stdin, a
/// timeout) use [`Exec`].
///
/// ```no_run
/// use planrun_sdk::exec;
///
/// # fn main() -> planrun_sdk::Result<()> {
/// exec("mkdir -p /srv/app")?;
/// # Ok(())
/// # }
/// ```
pub fn exec(command: impl AsRef<str>) -> Result<Output> {
    Exec::new(command.as_ref()).run()
}

/// Runs a read-only `sh -c command` on the host: it always runs, also in
/// dry-run, and never counts as a change. Its exit status is the answer, so
/// a non-zero exit is *not* an error: check [`Output::success`].
///
/// ```no_run
/// use planrun_sdk::{exec, probe};
///
/// # fn main() -> planrun_sdk::Result<()> {
/// if !probe("id -u app")?.success() {
///     exec("useradd --system app")?;
/// }
/// # Ok(())
/// # }
/// ```
pub fn probe(command: impl AsRef<str>) -> Result<Output> {
    Exec::new(command.as_ref()).probe()
}

/// Quotes `arg` for `sh`, so it reaches the command as one argument whatever
/// it contains.
///
/// ```no_run
/// use planrun_sdk::{exec, param_or, quote};
///
/// # fn main() -> planrun_sdk::Result<()> {
/// let dir = param_or("dir", "/srv/my app");
/// exec(format!("mkdir -p {}", quote(&dir)))?; // mkdir -p '/srv/my app'
/// # Ok(())
/// # }
/// ```
pub fn quote(arg: &str) -> String {
    format!("'{}'", arg.replace('\'', r"'\''"))
}

/// A command with options, run with [`Exec::run`] (a change) or
/// [`Exec::probe`] (read-only).
///
/// ```no_run
/// use std::time::Duration;
/// use planrun_sdk::Exec;
///
/// # fn main() -> planrun_sdk::Result<()> {
/// Exec::new("./migrate --apply")
///     .become_user("app")
///     .cwd("/srv/app")
///     .env("RAILS_ENV", "production")
///     .timeout(Duration::from_secs(300))
///     .run()?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "an Exec does nothing until `.run()` or `.probe()`"]
pub struct Exec {
    command: String,
    options: wit::ExecOptions,
}

impl Exec {
    /// A command to run with `sh -c`, with no options yet.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let output = planrun_sdk::Exec::new("uptime").probe()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(command: impl Into<String>) -> Self {
        Exec {
            command: command.into(),
            options: wit::ExecOptions {
                become_user: None,
                env: Vec::new(),
                cwd: None,
                stdin: None,
                timeout_ms: None,
            },
        }
    }

    /// Runs the command as `user`, through `sudo -n -u USER` (so the login
    /// user needs passwordless sudo).
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::Exec::new("apt-get update").become_user("root").run()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn become_user(mut self, user: impl Into<String>) -> Self {
        self.options.become_user = Some(user.into());
        self
    }

    /// Sets an environment variable for the command; call once per variable.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::Exec::new("apt-get install -y nginx")
    ///     .env("DEBIAN_FRONTEND", "noninteractive")
    ///     .run()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.env.push((key.into(), value.into()));
        self
    }

    /// Runs the command in `dir` on the host.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::Exec::new("git pull --ff-only").cwd("/srv/app").run()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn cwd(mut self, dir: impl Into<String>) -> Self {
        self.options.cwd = Some(dir.into());
        self
    }

    /// Feeds `bytes` to the command's standard input.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::Exec::new("crontab -u app -")
    ///     .stdin("0 3 * * * /srv/app/bin/cleanup\n")
    ///     .run()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.options.stdin = Some(bytes.into());
        self
    }

    /// Kills the command if it runs longer than `timeout`; the call then
    /// fails with [`Error::TimedOut`]. Rounded up to whole milliseconds.
    ///
    /// ```no_run
    /// use std::time::Duration;
    ///
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::Exec::new("curl -fsS http://localhost:8080/health")
    ///     .timeout(Duration::from_secs(5))
    ///     .probe()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        let ms = timeout.as_nanos().div_ceil(1_000_000);
        self.options.timeout_ms = Some(u64::try_from(ms).unwrap_or(u64::MAX));
        self
    }

    /// The command line, for messages.
    pub(crate) fn command(&self) -> &str {
        &self.command
    }

    /// Runs the command as a change, like [`exec`]: skipped in dry-run, and a
    /// non-zero exit is [`Error::CommandFailed`].
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let restart = planrun_sdk::Exec::new("systemctl restart app").become_user("root");
    /// restart.run()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn run(&self) -> Result<Output> {
        target::exec(&self.command, &self.options)
            .map(Output::from)
            .map_err(|e| Error::from_wit(e, Some(&self.command)))
    }

    /// Runs the command read-only, like [`probe`]: also in dry-run, and a
    /// non-zero exit is not an error.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let status = planrun_sdk::Exec::new("systemctl is-active app")
    ///     .become_user("root")
    ///     .probe()?;
    /// let active = status.success();
    /// # Ok(())
    /// # }
    /// ```
    pub fn probe(&self) -> Result<Output> {
        target::probe(&self.command, &self.options)
            .map(Output::from)
            .map_err(|e| Error::from_wit(e, Some(&self.command)))
    }
}

/// How a command ended.
///
/// ```no_run
/// use planrun_sdk::{ExitStatus, probe};
///
/// # fn main() -> planrun_sdk::Result<()> {
/// match probe("pgrep -x nginx")?.status() {
///     ExitStatus::Code(0) => { /* running */ }
///     ExitStatus::Code(_) => { /* not running */ }
///     ExitStatus::Signal(signal) => planrun_sdk::warn(format!("pgrep killed by {signal}")),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ExitStatus {
    /// The command exited with this code.
    Code(i32),
    /// The command was killed by this signal (e.g. `KILL`, `TERM`).
    Signal(String),
}

impl fmt::Display for ExitStatus {
    /// `exit status 3` or `signal KILL`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitStatus::Code(code) => write!(f, "exit status {code}"),
            ExitStatus::Signal(signal) => write!(f, "signal {signal}"),
        }
    }
}

/// What a command produced: its exit status, stdout, stderr and duration.
///
/// ```no_run
/// use planrun_sdk::{print, probe};
///
/// # fn main() -> planrun_sdk::Result<()> {
/// let df = probe("df -h /")?;
/// print(df.stdout_str());
/// planrun_sdk::debug(format!("df took {:?}", df.duration()));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    command: String,
    status: ExitStatus,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    duration: Duration,
}

impl Output {
    /// An output, for tests of code that handles one.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use planrun_sdk::{ExitStatus, Output};
    ///
    /// let output = Output::new("true", ExitStatus::Code(0), "", "", Duration::ZERO);
    /// assert!(output.success());
    /// ```
    pub fn new(
        command: impl Into<String>,
        status: ExitStatus,
        stdout: impl Into<Vec<u8>>,
        stderr: impl Into<Vec<u8>>,
        duration: Duration,
    ) -> Self {
        Output {
            command: command.into(),
            status,
            stdout: stdout.into(),
            stderr: stderr.into(),
            duration,
        }
    }

    /// The command as the plan gave it.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let output = planrun_sdk::probe("true")?;
    /// assert_eq!(output.command(), "true");
    /// # Ok(())
    /// # }
    /// ```
    pub fn command(&self) -> &str {
        &self.command
    }

    /// How the command ended.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let output = planrun_sdk::probe("sleep 60")?;
    /// planrun_sdk::debug(format!("sleep ended with {}", output.status()));
    /// # Ok(())
    /// # }
    /// ```
    pub fn status(&self) -> &ExitStatus {
        &self.status
    }

    /// Whether the command exited with status 0.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let has_docker = planrun_sdk::probe("command -v docker")?.success();
    /// # Ok(())
    /// # }
    /// ```
    pub fn success(&self) -> bool {
        self.status == ExitStatus::Code(0)
    }

    /// The exit code, or `None` if a signal killed the command.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// // grep: 0 found, 1 not found, 2 trouble.
    /// let found = planrun_sdk::probe("grep -q '^app:' /etc/passwd")?.code() == Some(0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn code(&self) -> Option<i32> {
        match self.status {
            ExitStatus::Code(code) => Some(code),
            ExitStatus::Signal(_) => None,
        }
    }

    /// The signal that killed the command, if one did.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// if let Some(signal) = planrun_sdk::probe("./check")?.signal() {
    ///     planrun_sdk::warn(format!("check was killed by {signal}"));
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn signal(&self) -> Option<&str> {
        match &self.status {
            ExitStatus::Code(_) => None,
            ExitStatus::Signal(signal) => Some(signal),
        }
    }

    /// The raw bytes the command wrote to stdout.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let archive: &[u8] = planrun_sdk::probe("tar -cz -C /etc app")?.stdout();
    /// # Ok(())
    /// # }
    /// ```
    pub fn stdout(&self) -> &[u8] {
        &self.stdout
    }

    /// The raw bytes the command wrote to stderr.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let noisy = !planrun_sdk::probe("./check")?.stderr().is_empty();
    /// # Ok(())
    /// # }
    /// ```
    pub fn stderr(&self) -> &[u8] {
        &self.stderr
    }

    /// Stdout as text; invalid UTF-8 becomes `U+FFFD`.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let uptime = planrun_sdk::probe("cat /proc/uptime")?;
    /// let seconds: f64 = uptime.stdout_str().split(' ').next().unwrap_or("0").parse().unwrap_or(0.0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn stdout_str(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.stdout)
    }

    /// Stderr as text; invalid UTF-8 becomes `U+FFFD`.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let check = planrun_sdk::probe("nginx -t")?;
    /// planrun_sdk::print(check.stderr_str()); // nginx -t reports on stderr
    /// # Ok(())
    /// # }
    /// ```
    pub fn stderr_str(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.stderr)
    }

    /// How long the command ran on the host.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let build = planrun_sdk::exec("make -C /srv/app")?;
    /// planrun_sdk::debug(format!("build took {:.1}s", build.duration().as_secs_f64()));
    /// # Ok(())
    /// # }
    /// ```
    pub fn duration(&self) -> Duration {
        self.duration
    }
}

impl From<wit::CommandOutput> for Output {
    fn from(output: wit::CommandOutput) -> Self {
        Output {
            command: output.command,
            status: match output.status {
                wit::ExitStatus::Code(code) => ExitStatus::Code(code),
                wit::ExitStatus::Signal(signal) => ExitStatus::Signal(signal),
            },
            stdout: output.stdout,
            stderr: output.stderr,
            duration: Duration::from_millis(output.duration_ms),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_survives_spaces_and_quotes() {
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn timeout_rounds_up_to_milliseconds() {
        let exec = Exec::new("x").timeout(Duration::from_micros(1500));
        assert_eq!(exec.options.timeout_ms, Some(2));
        let exec = Exec::new("x").timeout(Duration::MAX);
        assert_eq!(exec.options.timeout_ms, Some(u64::MAX));
    }

    #[test]
    fn output_accessors() {
        let killed = Output::new(
            "x",
            ExitStatus::Signal("KILL".into()),
            b"a\xff",
            "",
            Duration::ZERO,
        );
        assert!(!killed.success());
        assert_eq!(killed.code(), None);
        assert_eq!(killed.signal(), Some("KILL"));
        assert_eq!(killed.stdout_str(), "a\u{fffd}");
        assert_eq!(killed.status().to_string(), "signal KILL");
    }
}
