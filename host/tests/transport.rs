//! The SSH transport against real OpenSSH sshd processes (the planrun-tests
//! fleet): commands and their output, timeouts, host key policy,
//! authentication failures and a server killed mid-command.
//!
//! Timings are printed (`cargo test -p planrun --test transport -- --nocapture`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use planrun::transport::{
    ConnectError, ExitStatus, HostConfig, IdentityAgent, RunError, Session, SshConfig, SshOptions,
};
use planrun_tests::{Fleet, numbered_names};

fn opts(fleet: &Fleet) -> SshOptions {
    SshOptions {
        config_file: Some(fleet.ssh_config().to_owned()),
        accept_new_host_keys: false,
        default_connect_timeout: Duration::from_secs(10),
    }
}

fn resolve(fleet: &Fleet, name: &str) -> HostConfig {
    SshConfig::load(&opts(fleet))
        .expect("fleet ssh_config loads")
        .resolve(name)
}

async fn connect(fleet: &Fleet, name: &str) -> Session {
    Session::connect(&resolve(fleet, name), &opts(fleet))
        .await
        .unwrap_or_else(|e| panic!("connect to {name}: {e}"))
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).expect("utf-8 output")
}

/// The host's public key as sshd serves it (fleet layout: sshd/<name>/).
fn host_public_key(fleet: &Fleet, name: &str) -> String {
    let path = fleet.dir().join("sshd").join(name).join("host_ed25519.pub");
    let line = std::fs::read_to_string(&path).expect("host key of an own_sshd host");
    let mut fields = line.split_whitespace();
    format!("{} {}", fields.next().unwrap(), fields.next().unwrap())
}

fn ssh_keygen(path: &Path, passphrase: &str) {
    ssh_keygen_type(path, "ed25519", passphrase);
}

fn ssh_keygen_type(path: &Path, key_type: &str, passphrase: &str) {
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", key_type, "-C", "", "-N", passphrase, "-f"])
        .arg(path)
        .status()
        .expect("ssh-keygen runs");
    assert!(status.success());
}

