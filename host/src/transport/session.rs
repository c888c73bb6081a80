//! One SSH connection to one host, and the commands run on it.
//!
//! `connect` resolves the address, opens TCP (Nagle off: with it each exec
//! costs ~46 ms), runs the handshake (curve25519 first: cheapest for sshd's
//! CPU; host key judged against known_hosts) and authenticates, all under
//! one ConnectTimeout. The connection then lives for the whole run: keepalives
//! detect a dead peer, and there is deliberately no inactivity timeout, since
//! a host may wait at a barrier for minutes.
//!
//! Each `run` is one session channel (`exec`), driven by its own task so that
//! a timeout, or the caller dropping the future, still kills the remote
//! command and frees the channel's MaxSessions slot. Of a command's stdout
//! and stderr only the first `max_output` bytes each are kept: the rest is
//! read (so the command is not blocked on a full window) and counted, not
//! stored, so a command printing 1 GiB costs no memory.
//!
//! Killing is harder than it looks: closing a channel does not stop its
//! command (sshd leaves it running, as `ssh host cmd` + Ctrl-C does), and
//! sshd refuses SSH `signal` requests for root logins ("session signalling
//! requires privilege separation"; sshd skips post-auth privsep for root).
//! So every command line starts with a POSIX `printf` of the login shell's
//! pid to stderr, framed by \x1e bytes; the transport strips it from stderr.
//! That shell is a session leader (sshd calls setsid), so on timeout
//! `kill -KILL -PID` from a second channel ends the command and everything it
//! started in its process group. The `signal` request is still sent first:
//! for other users sshd honours it and no second channel is needed.

use std::borrow::Cow;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use russh::client::{Config, Handle, Msg};
use russh::keys::Algorithm;
use russh::{
    ChannelMsg, ChannelReadHalf, ChannelWriteHalf, Disconnect, Preferred, Sig, SshId, kex,
};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot};

use super::SshOptions;
use super::auth;
use super::error::{ConnectError, RunError};
use super::handler::{ClientHandler, HandlerError, HostKeyPolicy, Shared, describe, lock};
use super::known_hosts::KnownHosts;
use super::ssh_config::{HostConfig, StrictHostKeyChecking};

/// A keepalive after 15 s of silence; 3 unanswered ones end the connection
/// (a dead peer is noticed within ~1 minute, a quiet one is never dropped).
pub(crate) const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(15);
pub(crate) const KEEPALIVE_MAX: usize = 3;

/// Concurrent commands per connection: one less than sshd's default
/// MaxSessions (10), keeping a slot for killing a timed-out command. `run`
/// calls beyond this wait for a free channel instead of being refused.
pub const MAX_CHANNELS_PER_SESSION: usize = 9;

/// How long a killed command's channel may take to confirm its close before
/// its slot is given back anyway.
const REAP_WAIT: Duration = Duration::from_secs(5);
/// How long sshd gets to act on the `signal` request before we kill by pid.
const SIGNAL_GRACE: Duration = Duration::from_millis(300);

/// Sent before every command: reports the login shell's pid (see module docs).
const PID_PREFIX: &str = "printf '\\036planrun-pid %d\\036\\n' \"$$\" >&2; ";
/// The report as it arrives on stderr: `\x1eplanrun-pid 1234\x1e\n`.
const PID_MARK: &[u8] = b"\x1eplanrun-pid ";
/// Shell startup files may print before the report; look no further than this.
const PID_SEARCH_LIMIT: usize = 64 * 1024;

/// Bytes kept of each of a command's stdout and stderr unless
/// [`Session::set_max_output`] says otherwise.
pub const DEFAULT_MAX_OUTPUT: usize = 8 * 1024 * 1024;

/// How a command ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// It exited with this code.
    Code(i32),
    /// It was killed by this signal (`KILL`, `TERM`, … without `SIG`).
    Signal(String),
}

impl ExitStatus {
    pub fn success(&self) -> bool {
        *self == ExitStatus::Code(0)
    }
}

impl std::fmt::Display for ExitStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExitStatus::Code(c) => write!(f, "exit code {c}"),
            ExitStatus::Signal(s) => write!(f, "killed by signal {s}"),
        }
    }
}

/// What a command produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawOutput {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// From opening the channel to its close.
    pub duration: Duration,
    /// Bytes of stdout read past the output limit and dropped.
    pub stdout_dropped: u64,
    /// Bytes of stderr read past the output limit and dropped.
    pub stderr_dropped: u64,
}

