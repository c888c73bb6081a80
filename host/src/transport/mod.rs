//! The SSH transport: everything planrun knows about SSH lives here.
//!
//! - [`ssh_config`](SshConfig): which address, user, keys and known_hosts
//!   files a host alias means, read like OpenSSH reads `~/.ssh/config` or `-F FILE`.
//! - `known_hosts`: whether a server's host key is the recorded one
//!   (strict by default; `--accept-new-host-keys` records unknown keys,
//!   changed keys are always refused).
//! - `auth`: ssh-agent identities, then identity files.
//! - [`Session`]: one connection per host for the whole run; each command
//!   is a channel on it, killed on timeout.
//!
//! The rest of the host calls only what is re-exported here:
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use planrun::transport::{Session, SshConfig, SshOptions, shell_quote};
//! let opts = SshOptions::default();
//! let config = SshConfig::load(&opts)?;            // once per run
//! let host = config.resolve("secure001");          // per host
//! let session = Session::connect(&host, &opts).await?;
//! let out = session
//!     .run(&format!("cat {}", shell_quote("/etc/os-release")), None, None)
//!     .await?;
//! println!("{} {}", out.status, String::from_utf8_lossy(&out.stdout));
//! session.close().await;
//! # Ok(()) }
//! ```

mod auth;
mod error;
mod handler;
mod known_hosts;
mod local;
mod pattern;
mod quote;
mod session;
mod ssh_config;

use std::path::PathBuf;
use std::time::Duration;

pub use error::{ConfigError, ConnectError, RunError, fmt_duration};
pub use local::LocalEnv;
pub use quote::shell_quote;
pub use session::{ExitStatus, MAX_CHANNELS_PER_SESSION, RawOutput, Session};
pub use ssh_config::{HostConfig, IdentityAgent, SshConfig, StrictHostKeyChecking};

/// Settings that apply to every host of a run.
#[derive(Clone, Debug)]
pub struct SshOptions {
    /// `-F FILE`; None → ~/.ssh/config if it exists, then
    /// /etc/ssh/ssh_config, as ssh reads them (a missing default file is
    /// fine, a missing -F file is an error).
    pub config_file: Option<PathBuf>,
    /// Add unknown host keys to known_hosts (never replaces a changed one).
    pub accept_new_host_keys: bool,
    /// Used when ssh_config sets no ConnectTimeout; covers TCP connect,
    /// handshake and authentication.
    pub default_connect_timeout: Duration,
}

impl Default for SshOptions {
    fn default() -> Self {
        SshOptions {
            config_file: None,
            accept_new_host_keys: false,
            default_connect_timeout: Duration::from_secs(10),
        }
    }
}
