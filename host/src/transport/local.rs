//! Facts about the local user that ssh_config defaults and `%` tokens need:
//! home directory, user name, uid and host name. Gathered once per run.

use std::path::PathBuf;

use nix::unistd::{Uid, User};

use super::error::ConfigError;

/// The local side of a run, as ssh sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalEnv {
    /// `~` and `%d`.
    pub home: PathBuf,
    /// `%u`, and the remote user when ssh_config sets no `User`.
    pub user: String,
    /// `%i`.
    pub uid: u32,
    /// `%l` (full) and `%L` (up to the first dot).
    pub hostname: String,
}

impl LocalEnv {
    /// Reads the environment: `$HOME` and `$USER` first, then the password
    /// database. (OpenSSH reads only the password database; honouring the
    /// variables lets test harnesses and containers point us elsewhere.)
    pub fn current() -> Result<LocalEnv, ConfigError> {
        let uid = Uid::current();
        // The password database is consulted lazily: it can be slow (NSS) and
        // is usually not needed when both variables are set.
        let mut passwd: Option<Option<User>> = None;
        let mut lookup = || {
            passwd
                .get_or_insert_with(|| User::from_uid(uid).ok().flatten())
                .clone()
        };
        let home = match non_empty_var("HOME") {
            Some(home) => PathBuf::from(home),
            None => lookup().map(|u| u.dir).ok_or(ConfigError::NoHome)?,
        };
        let user = match non_empty_var("USER") {
            Some(user) => user,
            None => lookup()
                .map(|u| u.name)
                .ok_or(ConfigError::NoUser { uid: uid.as_raw() })?,
        };
        let hostname = nix::unistd::gethostname()
            .ok()
            .and_then(|h| h.into_string().ok())
            .unwrap_or_else(|| "localhost".to_owned());
        Ok(LocalEnv {
            home,
            user,
            uid: uid.as_raw(),
            hostname,
        })
    }
}

fn non_empty_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}
