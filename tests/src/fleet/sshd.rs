//! One sshd process of a fleet: starting it, knowing when it listens, and
//! killing it together with everything it spawned.
//!
//! Two things about sshd shape this file:
//! - sshd puts each connection's child in a new session (`setsid`), and so
//!   does each session's command, so killing sshd's process group leaves
//!   established connections alive; and a command whose connection closed
//!   lives on, reparented away from sshd. [`Sshd::kill`] therefore kills the
//!   listener's process tree plus every process whose environment carries
//!   the fleet's and one of its hosts' `PLANRUN_TEST_*` marks (set by the
//!   sshd_config's `SetEnv`).
//! - sshd only warns when it cannot bind some of its addresses and serves
//!   the others. Readiness is therefore checked on the listening sockets sshd
//!   itself holds (`/proc/<pid>/fd` against `/proc/net/tcp`), and a bind
//!   failure in its log is reported as `AddrInUse` so the caller can retry
//!   on another port.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io;
use std::net::Ipv4Addr;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock, mpsc};
use std::thread;
use std::time::{Duration, Instant};

pub(super) const SSHD: &str = "/usr/sbin/sshd";

/// An sshd serving some of a fleet's addresses.
#[derive(Debug)]
pub(super) struct Sshd {
    /// The host it is dedicated to, or `group-N`.
    pub label: String,
    /// Holds its sshd_config, host key, pid file and log.
    pub dir: PathBuf,
    pub addrs: Vec<Ipv4Addr>,
    /// What the processes of its sessions carry in their environment.
    marks: Marks,
    child: Mutex<Option<Child>>,
}

/// The environment entries that mark a fleet's remote processes.
#[derive(Debug, Clone)]
pub(super) struct Marks {
    /// `PLANRUN_TEST_FLEET=<fleet dir>`.
    pub fleet: String,
    /// `PLANRUN_TEST_HOST=<name>` for each host concerned; empty for all.
    pub hosts: Vec<String>,
}

impl Marks {
    fn match_environ(&self, environ: &[u8]) -> bool {
        let mut fleet = false;
        let mut host = self.hosts.is_empty();
        for entry in environ.split(|b| *b == 0) {
            fleet |= entry == self.fleet.as_bytes();
            host |= self.hosts.iter().any(|h| entry == h.as_bytes());
        }
        fleet && host
    }
}

impl Sshd {
    pub fn new(label: String, dir: PathBuf, addrs: Vec<Ipv4Addr>, marks: Marks) -> Self {
        Self {
            label,
            dir,
            addrs,
            marks,
            child: Mutex::new(None),
        }
    }

    pub fn config(&self) -> PathBuf {
        self.dir.join("sshd_config")
    }

    pub fn host_key(&self) -> PathBuf {
        self.dir.join("host_ed25519")
    }

    pub fn log(&self) -> PathBuf {
        self.dir.join("sshd.log")
    }

