//! A finished host API call (exec, copy, fact, barrier, …) as the run record
//! keeps it: what was asked, how long it took, how it ended. The console
//! shows none of these; the recorder turns them into events and output.

use std::time::Duration;

use crate::plan::bindings::{CommandOutput, ExitStatus, PlanError};

/// Which host API call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallKind {
    Exec,
    Probe,
    Copy,
    Write,
    Read,
    Fact,
    Barrier,
}

impl CallKind {
    /// The name stored in the record and shown as the label.
    pub fn name(self) -> &'static str {
        match self {
            CallKind::Exec => "exec",
            CallKind::Probe => "probe",
            CallKind::Copy => "copy",
            CallKind::Write => "write",
            CallKind::Read => "read",
            CallKind::Fact => "fact",
            CallKind::Barrier => "barrier",
        }
    }
}

#[derive(Debug)]
pub struct Call {
    pub kind: CallKind,
    /// The command, destination path, fact or barrier name.
    pub subject: String,
    pub duration: Duration,
    pub result: CallResult,
}

#[derive(Debug)]
pub enum CallResult {
    /// A command ran to its end (any exit status).
    Exited {
        status: ExitStatus,
        stdout: Vec<u8>,
        stderr: Vec<u8>,
    },
    /// A file call: whether the host changed.
    Changed(bool),
    /// A call that returned a value: a fact, a read's size, who met at a barrier.
    Value(String),
    /// A mutating call skipped in dry-run.
    Skipped,
    /// The call failed without a command result (timeout, connection, …).
    Failed(String),
}

impl CallResult {
    /// The result of `exec`/`probe`; a non-zero exit is a command that ran.
    pub fn of_command(result: &Result<CommandOutput, PlanError>) -> CallResult {
        match result {
            Ok(output) | Err(PlanError::CommandFailed(output)) => CallResult::Exited {
                status: output.status.clone(),
                stdout: output.stdout.clone(),
                stderr: output.stderr.clone(),
            },
            Err(e) => CallResult::Failed(describe(e)),
        }
    }

    /// The result of `copy`/`write`.
    pub fn of_change(result: &Result<bool, PlanError>) -> CallResult {
        match result {
            Ok(changed) => CallResult::Changed(*changed),
            Err(e) => CallResult::Failed(describe(e)),
        }
    }

    /// The result of a call that returns a value, described by `show`.
    pub fn of_value<T>(result: &Result<T, PlanError>, show: impl FnOnce(&T) -> String) -> Self {
        match result {
            Ok(value) => CallResult::Value(show(value)),
            Err(e) => CallResult::Failed(describe(e)),
        }
    }
}

/// A plan error in words, for the record.
pub fn describe(error: &PlanError) -> String {
    match error {
        PlanError::CommandFailed(output) => match &output.status {
            ExitStatus::Code(code) => format!("`{}` exited with status {code}", output.command),
            ExitStatus::Signal(signal) => {
                format!("`{}` was killed by signal {signal}", output.command)
            }
        },
        PlanError::TimedOut(ms) => format!("timed out after {ms} ms"),
        PlanError::Connection(why) => format!("connection: {why}"),
        PlanError::NotFound(what) => format!("not found: {what}"),
        PlanError::Denied(why) => format!("denied: {why}"),
        PlanError::UnknownFact(known) => format!("unknown fact; known: {}", known.join(", ")),
        PlanError::Deadlock(names) => format!("deadlock: {names}"),
        PlanError::Cancelled => "cancelled".to_string(),
        PlanError::Invalid(why) => format!("invalid: {why}"),
        PlanError::Other(why) => why.clone(),
    }
}
