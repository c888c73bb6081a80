//! [`Fleet`]: named hosts served by real OpenSSH sshd processes on loopback.
//!
//! Host `i` (0-based, in the order given) gets the address
//! `127.0.(1 + i/250).(1 + i%250)`; all hosts of a fleet share one port. One
//! sshd holds at most 16 listen sockets, so hosts are grouped 16 to an sshd,
//! except those given their own sshd so a test can kill just them. Per-host
//! `Match LocalAddress` blocks give each host its own HOME and
//! `PLANRUN_TEST_HOST` (plus `PLANRUN_TEST_FLEET`, the fleet dir: together
//! they let a kill find a host's orphaned commands), and each HOME's `.bashrc` starts commands there
//! (sshd itself starts them in the passwd home, shared by all hosts; bash
//! reads `~/.bashrc` for commands run by sshd). The clean HOME also keeps
//! root's own `~/.bashrc` (pyenv init, ~0.2 s CPU) out of every command.
//!
//! Layout of the fleet's temp dir (under `$TMPDIR`, else `/dev/shm` when it
//! is an exec-able tmpfs: file creation there is ~50x faster):
//! ```text
//! owner.pid                    who owns it: a later fleet removes it if dead
//! id_ed25519, id_ed25519.pub   client key (no passphrase)
//! authorized_keys              the client key, for every host
//! ssh_config, known_hosts      what a client needs (`ssh -F ssh_config NAME`)
//! hosts/<name>/                each host's HOME
//! sshd/<name or group-N>/      sshd_config, host_ed25519, sshd.pid, sshd.log
//! ```

mod config;
mod port;
mod sshd;

use std::collections::HashSet;
use std::fs;
use std::io;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use tempfile::TempDir;

use config::{ServedHost, SshdFiles};
use sshd::{Marks, Sshd, ctx};

/// Listen sockets one sshd can hold.
const ADDRS_PER_SSHD: usize = 16;
/// Hosts per third octet: 127.0.1.1 ..= 127.0.1.250, then 127.0.2.1 ...
const HOSTS_PER_OCTET: usize = 250;
const MAX_HOSTS: usize = HOSTS_PER_OCTET * 254;
/// Attempts at a port when another process takes it between probe and bind.
const PORT_ATTEMPTS: usize = 5;
/// How long sshd may take to listen; generous for a loaded 2-core machine.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Each host's `~/.bashrc`. sshd starts every command (and sftp-server) in
/// the login user's passwd home, which all hosts share; bash run by sshd
/// reads `$HOME/.bashrc` first, so this puts commands in the host's own HOME
/// as on a real machine, and relative paths stay per host.
const BASHRC: &str = "\
# planrun test fleet: start commands run over ssh in this host's HOME, not in
# the passwd home directory that sshd chose and all fleet hosts share.
cd \"$HOME\"
";

/// `prefix` followed by 1..=count, zero-padded to 3 digits:
/// `numbered_names("secure", 2)` is `["secure001", "secure002"]`.
pub fn numbered_names(prefix: &str, count: usize) -> Vec<String> {
    (1..=count).map(|i| format!("{prefix}{i:03}")).collect()
}

/// Configures a [`Fleet`]; made by [`Fleet::builder`].
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct FleetBuilder {
    hosts: Vec<String>,
    own_sshd: Vec<String>,
    unreachable: Vec<String>,
    hashed_known_hosts: bool,
    omitted: Vec<String>,
}