    /// The listener's pid while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child().as_ref().map(Child::id)
    }

    /// Starts `sshd -D` in its own process group; [`wait_listening`] tells
    /// when it serves. Kills a previous process first.
    pub fn spawn(&self) -> io::Result<()> {
        self.kill();
        let log = self.log();
        // sshd appends to -E; truncate so a restart's log is its own. Early
        // errors printed before -E takes effect land there too.
        File::create(&log).map_err(|e| ctx(e, format!("failed to create {}", log.display())))?;
        let stderr = OpenOptions::new()
            .append(true)
            .open(&log)
            .map_err(|e| ctx(e, format!("failed to open {}", log.display())))?;
        let mut cmd = Command::new(SSHD);
        cmd.arg("-D")
            .arg("-f")
            .arg(self.config())
            .arg("-E")
            .arg(&log)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            .process_group(0);
        let child = spawn_tied_to_process(cmd)
            .map_err(|e| ctx(e, format!("failed to start {SSHD} for {}", self.label)))?;
        *self.child() = Some(child);
        Ok(())
    }

    /// SIGKILLs the listener and every process of its hosts' sessions, so
    /// established connections drop and commands die as on a crashed
    /// machine. Returns whether it was running.
    pub fn kill(&self) -> bool {
        let Some(mut child) = self.child().take() else {
            return false;
        };
        kill_processes(&[child.id()], &self.marks);
        // Reap it so its pid is really gone.
        let _ = child.wait();
        true
    }

    /// Takes the listener out, still running, for a fleet-wide kill.
    pub fn take_child(&self) -> Option<Child> {
        self.child().take()
    }

    fn child(&self) -> MutexGuard<'_, Option<Child>> {
        self.child
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn read_log(&self) -> String {
        fs::read_to_string(self.log()).unwrap_or_default()
    }

    /// `Ok(true)` once it listens on all its addresses.
    fn check(&self, port: u16, listeners: &HashMap<u64, Ipv4Addr>) -> io::Result<bool> {
        let mut guard = self.child();
        let Some(child) = guard.as_mut() else {
            return Err(io::Error::other(format!(
                "sshd for {} is not running",
                self.label
            )));
        };
        let exited = child
            .try_wait()
            .map_err(|e| ctx(e, format!("failed to wait for sshd of {}", self.label)))?;
        let log = self.read_log();
        if let Some(status) = exited {
            // Reaped: forget the pid so nothing signals it later.
            guard.take();
            return Err(self.failure(format!("exited with {status}"), &log));
        }
        if log.contains("Address already in use") {
            return Err(self.failure(format!("could not bind port {port}"), &log));
        }
        let held = socket_inodes(child.id());
        let serving: HashSet<Ipv4Addr> = held
            .iter()
            .filter_map(|inode| listeners.get(inode).copied())
            .collect();
        Ok(self.addrs.iter().all(|addr| serving.contains(addr)))
    }

    fn failure(&self, what: String, log: &str) -> io::Error {
        let kind = if log.contains("Address already in use") {
            io::ErrorKind::AddrInUse
        } else {
            io::ErrorKind::Other
        };
        io::Error::new(
            kind,
            format!(
                "sshd for {} {what}; its log {}:\n{}",
                self.label,
                self.log().display(),
                log.trim_end()
            ),
        )
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Waits until each sshd listens on all its addresses on `port`.
pub(super) fn wait_listening(sshds: &[&Sshd], port: u16, timeout: Duration) -> io::Result<()> {
    let deadline = Instant::now() + timeout;
    let mut pending = sshds.to_vec();
    loop {
        let listeners = listening_sockets(port)?;
        let mut still = Vec::new();
        for sshd in pending {
            if !sshd.check(port, &listeners)? {
                still.push(sshd);
            }
        }
        pending = still;
        let Some(first) = pending.first() else {
            return Ok(());
        };
        if Instant::now() >= deadline {
            let log = first.read_log();
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "sshd for {} did not listen on all of {:?} port {port} within {timeout:?}; \
                     its log {}:\n{}",
                    first.label,
                    first.addrs,
                    first.log().display(),
                    log.trim_end()
                ),
            ));
        }
        thread::sleep(Duration::from_millis(5));
    }
}

/// Listening IPv4 sockets on `port`: inode → address, from `/proc/net/tcp`.
fn listening_sockets(port: u16) -> io::Result<HashMap<u64, Ipv4Addr>> {
    const LISTEN: &str = "0A";
    let table = fs::read_to_string("/proc/net/tcp")
        .map_err(|e| ctx(e, "failed to read /proc/net/tcp".into()))?;
    let mut sockets = HashMap::new();
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
    for line in table.lines().skip(1) {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() < 10 || fields[3] != LISTEN {
            continue;
        }
        let Some((addr, p)) = fields[1].split_once(':') else {
            continue;
        };
        if u16::from_str_radix(p, 16) != Ok(port) {
            continue;
        }
        // The kernel prints the address as the native-endian u32 of its
        // network-order bytes.
        let (Ok(addr), Ok(inode)) = (u32::from_str_radix(addr, 16), fields[9].parse::<u64>())
        else {
            continue;
        };
        sockets.insert(inode, Ipv4Addr::from(addr.to_ne_bytes()));
    }
    Ok(sockets)
}