/// One SSH connection to one host, reused for every command (commands are
/// channels on it). Cheap to share: `run` takes `&self`.
pub struct Session {
    handle: Arc<Handle<ClientHandler>>,
    shared: Arc<Shared>,
    channels: Arc<Semaphore>,
    /// The operator's name for the host.
    host: String,
    /// `user@hostname:port`, for messages.
    target: String,
    /// Bytes kept of each output stream of a command.
    max_output: usize,
}

// The scheduler shares sessions across tasks.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Session>();
};

impl Session {
    /// Connects and authenticates within ConnectTimeout (or the default).
    pub async fn connect(host: &HostConfig, opts: &SshOptions) -> Result<Session, ConnectError> {
        if let Some(jump) = &host.proxy_jump {
            return Err(ConnectError::ProxyJumpUnsupported {
                host: host.alias.clone(),
                jump: jump.clone(),
            });
        }
        let limit = host.connect_timeout.unwrap_or(opts.default_connect_timeout);
        let mut phase = "name resolution";
        match tokio::time::timeout(limit, establish(host, opts, &mut phase)).await {
            Ok(result) => result,
            Err(_) => Err(ConnectError::TimedOut {
                host: host.alias.clone(),
                target: host.target(),
                after: limit,
                phase,
            }),
        }
    }

    /// Runs `command` (a complete shell command line; the remote user's shell
    /// runs it, as with ssh) on a new channel: feeds `stdin` then EOF,
    /// collects stdout and stderr until the channel closes. On `timeout` the
    /// remote command is killed and [`RunError::TimedOut`] returned.
    pub async fn run(
        &self,
        command: &str,
        stdin: Option<&[u8]>,
        timeout: Option<Duration>,
    ) -> Result<RawOutput, RunError> {
        if self.handle.is_closed() {
            return Err(self.lost());
        }
        // Waiting for a free channel is not the command's time.
        let Ok(permit) = self.channels.clone().acquire_owned().await else {
            return Err(self.lost());
        };
        let (result_tx, result_rx) = oneshot::channel();
        // Dropped when this future ends or is dropped: tells the task to give up.
        let (_keep_going, cancelled) = oneshot::channel::<()>();
        let job = Job {
            handle: self.handle.clone(),
            shared: self.shared.clone(),
            host: self.host.clone(),
            target: self.target.clone(),
            command: command.to_owned(),
            stdin: stdin.map(<[u8]>::to_vec),
            max_output: self.max_output,
        };
        tokio::spawn(job.run(permit, cancelled, result_tx));
        let result = match timeout {
            Some(limit) => match tokio::time::timeout(limit, result_rx).await {
                Ok(r) => r,
                Err(_) => return Err(RunError::TimedOut(limit)),
            },
            None => result_rx.await,
        };
        result.unwrap_or_else(|_| Err(self.lost()))
    }

    /// Keeps at most `bytes` of each command's stdout and of its stderr.
    pub fn set_max_output(&mut self, bytes: usize) {
        self.max_output = bytes;
    }

    /// Closes the connection politely; later `run`s fail with ConnectionLost.
    pub async fn close(&self) {
        let _ = self
            .handle
            .disconnect(Disconnect::ByApplication, "planrun finished", "en")
            .await;
        lock(&self.shared.ended).get_or_insert_with(|| "the session was closed".to_owned());
    }

    /// Whether the connection has ended (closed, or lost).
    pub fn is_closed(&self) -> bool {
        self.handle.is_closed()
    }

    /// The operator's name for the host.
    pub fn host(&self) -> &str {
        &self.host
    }

    fn lost(&self) -> RunError {
        lost(&self.host, &self.target, &self.shared)
    }
}

fn lost(host: &str, target: &str, shared: &Shared) -> RunError {
    let why = shared
        .ended()
        .unwrap_or_else(|| "the connection closed".to_owned());
    RunError::ConnectionLost(format!("connection to {target} (host {host}) lost: {why}"))
}