impl FleetBuilder {
    /// Adds hosts, served by sshd, in this order (which sets their addresses).
    pub fn hosts<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.hosts.extend(names.into_iter().map(Into::into));
        self
    }

    /// Gives this host an sshd process of its own, so [`Fleet::kill`] can
    /// take it down alone.
    pub fn own_sshd(mut self, name: impl Into<String>) -> Self {
        self.own_sshd.push(name.into());
        self
    }

    /// Makes `name` a host in `ssh_config` whose address and port nothing
    /// listens on (connections are refused). A name already given to
    /// [`hosts`](Self::hosts) keeps its place and address but gets no sshd;
    /// a new name is added after the hosts.
    pub fn unreachable(mut self, name: impl Into<String>) -> Self {
        self.unreachable.push(name.into());
        self
    }

    /// Writes `known_hosts` hashed (`ssh-keygen -H`). Default: plain.
    pub fn hashed_known_hosts(mut self, hashed: bool) -> Self {
        self.hashed_known_hosts = hashed;
        self
    }

    /// Leaves this host's key out of `known_hosts`, so a strict client
    /// refuses it as unknown.
    pub fn omit_from_known_hosts(mut self, name: impl Into<String>) -> Self {
        self.omitted.push(name.into());
        self
    }

    /// Generates keys and configs in a fresh temp dir, starts the sshds and
    /// returns once every reachable host accepts connections.
    pub fn start(self) -> io::Result<Fleet> {
        Fleet::start(self)
    }
}

#[derive(Debug)]
struct Host {
    name: String,
    addr: Ipv4Addr,
    /// Index into `Fleet::sshds`; `None` for an unreachable host.
    sshd: Option<usize>,
    dedicated: bool,
}

/// A running fleet of sshd-served hosts. Dropping it (or [`stop`](Self::stop))
/// kills the sshds it started and removes its temp dir, unless
/// `PLANRUN_KEEP_FLEET=1`.
#[derive(Debug)]
pub struct Fleet {
    // Field order matters only in Drop, which kills the sshds explicitly
    // before the temp dir goes.
    sshds: Vec<Sshd>,
    hosts: Vec<Host>,
    port: port::Port,
    dir: PathBuf,
    temp: Option<TempDir>,
    ssh_config: PathBuf,
    known_hosts: PathBuf,
    client_key: PathBuf,
}

impl Fleet {
    pub fn builder() -> FleetBuilder {
        FleetBuilder::default()
    }

    /// The client config: `ssh -F <this> <name>` reaches a host.
    pub fn ssh_config(&self) -> &Path {
        &self.ssh_config
    }

    pub fn known_hosts(&self) -> &Path {
        &self.known_hosts
    }

    /// The client's private key, authorized on every host.
    pub fn client_key(&self) -> &Path {
        &self.client_key
    }

    /// The fleet's temp dir.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The host's HOME, `<dir>/hosts/<name>`, where its commands start. It
    /// holds a `.bashrc` that makes them start there (see the module docs).
    pub fn host_home(&self, name: &str) -> PathBuf {
        self.dir.join("hosts").join(&self.host(name).name)
    }

    /// All names in `ssh_config`, in address order, unreachable ones included.
    pub fn names(&self) -> Vec<String> {
        self.hosts.iter().map(|h| h.name.clone()).collect()
    }

    pub fn address(&self, name: &str) -> Ipv4Addr {
        self.host(name).addr
    }

    /// The port every host of this fleet listens on.
    pub fn port(&self) -> u16 {
        self.port.get()
    }

    /// SIGKILLs the host's dedicated sshd and every process of the host's
    /// sessions (orphaned ones too), so its established connections drop,
    /// its commands die and new connections are refused.
    ///
    /// # Panics
    /// If the host was not given [`own_sshd`](FleetBuilder::own_sshd).
    pub fn kill(&self, name: &str) {
        self.dedicated(name).kill();
    }

    /// Starts a killed host's sshd again, same address, port and key.
    ///
    /// # Panics
    /// If the host was not given [`own_sshd`](FleetBuilder::own_sshd).
    pub fn restart(&self, name: &str) -> io::Result<()> {
        let sshd = self.dedicated(name);
        sshd.spawn()?;
        sshd::wait_listening(&[sshd], self.port(), START_TIMEOUT)
    }

    /// Pids of the running sshd listeners.
    pub fn sshd_pids(&self) -> Vec<u32> {
        self.sshds.iter().filter_map(Sshd::pid).collect()
    }

    /// The log of the sshd serving this host (errors only).
    pub fn sshd_log(&self, name: &str) -> PathBuf {
        let host = self.host(name);
        let sshd = host
            .sshd
            .unwrap_or_else(|| panic!("host {name} is unreachable: it has no sshd"));
        self.sshds[sshd].log()
    }

