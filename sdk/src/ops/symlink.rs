//! The `symlink` operation: a symbolic link pointing where it should.

use super::{changed, run, unchanged};
use crate::error::{Error, Result};
use crate::facts::{self, FileKind};
use crate::files::Change;
use crate::quote;

const LABEL: &str = "LINK";

/// A symlink at `path` pointing to `target`: build it, then
/// [`apply`](Symlink::apply). A link pointing elsewhere is repointed; a
/// file or directory in its place is an error, never replaced.
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// planrun_sdk::ops::symlink("/srv/app/current", "/srv/app/releases/1.4.2").apply()?;
/// # Ok(())
/// # }
/// ```
pub fn symlink(path: impl Into<String>, target: impl Into<String>) -> Symlink {
    Symlink {
        path: path.into(),
        target: target.into(),
        become_user: None,
    }
}

/// See [`symlink`].
#[derive(Debug, Clone)]
#[must_use = "a symlink operation does nothing until `.apply()`"]
pub struct Symlink {
    path: String,
    target: String,
    become_user: Option<String>,
}

impl Symlink {
    /// Creates the link as `user` through `sudo -n`.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::symlink("/etc/nginx/sites-enabled/app", "../sites-available/app")
    ///     .become_user("root")
    ///     .apply()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn become_user(mut self, user: impl Into<String>) -> Self {
        self.become_user = Some(user.into());
        self
    }

    /// Makes the link so: changed if it was created or repointed.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let switched = planrun_sdk::ops::symlink("/srv/app/current", "releases/2").apply()?.is_changed();
    /// # Ok(())
    /// # }
    /// ```
    pub fn apply(self) -> Result<Change> {
        let stat = facts::stat(&self.path)?;
        let (path, target) = (quote(&self.path), quote(&self.target));
        let what = match stat.kind {
            None => "created".to_string(),
            Some(FileKind::Symlink) if stat.target.as_deref() == Some(self.target.as_str()) => {
                let reason = format!("points to {}", self.target);
                return Ok(unchanged(LABEL, &self.path, &reason));
            }
            Some(FileKind::Symlink) => format!(
                "{} → {}",
                stat.target.as_deref().unwrap_or("?"),
                self.target
            ),
            Some(other) => {
                return Err(Error::Invalid(format!(
                    "{} is a {other:?}, not a symlink; not replacing it",
                    self.path
                )));
            }
        };
        // -n: when the old link points to a directory, replace the link
        // rather than create one inside that directory.
        run(format!("ln -sfn {target} {path}"), &self.become_user)?;
        Ok(changed(LABEL, &self.path, &what))
    }
}
