//! ssh_config: which address, port, user, keys and known_hosts files a host
//! alias means, resolved the way `ssh -G alias` would for the options
//! planrun honours (HostName, User, Port, IdentityFile, IdentitiesOnly,
//! IdentityAgent, ConnectTimeout, UserKnownHostsFile, GlobalKnownHostsFile,
//! StrictHostKeyChecking, HostKeyAlias, ProxyJump).
//!
//! Semantics kept from OpenSSH: the first obtained value of an option wins
//! (IdentityFile accumulates); `Host` patterns with `*`, `?` and `!`;
//! `Match all|host|originalhost|user|localuser` (with `!`), other Match
//! criteria skip their block; `Include` relative to ~/.ssh with globs and its
//! own Host/Match scope; `~` and `%` tokens in paths. The files are read once
//! per run ([`SshConfig::load`]); [`SshConfig::resolve`] is cheap and pure.
//!
//! Why not a crate: ssh2-config 0.9 has no `Match` and rejects
//! StrictHostKeyChecking/UserKnownHostsFile; russh-config 0.58 splits on a
//! single space, has no `Key=Value`, `Include`, `Match` or tokens.

mod parse;
mod tokens;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::time::Duration;

use self::parse::{Criterion, CriterionKind, Item, Parser, Setting};
use super::error::ConfigError;
use super::local::LocalEnv;
use super::pattern::{ListMatch, match_list, wildcard_match};

/// The system-wide file ssh reads after the user's when no `-F` is given.
const SYSTEM_CONFIG: &str = "/etc/ssh/ssh_config";
/// Identity files ssh tries when none is configured (those that exist).
const DEFAULT_IDENTITIES: [&str; 3] = ["id_rsa", "id_ecdsa", "id_ed25519"];

/// StrictHostKeyChecking as planrun applies it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StrictHostKeyChecking {
    /// Unknown and changed keys are refused (also what `ask` and an unset
    /// option mean: planrun never prompts).
    #[default]
    Yes,
    /// Unknown keys are recorded and accepted; changed keys refused.
    AcceptNew,
    /// As AcceptNew. Unlike ssh, a *changed* key is still refused.
    No,
}

/// Which ssh-agent to ask for keys (IdentityAgent).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum IdentityAgent {
    /// `$SSH_AUTH_SOCK` (the default, and `IdentityAgent SSH_AUTH_SOCK`).
    #[default]
    FromEnv,
    /// `IdentityAgent none`: no agent.
    Disabled,
    /// `IdentityAgent $NAME`: the socket named by another variable.
    EnvVar(String),
    /// `IdentityAgent PATH` (`~`/`%` expanded).
    Socket(PathBuf),
}

/// Everything planrun needs to reach one host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostConfig {
    /// The name the operator used (`secure001`).
    pub alias: String,
    /// Where to connect (HostName, `%h` expanded, lowercased), else the alias.
    pub hostname: String,
    pub port: u16,
    /// Remote user: User, else the local user.
    pub user: String,
    /// IdentityFile entries in order (`~`/`%` expanded); the three default
    /// ~/.ssh/id_* files when none is configured. They may not exist.
    pub identity_files: Vec<PathBuf>,
    pub identities_only: bool,
    pub identity_agent: IdentityAgent,
    /// ConnectTimeout; None → [`super::SshOptions::default_connect_timeout`].
    pub connect_timeout: Option<Duration>,
    /// Read for lookups; the first one receives newly accepted keys.
    pub user_known_hosts_files: Vec<PathBuf>,
    /// Read-only lookups (/etc/ssh/ssh_known_hosts{,2} by default).
    pub global_known_hosts_files: Vec<PathBuf>,
    pub strict_host_key_checking: StrictHostKeyChecking,
    /// HostKeyAlias: the name to look the host key up under instead.
    pub host_key_alias: Option<String>,
    /// ProxyJump, kept for later: connecting refuses it for now.
    pub proxy_jump: Option<String>,
}

impl HostConfig {
    /// A host with every option at ssh's default, for callers that build
    /// targets without a config file.
    pub fn with_defaults(alias: &str, local: &LocalEnv) -> HostConfig {
        SshConfig::empty(local.clone()).resolve(alias)
    }

    /// The name its key is recorded under in known_hosts: HostKeyAlias as
    /// is, else `hostname`, written `[hostname]:port` when port ≠ 22.
    pub fn known_hosts_name(&self) -> String {
        match &self.host_key_alias {
            Some(alias) => alias.clone(),
            None if self.port == 22 => self.hostname.clone(),
            None => format!("[{}]:{}", self.hostname, self.port),
        }
    }

    /// `user@hostname`, with `:port` when not 22: how messages name the target.
    pub fn target(&self) -> String {
        if self.port == 22 {
            format!("{}@{}", self.user, self.hostname)
        } else {
            format!("{}@{}:{}", self.user, self.hostname, self.port)
        }
    }
}

