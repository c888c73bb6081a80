//! Operations: idempotent changes to the host, in pyinfra's sense. Each
//! reads facts first, then either changes the host or reports a no-op with
//! its reason, and returns [`Change`]: run a plan twice and the second run
//! changes nothing.
//!
//! Every operation prints one line, `[host]  LABEL  subject: outcome`:
//!
//! ```text
//! [web01]  PACKAGE   nginx: unchanged (1.22.1-9 is installed)
//! [web01]  FILE      /etc/nginx/conf.d/app.conf: changed
//! [web01]  SERVICE   nginx.service: changed (restarted: a dependency changed)
//! ```
//!
//! and counts as changed or unchanged in the host's tally and the run's
//! summary. In a dry run (`--dry-run`) nothing changes; operations say
//! `would change`, and planrun lists each command it would run and each
//! file it would write, with a diff.
//!
//! | Operation                 | Start with       | Ends with |
//! |---------------------------|------------------|-----------|
//! | file content, mode, owner | [`file()`]       | [`File::apply`] |
//! | template                  | [`template`], [`File::template`] | |
//! | directory                 | [`directory`]    | [`Directory::apply`] |
//! | line in a file            | [`line()`]       | [`Line::present`], [`Line::absent`] |
//! | symlink                   | [`symlink`]      | [`Symlink::apply`] |
//! | package (apt, dnf, apk)   | [`package`]      | [`PackageOp::present`], [`PackageOp::absent`], [`PackageOp::latest`] |
//! | systemd service           | [`service`]      | [`Service::started`], [`Service::stopped`], [`Service::restarted`], [`Service::enabled`], [`Service::disabled`] |
//! | user, group               | [`user`], [`group`] | `present`, `absent` |
//! | git checkout              | [`git`]          | [`Git::apply`] |
//! | guarded command           | [`command`]      | [`Command::run`] |
//!
//! Every operation takes `become_user(USER)`: its commands and file writes
//! then run through `sudo -n -u USER` (facts are still read as the login
//! user), and sudo asking for a password is [`Error::Denied`](crate::Error::Denied).
//!
//! ```no_run
//! use planrun_sdk::{Result, ops};
//!
//! # fn main() -> Result<()> {
//! let package = ops::package("nginx").become_user("root").present()?;
//! let conf = ops::file("/etc/nginx/conf.d/app.conf")
//!     .template("server { listen {{ port }}; }\n", ops::context! { port => 8080 })
//!     .mode(0o644)
//!     .become_user("root")
//!     .apply()?;
//! ops::service("nginx")
//!     .restart_when([package, conf])
//!     .become_user("root")
//!     .started()?;
//! # Ok(())
//! # }
//! ```

mod command;
mod directory;
mod file;
mod git;
mod line;
mod package;
mod service;
mod symlink;
mod template;
mod user;

pub use command::{Command, command};
pub use directory::{Directory, directory};
pub use file::{File, file};
pub use git::{Git, git};
pub use line::{Line, line};
pub use package::{PackageOp, package};
pub use service::{Service, service};
pub use symlink::{Symlink, symlink};
pub use template::template;
pub use user::{GroupOp, UserOp, group, user};

/// Builds a template context: `context! { name => value, … }`, as
/// minijinja's macro of the same name.
///
/// ```no_run
/// let ctx = planrun_sdk::ops::context! { port => 8080, names => vec!["a", "b"] };
/// ```
pub use minijinja::context;

use crate::Exec;
use crate::error::Result;
use crate::files::Change;
use crate::log::{step, unchanged as log_unchanged};

/// An operation changed the host (or would have, in a dry run): one line,
/// counted already by the calls that made the change.
fn changed(label: &str, subject: &str, what: &str) -> Change {
    let verb = if crate::is_dry_run() {
        "would change"
    } else {
        "changed"
    };
    match what {
        "" => step(label, format!("{subject}: {verb}")),
        what => step(label, format!("{subject}: {verb} ({what})")),
    }
    Change::Changed
}

