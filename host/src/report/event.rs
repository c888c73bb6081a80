//! The events a run produces, in the order hosts produce them.

use std::time::Duration;

use tokio::sync::mpsc;

use super::Call;
use crate::plan::bindings::{CommandOutput, ExitStatus};

/// Lines of stderr shown under a failed command.
const STDERR_TAIL_LINES: usize = 5;

#[derive(Debug)]
pub enum Event {
    /// A labelled step from the plan.
    Step {
        host: usize,
        label: String,
        message: String,
    },
    Warn {
        host: usize,
        message: String,
    },
    /// Shown only with `-v`.
    Debug {
        host: usize,
        message: String,
    },
    /// Plain output lines from the plan.
    Print {
        host: usize,
        text: String,
    },
    /// A remote command is about to run (shown with `-v`).
    Command {
        host: usize,
        command: String,
    },
    /// A host's task started: it is connecting.
    Connecting {
        host: usize,
    },
    /// A host's connection is up; its plan starts.
    Connected {
        host: usize,
    },
    /// A host API call finished (for the run record; not shown).
    Call {
        host: usize,
        call: Call,
    },
    /// A change to the host: made, or in a dry run, one that would be made.
    /// Listed in a dry run (with the diff of a file's content), shown with
    /// `-v` in a real one.
    Change {
        host: usize,
        /// `run: CMD`, `write PATH (content, mode 0644 → 0600)`.
        what: String,
        /// A dry run's unified diff of a file's content.
        diff: Option<String>,
        dry_run: bool,
    },
    /// The plan found something already as wanted (counted, not shown: the
    /// plan says so in its own words).
    Unchanged {
        host: usize,
        what: String,
    },
    /// A host is done, one way or another.
    HostDone {
        host: usize,
        outcome: HostOutcome,
        changed: u32,
        duration: Duration,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum HostOutcome {
    Ok,
    /// The plan failed (its error, a trap, a lost connection mid-run).
    Failed {
        message: String,
        command: Option<FailedCommand>,
    },
    /// The host could not be reached (connect, host key, auth).
    Unreachable(String),
}

/// The essentials of a failed command, for the failure report.
#[derive(Debug, Clone, PartialEq)]
pub struct FailedCommand {
    pub command: String,
    pub status: String,
    pub stderr_tail: Vec<String>,
}

impl FailedCommand {
    pub fn from_output(output: &CommandOutput) -> Self {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        let tail = lines[lines.len().saturating_sub(STDERR_TAIL_LINES)..]
            .iter()
            .map(|l| l.to_string())
            .collect();
        FailedCommand {
            command: output.command.clone(),
            status: match &output.status {
                ExitStatus::Code(code) => format!("exit status {code}"),
                ExitStatus::Signal(signal) => format!("killed by signal {signal}"),
            },
            stderr_tail: tail,
        }
    }
}

/// Where host tasks send events; cheap to clone, never blocks.
#[derive(Clone)]
pub struct EventSender(mpsc::UnboundedSender<Event>);

impl EventSender {
    pub fn channel() -> (EventSender, mpsc::UnboundedReceiver<Event>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (EventSender(tx), rx)
    }

    pub fn send(&self, event: Event) {
        // The reporter outlives every host task; if it is gone the run is
        // being torn down and there is nobody left to tell.
        let _ = self.0.send(event);
    }
}
