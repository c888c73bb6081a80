//! The `user` and `group` operations: accounts present with the wanted
//! ids, home, shell and groups, or absent (useradd/usermod/userdel and the
//! group tools of shadow-utils).

use super::{changed, check_name, run, unchanged};
use crate::error::Result;
use crate::facts;
use crate::files::Change;
use crate::quote;

/// The user account `name`: build it, then [`present`](UserOp::present) or
/// [`absent`](UserOp::absent). Needs root: `become_user("root")` unless you
/// log in as root.
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// planrun_sdk::ops::user("app")
///     .system()
///     .home("/srv/app")
///     .shell("/usr/sbin/nologin")
///     .groups(["www-data"])
///     .become_user("root")
///     .present()?;
/// # Ok(())
/// # }
/// ```
pub fn user(name: impl Into<String>) -> UserOp {
    UserOp {
        name: name.into(),
        uid: None,
        group: None,
        groups: Vec::new(),
        home: None,
        shell: None,
        system: false,
        become_user: None,
    }
}

/// See [`user`].
#[derive(Debug, Clone)]
#[must_use = "a user operation does nothing until `.present()` or `.absent()`"]
pub struct UserOp {
    name: String,
    uid: Option<u32>,
    group: Option<String>,
    groups: Vec<String>,
    home: Option<String>,
    shell: Option<String>,
    system: bool,
    become_user: Option<String>,
}

impl UserOp {
    /// The user id.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::user("app").uid(990).present()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn uid(mut self, uid: u32) -> Self {
        self.uid = Some(uid);
        self
    }

    /// The primary group (which must exist).
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::user("app").group("app").present()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.group = Some(group.into());
        self
    }

    /// Supplementary groups the user must be in (it may be in others too).
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::user("deploy").groups(["docker", "adm"]).present()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn groups<I, S>(mut self, groups: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.groups = groups.into_iter().map(Into::into).collect();
        self
    }

    /// The home directory (created with the user).
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::user("app").home("/srv/app").present()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn home(mut self, home: impl Into<String>) -> Self {
        self.home = Some(home.into());
        self
    }

    /// The login shell.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::user("app").shell("/bin/bash").present()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn shell(mut self, shell: impl Into<String>) -> Self {
        self.shell = Some(shell.into());
        self
    }

    /// A system account (a low uid, no aging), when created.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::user("prometheus").system().present()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn system(mut self) -> Self {
        self.system = true;
        self
    }

    /// Runs the account tools as `user` through `sudo -n`.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::user("app").become_user("root").present()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn become_user(mut self, user: impl Into<String>) -> Self {
        self.become_user = Some(user.into());
        self
    }

    /// Creates the user, or brings its uid, primary group, groups, home and
    /// shell to what was asked.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// let created = planrun_sdk::ops::user("app").present()?.is_changed();
    /// # Ok(())
    /// # }
    /// ```
    pub fn present(self) -> Result<Change> {
        check_name("user", &self.name)?;
        let Some(have) = facts::user(&self.name)? else {
            let mut args = Vec::new();
            if self.system {
                args.push("-r".to_string());
            }
            if let Some(home) = &self.home {
                args.push(format!("-d {} -m", quote(home)));
            }
            args.extend(self.options());
            return self.tool("useradd", &args, "created");
        };
        let mut args = Vec::new();
        let mut what = Vec::new();
        if let Some(uid) = self.uid.filter(|uid| *uid != have.uid) {
            args.push(format!("-u {uid}"));
            what.push(format!("uid {} → {uid}", have.uid));
        }
        if let Some(group) = self
            .group
            .as_ref()
            .filter(|g| have.group.as_ref() != Some(*g))
        {
            args.push(format!("-g {}", quote(group)));
            what.push(format!("group → {group}"));
        }
        let missing: Vec<&String> = self
            .groups
            .iter()
            .filter(|g| !have.groups.contains(g))
            .collect();
        if !missing.is_empty() {
            let list: Vec<&str> = missing.iter().map(|g| g.as_str()).collect();
            args.push(format!("-a -G {}", quote(&list.join(","))));
            what.push(format!("joins {}", list.join(", ")));
        }
        if let Some(home) = self.home.as_ref().filter(|h| **h != have.home) {
            args.push(format!("-d {}", quote(home)));
            what.push(format!("home → {home}"));
        }
        if let Some(shell) = self.shell.as_ref().filter(|s| **s != have.shell) {
            args.push(format!("-s {}", quote(shell)));
            what.push(format!("shell → {shell}"));
        }
        if args.is_empty() {
            return Ok(unchanged("USER", &self.name, "exists as wanted"));
        }
        self.tool("usermod", &args, &what.join(", "))
    }

    /// Deletes the user if it exists (its home stays).
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::user("olduser").become_user("root").absent()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn absent(self) -> Result<Change> {
        check_name("user", &self.name)?;
        if facts::user(&self.name)?.is_none() {
            return Ok(unchanged("USER", &self.name, "does not exist"));
        }
        self.tool("userdel", &[], "deleted")
    }

    /// useradd's options for uid, group, groups and shell.
    fn options(&self) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(uid) = self.uid {
            args.push(format!("-u {uid}"));
        }
        if let Some(group) = &self.group {
            args.push(format!("-g {}", quote(group)));
        }
        if !self.groups.is_empty() {
            args.push(format!("-G {}", quote(&self.groups.join(","))));
        }
        if let Some(shell) = &self.shell {
            args.push(format!("-s {}", quote(shell)));
        }
        args
    }

    fn tool(&self, tool: &str, args: &[String], what: &str) -> Result<Change> {
        let mut command = tool.to_string();
        for arg in args {
            command.push(' ');
            command.push_str(arg);
        }
        command.push(' ');
        command.push_str(&quote(&self.name));
        run(command, &self.become_user)?;
        Ok(changed("USER", &self.name, what))
    }
}