/// The parsed ssh_config of a run.
#[derive(Clone, Debug)]
pub struct SshConfig {
    /// Top-level files in reading order (user, then system); each starts
    /// with every option applying to all hosts, as in ssh.
    files: Vec<Vec<Item>>,
    local: LocalEnv,
    notes: Vec<String>,
}

impl SshConfig {
    /// Reads `-F FILE`, or ~/.ssh/config (if it exists) then
    /// /etc/ssh/ssh_config (if it exists), like ssh.
    pub fn load(opts: &super::SshOptions) -> Result<SshConfig, ConfigError> {
        Self::load_with(opts.config_file.as_deref(), LocalEnv::current()?)
    }

    /// [`SshConfig::load`] with an explicit local environment.
    pub fn load_with(
        config_file: Option<&Path>,
        local: LocalEnv,
    ) -> Result<SshConfig, ConfigError> {
        let ssh_dir = local.home.join(".ssh");
        let mut parser = Parser {
            home: &local.home,
            notes: Vec::new(),
        };
        let mut files = Vec::new();
        match config_file {
            Some(path) => {
                if !path.exists() {
                    return Err(ConfigError::ConfigFileMissing {
                        path: path.to_owned(),
                    });
                }
                files.push(parser.file(path, &ssh_dir, 0)?);
            }
            None => {
                let user = ssh_dir.join("config");
                if user.exists() {
                    files.push(parser.file(&user, &ssh_dir, 0)?);
                }
                let system = Path::new(SYSTEM_CONFIG);
                if system.exists() {
                    files.push(parser.file(system, Path::new("/etc/ssh"), 0)?);
                }
            }
        }
        let notes = parser.notes;
        Ok(SshConfig {
            files,
            local,
            notes,
        })
    }

    /// Parses config text as if read from `path` (relative Includes from ~/.ssh).
    pub fn parse(text: &str, path: &Path, local: LocalEnv) -> Result<SshConfig, ConfigError> {
        let ssh_dir = local.home.join(".ssh");
        let mut parser = Parser {
            home: &local.home,
            notes: Vec::new(),
        };
        let items = parser.text(text, path, &ssh_dir, 0)?;
        let notes = parser.notes;
        Ok(SshConfig {
            files: vec![items],
            local,
            notes,
        })
    }

    /// No configuration at all: every host gets ssh's defaults.
    pub fn empty(local: LocalEnv) -> SshConfig {
        SshConfig {
            files: Vec::new(),
            local,
            notes: Vec::new(),
        }
    }

    /// Remarks made while reading (skipped Match blocks, Includes that
    /// matched nothing), also logged at debug level.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    pub fn local(&self) -> &LocalEnv {
        &self.local
    }

    /// What `ssh -G alias` would resolve, for the options we honour.
    pub fn resolve(&self, alias: &str) -> HostConfig {
        let mut found = Found::default();
        let ctx = Context {
            alias,
            alias_lower: alias.to_lowercase(),
            local: &self.local,
        };
        for items in &self.files {
            let mut active = true;
            walk(items, &ctx, &mut found, &mut active, false);
        }
        found.finish(&ctx)
    }
}

struct Context<'a> {
    alias: &'a str,
    alias_lower: String,
    local: &'a LocalEnv,
}

/// Values obtained so far; `None` means "not set yet" (first one wins).
#[derive(Default)]
struct Found {
    hostname: Option<String>,
    user: Option<String>,
    port: Option<u16>,
    identity_files: Vec<String>,
    identities_only: Option<bool>,
    identity_agent: Option<String>,
    connect_timeout: Option<Option<Duration>>,
    user_known_hosts: Option<Vec<String>>,
    global_known_hosts: Option<Vec<String>>,
    strict: Option<StrictHostKeyChecking>,
    proxy_jump: Option<Option<String>>,
    host_key_alias: Option<String>,
}

/// Applies `items` in order. `never` is set inside an Include read while
/// its line was inactive: nothing in it may apply (readconf's NEVERMATCH).
fn walk(items: &[Item], ctx: &Context, found: &mut Found, active: &mut bool, never: bool) {
    for item in items {
        match item {
            Item::Host(patterns) => {
                *active = !never && host_line_matches(patterns, &ctx.alias_lower)
            }
            Item::Match(criteria) => {
                *active = !never
                    && criteria
                        .as_ref()
                        .is_some_and(|c| c.iter().all(|c| criterion_holds(c, ctx, found)));
            }
            Item::Set(setting) if *active => found.apply(setting),
            Item::Set(_) => {}
            Item::Include(included) => {
                // Each included file keeps its own Host/Match scope: the
                // including line's activity comes back after every file.
                let outer = *active;
                for file in included {
                    walk(file, ctx, found, active, never || !outer);
                    *active = outer;
                }
            }
        }
    }
}

/// A `Host` line: any positive pattern matches and no negated one does.
fn host_line_matches(patterns: &[String], alias: &str) -> bool {
    let mut positive = false;
    for p in patterns {
        match p.strip_prefix('!') {
            Some(neg) => {
                if wildcard_match(alias, &neg.to_lowercase()) {
                    return false;
                }
            }
            None => positive |= wildcard_match(alias, &p.to_lowercase()),
        }
    }
    positive
}

