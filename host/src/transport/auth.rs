//! Public-key authentication, in ssh's order: ssh-agent identities first
//! (the agent at IdentityAgent, by default `$SSH_AUTH_SOCK`)
//! (unless IdentitiesOnly, which limits the agent to the configured files'
//! keys), then the identity files (configured, or the default ones that
//! exist). Encrypted files are skipped: planrun never prompts, so such keys
//! must be in the agent. The final error lists what was offered and why
//! anything else was not.
//!
//! russh reports a rejected key as `Ok(AuthResult::Failure)`, not `Err`, and
//! RSA keys must be offered with the hash the server negotiated
//! (`best_supported_rsa_hash`), else OpenSSH ≥ 8.8 rejects them as ssh-rsa.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use russh::MethodKind;
use russh::client::{AuthResult, Handle};
use russh::keys::agent::AgentIdentity;
use russh::keys::agent::client::AgentClient;
use russh::keys::ssh_key::public::KeyData;
use russh::keys::{HashAlg, PrivateKey, PrivateKeyWithHashAlg};

use super::error::ConnectError;
use super::handler::{ClientHandler, describe};
use super::ssh_config::{HostConfig, IdentityAgent};

/// What one attempt told us.
enum Attempt {
    Accepted,
    /// Rejected; `true` when the server still accepts public keys.
    Rejected(bool),
    /// The connection is gone (e.g. sshd's MaxAuthTries reached).
    Broken(String),
}

struct Auth<'a> {
    handle: &'a mut Handle<ClientHandler>,
    user: String,
    /// Negotiated once, on the first RSA key.
    rsa_hash: Option<Option<HashAlg>>,
    /// Keys already offered (the agent often holds the files' keys too).
    offered: Vec<KeyData>,
    tried: Vec<String>,
    notes: Vec<String>,
}

pub(crate) async fn authenticate(
    handle: &mut Handle<ClientHandler>,
    host: &HostConfig,
) -> Result<(), ConnectError> {
    let mut auth = Auth {
        handle,
        user: host.user.clone(),
        rsa_hash: None,
        offered: Vec::new(),
        tried: Vec::new(),
        notes: Vec::new(),
    };
    if auth.run(host).await {
        return Ok(());
    }
    Err(ConnectError::AuthFailed {
        target: host.target(),
        tried: auth.tried,
        notes: auth.notes,
    })
}