/// The group `name`: build it, then [`present`](GroupOp::present) or
/// [`absent`](GroupOp::absent).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// planrun_sdk::ops::group("app").system().become_user("root").present()?;
/// # Ok(())
/// # }
/// ```
pub fn group(name: impl Into<String>) -> GroupOp {
    GroupOp {
        name: name.into(),
        gid: None,
        system: false,
        become_user: None,
    }
}

/// See [`group`].
#[derive(Debug, Clone)]
#[must_use = "a group operation does nothing until `.present()` or `.absent()`"]
pub struct GroupOp {
    name: String,
    gid: Option<u32>,
    system: bool,
    become_user: Option<String>,
}

impl GroupOp {
    /// The group id.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::group("app").gid(990).present()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn gid(mut self, gid: u32) -> Self {
        self.gid = Some(gid);
        self
    }

    /// A system group, when created.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::group("app").system().present()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn system(mut self) -> Self {
        self.system = true;
        self
    }

    /// Runs the group tools as `user` through `sudo -n`.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::group("app").become_user("root").present()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn become_user(mut self, user: impl Into<String>) -> Self {
        self.become_user = Some(user.into());
        self
    }

    /// Creates the group, or changes its gid to the one asked for.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::group("deploy").present()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn present(self) -> Result<Change> {
        check_name("group", &self.name)?;
        let name = quote(&self.name);
        let gid = self.gid.map(|gid| format!("-g {gid} ")).unwrap_or_default();
        match facts::group(&self.name)? {
            None => {
                let system = if self.system { "-r " } else { "" };
                run(format!("groupadd {system}{gid}{name}"), &self.become_user)?;
                Ok(changed("GROUP", &self.name, "created"))
            }
            Some(have) => match self.gid.filter(|gid| *gid != have.gid) {
                Some(want) => {
                    run(format!("groupmod {gid}{name}"), &self.become_user)?;
                    Ok(changed(
                        "GROUP",
                        &self.name,
                        &format!("gid {} → {want}", have.gid),
                    ))
                }
                None => Ok(unchanged("GROUP", &self.name, "exists as wanted")),
            },
        }
    }

    /// Deletes the group if it exists.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::group("oldgroup").absent()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn absent(self) -> Result<Change> {
        check_name("group", &self.name)?;
        if facts::group(&self.name)?.is_none() {
            return Ok(unchanged("GROUP", &self.name, "does not exist"));
        }
        run(format!("groupdel {}", quote(&self.name)), &self.become_user)?;
        Ok(changed("GROUP", &self.name, "deleted"))
    }
}