    /// Kills the sshds and removes the temp dir; the same as dropping it.
    pub fn stop(self) {}

    fn host(&self, name: &str) -> &Host {
        self.hosts
            .iter()
            .find(|h| h.name == name)
            .unwrap_or_else(|| panic!("no host {name} in this fleet (hosts: {:?})", self.names()))
    }

    fn dedicated(&self, name: &str) -> &Sshd {
        let host = self.host(name);
        match host.sshd {
            Some(i) if host.dedicated => &self.sshds[i],
            _ => panic!(
                "host {name} has no sshd of its own: give it one with \
                 Fleet::builder().own_sshd({name:?})"
            ),
        }
    }

    fn start(spec: FleetBuilder) -> io::Result<Self> {
        let hosts = plan_hosts(&spec)?;
        sshd::ensure_privsep_dir()?;
        let parent = temp_parent();
        let temp = tempfile::Builder::new()
            .prefix("planrun-fleet-")
            .tempdir_in(&parent)
            .map_err(|e| {
                ctx(
                    e,
                    format!(
                        "failed to create the fleet's temp dir in {}",
                        parent.display()
                    ),
                )
            })?;
        let dir = temp.path().to_path_buf();
        write(&dir.join(OWNER), &std::process::id().to_string())?;
        sweep_stale(&parent);
        let homes: Vec<PathBuf> = hosts
            .iter()
            .map(|h| dir.join("hosts").join(&h.name))
            .collect();
        for home in &homes {
            create_dir(home)?;
            write(&home.join(".bashrc"), BASHRC)?;
        }

        let sshds = plan_sshds(&hosts, &dir);
        for sshd in &sshds {
            create_dir(&sshd.dir)?;
        }
        let client_key = dir.join("id_ed25519");
        let mut keys = vec![client_key.clone()];
        keys.extend(sshds.iter().map(Sshd::host_key));
        keygen(&keys)?;
        let client_pub = read(&client_key.with_extension("pub"))?;
        let authorized_keys = dir.join("authorized_keys");
        write(&authorized_keys, &client_pub)?;

        let all_addrs: Vec<Ipv4Addr> = hosts.iter().map(|h| h.addr).collect();
        let mut attempt = 0;
        let port = loop {
            attempt += 1;
            let port = port::choose(&all_addrs)?;
            for (i, sshd) in sshds.iter().enumerate() {
                let served: Vec<ServedHost<'_>> = hosts
                    .iter()
                    .zip(&homes)
                    .filter(|(h, _)| h.sshd == Some(i))
                    .map(|(h, home)| ServedHost {
                        name: &h.name,
                        addr: h.addr,
                        home,
                    })
                    .collect();
                let files = SshdFiles {
                    fleet_dir: &dir,
                    host_key: &sshd.host_key(),
                    authorized_keys: &authorized_keys,
                    pid_file: &sshd.dir.join("sshd.pid"),
                };
                let penalties = sshd::has_per_source_penalties();
                let text = config::sshd_config(port.get(), &files, &served, penalties);
                write(&sshd.config(), &text)?;
            }
            match start_all(&sshds, port.get()) {
                Ok(()) => break port,
                // Another process bound the port between probe and sshd.
                Err(e) if e.kind() == io::ErrorKind::AddrInUse && attempt < PORT_ATTEMPTS => {
                    for sshd in &sshds {
                        sshd.kill();
                    }
                }
                Err(e) => return Err(e),
            }
        };

        let ssh_config = dir.join("ssh_config");
        let known_hosts = dir.join("known_hosts");
        let client = ClientFiles {
            ssh_config: &ssh_config,
            known_hosts: &known_hosts,
            client_key: &client_key,
        };
        client.write(&hosts, &sshds, port.get(), &spec)?;

        Ok(Self {
            sshds,
            hosts,
            port,
            dir,
            temp: Some(temp),
            ssh_config,
            known_hosts,
            client_key,
        })
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        // All at once: one sweep for the listeners, their sessions and any
        // orphaned remote command of any host.
        let children: Vec<_> = self.sshds.iter().filter_map(Sshd::take_child).collect();
        let roots: Vec<u32> = children.iter().map(std::process::Child::id).collect();
        let marks = Marks {
            fleet: config::fleet_mark(&self.dir),
            hosts: Vec::new(),
        };
        sshd::kill_processes(&roots, &marks);
        for mut child in children {
            let _ = child.wait();
        }
        if std::env::var_os("PLANRUN_KEEP_FLEET").is_some_and(|v| v == "1")
            && let Some(temp) = self.temp.take()
        {
            let kept = temp.keep();
            // Not stale: kept on purpose.
            let _ = fs::remove_file(kept.join(OWNER));
            eprintln!("PLANRUN_KEEP_FLEET=1: kept fleet dir {}", kept.display());
        }
    }
}

