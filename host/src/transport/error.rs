//! The transport's errors. Their messages are shown to operators as they are:
//! lowercase fragments that name the host, address, file or key involved and,
//! where there is one, what to do about it.

use std::path::PathBuf;
use std::time::Duration;

use thiserror::Error;

/// Reading ssh_config failed. Raised once, at the start of a run.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("ssh config file {} does not exist (given with -F)", path.display())]
    ConfigFileMissing { path: PathBuf },

    #[error("cannot read ssh config file {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{}:{line}: {message}", path.display())]
    Syntax {
        path: PathBuf,
        line: usize,
        message: String,
    },

    #[error("cannot find the home directory of the local user: set HOME")]
    NoHome,

    #[error("cannot find the name of the local user (uid {uid}): set USER")]
    NoUser { uid: u32 },
}

/// Connecting to one host failed. `host` is always the operator's name for it
/// (the ssh_config alias).
#[derive(Debug, Error)]
pub enum ConnectError {
    #[error(
        "{host}: ProxyJump {jump} is not supported yet; reach the host directly, or forward a \
         port through the bastion (ssh -L) and point HostName/Port at it"
    )]
    ProxyJumpUnsupported { host: String, jump: String },

    #[error("cannot resolve {hostname} (host {host}): {source}")]
    Resolve {
        host: String,
        hostname: String,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot connect to {addr} (host {host}): {source}")]
    Tcp {
        host: String,
        addr: String,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "connecting to {target} (host {host}) timed out after {} during {phase}; \
         raise ConnectTimeout in ssh_config if the host is slow",
        fmt_duration(*after)
    )]
    TimedOut {
        host: String,
        target: String,
        after: Duration,
        phase: &'static str,
    },

    #[error("ssh handshake with {addr} (host {host}) failed: {message}")]
    Handshake {
        host: String,
        addr: String,
        message: String,
        /// The server dropped the connection (as sshd's MaxStartups does to
        /// excess unauthenticated connections), rather than disagreed.
        dropped: bool,
    },

    #[error(
        "host key for {name} (host {host}) is not known: {key_type} {fingerprint} \
         (checked {}){}; verify the fingerprint, then rerun with --accept-new-host-keys to record it",
        list_paths(files),
        other_keys_note(other_keys)
    )]
    UnknownHostKey {
        host: String,
        /// The name looked up in known_hosts (`[host]:port` when port ≠ 22).
        name: String,
        key_type: String,
        fingerprint: String,
        files: Vec<PathBuf>,
        /// Keys of other types recorded for this name (`type at FILE:LINE`).
        other_keys: Vec<String>,
    },

    #[error(
        "host key for {name} (host {host}) has CHANGED: it is now {key_type} {fingerprint}; \
         someone may be intercepting the connection, or the host was reinstalled; offending \
         key in {}; if the change is expected, remove that line (ssh-keygen -R '{name}' -f FILE) \
         and reconnect with --accept-new-host-keys",
        offending.join(", ")
    )]
    ChangedHostKey {
        host: String,
        name: String,
        key_type: String,
        fingerprint: String,
        /// `FILE:LINE` of each recorded key of the same type.
        offending: Vec<String>,
    },

    #[error(
        "host key for {name} (host {host}) is revoked: {key_type} {fingerprint} is marked \
         @revoked in {location}; refusing to connect"
    )]
    RevokedHostKey {
        host: String,
        name: String,
        key_type: String,
        fingerprint: String,
        location: String,
    },

    #[error(
        "host {host} presented a host certificate, which is not supported yet; remove the HostCertificate from its sshd or connect with plain host keys"
    )]
    HostCertificate { host: String },

    #[error("cannot read known hosts file {}: {source}", path.display())]
    KnownHostsRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("cannot record the host key for {name} in {}: {source}", path.display())]
    KnownHostsWrite {
        name: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "host {host}: --accept-new-host-keys is set but no UserKnownHostsFile is configured to record {name} in"
    )]
    NoKnownHostsFile { host: String, name: String },

    #[error(
        "authentication as {target} failed (tried: {}){}",
        tried_list(tried),
        notes_suffix(notes)
    )]
    AuthFailed {
        /// `user@hostname` (with `:port` when not 22).
        target: String,
        /// What was offered, in order: `agent (2 keys)`, identity file paths.
        tried: Vec<String>,
        /// Why other candidates were not offered (encrypted, unreadable, …).
        notes: Vec<String>,
    },
}

impl ConnectError {
    /// Whether connecting again at once may succeed: the connection was
    /// dropped before authentication. (A timeout is not retried: it has
    /// already spent the time the operator allowed, as OpenSSH's
    /// ConnectionAttempts=1 default does not.) At fan-out sshd's
    /// MaxStartups (default 10:30:100) drops excess unauthenticated
    /// connections at random, so these deserve a retry with backoff. Host
    /// key, authentication, resolution and refused connections do not.
    pub fn is_retryable(&self) -> bool {
        use std::io::ErrorKind::{ConnectionAborted, ConnectionReset};
        match self {
            ConnectError::Handshake { dropped, .. } => *dropped,
            ConnectError::Tcp { source, .. } => {
                matches!(source.kind(), ConnectionReset | ConnectionAborted)
            }
            _ => false,
        }
    }
}

/// A command could not be run to completion on an open session.
#[derive(Debug, Error)]
pub enum RunError {
    /// The command ran longer than its timeout; its channel was closed (and
    /// the remote process group sent SIGKILL).
    #[error("timed out after {}; the command was killed", fmt_duration(*.0))]
    TimedOut(Duration),
    /// The SSH connection went away; the session is unusable.
    #[error("{0}")]
    ConnectionLost(String),
    /// This channel failed (refused, or closed abnormally); the session may
    /// still be usable for other commands.
    #[error("{0}")]
    Channel(String),
}

/// Renders a duration the way operators write them: `10s`, `1.5s`, `250ms`.
pub fn fmt_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

fn list_paths(files: &[PathBuf]) -> String {
    if files.is_empty() {
        return "no known_hosts files: UserKnownHostsFile is none".to_owned();
    }
    files
        .iter()
        .map(|f| f.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn other_keys_note(other: &[String]) -> String {
    if other.is_empty() {
        String::new()
    } else {
        format!(
            "; other key types are recorded for it ({}), so its keys may have been replaced: \
             check with the host's owner and remove the old lines first",
            other.join(", ")
        )
    }
}

fn tried_list(tried: &[String]) -> String {
    if tried.is_empty() {
        "nothing".to_owned()
    } else {
        tried.join(", ")
    }
}

fn notes_suffix(notes: &[String]) -> String {
    if notes.is_empty() {
        String::new()
    } else {
        format!("; {}", notes.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(fmt_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(fmt_duration(Duration::from_secs(10)), "10s");
        assert_eq!(fmt_duration(Duration::from_millis(1500)), "1.5s");
    }

    #[test]
    fn auth_message_lists_what_was_tried() {
        let e = ConnectError::AuthFailed {
            target: "root@127.0.1.5".into(),
            tried: vec!["agent (2 keys)".into(), "/x/id_ed25519".into()],
            notes: vec![],
        };
        assert_eq!(
            e.to_string(),
            "authentication as root@127.0.1.5 failed (tried: agent (2 keys), /x/id_ed25519)"
        );
    }
}
