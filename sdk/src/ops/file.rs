//! The `file` operation: a file's content (given or rendered from a
//! template), mode and owner.

use serde::Serialize;

use super::{attributes, changed, run, unchanged, unchanged_written};
use crate::error::{Error, Result};
use crate::facts::{self, FileKind};
use crate::files::{Change, FileOptions};

const LABEL: &str = "FILE";

/// A file on the host, as wanted: build it, then [`apply`](File::apply).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// planrun_sdk::ops::file("/etc/motd").content("Welcome\n").mode(0o644).apply()?;
/// # Ok(())
/// # }
/// ```
pub fn file(path: impl Into<String>) -> File {
    File {
        path: path.into(),
        content: None,
        mode: None,
        owner: None,
        group: None,
        become_user: None,
    }
}

/// See [`file()`].
#[derive(Debug, Clone)]
#[must_use = "a file operation does nothing until `.apply()`"]
pub struct File {
    path: String,
    content: Option<Result<Vec<u8>>>,
    mode: Option<u32>,
    owner: Option<String>,
    group: Option<String>,
    become_user: Option<String>,
}

impl File {
    /// The file's content. Without content (or a template) the file must
    /// exist, and only its mode and owner are managed.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::file("/etc/app/id").content(vec![1u8, 2, 3]).apply()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn content(mut self, content: impl Into<Vec<u8>>) -> Self {
        self.content = Some(Ok(content.into()));
        self
    }

    /// The file's content rendered from a template (see [`template`](super::template)).
    /// A rendering error surfaces from [`apply`](File::apply).
    ///
    /// ```no_run
    /// use planrun_sdk::ops::{self, context};
    ///
    /// # fn main() -> planrun_sdk::Result<()> {
    /// ops::file("/etc/app.conf")
    ///     .template("host = {{ host }}\nport = {{ port }}\n", context! { host => "web01", port => 80 })
    ///     .apply()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn template(mut self, source: &str, context: impl Serialize) -> Self {
        self.content = Some(super::template(source, context).map(String::into_bytes));
        self
    }

    /// Permission bits, e.g. `0o640`; new files otherwise get `0o644`.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::file("/srv/app/run.sh").mode(0o755).apply()?;
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
    /// planrun_sdk::ops::file("/srv/app/.env").owner("app").become_user("root").apply()?;
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
    /// planrun_sdk::ops::file("/srv/app/.env").group("app").mode(0o640).apply()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.group = Some(group.into());
        self
    }

    /// Checks and writes the file as `user` through `sudo -n`.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::file("/etc/motd").content("hi\n").become_user("root").apply()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn become_user(mut self, user: impl Into<String>) -> Self {
        self.become_user = Some(user.into());
        self
    }

    /// Makes the file so: changed if anything had to change.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let change = planrun_sdk::ops::file("/etc/motd").content("hi\n").apply()?;
    /// if change.is_changed() { /* … */ }
    /// # Ok(())
    /// # }
    /// ```
    pub fn apply(self) -> Result<Change> {
        match self.content.clone() {
            Some(content) => self.place(content?),
            None => self.attributes_only(),
        }
    }

    fn place(&self, content: Vec<u8>) -> Result<Change> {
        let mut options = FileOptions::new();
        if let Some(mode) = self.mode {
            options = options.mode(mode);
        }
        if let Some(owner) = &self.owner {
            options = options.owner(owner);
        }
        if let Some(group) = &self.group {
            options = options.group(group);
        }
        if let Some(user) = &self.become_user {
            options = options.become_user(user);
        }
        // planrun compares sha256, mode and owner on the host and sends the
        // content only if it differs.
        Ok(match options.write(&self.path, content)? {
            Change::Changed => changed(LABEL, &self.path, ""),
            Change::Unchanged => {
                unchanged_written(LABEL, &self.path, "content, mode and owner as wanted")
            }
        })
    }

    fn attributes_only(&self) -> Result<Change> {
        let stat = facts::stat(&self.path)?;
        match stat.kind {
            Some(FileKind::File) => {}
            None => {
                return Err(Error::NotFound(format!(
                    "{} does not exist and the file operation has no content for it",
                    self.path
                )));
            }
            Some(other) => {
                return Err(Error::Invalid(format!(
                    "{} is a {other:?}, not a file",
                    self.path
                )));
            }
        }
        let (commands, what) = attributes(&stat, self.mode, &self.owner, &self.group);
        if commands.is_empty() {
            return Ok(unchanged(LABEL, &self.path, "mode and owner as wanted"));
        }
        run(commands.join(" && "), &self.become_user)?;
        Ok(changed(LABEL, &self.path, &what.join(", ")))
    }
}