/// What a client needs: written once the port is known.
struct ClientFiles<'a> {
    ssh_config: &'a Path,
    known_hosts: &'a Path,
    client_key: &'a Path,
}

impl ClientFiles<'_> {
    fn write(
        &self,
        hosts: &[Host],
        sshds: &[Sshd],
        port: u16,
        spec: &FleetBuilder,
    ) -> io::Result<()> {
        let user = current_user()?;
        let mut config_text = String::new();
        let mut known_text = String::new();
        for host in hosts {
            config_text += &config::ssh_config_host(
                &host.name,
                host.addr,
                port,
                user,
                self.client_key,
                self.known_hosts,
            );
            let Some(i) = host.sshd else { continue };
            if spec.omitted.contains(&host.name) {
                continue;
            }
            let public = read(&sshds[i].host_key().with_extension("pub"))?;
            known_text += &config::known_hosts_line(host.addr, port, &public);
        }
        write(self.ssh_config, &config_text)?;
        write(self.known_hosts, &known_text)?;
        if spec.hashed_known_hosts {
            hash_known_hosts(self.known_hosts)?;
        }
        Ok(())
    }
}

/// Checks the builder's names and gives every host its address.
fn plan_hosts(spec: &FleetBuilder) -> io::Result<Vec<Host>> {
    let invalid = |msg: String| io::Error::new(io::ErrorKind::InvalidInput, msg);
    let mut names = spec.hosts.clone();
    for name in &spec.unreachable {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    if names.is_empty() {
        return Err(invalid("a fleet needs at least one host".into()));
    }
    if names.len() > MAX_HOSTS {
        return Err(invalid(format!(
            "a fleet has at most {MAX_HOSTS} hosts, not {}",
            names.len()
        )));
    }
    let mut seen = HashSet::new();
    for name in &names {
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid {
            return Err(invalid(format!(
                "host name {name:?} must be non-empty ASCII letters, digits, '-', '_' or '.'"
            )));
        }
        if !seen.insert(name.as_str()) {
            return Err(invalid(format!("host {name} is listed twice")));
        }
    }
    for name in spec.own_sshd.iter().chain(&spec.omitted) {
        if !names.contains(name) {
            return Err(invalid(format!("{name} is not one of the fleet's hosts")));
        }
    }
    if let Some(name) = spec.own_sshd.iter().find(|n| spec.unreachable.contains(n)) {
        return Err(invalid(format!(
            "host {name} cannot be both unreachable and have its own sshd"
        )));
    }

    // Sshd indexes: dedicated ones first, then groups of 16 in address order.
    let mut next_sshd = 0;
    let mut hosts: Vec<Host> = names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let dedicated = spec.own_sshd.contains(name);
            let sshd = dedicated.then(|| {
                next_sshd += 1;
                next_sshd - 1
            });
            Host {
                name: name.clone(),
                addr: address(i),
                sshd,
                dedicated,
            }
        })
        .collect();
    let mut in_group = 0;
    for host in &mut hosts {
        if host.dedicated || spec.unreachable.contains(&host.name) {
            continue;
        }
        if in_group == ADDRS_PER_SSHD {
            in_group = 0;
            next_sshd += 1;
        }
        host.sshd = Some(next_sshd);
        in_group += 1;
    }
    Ok(hosts)
}