/// Inodes of the sockets a process holds open.
fn socket_inodes(pid: u32) -> Vec<u64> {
    let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    fds.filter_map(|fd| {
        let target = fs::read_link(fd.ok()?.path()).ok()?;
        let target = target.to_str()?;
        target
            .strip_prefix("socket:[")?
            .strip_suffix(']')?
            .parse()
            .ok()
    })
    .collect()
}

/// SIGKILLs `roots` (sshd listeners), their descendants and every process
/// marked by `marks`. Each is stopped first, as found (a stopped process
/// cannot fork), until no new one turns up; then all are killed.
pub(super) fn kill_processes(roots: &[u32], marks: &Marks) {
    let me = std::process::id();
    let mut frozen: HashSet<u32> = roots.iter().copied().collect();
    for root in roots {
        signal(*root, libc::SIGSTOP);
    }
    loop {
        let found: Vec<u32> = processes()
            .into_iter()
            .filter(|(pid, ppid)| {
                *pid != me
                    && !frozen.contains(pid)
                    && (frozen.contains(ppid)
                        || fs::read(format!("/proc/{pid}/environ"))
                            .is_ok_and(|env| marks.match_environ(&env)))
            })
            .map(|(pid, _)| pid)
            .collect();
        if found.is_empty() {
            break;
        }
        for pid in found {
            signal(pid, libc::SIGSTOP);
            frozen.insert(pid);
        }
    }
    for pid in &frozen {
        signal(*pid, libc::SIGKILL);
    }
    for root in roots {
        // The listener's group: anything it started without a setsid.
        if let Ok(pgid) = libc::pid_t::try_from(*root) {
            // SAFETY: killpg has no memory-safety preconditions; `root` leads
            // a group because we spawned it with process_group(0).
            unsafe { libc::killpg(pgid, libc::SIGKILL) };
        }
    }
    // SIGKILL is delivered asynchronously: wait (briefly) until they are
    // dead, so a caller sees the host down when kill returns. The roots are
    // our children: the caller reaps them.
    let deadline = Instant::now() + Duration::from_secs(2);
    for pid in frozen.iter().filter(|pid| !roots.contains(pid)) {
        while is_running(*pid) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(1));
        }
    }
}

/// Whether a process exists and is not a zombie.
pub(super) fn is_running(pid: u32) -> bool {
    let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let state = stat
        .rfind(')')
        .and_then(|i| stat[i + 1..].split_whitespace().next());
    state != Some("Z")
}

fn signal(pid: u32, sig: libc::c_int) {
    if let Ok(pid) = libc::pid_t::try_from(pid) {
        // SAFETY: kill has no memory-safety preconditions.
        unsafe { libc::kill(pid, sig) };
    }
}

/// (pid, ppid) of every process, from `/proc/<pid>/stat`.
fn processes() -> Vec<(u32, u32)> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            let pid: u32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
            let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // "pid (comm) state ppid …"; comm may hold spaces and parens.
            let rest = &stat[stat.rfind(')')? + 1..];
            let ppid = rest.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid))
        })
        .collect()
}

type SpawnRequest = (Command, mpsc::Sender<io::Result<Child>>);