async fn establish(
    host: &HostConfig,
    opts: &SshOptions,
    phase: &mut &'static str,
) -> Result<Session, ConnectError> {
    *phase = "reading known_hosts";
    let name = host.known_hosts_name();
    let files: Vec<PathBuf> = host
        .user_known_hosts_files
        .iter()
        .chain(&host.global_known_hosts_files)
        .cloned()
        .collect();
    let known = KnownHosts::load(&name, &files)
        .map_err(|(path, source)| ConnectError::KnownHostsRead { path, source })?;
    let accept_new = opts.accept_new_host_keys
        || matches!(
            host.strict_host_key_checking,
            StrictHostKeyChecking::AcceptNew | StrictHostKeyChecking::No
        );
    let config = Arc::new(client_config(&known.algorithms()));
    let policy = HostKeyPolicy {
        host: host.alias.clone(),
        name,
        known,
        files,
        accept_new_into: accept_new.then(|| host.user_known_hosts_files.first().cloned()),
    };

    *phase = "name resolution";
    let addrs: Vec<_> = tokio::net::lookup_host((host.hostname.as_str(), host.port))
        .await
        .map_err(|source| ConnectError::Resolve {
            host: host.alias.clone(),
            hostname: host.hostname.clone(),
            source,
        })?
        .collect();

    *phase = "tcp connect";
    let mut last_err = None;
    let mut connected = None;
    // Every address in turn, as ssh does (`localhost` → ::1, then 127.0.0.1).
    for addr in &addrs {
        match TcpStream::connect(addr).await {
            Ok(stream) => {
                connected = Some((stream, *addr));
                break;
            }
            Err(e) => last_err = Some((*addr, e)),
        }
    }
    let (stream, addr) = match (connected, last_err) {
        (Some(c), _) => c,
        (None, Some((addr, source))) => {
            return Err(ConnectError::Tcp {
                host: host.alias.clone(),
                addr: addr.to_string(),
                source,
            });
        }
        (None, None) => {
            return Err(ConnectError::Resolve {
                host: host.alias.clone(),
                hostname: host.hostname.clone(),
                source: std::io::Error::other("no addresses"),
            });
        }
    };
    // connect_stream does not apply Config::nodelay (only russh's own
    // connect does): set it on the socket ourselves.
    let _ = stream.set_nodelay(true);

    *phase = "ssh handshake";
    let shared = Arc::new(Shared::default());
    let handler = ClientHandler {
        policy,
        accepted: None,
        shared: shared.clone(),
    };
    let mut handle = russh::client::connect_stream(config, stream, handler)
        .await
        .map_err(|e| match e {
            HandlerError::Refused(e) => *e,
            HandlerError::Russh(e) => ConnectError::Handshake {
                host: host.alias.clone(),
                addr: addr.to_string(),
                message: describe(&e),
                dropped: matches!(
                    e,
                    russh::Error::HUP | russh::Error::Disconnect | russh::Error::IO(_)
                ),
            },
        })?;

    *phase = "authentication";
    auth::authenticate(&mut handle, host).await?;

    Ok(Session {
        handle: Arc::new(handle),
        shared,
        channels: Arc::new(Semaphore::new(MAX_CHANNELS_PER_SESSION)),
        host: host.alias.clone(),
        target: host.target(),
        max_output: DEFAULT_MAX_OUTPUT,
    })
}

fn client_config(known_algorithms: &[Algorithm]) -> Config {
    let default = Preferred::default();
    // curve25519 first: russh prefers mlkem768x25519, which costs servers
    // that have it more CPU per handshake; keep the rest as fallbacks.
    let mut kex_order = vec![kex::CURVE25519, kex::CURVE25519_PRE_RFC_8731];
    let rest: Vec<kex::Name> = default
        .kex
        .iter()
        .filter(|k| !kex_order.contains(k))
        .cloned()
        .collect();
    kex_order.extend(rest);
    // Host key types already on record first, as ssh orders them, so a host
    // with several keys shows the one we can verify.
    let mut keys: Vec<Algorithm> = Vec::new();
    for known in known_algorithms {
        for alg in default.key.iter() {
            let is_rsa = |a: &Algorithm| matches!(a, Algorithm::Rsa { .. });
            let same = if is_rsa(known) {
                is_rsa(alg)
            } else {
                alg == known
            };
            if same && !keys.contains(alg) {
                keys.push(alg.clone());
            }
        }
    }
    let rest: Vec<Algorithm> = default
        .key
        .iter()
        .filter(|a| !keys.contains(a))
        .cloned()
        .collect();
    keys.extend(rest);
    Config {
        client_id: SshId::Standard(Cow::Borrowed(concat!(
            "SSH-2.0-planrun_",
            env!("CARGO_PKG_VERSION")
        ))),
        preferred: Preferred {
            kex: Cow::Owned(kex_order),
            key: Cow::Owned(keys),
            ..default
        },
        nodelay: true,
        keepalive_interval: Some(KEEPALIVE_INTERVAL),
        keepalive_max: KEEPALIVE_MAX,
        inactivity_timeout: None,
        ..Config::default()
    }
}