/// An operation found the host as wanted from facts alone: one line,
/// counted as unchanged.
fn unchanged(label: &str, subject: &str, reason: &str) -> Change {
    log_unchanged(label, format!("{subject}: unchanged ({reason})"));
    Change::Unchanged
}

/// An operation whose `write` found the file as wanted: the host has
/// counted it already, so only the line.
fn unchanged_written(label: &str, subject: &str, reason: &str) -> Change {
    step(label, format!("{subject}: unchanged ({reason})"));
    Change::Unchanged
}

/// Runs `command` as a change, as `user` when given.
fn run(command: String, user: &Option<String>) -> Result<()> {
    let mut exec = Exec::new(command);
    if let Some(user) = user {
        exec = exec.become_user(user);
    }
    exec.run().map(|_| ())
}

/// Runs `command` as a question, as `user` when given.
fn ask(command: String, user: &Option<String>) -> Result<crate::Output> {
    let mut exec = Exec::new(command);
    if let Some(user) = user {
        exec = exec.become_user(user);
    }
    exec.probe()
}

/// `chmod`/`chown` commands for what differs between `stat` and the wanted
/// mode, owner and group; the list of differences, for the message.
fn attributes(
    stat: &crate::facts::Stat,
    mode: Option<u32>,
    owner: &Option<String>,
    group: &Option<String>,
) -> (Vec<String>, Vec<String>) {
    let path = crate::quote(&stat.path);
    let (mut commands, mut what) = (Vec::new(), Vec::new());
    if let Some(mode) = mode
        && stat.mode != Some(mode)
    {
        commands.push(format!("chmod {mode:o} {path}"));
        what.push(format!("mode {:04o} → {mode:04o}", stat.mode.unwrap_or(0)));
    }
    let owner_differs = owner
        .as_ref()
        .is_some_and(|o| stat.owner.as_ref() != Some(o));
    let group_differs = group
        .as_ref()
        .is_some_and(|g| stat.group.as_ref() != Some(g));
    // chown's spec for what was asked: `user:group`, `user` or `:group`.
    let spec = match (owner, group) {
        (Some(o), Some(g)) => Some(format!("{o}:{g}")),
        (Some(o), None) => Some(o.clone()),
        (None, Some(g)) => Some(format!(":{g}")),
        (None, None) => None,
    };
    if let Some(spec) = spec.filter(|_| owner_differs || group_differs) {
        commands.push(format!("chown {} {path}", crate::quote(&spec)));
        what.push(format!("owner → {spec}"));
    }
    (commands, what)
}

/// A name given to a package manager, useradd or systemctl must be one
/// word that is not an option.
fn check_name(kind: &str, name: &str) -> Result<()> {
    if name.is_empty() || name.starts_with('-') || name.contains(char::is_whitespace) {
        return Err(crate::Error::Invalid(format!(
            "{name:?} is not a {kind} name"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::{FileKind, Stat};

    fn stat(mode: u32, owner: &str, group: &str) -> Stat {
        Stat {
            path: "/srv/it's".into(),
            exists: true,
            kind: Some(FileKind::Directory),
            mode: Some(mode),
            owner: Some(owner.into()),
            group: Some(group.into()),
            size: Some(4096),
            sha256: None,
            target: None,
        }
    }

    #[test]
    fn attributes_change_only_what_differs() {
        let have = stat(0o755, "root", "root");
        let none = (Vec::<String>::new(), Vec::<String>::new());
        assert_eq!(
            attributes(&have, Some(0o755), &Some("root".into()), &None),
            none
        );
        let (commands, what) = attributes(&have, Some(0o750), &None, &Some("app".into()));
        assert_eq!(
            commands,
            vec![
                r"chmod 750 '/srv/it'\''s'".to_string(),
                r"chown ':app' '/srv/it'\''s'".to_string()
            ]
        );
        assert_eq!(what, vec!["mode 0755 → 0750", "owner → :app"]);
    }

    #[test]
    fn names_that_look_like_options_are_refused() {
        assert!(check_name("package", "nginx").is_ok());
        for bad in ["", "-rf", "a b"] {
            assert!(check_name("package", bad).is_err(), "{bad:?}");
        }
    }
}