/// Spawns `cmd` so that it gets SIGKILL when this process dies, however it
/// dies (Ctrl-C on `cargo test`, a killed CI job), instead of leaking a
/// listening sshd. `PR_SET_PDEATHSIG` fires when the *thread* that spawned
/// the child exits, so all spawns go through one thread that lives as long
/// as the process: a fleet started in one test thread and used by others
/// stays up.
fn spawn_tied_to_process(mut cmd: Command) -> io::Result<Child> {
    static SPAWNER: OnceLock<mpsc::Sender<SpawnRequest>> = OnceLock::new();
    let parent = std::process::id();
    // SAFETY: the closure only makes async-signal-safe syscalls.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(io::Error::last_os_error());
            }
            // The parent may have died before prctl took effect.
            if u32::try_from(libc::getppid()) != Ok(parent) {
                return Err(io::Error::other("parent exited"));
            }
            Ok(())
        });
    }
    let spawner = SPAWNER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<SpawnRequest>();
        thread::Builder::new()
            .name("fleet-spawner".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    let _ = reply.send(cmd.spawn());
                }
            })
            .expect("failed to start the fleet's spawner thread");
        tx
    });
    let (reply, answer) = mpsc::channel();
    spawner
        .send((cmd, reply))
        .map_err(|_| io::Error::other("fleet spawner thread is gone"))?;
    answer
        .recv()
        .map_err(|_| io::Error::other("fleet spawner thread is gone"))?
}

/// Whether this sshd knows `PerSourcePenalties` (OpenSSH 9.8+).
pub(super) fn has_per_source_penalties() -> bool {
    static KNOWN: OnceLock<bool> = OnceLock::new();
    *KNOWN.get_or_init(|| {
        // `sshd -V` prints e.g. "OpenSSH_9.2p1 Debian-2+deb12u3, OpenSSL …".
        let Ok(out) = Command::new(SSHD).arg("-V").output() else {
            return false;
        };
        let text = String::from_utf8_lossy(&out.stderr).into_owned()
            + &String::from_utf8_lossy(&out.stdout);
        openssh_version(&text).is_some_and(|v| v >= (9, 8))
    })
}

fn openssh_version(text: &str) -> Option<(u32, u32)> {
    let rest = &text[text.find("OpenSSH_")? + "OpenSSH_".len()..];
    let (major, rest) = rest.split_once('.')?;
    let minor: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((major.parse().ok()?, minor.parse().ok()?))
}

pub(super) fn ctx(err: io::Error, what: String) -> io::Error {
    io::Error::new(err.kind(), format!("{what}: {err}"))
}

/// Makes sure sshd's privilege separation directory exists.
pub(super) fn ensure_privsep_dir() -> io::Result<()> {
    let dir = Path::new("/run/sshd");
    if dir.is_dir() {
        return Ok(());
    }
    fs::create_dir_all(dir).map_err(|e| {
        ctx(
            e,
            "failed to create sshd's privilege separation directory /run/sshd (as root: \
             `mkdir -p /run/sshd`)"
                .into(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_match_fleet_and_host() {
        let marks = Marks {
            fleet: "PLANRUN_TEST_FLEET=/tmp/f".into(),
            hosts: vec!["PLANRUN_TEST_HOST=a".into()],
        };
        let env = |s: &str| s.replace(' ', "\0").into_bytes();
        assert!(marks.match_environ(&env("X=1 PLANRUN_TEST_FLEET=/tmp/f PLANRUN_TEST_HOST=a")));
        assert!(!marks.match_environ(&env("PLANRUN_TEST_FLEET=/tmp/f PLANRUN_TEST_HOST=b")));
        assert!(!marks.match_environ(&env("PLANRUN_TEST_FLEET=/tmp/f2 PLANRUN_TEST_HOST=a")));
        let all = Marks {
            hosts: Vec::new(),
            ..marks
        };
        assert!(all.match_environ(&env("PLANRUN_TEST_FLEET=/tmp/f PLANRUN_TEST_HOST=b")));
    }

    #[test]
    fn parses_openssh_versions() {
        assert_eq!(
            openssh_version("OpenSSH_9.2p1 Debian-2+deb12u3, OpenSSL 3.0"),
            Some((9, 2))
        );
        assert_eq!(openssh_version("OpenSSH_10.0p2 Debian-7"), Some((10, 0)));
        assert_eq!(openssh_version("unknown option -- V"), None);
    }
}