impl Auth<'_> {
    /// True once authenticated.
    async fn run(&mut self, host: &HostConfig) -> bool {
        let files: Vec<&PathBuf> = host.identity_files.iter().filter(|f| f.exists()).collect();
        match self.agent(host).await {
            Some(true) => return true,
            Some(false) => {}
            // The server will take no more keys: stop here.
            None => return false,
        }
        for file in &files {
            match self.file(file).await {
                Some(true) => return true,
                Some(false) => {}
                None => return false,
            }
        }
        if files.is_empty() {
            let looked: Vec<String> = host
                .identity_files
                .iter()
                .map(|f| f.display().to_string())
                .collect();
            self.notes.push(if looked.is_empty() {
                "no identity files are configured".to_owned()
            } else {
                format!("no identity file found (looked for {})", looked.join(", "))
            });
        }
        false
    }

    /// Tries the agent's identities. Some(true) authenticated, Some(false)
    /// go on, None stop (connection broken or public keys no longer accepted).
    async fn agent(&mut self, host: &HostConfig) -> Option<bool> {
        let from_var = |name: &str| {
            let socket = std::env::var(name).unwrap_or_default();
            if socket.is_empty() {
                Err(format!("no ssh-agent (${name} is not set)"))
            } else {
                Ok(PathBuf::from(socket))
            }
        };
        let socket = match &host.identity_agent {
            IdentityAgent::Disabled => return Some(false),
            IdentityAgent::FromEnv => from_var("SSH_AUTH_SOCK"),
            IdentityAgent::EnvVar(name) => from_var(name),
            IdentityAgent::Socket(path) => Ok(path.clone()),
        };
        let socket = match socket {
            Ok(socket) => socket,
            Err(note) => {
                self.notes.push(note);
                return Some(false);
            }
        };
        let mut agent = match AgentClient::connect_uds(&socket).await {
            Ok(agent) => agent,
            Err(e) => {
                let at = socket.display();
                self.notes
                    .push(format!("ssh-agent at {at} is unreachable: {e}"));
                return Some(false);
            }
        };
        // Agents with destination-constrained keys only show them to a bound
        // session; agents that do not know the extension just refuse it.
        if let Some(binding) = self.handle.agent_session_binding() {
            let _ = agent.bind_session(binding, false).await;
        }
        let mut identities = match agent.request_identities().await {
            Ok(ids) => ids,
            Err(e) => {
                self.notes.push(format!(
                    "ssh-agent at {} did not list its keys: {e}",
                    socket.display()
                ));
                return Some(false);
            }
        };
        if host.identities_only {
            // ssh still uses the agent for the configured files' keys (an
            // encrypted key loaded into the agent is the usual case); a
            // file may even be just FILE.pub, naming an agent-only key.
            let wanted: Vec<KeyData> = host
                .identity_files
                .iter()
                .filter_map(|f| public_key_of(f))
                .collect();
            identities.retain(|id| wanted.contains(id.public_key().key_data()));
        }
        let mut count = 0;
        let mut outcome = Some(false);
        for id in identities {
            let public = id.public_key().into_owned();
            if self.offered.contains(public.key_data()) {
                continue;
            }
            self.offered.push(public.key_data().clone());
            count += 1;
            let hash = self.hash_for(public.algorithm().is_rsa()).await;
            let result = match &id {
                AgentIdentity::PublicKey { key, .. } => {
                    self.handle
                        .authenticate_publickey_with(&self.user, key.clone(), hash, &mut agent)
                        .await
                }
                AgentIdentity::Certificate { certificate, .. } => {
                    self.handle
                        .authenticate_certificate_with(
                            &self.user,
                            certificate.clone(),
                            hash,
                            &mut agent,
                        )
                        .await
                }
            };
            let attempt = match result {
                Ok(r) => judge(r),
                Err(e) => {
                    // The agent could not sign (locked, confirmation refused…):
                    // russh abandoned this attempt; the next key may work.
                    self.notes.push(format!(
                        "ssh-agent could not sign with {}: {e}",
                        id.comment()
                    ));
                    if self.handle.is_closed() {
                        Attempt::Broken("the server closed the connection".to_owned())
                    } else {
                        Attempt::Rejected(true)
                    }
                }
            };
            match self.after(attempt) {
                Some(false) => {}
                other => {
                    outcome = other;
                    break;
                }
            }
        }
        self.tried.push(format!(
            "agent ({count} key{})",
            if count == 1 { "" } else { "s" }
        ));
        outcome
    }

    /// Tries one identity file; same answers as [`Auth::agent`].
    async fn file(&mut self, path: &Path) -> Option<bool> {
        let key = match russh::keys::load_secret_key(path, None) {
            Ok(key) => key,
            Err(russh::keys::Error::KeyIsEncrypted) => {
                self.notes.push(format!(
                    "skipped {}: it is encrypted and planrun does not prompt; add it to ssh-agent (ssh-add)",
                    path.display()
                ));
                return Some(false);
            }
            Err(e) => {
                self.notes
                    .push(format!("skipped {}: cannot load it: {e}", path.display()));
                return Some(false);
            }
        };
        if self.offered.contains(key.public_key().key_data()) {
            return Some(false);
        }
        self.offered.push(key.public_key().key_data().clone());
        self.tried.push(path.display().to_string());
        let hash = self.hash_for(key.algorithm().is_rsa()).await;
        let attempt = match self
            .handle
            .authenticate_publickey(&self.user, PrivateKeyWithHashAlg::new(Arc::new(key), hash))
            .await
        {
            Ok(r) => judge(r),
            Err(e) => Attempt::Broken(describe(&e)),
        };
        self.after(attempt)
    }

    fn after(&mut self, attempt: Attempt) -> Option<bool> {
        match attempt {
            Attempt::Accepted => Some(true),
            Attempt::Rejected(true) => Some(false),
            Attempt::Rejected(false) => {
                self.notes
                    .push("the server accepts no more public keys".to_owned());
                None
            }
            Attempt::Broken(why) => {
                self.notes.push(format!(
                    "{why} after {} attempt(s): sshd's MaxAuthTries (default 6) counts every key offered, \
                     so set IdentitiesOnly/IdentityFile for this host",
                    self.offered.len()
                ));
                None
            }
        }
    }

    async fn hash_for(&mut self, rsa: bool) -> Option<HashAlg> {
        if !rsa {
            return None;
        }
        if self.rsa_hash.is_none() {
            // Ok(None) means the server sent no server-sig-algs (OpenSSH
            // < 7.2): only ssh-rsa (SHA-1) is possible there.
            let best = self
                .handle
                .best_supported_rsa_hash()
                .await
                .ok()
                .flatten()
                .flatten();
            self.rsa_hash = Some(best);
        }
        self.rsa_hash.flatten()
    }
}

fn judge(result: AuthResult) -> Attempt {
    match result {
        AuthResult::Success => Attempt::Accepted,
        AuthResult::Failure {
            remaining_methods, ..
        } => Attempt::Rejected(remaining_methods.contains(&MethodKind::PublicKey)),
    }
}

/// The public half of an identity file without decrypting it: FILE.pub, or
/// the public section every OpenSSH-format private key carries in clear.
fn public_key_of(path: &Path) -> Option<KeyData> {
    let mut pub_path = path.as_os_str().to_owned();
    pub_path.push(".pub");
    if let Ok(key) = russh::keys::load_public_key(PathBuf::from(pub_path)) {
        return Some(key.key_data().clone());
    }
    let text = std::fs::read_to_string(path).ok()?;
    PrivateKey::from_openssh(text)
        .ok()
        .map(|k| k.public_key().key_data().clone())
}