/// One [`Sshd`] per distinct index `plan_hosts` gave out, in index order.
fn plan_sshds(hosts: &[Host], dir: &Path) -> Vec<Sshd> {
    let count = hosts
        .iter()
        .filter_map(|h| h.sshd)
        .max()
        .map_or(0, |m| m + 1);
    let dedicated = hosts.iter().filter(|h| h.dedicated).count();
    (0..count)
        .map(|i| {
            let served: Vec<&Host> = hosts.iter().filter(|h| h.sshd == Some(i)).collect();
            let label = if i < dedicated {
                served[0].name.clone()
            } else {
                format!("group-{}", i - dedicated)
            };
            let addrs = served.iter().map(|h| h.addr).collect();
            let marks = Marks {
                fleet: config::fleet_mark(dir),
                hosts: served.iter().map(|h| config::host_mark(&h.name)).collect(),
            };
            Sshd::new(label.clone(), dir.join("sshd").join(label), addrs, marks)
        })
        .collect()
}

fn address(index: usize) -> Ipv4Addr {
    let octet = |n: usize| u8::try_from(n).expect("host index checked against MAX_HOSTS");
    Ipv4Addr::new(
        127,
        0,
        octet(1 + index / HOSTS_PER_OCTET),
        octet(1 + index % HOSTS_PER_OCTET),
    )
}

/// Where fleet dirs go: `$TMPDIR` if set, else `/dev/shm` if it is a tmpfs
/// that allows exec, else the system temp dir. File creation on this
/// machine's /tmp costs ~1 ms (500 hosts: ~1 s to start instead of ~0.3 s),
/// on tmpfs ~20 µs; what plans write on the hosts lands here too.
fn temp_parent() -> PathBuf {
    if std::env::var_os("TMPDIR").is_some_and(|dir| !dir.is_empty()) {
        return std::env::temp_dir();
    }
    let shm_usable = fs::read_to_string("/proc/self/mounts").is_ok_and(|mounts| {
        mounts.lines().any(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            matches!(fields[..], [_, "/dev/shm", "tmpfs", options, ..]
                if !options.split(',').any(|o| o == "noexec" || o == "ro"))
        })
    });
    if shm_usable {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    }
}

/// A fleet dir's file naming the pid of the process that owns it.
const OWNER: &str = "owner.pid";

/// Removes fleet dirs whose owner died without cleaning up (Ctrl-C on
/// `cargo test`, a killed CI job: the sshds died with it, see
/// `spawn_tied_to_process`); under /dev/shm they would hold memory.
fn sweep_stale(parent: &Path) {
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let is_fleet = entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.starts_with("planrun-fleet-"));
        let owner = fs::read_to_string(path.join(OWNER));
        if let (true, Ok(owner)) = (is_fleet, owner)
            && let Ok(pid) = owner.trim().parse::<u32>()
            && !sshd::is_running(pid)
        {
            let _ = fs::remove_dir_all(&path);
        }
    }
}

/// Starts every sshd, then waits for all of them together.
fn start_all(sshds: &[Sshd], port: u16) -> io::Result<()> {
    for sshd in sshds {
        sshd.spawn()?;
    }
    let all: Vec<&Sshd> = sshds.iter().collect();
    sshd::wait_listening(&all, port, START_TIMEOUT)
}

/// Generates passphrase-less ed25519 keys at `paths`, all at once.
fn keygen(paths: &[PathBuf]) -> io::Result<()> {
    let children = paths
        .iter()
        .map(|path| {
            Command::new("ssh-keygen")
                .args([
                    "-t",
                    "ed25519",
                    "-N",
                    "",
                    "-q",
                    "-C",
                    "planrun-test-fleet",
                    "-f",
                ])
                .arg(path)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|e| {
                    ctx(
                        e,
                        "failed to run ssh-keygen (is openssh-client installed?)".into(),
                    )
                })
        })
        .collect::<io::Result<Vec<_>>>()?;
    for (child, path) in children.into_iter().zip(paths) {
        let out = child
            .wait_with_output()
            .map_err(|e| ctx(e, "failed to wait for ssh-keygen".into()))?;
        if !out.status.success() {
            return Err(io::Error::other(format!(
                "ssh-keygen failed to generate {} ({}): {}",
                path.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim_end()
            )));
        }
    }
    Ok(())
}

