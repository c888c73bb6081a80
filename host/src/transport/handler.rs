//! The russh client `Handler` of one connection: it judges the server's host
//! key against known_hosts during the key exchange (recording it under
//! accept-new), and remembers why the connection ended so that commands
//! failing afterwards can say why.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use russh::client::{DisconnectReason, Handler};
use russh::keys::PublicKey;
use russh::keys::PublicKeyOrCertificate;

use super::error::{ConnectError, fmt_duration};
use super::known_hosts::{self, KnownHosts, Verdict};
use super::session::{KEEPALIVE_INTERVAL, KEEPALIVE_MAX};

/// State the handler shares with the [`super::Session`] that owns the connection.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    /// Why the connection ended, once it has.
    pub ended: Mutex<Option<String>>,
    /// The description of the last refused channel open (russh only hands
    /// the reason code to the opener).
    pub open_failure: Mutex<Option<String>>,
}

impl Shared {
    pub fn ended(&self) -> Option<String> {
        lock(&self.ended).clone()
    }
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How the host key is to be judged.
pub(crate) struct HostKeyPolicy {
    /// The operator's name for the host.
    pub host: String,
    /// The name looked up in known_hosts.
    pub name: String,
    pub known: KnownHosts,
    /// Every file consulted, for messages.
    pub files: Vec<PathBuf>,
    /// Where to record an unknown key; None → unknown keys are refused.
    pub accept_new_into: Option<Option<PathBuf>>,
}

pub(crate) struct ClientHandler {
    pub policy: HostKeyPolicy,
    /// The key accepted at the first exchange: re-keying must present it again.
    pub accepted: Option<PublicKey>,
    pub shared: Arc<Shared>,
}

/// The handler's error: russh's own, or our refusal of the host key (which
/// russh hands back unchanged from `connect_stream`).
#[derive(Debug)]
pub(crate) enum HandlerError {
    Russh(russh::Error),
    Refused(Box<ConnectError>),
}

impl From<russh::Error> for HandlerError {
    fn from(e: russh::Error) -> Self {
        HandlerError::Russh(e)
    }
}

impl HandlerError {
    pub fn describe(&self) -> String {
        match self {
            HandlerError::Russh(e) => describe(e),
            HandlerError::Refused(e) => e.to_string(),
        }
    }
}

impl ClientHandler {
    fn judge(&mut self, key: &PublicKey) -> Result<bool, HandlerError> {
        if let Some(accepted) = &self.accepted {
            // A re-key presenting another key than the one we checked.
            return Ok(accepted.key_data() == key.key_data());
        }
        let p = &self.policy;
        let refuse = |e: ConnectError| Err(HandlerError::Refused(Box::new(e)));
        let key_type = known_hosts::key_type(key);
        let fingerprint = known_hosts::fingerprint(key);
        match p.known.check(key) {
            Verdict::Known { .. } => {}
            Verdict::Revoked { location } => {
                return refuse(ConnectError::RevokedHostKey {
                    host: p.host.clone(),
                    name: p.name.clone(),
                    key_type,
                    fingerprint,
                    location,
                });
            }
            Verdict::Changed { offending } => {
                return refuse(ConnectError::ChangedHostKey {
                    host: p.host.clone(),
                    name: p.name.clone(),
                    key_type,
                    fingerprint,
                    offending,
                });
            }
            Verdict::Unknown { other_keys } => {
                let unknown = || ConnectError::UnknownHostKey {
                    host: p.host.clone(),
                    name: p.name.clone(),
                    key_type: key_type.clone(),
                    fingerprint: fingerprint.clone(),
                    files: p.files.clone(),
                    other_keys: other_keys.clone(),
                };
                // Keys of another type on record look like a replaced host
                // (or a downgrade): stricter than ssh, we do not auto-accept.
                let Some(into) = p.accept_new_into.as_ref().filter(|_| other_keys.is_empty())
                else {
                    return refuse(unknown());
                };
                let Some(file) = into else {
                    return refuse(ConnectError::NoKnownHostsFile {
                        host: p.host.clone(),
                        name: p.name.clone(),
                    });
                };
                if let Err(source) = known_hosts::append(file, &p.name, key) {
                    return refuse(ConnectError::KnownHostsWrite {
                        name: p.name.clone(),
                        path: file.clone(),
                        source,
                    });
                }
                tracing::info!(
                    "{}: recorded new host key {key_type} {fingerprint} for {} in {}",
                    p.host,
                    p.name,
                    file.display()
                );
            }
        }
        self.accepted = Some(key.clone());
        Ok(true)
    }
}

impl Handler for ClientHandler {
    type Error = HandlerError;

    async fn check_server_key(
        &mut self,
        server: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        match server {
            PublicKeyOrCertificate::PublicKey { key, .. } => self.judge(key),
            // We advertise no certificate algorithms, so a server should not
            // send one; refuse clearly if it does.
            PublicKeyOrCertificate::Certificate(_) => Err(HandlerError::Refused(Box::new(
                ConnectError::HostCertificate {
                    host: self.policy.host.clone(),
                },
            ))),
        }
    }

    async fn channel_open_failure(
        &mut self,
        _channel: russh::ChannelId,
        reason: russh::ChannelOpenFailure,
        description: &str,
        _language: &str,
        _session: &mut russh::client::Session,
    ) -> Result<(), Self::Error> {
        let text = if description.is_empty() {
            format!("{reason:?}")
        } else {
            format!("{description} ({reason:?})")
        };
        *lock(&self.shared.open_failure) = Some(text);
        Ok(())
    }

    async fn disconnected(
        &mut self,
        reason: DisconnectReason<Self::Error>,
    ) -> Result<(), Self::Error> {
        let (text, result) = match reason {
            DisconnectReason::ReceivedDisconnect(info) => (
                if info.message.is_empty() {
                    format!("the server disconnected ({:?})", info.reason_code)
                } else {
                    format!("the server disconnected: {}", info.message)
                },
                Ok(()),
            ),
            DisconnectReason::Error(e) => (e.describe(), Err(e)),
        };
        lock(&self.shared.ended).get_or_insert(text);
        result
    }
}

/// russh's messages, as lowercase fragments an operator can act on.
pub(crate) fn describe(e: &russh::Error) -> String {
    use russh::Error as E;
    match e {
        E::HUP | E::Disconnect => "the server closed the connection".to_owned(),
        E::KeepaliveTimeout => format!(
            "the server stopped answering keepalives ({KEEPALIVE_MAX} sent, {} apart)",
            fmt_duration(KEEPALIVE_INTERVAL)
        ),
        E::NoCommonAlgo { kind, ours, theirs } => format!(
            "no common {kind:?} algorithm (ours: {}; the server's: {})",
            ours.join(","),
            theirs.join(",")
        ),
        E::IO(io) => lower_first(&io.to_string()),
        other => lower_first(&other.to_string()),
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
