//! The `directory` operation: a directory exists, with a mode and owner.

use super::{attributes, changed, run, unchanged};
use crate::error::{Error, Result};
use crate::facts::{self, FileKind};
use crate::files::Change;
use crate::quote;

const LABEL: &str = "DIR";

/// A directory on the host, as wanted: build it, then [`apply`](Directory::apply).
/// Missing parents are created too (`mkdir -p`).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// planrun_sdk::ops::directory("/srv/app/releases").mode(0o755).owner("app").become_user("root").apply()?;
/// # Ok(())
/// # }
/// ```
pub fn directory(path: impl Into<String>) -> Directory {
    Directory {
        path: path.into(),
        mode: None,
        owner: None,
        group: None,
        become_user: None,
    }
}

/// See [`directory`].
#[derive(Debug, Clone)]
#[must_use = "a directory operation does nothing until `.apply()`"]
pub struct Directory {
    path: String,
    mode: Option<u32>,
    owner: Option<String>,
    group: Option<String>,
    become_user: Option<String>,
}

impl Directory {
    /// Permission bits, e.g. `0o750`.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::directory("/srv/secrets").mode(0o700).apply()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn mode(mut self, mode: u32) -> Self {
        self.mode = Some(mode);
        self
    }

    /// The owning user.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::directory("/srv/app").owner("app").apply()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn owner(mut self, user: impl Into<String>) -> Self {
        self.owner = Some(user.into());
        self
    }

    /// The owning group.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::directory("/srv/app").group("www-data").apply()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.group = Some(group.into());
        self
    }

    /// Creates and changes the directory as `user` through `sudo -n`.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::directory("/opt/app").become_user("root").apply()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn become_user(mut self, user: impl Into<String>) -> Self {
        self.become_user = Some(user.into());
        self
    }

    /// Makes the directory so: changed if it was created or its mode or
    /// owner changed.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let created = planrun_sdk::ops::directory("/srv/app").apply()?.is_changed();
    /// # Ok(())
    /// # }
    /// ```
    pub fn apply(self) -> Result<Change> {
        let stat = facts::stat(&self.path)?;
        match stat.kind {
            None => {
                let mut commands = vec![format!("mkdir -p {}", quote(&self.path))];
                let created = facts::Stat {
                    mode: None,
                    owner: None,
                    group: None,
                    ..stat
                };
                let (more, _) = attributes(&created, self.mode, &self.owner, &self.group);
                commands.extend(more);
                run(commands.join(" && "), &self.become_user)?;
                Ok(changed(LABEL, &self.path, "created"))
            }
            Some(FileKind::Directory) => {
                let (commands, what) = attributes(&stat, self.mode, &self.owner, &self.group);
                if commands.is_empty() {
                    return Ok(unchanged(LABEL, &self.path, "exists as wanted"));
                }
                run(commands.join(" && "), &self.become_user)?;
                Ok(changed(LABEL, &self.path, &what.join(", ")))
            }
            Some(other) => Err(Error::Invalid(format!(
                "{} is a {other:?}, not a directory; not replacing it",
                self.path
            ))),
        }
    }
}
