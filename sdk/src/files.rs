//! Files on the host: [`copy`] an asset, [`write()`] bytes the plan made,
//! [`read`] a file back; [`FileOptions`] sets mode, owner and the user to
//! write as. `copy` and `write` are operations in pyinfra's sense: they
//! compare sha256 first and report a [`Change`] or a no-op.

use std::fmt;

use crate::__bindings::planrun::plan::{target, types as wit};
use crate::error::{Error, Result};

/// Puts the asset file `asset` (a path inside the plan's asset directory) at
/// `dest` on the host, with default [`FileOptions`]. Transfers only when the
/// content differs.
///
/// ```no_run
/// use planrun_sdk::{copy, step};
///
/// # fn main() -> planrun_sdk::Result<()> {
/// let change = copy("nginx/app.conf", "/etc/nginx/conf.d/app.conf")?;
/// step("NGINX", format!("app.conf {change}"));
/// # Ok(())
/// # }
/// ```
pub fn copy(asset: impl AsRef<str>, dest: impl AsRef<str>) -> Result<Change> {
    FileOptions::new().copy(asset, dest)
}

/// Puts `contents` at `dest` on the host, with default [`FileOptions`] (new
/// files get mode 0o644). Transfers only when the content differs.
///
/// ```no_run
/// use planrun_sdk::{write, this_host};
///
/// # fn main() -> planrun_sdk::Result<()> {
/// let conf = format!("node = {}\n", this_host().name);
/// if write("/etc/app/node.conf", conf)?.is_changed() {
///     planrun_sdk::exec("systemctl restart app")?;
/// }
/// # Ok(())
/// # }
/// ```
pub fn write(dest: impl AsRef<str>, contents: impl AsRef<[u8]>) -> Result<Change> {
    FileOptions::new().write(dest, contents)
}

/// Fetches a (small) file from the host.
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let key: Vec<u8> = planrun_sdk::read("/etc/ssh/ssh_host_ed25519_key.pub")?;
/// # Ok(())
/// # }
/// ```
pub fn read(path: impl AsRef<str>) -> Result<Vec<u8>> {
    target::read(path.as_ref()).map_err(Error::from)
}

/// Fetches a (small) text file from the host; not UTF-8 is an error.
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// let release = planrun_sdk::read_to_string("/srv/app/RELEASE")?;
/// planrun_sdk::step("CHECK", format!("running {}", release.trim()));
/// # Ok(())
/// # }
/// ```
pub fn read_to_string(path: impl AsRef<str>) -> Result<String> {
    let path = path.as_ref();
    String::from_utf8(read(path)?)
        .map_err(|e| Error::Plan(format!("file `{path}` is not UTF-8 text: {e}")))
}

/// Whether an operation changed the host or found it already as wanted.
/// Displays as `changed` or `unchanged`.
///
/// ```no_run
/// use planrun_sdk::{Change, copy};
///
/// # fn main() -> planrun_sdk::Result<()> {
/// match copy("motd.txt", "/etc/motd")? {
///     Change::Changed => planrun_sdk::step("MOTD", "updated"),
///     Change::Unchanged => planrun_sdk::step("MOTD", "already up to date"),
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    /// Something changed: content, mode or owner.
    Changed,
    /// The host already was as wanted; nothing was done.
    Unchanged,
}

impl Change {
    /// Whether something changed.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// if planrun_sdk::copy("app.service", "/etc/systemd/system/app.service")?.is_changed() {
    ///     planrun_sdk::exec("systemctl daemon-reload")?;
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn is_changed(self) -> bool {
        self == Change::Changed
    }
}

impl From<bool> for Change {
    fn from(changed: bool) -> Self {
        if changed {
            Change::Changed
        } else {
            Change::Unchanged
        }
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Change::Changed => "changed",
            Change::Unchanged => "unchanged",
        })
    }
}

/// How to place a file: mode, owner, group and the user to write as. Build
/// it, then [`copy`](FileOptions::copy) or [`write`](FileOptions::write)
/// with it.
///
/// ```no_run
/// use planrun_sdk::FileOptions;
///
/// # fn main() -> planrun_sdk::Result<()> {
/// let secret = FileOptions::new().mode(0o600).owner("app").group("app").become_user("root");
/// secret.write("/etc/app/token", "s3cr3t\n")?;
/// secret.copy("tls/app.key", "/etc/app/tls.key")?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct FileOptions {
    options: wit::FileOptions,
}

impl Default for FileOptions {
    fn default() -> Self {
        FileOptions::new()
    }
}

impl FileOptions {
    /// No options: new files get mode 0o644 and the login user as owner.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::FileOptions::new().write("/tmp/hello", "hello\n")?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn new() -> Self {
        FileOptions {
            options: wit::FileOptions {
                mode: None,
                owner: None,
                group: None,
                become_user: None,
            },
        }
    }

    /// Permission bits, e.g. `0o755`.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::FileOptions::new().mode(0o755).copy("bin/healthcheck", "/usr/local/bin/healthcheck")?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn mode(mut self, mode: u32) -> Self {
        self.options.mode = Some(mode);
        self
    }

    /// The owning user (chown).
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::FileOptions::new().owner("app").become_user("root").write("/srv/app/.env", "PORT=80\n")?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn owner(mut self, user: impl Into<String>) -> Self {
        self.options.owner = Some(user.into());
        self
    }

    /// The owning group (chgrp).
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::FileOptions::new().group("www-data").mode(0o640).write("/srv/app/secret", "x")?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.options.group = Some(group.into());
        self
    }

    /// Writes the file as `user`, through `sudo -n -u USER`.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::FileOptions::new().become_user("root").copy("motd.txt", "/etc/motd")?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn become_user(mut self, user: impl Into<String>) -> Self {
        self.options.become_user = Some(user.into());
        self
    }

    /// Puts the asset `asset` at `dest` with these options, like [`copy`].
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let change = planrun_sdk::FileOptions::new().mode(0o644).copy("motd.txt", "/etc/motd")?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn copy(&self, asset: impl AsRef<str>, dest: impl AsRef<str>) -> Result<Change> {
        target::copy(asset.as_ref(), dest.as_ref(), &self.options)
            .map(Change::from)
            .map_err(Error::from)
    }

    /// Puts `contents` at `dest` with these options, like [`write()`].
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let change = planrun_sdk::FileOptions::new().mode(0o600).write("/etc/app/key", [1u8, 2, 3])?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn write(&self, dest: impl AsRef<str>, contents: impl AsRef<[u8]>) -> Result<Change> {
        target::write(dest.as_ref(), contents.as_ref(), &self.options)
            .map(Change::from)
            .map_err(Error::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_reads_well() {
        assert_eq!(Change::from(true).to_string(), "changed");
        assert_eq!(Change::from(false).to_string(), "unchanged");
        assert!(!Change::Unchanged.is_changed());
    }
}