/// One command, run by its own task.
struct Job {
    handle: Arc<Handle<ClientHandler>>,
    shared: Arc<Shared>,
    host: String,
    target: String,
    command: String,
    stdin: Option<Vec<u8>>,
    max_output: usize,
}

/// One output stream, kept up to a limit; the rest is counted and dropped.
struct Capped {
    bytes: Vec<u8>,
    limit: usize,
    dropped: u64,
}

impl Capped {
    fn new(limit: usize) -> Self {
        Capped {
            bytes: Vec::new(),
            limit,
            dropped: 0,
        }
    }

    fn push(&mut self, data: &[u8]) {
        let keep = self.limit.saturating_sub(self.bytes.len()).min(data.len());
        self.bytes.extend_from_slice(&data[..keep]);
        self.dropped += (data.len() - keep) as u64;
    }

    /// Drops what is past the limit (after taking bytes in uncapped).
    fn enforce(&mut self) {
        if self.bytes.len() > self.limit {
            self.dropped += (self.bytes.len() - self.limit) as u64;
            self.bytes.truncate(self.limit);
        }
    }
}

/// What a channel has produced so far. Lives outside the exchange so that a
/// kill can keep reading stderr for the pid report.
struct Collected {
    stdout: Capped,
    stderr: Capped,
    status: Option<ExitStatus>,
    pid: Option<u32>,
    /// Gave up looking for the pid report (too much stderr before it).
    pid_search_over: bool,
}

impl Collected {
    fn new(max_output: usize) -> Self {
        Collected {
            stdout: Capped::new(max_output),
            stderr: Capped::new(max_output),
            status: None,
            pid: None,
            pid_search_over: false,
        }
    }

    /// Takes one channel message; false once the channel is closed.
    fn take(&mut self, msg: ChannelMsg) -> bool {
        match msg {
            ChannelMsg::Data { data } => self.stdout.push(&data),
            // Until the pid report is found stderr is taken whole (at most
            // PID_SEARCH_LIMIT and a packet), so that no limit cuts it.
            ChannelMsg::ExtendedData { data, ext: 1 }
                if self.pid.is_none() && !self.pid_search_over =>
            {
                let stderr = &mut self.stderr.bytes;
                stderr.extend_from_slice(&data);
                self.pid = take_pid_report(stderr);
                self.pid_search_over = self.pid.is_none() && stderr.len() > PID_SEARCH_LIMIT;
                if self.pid.is_some() || self.pid_search_over {
                    self.stderr.enforce();
                }
            }
            ChannelMsg::ExtendedData { data, ext: 1 } => self.stderr.push(&data),
            // May come before the last data: keep reading until Close.
            ChannelMsg::ExitStatus { exit_status } => {
                self.status = Some(ExitStatus::Code(exit_status as i32));
            }
            ChannelMsg::ExitSignal { signal_name, .. } => {
                self.status = Some(ExitStatus::Signal(signal_name_of(&signal_name)));
            }
            ChannelMsg::Close => return false,
            _ => {}
        }
        true
    }
}

impl Job {
    async fn run(
        self,
        permit: OwnedSemaphorePermit,
        mut cancelled: oneshot::Receiver<()>,
        result: oneshot::Sender<Result<RawOutput, RunError>>,
    ) {
        let start = Instant::now();
        // Not raced against cancellation: an open abandoned midway would
        // leave a server session nobody closes. It is quick, or fails once
        // keepalives give up on the connection.
        let channel = match self.handle.channel_open_session().await {
            Ok(channel) => channel,
            Err(e) => {
                let _ = result.send(Err(self.open_error(e)));
                return;
            }
        };
        let (mut read, write) = channel.split();
        let mut got = Collected::new(self.max_output);
        let outcome = tokio::select! {
            outcome = self.exchange(&mut read, &write, &mut got) => outcome,
            _ = &mut cancelled => {
                // Timed out, or the caller went away: kill, and keep the
                // slot until sshd confirms the close (bounded).
                self.kill(&mut read, &write, &mut got).await;
                drop(permit);
                return;
            }
        };
        drop(permit);
        let _ = result.send(outcome.map(|status| RawOutput {
            status,
            stdout: got.stdout.bytes,
            stderr: got.stderr.bytes,
            stdout_dropped: got.stdout.dropped,
            stderr_dropped: got.stderr.dropped,
            duration: start.elapsed(),
        }));
    }