fn hash_known_hosts(path: &Path) -> io::Result<()> {
    let out = Command::new("ssh-keygen")
        .arg("-H")
        .arg("-f")
        .arg(path)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| ctx(e, "failed to run ssh-keygen -H".into()))?;
    if !out.status.success() {
        return Err(io::Error::other(format!(
            "ssh-keygen -H failed to hash {} ({}): {}",
            path.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim_end()
        )));
    }
    // ssh-keygen -H keeps the plain file as known_hosts.old.
    let old = path.with_extension("old");
    match fs::remove_file(&old) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            Err(ctx(e, format!("failed to remove {}", old.display())))
        }
        _ => Ok(()),
    }
}

/// The login name of the user running the tests: the fleet's hosts log in
/// as it.
fn current_user() -> io::Result<&'static str> {
    static USER: OnceLock<String> = OnceLock::new();
    if let Some(user) = USER.get() {
        return Ok(user);
    }
    let out = Command::new("id")
        .arg("-un")
        .output()
        .map_err(|e| ctx(e, "failed to run `id -un`".into()))?;
    let user = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    if !out.status.success() || user.is_empty() {
        return Err(io::Error::other(format!(
            "failed to find the current user name: `id -un` {}",
            out.status
        )));
    }
    Ok(USER.get_or_init(|| user))
}

fn create_dir(path: &Path) -> io::Result<()> {
    fs::create_dir_all(path).map_err(|e| ctx(e, format!("failed to create {}", path.display())))
}

fn read(path: &Path) -> io::Result<String> {
    fs::read_to_string(path).map_err(|e| ctx(e, format!("failed to read {}", path.display())))
}

fn write(path: &Path, text: &str) -> io::Result<()> {
    fs::write(path, text).map_err(|e| ctx(e, format!("failed to write {}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_scale_past_250_hosts() {
        assert_eq!(address(0), Ipv4Addr::new(127, 0, 1, 1));
        assert_eq!(address(249), Ipv4Addr::new(127, 0, 1, 250));
        assert_eq!(address(250), Ipv4Addr::new(127, 0, 2, 1));
        assert_eq!(address(499), Ipv4Addr::new(127, 0, 2, 250));
    }

    #[test]
    fn groups_hosts_sixteen_to_an_sshd() {
        let spec = Fleet::builder()
            .hosts(numbered_names("h", 40))
            .own_sshd("h002")
            .unreachable("h003")
            .unreachable("extra");
        let hosts = plan_hosts(&spec).unwrap();
        let sshd_of = |name: &str| hosts.iter().find(|h| h.name == name).unwrap().sshd;
        assert_eq!(sshd_of("h002"), Some(0));
        assert_eq!(sshd_of("h003"), None);
        assert_eq!(sshd_of("extra"), None);
        assert_eq!(hosts.last().unwrap().addr, Ipv4Addr::new(127, 0, 1, 41));
        // 38 grouped hosts: 16 + 16 + 6.
        assert_eq!(sshd_of("h001"), Some(1));
        assert_eq!(sshd_of("h018"), Some(1));
        assert_eq!(sshd_of("h019"), Some(2));
        assert_eq!(sshd_of("h040"), Some(3));
        let sshds = plan_sshds(&hosts, Path::new("/f"));
        assert_eq!(sshds.len(), 4);
        assert_eq!(sshds[0].label, "h002");
        assert_eq!(sshds[3].addrs.len(), 6);
    }

    #[test]
    fn rejects_unknown_names() {
        let err = plan_hosts(&Fleet::builder().hosts(["a"]).own_sshd("b")).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}
