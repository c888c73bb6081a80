//! `planrun:plan/target`: calls that act on this instance's host.

use std::time::Instant;

use wasmtime::Result;

use super::HostState;
use crate::plan::bindings::planrun::plan::target;
use crate::plan::bindings::{CommandOutput, ExecOptions, ExitStatus, FileOptions, PlanError};
use crate::remote::password_wanted;
use crate::report::{CallKind, CallResult, Event, FailedCommand};

impl target::Host for HostState {
    async fn exec(
        &mut self,
        command: String,
        options: ExecOptions,
    ) -> Result<Result<CommandOutput, PlanError>> {
        self.emit(Event::Command {
            host: self.index,
            command: command.clone(),
        });
        let started = Instant::now();
        if self.run.dry_run {
            self.note_exec(&command, &options);
            self.record_call(CallKind::Exec, &command, started, || CallResult::Skipped);
            return Ok(Ok(CommandOutput {
                command,
                status: ExitStatus::Code(0),
                stdout: Vec::new(),
                stderr: Vec::new(),
                duration_ms: 0,
            }));
        }
        // Any command may change what facts would say.
        self.remote.invalidate_facts();
        self.note_exec(&command, &options);
        let become_user = options.become_user.clone();
        let output = self.remote.exec(&command, &options).await;
        self.record_call(CallKind::Exec, &command, started, || {
            CallResult::of_command(&output)
        });
        Ok(self.checked(output, become_user.as_deref()))
    }

    async fn probe(
        &mut self,
        command: String,
        options: ExecOptions,
    ) -> Result<Result<CommandOutput, PlanError>> {
        self.emit(Event::Command {
            host: self.index,
            command: command.clone(),
        });
        self.tally.last_failure = None;
        let started = Instant::now();
        let output = self.remote.exec(&command, &options).await;
        self.record_call(CallKind::Probe, &command, started, || {
            CallResult::of_command(&output)
        });
        Ok(refused_probe(output, options.become_user.as_deref()))
    }

    async fn copy(
        &mut self,
        asset: String,
        dest: String,
        options: FileOptions,
    ) -> Result<Result<bool, PlanError>> {
        let started = Instant::now();
        let subject = format!("{asset} -> {dest}");
        let result = match self.run.assets.read(&asset) {
            Ok(contents) => self.put(&dest, &contents, &options).await,
            Err(e) => Err(e),
        };
        self.record_call(CallKind::Copy, &subject, started, || {
            CallResult::of_change(&result)
        });
        Ok(result)
    }

    async fn write(
        &mut self,
        dest: String,
        contents: Vec<u8>,
        options: FileOptions,
    ) -> Result<Result<bool, PlanError>> {
        let started = Instant::now();
        let result = self.put(&dest, &contents, &options).await;
        self.record_call(CallKind::Write, &dest, started, || {
            CallResult::of_change(&result)
        });
        Ok(result)
    }

    async fn read(&mut self, path: String) -> Result<Result<Vec<u8>, PlanError>> {
        self.tally.last_failure = None;
        let started = Instant::now();
        let result = self.remote.read(&path).await;
        self.record_call(CallKind::Read, &path, started, || {
            CallResult::of_value(&result, |bytes| format!("{} bytes", bytes.len()))
        });
        Ok(result)
    }

    async fn fact(&mut self, name: String) -> Result<Result<String, PlanError>> {
        self.tally.last_failure = None;
        let started = Instant::now();
        let result = self.remote.fact(&name).await;
        self.record_call(CallKind::Fact, &name, started, || {
            CallResult::of_value(&result, String::clone)
        });
        Ok(result)
    }
}

impl HostState {
    /// Places a file, counting a change and dropping cached facts if it made one.
    async fn put(
        &mut self,
        dest: &str,
        contents: &[u8],
        options: &FileOptions,
    ) -> std::result::Result<bool, PlanError> {
        self.tally.last_failure = None;
        let placed = self
            .remote
            .put(dest, contents, options, self.run.dry_run)
            .await?;
        let changed = self.note_put(placed);
        if changed && !self.run.dry_run {
            self.remote.invalidate_facts();
        }
        Ok(changed)
    }

    /// Turns a non-zero exit into `command-failed`, remembering it for the report.
    fn checked(
        &mut self,
        output: std::result::Result<CommandOutput, PlanError>,
        become_user: Option<&str>,
    ) -> std::result::Result<CommandOutput, PlanError> {
        let output = output?;
        if output.status == ExitStatus::Code(0) {
            self.tally.last_failure = None;
            return Ok(output);
        }
        if let Some(refused) = become_user.and_then(|u| password_wanted(u, &output.stderr)) {
            return Err(refused);
        }
        self.tally.last_failure = Some(FailedCommand::from_output(&output));
        Err(PlanError::CommandFailed(output))
    }
}

/// A probe's non-zero exit is its answer, unless sudo refused to run it at
/// all: a plan must not read "sudo wants a password" as "no".
fn refused_probe(
    output: std::result::Result<CommandOutput, PlanError>,
    become_user: Option<&str>,
) -> std::result::Result<CommandOutput, PlanError> {
    let output = output?;
    if output.status != ExitStatus::Code(0)
        && let Some(refused) = become_user.and_then(|u| password_wanted(u, &output.stderr))
    {
        return Err(refused);
    }
    Ok(output)
}