fn fingerprint(pub_file: &Path) -> String {
    let out = Command::new("ssh-keygen")
        .arg("-lf")
        .arg(pub_file)
        .output()
        .unwrap();
    text(&out.stdout)
        .split_whitespace()
        .nth(1)
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_commands_on_one_connection() {
    let fleet = Fleet::builder().hosts(["web1"]).start().unwrap();

    let start = Instant::now();
    let session = connect(&fleet, "web1").await;
    eprintln!("connect + auth: {:?}", start.elapsed());

    // stdout, stderr and exit code, with output after the exit status.
    let out = session
        .run(
            "echo out; echo err >&2; echo $PLANRUN_TEST_HOST; exit 3",
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!(out.status, ExitStatus::Code(3));
    assert_eq!(text(&out.stdout), "out\nweb1\n");
    assert_eq!(text(&out.stderr), "err\n");

    let out = session.run("true", None, None).await.unwrap();
    assert_eq!(out.status, ExitStatus::Code(0));
    assert!(out.status.success());

    // stdin: every byte value, and more than a channel window (2 MiB) both
    // ways at once, which deadlocks a client that writes before reading.
    let mut input: Vec<u8> = (0..=255u8).collect();
    input.extend(std::iter::repeat_n(b'x', 3 << 20));
    let out = session.run("cat", Some(&input), None).await.unwrap();
    assert_eq!(out.status, ExitStatus::Code(0));
    assert!(
        out.stdout == input,
        "cat returned {} of {} bytes",
        out.stdout.len(),
        input.len()
    );
    // No stdin still sends EOF: cat ends.
    let out = session.run("cat; echo done", None, None).await.unwrap();
    assert_eq!(text(&out.stdout), "done\n");

    // A command killed by a signal reports the signal, not a code.
    let out = session
        .run("echo before; kill -9 $$", None, None)
        .await
        .unwrap();
    assert_eq!(out.status, ExitStatus::Signal("KILL".into()));
    assert_eq!(text(&out.stdout), "before\n");

    // Many sequential commands on the same connection.
    let start = Instant::now();
    for i in 0..50 {
        let out = session.run(&format!("echo {i}"), None, None).await.unwrap();
        assert_eq!(text(&out.stdout), format!("{i}\n"));
    }
    eprintln!(
        "50 sequential commands: {:?} ({:?} each)",
        start.elapsed(),
        start.elapsed() / 50
    );

    // More concurrent commands than sshd's default MaxSessions: the session
    // queues them instead of having channels refused.
    let session = Arc::new(session);
    let start = Instant::now();
    let tasks: Vec<_> = (0..25)
        .map(|i| {
            let s = session.clone();
            tokio::spawn(async move { s.run(&format!("sleep 0.2; echo {i}"), None, None).await })
        })
        .collect();
    for (i, t) in tasks.into_iter().enumerate() {
        let out = t.await.unwrap().unwrap();
        assert_eq!(text(&out.stdout), format!("{i}\n"));
    }
    eprintln!("25 concurrent 0.2 s commands: {:?}", start.elapsed());

    session.close().await;
    match session.run("true", None, None).await {
        Err(RunError::ConnectionLost(m)) => assert!(m.contains("web1"), "{m}"),
        other => panic!("run after close: {other:?}"),
    }
}

/// Connect + auth time against a fleet, one by one and all at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connects_to_many_hosts() {
    let names = numbered_names("secure", 20);
    let fleet = Fleet::builder().hosts(names.clone()).start().unwrap();
    let opts = opts(&fleet);
    let config = SshConfig::load(&opts).unwrap();

    let start = Instant::now();
    for name in &names {
        let s = Session::connect(&config.resolve(name), &opts)
            .await
            .unwrap();
        s.close().await;
    }
    eprintln!(
        "connect + auth, sequential: {:?} per host over {} hosts",
        start.elapsed() / names.len() as u32,
        names.len()
    );

    let start = Instant::now();
    let tasks: Vec<_> = names
        .iter()
        .map(|name| {
            let (host, opts) = (config.resolve(name), opts.clone());
            tokio::spawn(async move {
                let s = Session::connect(&host, &opts).await?;
                let out = s.run("echo $PLANRUN_TEST_HOST", None, None).await.unwrap();
                Ok::<_, ConnectError>(String::from_utf8(out.stdout).unwrap())
            })
        })
        .collect();
    for (name, t) in names.iter().zip(tasks) {
        assert_eq!(t.await.unwrap().unwrap(), format!("{name}\n"));
    }
    eprintln!(
        "connect + auth + 1 command, {} hosts in parallel: {:?}",
        names.len(),
        start.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_kills_the_remote_command() {
    let fleet = Fleet::builder().hosts(["web1"]).start().unwrap();
    let session = connect(&fleet, "web1").await;

    let start = Instant::now();
    let err = session
        .run(
            "echo $$ > $HOME/pid; exec sleep 30",
            None,
            Some(Duration::from_secs(1)),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, RunError::TimedOut(d) if d == Duration::from_secs(1)),
        "{err:?}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "took {:?}",
        start.elapsed()
    );
    assert_eq!(
        err.to_string(),
        "timed out after 1s; the command was killed"
    );
    assert_remote_process_ends(&session, "pid").await;

    // Dropping the future (the caller's own timeout, Ctrl-C) kills it too.
    let dropped = tokio::time::timeout(
        Duration::from_secs(1),
        session.run("echo $$ > $HOME/pid2; exec sleep 30", None, None),
    )
    .await;
    assert!(dropped.is_err());
    assert_remote_process_ends(&session, "pid2").await;

    // The connection is still good.
    let out = session
        .run("echo ok", None, Some(Duration::from_secs(5)))
        .await
        .unwrap();
    assert_eq!(text(&out.stdout), "ok\n");
}

async fn assert_remote_process_ends(session: &Session, pid_file: &str) {
    let check = format!("kill -0 $(cat $HOME/{pid_file})");
    for _ in 0..50 {
        let out = session.run(&check, None, None).await.unwrap();
        if !out.status.success() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the remote command in {pid_file} is still running");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sshd_killed_mid_command_is_connection_lost() {
    let fleet = Fleet::builder()
        .hosts(["web1"])
        .own_sshd("web1")
        .start()
        .unwrap();
    let session = Arc::new(connect(&fleet, "web1").await);
    let running = {
        let s = session.clone();
        tokio::spawn(async move { s.run("sleep 30", None, None).await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let killed = Instant::now();
    tokio::task::block_in_place(|| fleet.kill("web1"));
    let result = tokio::time::timeout(Duration::from_secs(5), running)
        .await
        .expect("run returns promptly after the server died")
        .unwrap();
    eprintln!("ConnectionLost {:?} after the kill", killed.elapsed());
    match result {
        Err(RunError::ConnectionLost(m)) => {
            assert!(m.contains("web1") && m.contains("lost"), "{m}");
        }
        other => panic!("expected ConnectionLost, got {other:?}"),
    }
    assert!(session.is_closed());
    let start = Instant::now();
    assert!(matches!(
        session.run("true", None, None).await,
        Err(RunError::ConnectionLost(_))
    ));
    assert!(start.elapsed() < Duration::from_secs(1));

    // A new connection to the dead host is refused, naming it.
    let err = Session::connect(&resolve(&fleet, "web1"), &opts(&fleet))
        .await
        .err()
        .unwrap();
    assert!(matches!(err, ConnectError::Tcp { .. }), "{err}");
    assert!(err.to_string().contains("(host web1)"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_host_key_is_refused_then_recorded_with_accept_new() {
    let fleet = Fleet::builder()
        .hosts(["web1"])
        .own_sshd("web1")
        .omit_from_known_hosts("web1")
        .start()
        .unwrap();
    let mut host = resolve(&fleet, "web1");
    let pub_file = fleet.dir().join("sshd/web1/host_ed25519.pub");
    let fp = fingerprint(&pub_file);

    let err = Session::connect(&host, &opts(&fleet)).await.err().unwrap();
    let msg = err.to_string();
    assert!(matches!(err, ConnectError::UnknownHostKey { .. }), "{msg}");
    let name = format!("[{}]:{}", fleet.address("web1"), fleet.port());
    assert!(
        msg.contains(&format!(
            "host key for {name} (host web1) is not known: ssh-ed25519 {fp}"
        )),
        "{msg}"
    );
    assert!(
        msg.contains(&fleet.known_hosts().display().to_string()),
        "{msg}"
    );
    assert!(msg.contains("--accept-new-host-keys"), "{msg}");

    // accept-new writes the key to the first UserKnownHostsFile, creating
    // it and its directory.
    let dir = tempfile::tempdir().unwrap();
    let recorded = dir.path().join("new/.ssh/known_hosts");
    host.user_known_hosts_files = vec![recorded.clone(), fleet.known_hosts().to_owned()];
    let accept = SshOptions {
        accept_new_host_keys: true,
        ..opts(&fleet)
    };
    let s = Session::connect(&host, &accept).await.unwrap();
    assert_eq!(
        text(&s.run("echo hi", None, None).await.unwrap().stdout),
        "hi\n"
    );
    s.close().await;
    let content = std::fs::read_to_string(&recorded).unwrap();
    assert_eq!(
        content,
        format!("{name} {}\n", host_public_key(&fleet, "web1"))
    );

    // Now strict checking accepts it.
    let s = Session::connect(&host, &opts(&fleet)).await.unwrap();
    assert_eq!(
        text(&s.run("echo again", None, None).await.unwrap().stdout),
        "again\n"
    );
    // …and accept-new does not write it twice.
    let s = Session::connect(&host, &accept).await.unwrap();
    s.close().await;
    assert_eq!(std::fs::read_to_string(&recorded).unwrap(), content);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_host_key_is_refused_even_with_accept_new() {
    let fleet = Fleet::builder().hosts(["web1"]).start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other");
    ssh_keygen(&other, "");
    let other_pub = std::fs::read_to_string(other.with_extension("pub")).unwrap();
    let name = format!("[{}]:{}", fleet.address("web1"), fleet.port());
    let file = dir.path().join("known_hosts");
    let original = format!("# a comment\n{name} {}", other_pub.trim());
    std::fs::write(&file, &original).unwrap();

    let mut host = resolve(&fleet, "web1");
    host.user_known_hosts_files = vec![file.clone()];
    for accept_new in [false, true] {
        let opts = SshOptions {
            accept_new_host_keys: accept_new,
            ..opts(&fleet)
        };
        let err = Session::connect(&host, &opts).await.err().unwrap();
        let msg = err.to_string();
        assert!(matches!(err, ConnectError::ChangedHostKey { .. }), "{msg}");
        assert!(
            msg.starts_with(&format!("host key for {name} (host web1) has CHANGED")),
            "{msg}"
        );
        assert!(
            msg.contains(&format!("offending key in {}:2", file.display())),
            "{msg}"
        );
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_failure_lists_what_was_tried() {
    let fleet = Fleet::builder().hosts(["web1"]).start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let stranger = dir.path().join("id_stranger");
    ssh_keygen(&stranger, "");
    let locked = dir.path().join("id_locked");
    ssh_keygen(&locked, "secret");

    let mut host = resolve(&fleet, "web1");
    host.identity_files = vec![stranger.clone(), locked.clone(), dir.path().join("missing")];
    let err = Session::connect(&host, &opts(&fleet)).await.err().unwrap();
    let msg = err.to_string();
    assert!(matches!(err, ConnectError::AuthFailed { .. }), "{msg}");
    let target = format!("{}@{}:{}", host.user, fleet.address("web1"), fleet.port());
    assert!(
        msg.starts_with(&format!(
            "authentication as {target} failed (tried: {}",
            stranger.display()
        )),
        "{msg}"
    );
    assert!(
        msg.contains(&format!("skipped {}: it is encrypted", locked.display())),
        "{msg}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_errors_name_the_host_and_phase() {
    let fleet = Fleet::builder()
        .hosts(["web1"])
        .unreachable("down")
        .start()
        .unwrap();

    let err = Session::connect(&resolve(&fleet, "down"), &opts(&fleet))
        .await
        .err()
        .unwrap();
    assert!(matches!(err, ConnectError::Tcp { .. }), "{err}");
    assert!(!err.is_retryable());
    assert!(
        err.to_string().contains("(host down): Connection refused"),
        "{err}"
    );

    let mut host = resolve(&fleet, "web1");
    host.proxy_jump = Some("bastion".into());
    let err = Session::connect(&host, &opts(&fleet)).await.err().unwrap();
    assert!(
        err.to_string()
            .starts_with("web1: ProxyJump bastion is not supported yet"),
        "{err}"
    );

    // A server that accepts TCP but never speaks SSH: the connect timeout
    // covers the handshake.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut host = resolve(&fleet, "web1");
    host.hostname = "127.0.0.1".into();
    host.port = silent.local_addr().unwrap().port();
    host.connect_timeout = Some(Duration::from_millis(500));
    let start = Instant::now();
    let err = Session::connect(&host, &opts(&fleet)).await.err().unwrap();
    assert!(start.elapsed() < Duration::from_secs(2));
    assert!(
        err.to_string()
            .contains("timed out after 500ms during ssh handshake"),
        "{err}"
    );
    assert!(!err.is_retryable(), "a timeout has spent its budget");

    let mut host = resolve(&fleet, "web1");
    host.hostname = "no-such-host.invalid".into();
    let err = Session::connect(&host, &opts(&fleet)).await.err().unwrap();
    assert!(matches!(err, ConnectError::Resolve { .. }), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_channel_is_a_channel_error() {
    let fleet = Fleet::builder()
        .hosts(["web1"])
        .own_sshd("web1")
        .start()
        .unwrap();
    // The fleet's sshd allows 100 sessions; give this host 2 (Match blocks
    // may set MaxSessions; the host's block is the last one).
    let config: PathBuf = fleet.dir().join("sshd/web1/sshd_config");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("    MaxSessions 2\n");
    std::fs::write(&config, text).unwrap();
    tokio::task::block_in_place(|| fleet.restart("web1")).unwrap();

    let session = Arc::new(connect(&fleet, "web1").await);
    let tasks: Vec<_> = (0..3)
        .map(|_| {
            let s = session.clone();
            tokio::spawn(async move { s.run("sleep 1", None, None).await })
        })
        .collect();
    let mut refused = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(out) => assert_eq!(out.status, ExitStatus::Code(0)),
            Err(RunError::Channel(m)) => {
                assert!(
                    m.starts_with("web1: the server refused to open a channel"),
                    "{m}"
                );
                refused += 1;
            }
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(refused, 1);
    // The session survives a refused channel.
    assert!(
        session
            .run("true", None, None)
            .await
            .unwrap()
            .status
            .success()
    );
}

/// An ssh-agent of this test's own, on its own socket (no global SSH_AUTH_SOCK).
struct Agent {
    child: std::process::Child,
    socket: PathBuf,
}

impl Agent {
    fn start(dir: &Path, keys: &[&Path]) -> Agent {
        let socket = dir.join("agent.sock");
        let child = Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&socket)
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("ssh-agent starts");
        for _ in 0..100 {
            if socket.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        for key in keys {
            let status = Command::new("ssh-add")
                .arg("-q")
                .arg(key)
                .env("SSH_AUTH_SOCK", &socket)
                .status()
                .unwrap();
            assert!(status.success(), "ssh-add {}", key.display());
        }
        Agent { child, socket }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authenticates_with_agent_keys_and_rsa_keys() {
    let fleet = Fleet::builder().hosts(["web1"]).start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // An RSA key, authorized too: OpenSSH 9.2 refuses SHA-1 ssh-rsa
    // signatures, so this only works with the negotiated rsa-sha2 hash.
    let rsa = dir.path().join("id_rsa");
    ssh_keygen_type(&rsa, "rsa", "");
    let authorized = fleet.dir().join("authorized_keys");
    let mut keys = std::fs::read_to_string(&authorized).unwrap();
    keys.push_str(&std::fs::read_to_string(rsa.with_extension("pub")).unwrap());
    std::fs::write(&authorized, keys).unwrap();

    let mut host = resolve(&fleet, "web1");
    host.identity_files = vec![rsa.clone()];
    host.identity_agent = IdentityAgent::Disabled;
    let s = Session::connect(&host, &opts(&fleet))
        .await
        .expect("rsa key file");
    assert!(s.run("true", None, None).await.unwrap().status.success());

    // Keys only in the agent (a stranger's first, then the RSA key), no files.
    let stranger = dir.path().join("id_stranger");
    ssh_keygen(&stranger, "");
    let agent = Agent::start(dir.path(), &[&stranger, &rsa]);
    std::fs::remove_file(&rsa).unwrap();
    let mut host = resolve(&fleet, "web1");
    host.identity_agent = IdentityAgent::Socket(agent.socket.clone());
    host.identities_only = false;
    host.identity_files = vec![];
    let s = Session::connect(&host, &opts(&fleet))
        .await
        .expect("agent rsa key");
    assert!(s.run("true", None, None).await.unwrap().status.success());

    // IdentitiesOnly with a .pub-only IdentityFile selects that agent key
    // alone: here the stranger's, which fails, having tried just one key.
    std::fs::remove_file(&stranger).unwrap();
    host.identities_only = true;
    host.identity_files = vec![stranger.clone()];
    let err = Session::connect(&host, &opts(&fleet)).await.err().unwrap();
    assert!(err.to_string().contains("(tried: agent (1 key))"), "{err}");
}

/// Connect + auth + one command on many hosts at once. Slow to set up:
/// `PLANRUN_BENCH_HOSTS=200 cargo test -p planrun --test transport -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: starts a large fleet"]
async fn bench_fleet_connect() {
    let count: usize = std::env::var("PLANRUN_BENCH_HOSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let names = numbered_names("bench", count);
    let fleet = Fleet::builder().hosts(names.clone()).start().unwrap();
    let opts = opts(&fleet);
    let config = SshConfig::load(&opts).unwrap();
    // Bounded like the scheduler's --forks: sshd's CPU is the floor on 2 cores.
    let forks = Arc::new(tokio::sync::Semaphore::new(50));
    let start = Instant::now();
    let tasks: Vec<_> = names
        .iter()
        .map(|name| {
            let (host, opts, forks) = (config.resolve(name), opts.clone(), forks.clone());
            tokio::spawn(async move {
                let _slot = forks.acquire().await.unwrap();
                let t = Instant::now();
                let s = Session::connect(&host, &opts).await.unwrap();
                let connected = t.elapsed();
                let t = Instant::now();
                s.run("true", None, None).await.unwrap();
                (connected, t.elapsed(), s)
            })
        })
        .collect();
    let mut connects = Vec::new();
    let mut commands = Vec::new();
    let mut sessions = Vec::new();
    for t in tasks {
        let (c, r, s) = t.await.unwrap();
        connects.push(c);
        commands.push(r);
        sessions.push(s);
    }
    let wall = start.elapsed();
    connects.sort();
    commands.sort();
    eprintln!(
        "{count} hosts, 50 at a time: wall {wall:?}; connect+auth median {:?} p95 {:?}; first command median {:?}",
        connects[count / 2],
        connects[count * 95 / 100],
        commands[count / 2]
    );
    let start = Instant::now();
    let runs: Vec<_> = sessions
        .into_iter()
        .map(|s| tokio::spawn(async move { s.run("true", None, None).await.unwrap() }))
        .collect();
    for r in runs {
        r.await.unwrap();
    }
    eprintln!(
        "then one command on every open connection: {:?}",
        start.elapsed()
    );
}