fn criterion_holds(c: &Criterion, ctx: &Context, found: &Found) -> bool {
    let list = |name: &str, list: &str| match_list(name, list) == ListMatch::Positive;
    let holds = match &c.kind {
        CriterionKind::All => true,
        CriterionKind::Host(l) => {
            // ssh matches the HostName obtained so far (with %h expanded).
            let host = match &found.hostname {
                Some(h) => tokens::expand_hostname(h, &ctx.alias_lower),
                None => ctx.alias_lower.clone(),
            };
            list(&host, l)
        }
        CriterionKind::OriginalHost(l) => list(&ctx.alias_lower, l),
        CriterionKind::User(l) => list(found.user.as_deref().unwrap_or(&ctx.local.user), l),
        CriterionKind::LocalUser(l) => list(&ctx.local.user, l),
    };
    holds != c.negated
}

impl Found {
    fn apply(&mut self, setting: &Setting) {
        fn first<T: Clone>(slot: &mut Option<T>, v: &T) {
            if slot.is_none() {
                *slot = Some(v.clone());
            }
        }
        match setting {
            Setting::HostName(v) => first(&mut self.hostname, v),
            Setting::User(v) => first(&mut self.user, v),
            Setting::Port(v) => first(&mut self.port, v),
            Setting::IdentityFile(v) => self.identity_files.push(v.clone()),
            Setting::IdentitiesOnly(v) => first(&mut self.identities_only, v),
            Setting::IdentityAgent(v) => first(&mut self.identity_agent, v),
            Setting::ConnectTimeout(v) => first(&mut self.connect_timeout, v),
            Setting::UserKnownHostsFile(v) => first(&mut self.user_known_hosts, v),
            Setting::GlobalKnownHostsFile(v) => first(&mut self.global_known_hosts, v),
            Setting::StrictHostKeyChecking(v) => first(&mut self.strict, v),
            Setting::ProxyJump(v) => first(&mut self.proxy_jump, v),
            Setting::HostKeyAlias(v) => first(&mut self.host_key_alias, v),
        }
    }

    fn finish(self, ctx: &Context) -> HostConfig {
        let local = ctx.local;
        let hostname = match &self.hostname {
            Some(h) => tokens::expand_hostname(h, &ctx.alias_lower).to_lowercase(),
            None => ctx.alias_lower.clone(),
        };
        let port = self.port.unwrap_or(22);
        let user = self.user.unwrap_or_else(|| local.user.clone());
        let t = tokens::Tokens {
            home: &local.home,
            remote_host: &hostname,
            uid: local.uid,
            local_host: &local.hostname,
            alias: ctx.alias,
            port,
            remote_user: &user,
            local_user: &local.user,
        };
        let ssh_dir = local.home.join(".ssh");
        let identity_files = if self.identity_files.is_empty() {
            DEFAULT_IDENTITIES.iter().map(|f| ssh_dir.join(f)).collect()
        } else {
            // `IdentityFile none` suppresses the defaults and names no file.
            self.identity_files
                .iter()
                .filter(|f| !f.eq_ignore_ascii_case("none"))
                .map(|f| t.expand_path(f))
                .collect()
        };
        let files = |set: Option<Vec<String>>, defaults: Vec<PathBuf>| match set {
            None => defaults,
            Some(list) if list.len() == 1 && list[0].eq_ignore_ascii_case("none") => Vec::new(),
            Some(list) => list.iter().map(|f| t.expand_path(f)).collect(),
        };
        let user_known_hosts_files = files(
            self.user_known_hosts,
            vec![ssh_dir.join("known_hosts"), ssh_dir.join("known_hosts2")],
        );
        let global_known_hosts_files = files(
            self.global_known_hosts,
            vec![
                PathBuf::from("/etc/ssh/ssh_known_hosts"),
                PathBuf::from("/etc/ssh/ssh_known_hosts2"),
            ],
        );
        let identity_agent = match self.identity_agent.as_deref() {
            None | Some("SSH_AUTH_SOCK") => IdentityAgent::FromEnv,
            Some(v) if v.eq_ignore_ascii_case("none") => IdentityAgent::Disabled,
            Some(v) => match v.strip_prefix('$') {
                Some(name) => IdentityAgent::EnvVar(name.to_owned()),
                None => IdentityAgent::Socket(t.expand_path(v)),
            },
        };
        HostConfig {
            alias: ctx.alias.to_owned(),
            hostname,
            port,
            user,
            identity_files,
            identities_only: self.identities_only.unwrap_or(false),
            identity_agent,
            connect_timeout: self.connect_timeout.flatten(),
            user_known_hosts_files,
            global_known_hosts_files,
            strict_host_key_checking: self.strict.unwrap_or_default(),
            host_key_alias: self.host_key_alias,
            proxy_jump: self.proxy_jump.flatten(),
        }
    }
}
