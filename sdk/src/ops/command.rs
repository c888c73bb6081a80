//! The `command` operation: a command that runs only when its guards say
//! the work is not done yet — `creates` (a path it makes) and `unless` (a
//! check that succeeds once it is done).

use super::{ask, changed, unchanged};
use crate::Exec;
use crate::error::Result;
use crate::facts;
use crate::files::Change;

const LABEL: &str = "COMMAND";

/// The shell command `command`, guarded: build it, add
/// [`creates`](Command::creates) and/or [`unless`](Command::unless), then
/// [`run`](Command::run). Without guards it always runs (and always counts
/// as a change).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// planrun_sdk::ops::command("tar -xzf /tmp/app.tgz -C /srv/app")
///     .creates("/srv/app/bin/app")
///     .run()?;
/// # Ok(())
/// # }
/// ```
pub fn command(command: impl Into<String>) -> Command {
    Command {
        exec: Exec::new(command.into()),
        creates: None,
        unless: None,
        become_user: None,
    }
}

/// See [`command`].
#[derive(Debug, Clone)]
#[must_use = "a command operation does nothing until `.run()`"]
pub struct Command {
    exec: Exec,
    creates: Option<String>,
    unless: Option<String>,
    become_user: Option<String>,
}

impl Command {
    /// Skip the command when this path exists.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::command("ssh-keygen -t ed25519 -N '' -f /srv/app/.ssh/id_ed25519")
    ///     .creates("/srv/app/.ssh/id_ed25519")
    ///     .run()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn creates(mut self, path: impl Into<String>) -> Self {
        self.creates = Some(path.into());
        self
    }

    /// Skip the command when this check (a read-only command, run also in
    /// a dry run) succeeds.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::command("psql -c 'CREATE DATABASE app'")
    ///     .unless("psql -lqt | cut -d'|' -f1 | grep -qw app")
    ///     .become_user("postgres")
    ///     .run()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn unless(mut self, check: impl Into<String>) -> Self {
        self.unless = Some(check.into());
        self
    }

    /// Runs the command (and the `unless` check) as `user` through `sudo -n`.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::command("make install").cwd("/srv/app").become_user("root").run()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn become_user(mut self, user: impl Into<String>) -> Self {
        let user = user.into();
        self.become_user = Some(user.clone());
        self.exec = self.exec.become_user(user);
        self
    }

    /// Runs the command in `dir` on the host.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::command("./configure && make").cwd("/srv/src").creates("/srv/src/app").run()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn cwd(mut self, dir: impl Into<String>) -> Self {
        self.exec = self.exec.cwd(dir);
        self
    }

    /// Runs the command unless a guard says it is done; a non-zero exit is
    /// [`Error::CommandFailed`](crate::Error::CommandFailed).
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let ran = planrun_sdk::ops::command("touch /tmp/done").creates("/tmp/done").run()?.is_changed();
    /// # Ok(())
    /// # }
    /// ```
    pub fn run(self) -> Result<Change> {
        let subject = self.exec_command();
        if let Some(path) = &self.creates
            && facts::stat(path)?.exists
        {
            return Ok(unchanged(LABEL, &subject, &format!("{path} exists")));
        }
        if let Some(check) = &self.unless
            && ask(check.clone(), &self.become_user)?.success()
        {
            return Ok(unchanged(LABEL, &subject, &format!("`{check}` succeeded")));
        }
        self.exec.run()?;
        Ok(changed(LABEL, &subject, ""))
    }

    fn exec_command(&self) -> String {
        self.exec.command().to_string()
    }
}
