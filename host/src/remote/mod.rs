//! Carrying a plan's calls to its host: command lines, file placement,
//! facts, all over the host's one SSH [`Session`].
//!
//! Every remote command takes a fork slot (`--forks`) for as long as it runs
//! and no longer, so a host waiting at a barrier holds none. Every command
//! is also bounded by the sandbox's [`CommandLimits`]: it is killed after
//! the command timeout (or the plan's own, if shorter), and output past the
//! output limit reaches the plan as a marker saying how much was dropped.

mod command;
mod facts;
mod files;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::plan::bindings::{CommandOutput, ExecOptions, ExitStatus, PlanError};
use crate::sandbox::CommandLimits;
use crate::sandbox::units::fmt_size;
use crate::transport::{self, RawOutput, RunError, Session};

pub use command::{command_line, password_wanted};
pub use files::Placed;

/// One host's end of the run: its session, fork slots and fact cache.
pub struct Remote {
    session: Session,
    forks: Arc<Semaphore>,
    facts: facts::FactCache,
    /// Set once the connection is lost; every later call fails at once.
    lost: Option<String>,
    limits: CommandLimits,
}

impl Remote {
    pub fn new(mut session: Session, forks: Arc<Semaphore>, limits: CommandLimits) -> Self {
        session.set_max_output(usize::try_from(limits.max_output).unwrap_or(usize::MAX));
        Remote {
            session,
            forks,
            facts: facts::FactCache::new(),
            lost: None,
            limits,
        }
    }

    /// Why the connection was lost, if it was.
    pub fn lost(&self) -> Option<&str> {
        self.lost.as_deref()
    }

    pub async fn close(&self) {
        self.session.close().await;
    }

    /// Runs a plan's command with its options; any exit status is `Ok`.
    pub async fn exec(
        &mut self,
        command: &str,
        options: &ExecOptions,
    ) -> Result<CommandOutput, PlanError> {
        let line = command_line(command, options)?;
        let timeout = options.timeout_ms.map(Duration::from_millis);
        let raw = self.run(&line, options.stdin.as_deref(), timeout).await?;
        Ok(self.to_output(command, raw))
    }

    /// Runs a complete command line, holding a fork slot while it runs, for
    /// at most `timeout` or the command timeout, whichever is shorter.
    pub async fn run(
        &mut self,
        line: &str,
        stdin: Option<&[u8]>,
        timeout: Option<Duration>,
    ) -> Result<RawOutput, PlanError> {
        if let Some(lost) = &self.lost {
            return Err(PlanError::Connection(lost.clone()));
        }
        let timeout = match (timeout, self.limits.timeout) {
            (Some(asked), Some(limit)) => Some(asked.min(limit)),
            (asked, limit) => asked.or(limit),
        };
        let _slot = self.forks.acquire().await.expect("fork slots never close");
        match self.session.run(line, stdin, timeout).await {
            Ok(raw) => Ok(raw),
            Err(RunError::TimedOut(after)) => Err(PlanError::TimedOut(after.as_millis() as u64)),
            Err(RunError::ConnectionLost(why)) => {
                self.lost = Some(why.clone());
                Err(PlanError::Connection(why))
            }
            Err(e) => Err(PlanError::Other(e.to_string())),
        }
    }

    /// Forgets cached facts: the host may have changed.
    pub fn invalidate_facts(&mut self) {
        self.facts.clear();
    }

    /// A command's output as the plan gets it: each stream cut at the output
    /// limit ends with a line saying so.
    fn to_output(&self, command: &str, mut raw: RawOutput) -> CommandOutput {
        for (stream, name, dropped) in [
            (&mut raw.stdout, "stdout", raw.stdout_dropped),
            (&mut raw.stderr, "stderr", raw.stderr_dropped),
        ] {
            if dropped > 0 {
                stream.extend_from_slice(
                    truncation_marker(name, dropped, self.limits.max_output).as_bytes(),
                );
            }
        }
        CommandOutput {
            command: command.to_string(),
            status: match raw.status {
                transport::ExitStatus::Code(code) => ExitStatus::Code(code),
                transport::ExitStatus::Signal(signal) => ExitStatus::Signal(signal),
            },
            stdout: raw.stdout,
            stderr: raw.stderr,
            duration_ms: raw.duration.as_millis() as u64,
        }
    }

    /// The output limit, for messages.
    pub fn max_output(&self) -> String {
        fmt_size(self.limits.max_output)
    }
}

/// The line that ends a stream cut at the output limit.
pub fn truncation_marker(stream: &str, dropped: u64, limit: u64) -> String {
    format!(
        "\n[planrun: {stream} truncated: {dropped} more bytes ({}) dropped past the {} output limit (--max-output)]\n",
        fmt_size(dropped),
        fmt_size(limit)
    )
}
