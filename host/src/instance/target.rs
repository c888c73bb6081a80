//! `planrun:plan/target`: calls that act on this instance's host.

use wasmtime::Result;

use super::HostState;
use crate::plan::bindings::planrun::plan::target;
use crate::plan::bindings::{CommandOutput, ExecOptions, ExitStatus, FileOptions, PlanError};
use crate::remote::password_wanted;
use crate::report::{Event, FailedCommand};

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
        if self.run.dry_run {
            self.note_exec(&command, &options);
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
        let output = self.remote.exec(&command, &options).await;
        Ok(refused_probe(output, options.become_user.as_deref()))
    }

    async fn copy(
        &mut self,
        asset: String,
        dest: String,
        options: FileOptions,
    ) -> Result<Result<bool, PlanError>> {
        let contents = match self.run.assets.read(&asset) {
            Ok(contents) => contents,
            Err(e) => return Ok(Err(e)),
        };
        Ok(self.put(&dest, &contents, &options).await)
    }

    async fn write(
        &mut self,
        dest: String,
        contents: Vec<u8>,
        options: FileOptions,
    ) -> Result<Result<bool, PlanError>> {
        Ok(self.put(&dest, &contents, &options).await)
    }

    async fn read(&mut self, path: String) -> Result<Result<Vec<u8>, PlanError>> {
        self.tally.last_failure = None;
        Ok(self.remote.read(&path).await)
    }

    async fn fact(&mut self, name: String) -> Result<Result<String, PlanError>> {
        self.tally.last_failure = None;
        Ok(self.remote.fact(&name).await)
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