    /// exec, then stdin and output concurrently (a command may fill its
    /// output window before reading stdin) until the server closes the channel.
    async fn exchange(
        &self,
        read: &mut ChannelReadHalf,
        write: &ChannelWriteHalf<Msg>,
        got: &mut Collected,
    ) -> Result<ExitStatus, RunError> {
        let line = format!("{PID_PREFIX}{}", self.command);
        if write.exec(true, line.as_bytes()).await.is_err() {
            return Err(self.lost());
        }
        let feed = async {
            if let Some(data) = &self.stdin {
                write.data_bytes(data.clone()).await?;
            }
            write.eof().await
        };
        tokio::pin!(feed);
        let mut exec_confirmed = false;
        let mut fed = false;
        loop {
            tokio::select! {
                // stdin goes only once sshd has started the command.
                _ = &mut feed, if exec_confirmed && !fed => fed = true,
                msg = read.wait() => match msg {
                    Some(ChannelMsg::Success) if !exec_confirmed => exec_confirmed = true,
                    Some(ChannelMsg::Failure) if !exec_confirmed => {
                        let _ = write.close().await;
                        return Err(RunError::Channel(format!(
                            "{}: the server refused to run the command (exec request denied)",
                            self.host
                        )));
                    }
                    Some(msg) => {
                        if !got.take(msg) {
                            break;
                        }
                    }
                    // russh sends Close before dropping a channel it closes;
                    // ending without one means the connection went away.
                    None => return Err(self.lost()),
                }
            }
        }
        got.status.clone().ok_or_else(|| {
            RunError::Channel(format!(
                "{}: the channel closed without an exit status (sshd's session ended abnormally)",
                self.host
            ))
        })
    }

    /// Ends a command that is still running: `signal KILL` (honoured by
    /// sshd for non-root users), then, if the channel is still open after a
    /// grace period, `kill -KILL -PID` from another channel; then close.
    /// Best effort, bounded in time.
    async fn kill(
        &self,
        read: &mut ChannelReadHalf,
        write: &ChannelWriteHalf<Msg>,
        got: &mut Collected,
    ) {
        let _ = write.signal(Sig::KILL).await;
        // Meanwhile keep reading: the pid report may still be on its way.
        let grace = async {
            while let Some(msg) = read.wait().await {
                if !got.take(msg) {
                    return;
                }
            }
        };
        if tokio::time::timeout(SIGNAL_GRACE, grace).await.is_ok() {
            return;
        }
        match got.pid {
            Some(pid) => self.kill_process_group(pid).await,
            None => tracing::warn!(
                "{}: cannot kill the timed-out command: its pid never arrived (is the login shell POSIX?)",
                self.host
            ),
        }
        let _ = write.close().await;
        drain(read, REAP_WAIT).await;
    }

    async fn kill_process_group(&self, pid: u32) {
        // The channel of the timed-out command may still hold the last free
        // MaxSessions slot; retry briefly while other commands finish.
        for delay_ms in [0, 100, 400, 1000] {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            match self.handle.channel_open_session().await {
                Ok(channel) => {
                    let command =
                        format!("kill -KILL -{pid} 2>/dev/null || kill -KILL {pid} 2>/dev/null");
                    if channel.exec(false, command).await.is_ok() {
                        let (mut read, _write) = channel.split();
                        drain(&mut read, REAP_WAIT).await;
                    }
                    return;
                }
                Err(russh::Error::ChannelOpenFailure(_)) => continue,
                Err(_) => return,
            }
        }
        tracing::warn!(
            "{}: could not kill timed-out command (pid {pid}): no channel available",
            self.host
        );
    }

    fn open_error(&self, e: russh::Error) -> RunError {
        match e {
            russh::Error::ChannelOpenFailure(reason) => {
                let description = lock(&self.shared.open_failure)
                    .take()
                    .unwrap_or_else(|| format!("{reason:?}"));
                RunError::Channel(format!(
                    "{}: the server refused to open a channel: {description}; sshd allows \
                     MaxSessions (default 10) channels per connection",
                    self.host
                ))
            }
            _ if self.handle.is_closed() => self.lost(),
            other => RunError::Channel(format!(
                "{}: cannot open a channel: {}",
                self.host,
                describe(&other)
            )),
        }
    }

    fn lost(&self) -> RunError {
        lost(&self.host, &self.target, &self.shared)
    }
}

/// Reads a channel until it ends; false if that takes longer than `limit`.
async fn drain(read: &mut ChannelReadHalf, limit: Duration) -> bool {
    tokio::time::timeout(limit, async { while read.wait().await.is_some() {} })
        .await
        .is_ok()
}

/// Finds the pid report in `stderr`, removes it and returns the pid. None
/// while it has not (completely) arrived.
fn take_pid_report(stderr: &mut Vec<u8>) -> Option<u32> {
    let start = stderr.windows(PID_MARK.len()).position(|w| w == PID_MARK)?;
    let digits = start + PID_MARK.len();
    let len = stderr[digits..].iter().position(|&b| b == 0x1e)?;
    let end = digits + len;
    if stderr.get(end + 1) != Some(&b'\n') {
        return None;
    }
    let pid = std::str::from_utf8(&stderr[digits..end])
        .ok()?
        .parse()
        .ok()?;
    stderr.drain(start..end + 2);
    Some(pid)
}

fn signal_name_of(sig: &Sig) -> String {
    match sig {
        Sig::Custom(name) => name.clone(),
        // The unit variants' names are the signal names (ABRT, KILL, …).
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_past_the_limit_is_counted_not_kept() {
        let mut got = Collected::new(10);
        let report = b"\x1eplanrun-pid 7\x1e\n";
        got.take(ChannelMsg::ExtendedData {
            data: [b"0123456789abc".as_slice(), report].concat().into(),
            ext: 1,
        });
        assert_eq!(got.pid, Some(7), "the report is found past the limit");
        assert_eq!(got.stderr.bytes, b"0123456789");
        assert_eq!(got.stderr.dropped, 3);
        for _ in 0..3 {
            got.take(ChannelMsg::Data {
                data: b"xxxxxxxx".as_slice().into(),
            });
        }
        assert_eq!(got.stdout.bytes.len(), 10);
        assert_eq!(got.stdout.dropped, 14);
    }

    #[test]
    fn pid_report_is_found_and_removed() {
        let mut stderr = b"bashrc noise\n\x1eplanrun-pid 4242\x1e\nreal error\n".to_vec();
        assert_eq!(take_pid_report(&mut stderr), Some(4242));
        assert_eq!(stderr, b"bashrc noise\nreal error\n");
        // Split across chunks: not yet.
        let mut partial = b"\x1eplanrun-pid 42".to_vec();
        assert_eq!(take_pid_report(&mut partial), None);
        partial.extend_from_slice(b"\x1e\n");
        assert_eq!(take_pid_report(&mut partial), Some(42));
        assert!(partial.is_empty());
    }

    #[test]
    fn pid_prefix_is_what_the_parser_expects() {
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{PID_PREFIX}echo ok"))
            .output()
            .unwrap();
        let mut stderr = out.stderr;
        assert!(take_pid_report(&mut stderr).is_some());
        assert!(stderr.is_empty());
        assert_eq!(out.stdout, b"ok\n");
    }

    #[test]
    fn client_config_prefers_curve25519_and_known_key_types() {
        let c = client_config(&[Algorithm::Rsa { hash: None }]);
        assert_eq!(c.preferred.kex[0], kex::CURVE25519);
        assert!(
            c.preferred.kex.contains(&kex::MLKEM768X25519_SHA256),
            "fallbacks kept"
        );
        assert!(matches!(c.preferred.key[0], Algorithm::Rsa { .. }));
        assert!(matches!(c.preferred.key[2], Algorithm::Rsa { .. }));
        assert_eq!(c.preferred.key[3], Algorithm::Ed25519);
        assert_eq!(c.preferred.key.len(), Preferred::default().key.len());
        assert!(c.nodelay);
        assert_eq!(c.keepalive_interval, Some(KEEPALIVE_INTERVAL));
        assert_eq!(c.inactivity_timeout, None);
    }
}
