//! The text of the files a fleet writes: each sshd's `sshd_config`, the
//! client's `ssh_config` and `known_hosts` lines. Pure functions, so the exact
//! output is easy to read and test.

use std::fmt::Write as _;
use std::net::Ipv4Addr;
use std::path::Path;

/// What an sshd's config needs to know about one host it serves.
pub(super) struct ServedHost<'a> {
    pub name: &'a str,
    pub addr: Ipv4Addr,
    pub home: &'a Path,
}

/// Paths an sshd's config refers to.
pub(super) struct SshdFiles<'a> {
    /// The fleet's dir, set as `PLANRUN_TEST_FLEET` in every session.
    pub fleet_dir: &'a Path,
    pub host_key: &'a Path,
    pub authorized_keys: &'a Path,
    pub pid_file: &'a Path,
}

/// `sshd_config` for one sshd listening on `port` at each host's address.
///
/// `per_source_penalties` says whether this sshd knows `PerSourcePenalties`
/// (OpenSSH 9.8+), which must be turned off: every test client connects from
/// 127.0.0.1, so one test's refused host key would lock out the others.
pub(super) fn sshd_config(
    port: u16,
    files: &SshdFiles<'_>,
    hosts: &[ServedHost<'_>],
    per_source_penalties: bool,
) -> String {
    let mut out = String::new();
    for host in hosts {
        let _ = writeln!(out, "ListenAddress {}:{port}", host.addr);
    }
    let _ = writeln!(out, "HostKey {}", quote_path(files.host_key));
    let _ = writeln!(
        out,
        "AuthorizedKeysFile {}",
        quote_path(files.authorized_keys)
    );
    let _ = writeln!(out, "PidFile {}", quote_path(files.pid_file));
    out.push_str(
        "PubkeyAuthentication yes\n\
         PasswordAuthentication no\n\
         KbdInteractiveAuthentication no\n\
         PermitRootLogin prohibit-password\n\
         UsePAM no\n\
         # The fleet lives in a temp dir sshd would find too open.\n\
         StrictModes no\n\
         # The defaults (10:30:100, 10) refuse a fleet-wide parallel connect.\n\
         MaxStartups 1000:30:2000\n\
         MaxSessions 100\n\
         UseDNS no\n\
         PrintMotd no\n\
         PrintLastLog no\n\
         Subsystem sftp /usr/lib/openssh/sftp-server\n\
         LogLevel ERROR\n",
    );
    if per_source_penalties {
        out.push_str("PerSourcePenalties no\n");
    }
    // Match blocks last: they run to the end of the file or the next Match.
    // A clean HOME per host also keeps root's ~/.bashrc (pyenv init, ~0.2 s
    // CPU) out of every command. The PLANRUN_TEST_* pair marks the host's
    // processes, so killing the host finds them even once orphaned.
    let fleet = fleet_mark(files.fleet_dir);
    for host in hosts {
        let _ = writeln!(out, "\nMatch LocalAddress {}", host.addr);
        let home = format!("HOME={}", host.home.display());
        let _ = writeln!(
            out,
            "    SetEnv {} {} {}",
            quote(&home),
            quote(&host_mark(host.name)),
            quote(&fleet)
        );
    }
    out
}

/// The environment entry every process of the fleet's sessions carries.
pub(super) fn fleet_mark(fleet_dir: &Path) -> String {
    format!("PLANRUN_TEST_FLEET={}", fleet_dir.display())
}

/// The environment entry every process of a host's sessions carries.
pub(super) fn host_mark(name: &str) -> String {
    format!("PLANRUN_TEST_HOST={name}")
}

/// One `Host` block of the client's `ssh_config`.
pub(super) fn ssh_config_host(
    name: &str,
    addr: Ipv4Addr,
    port: u16,
    user: &str,
    client_key: &Path,
    known_hosts: &Path,
) -> String {
    format!(
        "Host {name}\n\
         \x20   HostName {addr}\n\
         \x20   Port {port}\n\
         \x20   User {user}\n\
         \x20   IdentityFile {key}\n\
         \x20   IdentitiesOnly yes\n\
         \x20   UserKnownHostsFile {known}\n\
         \x20   StrictHostKeyChecking yes\n\
         \x20   ConnectTimeout 5\n\n",
        key = quote_path(client_key),
        known = quote_path(known_hosts),
    )
}

/// A `known_hosts` line in OpenSSH's form for a non-22 port:
/// `[127.0.1.1]:2222 ssh-ed25519 AAAA…`. `public_key` is the content of a
/// `.pub` file; its comment is dropped.
pub(super) fn known_hosts_line(addr: Ipv4Addr, port: u16, public_key: &str) -> String {
    let mut fields = public_key.split_whitespace();
    let kind = fields.next().unwrap_or_default();
    let key = fields.next().unwrap_or_default();
    format!("[{addr}]:{port} {kind} {key}\n")
}

fn quote_path(path: &Path) -> String {
    quote(&path.display().to_string())
}

/// Quotes a config argument only when it needs it, so the common case stays
/// readable by simple ssh_config parsers.
fn quote(arg: &str) -> String {
    if arg.contains(char::is_whitespace) {
        format!("\"{arg}\"")
    } else {
        arg.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_hosts_line_uses_bracketed_port_form() {
        let line = known_hosts_line(
            Ipv4Addr::new(127, 0, 1, 7),
            2222,
            "ssh-ed25519 AAAAC3Nza root@box\n",
        );
        assert_eq!(line, "[127.0.1.7]:2222 ssh-ed25519 AAAAC3Nza\n");
    }

    #[test]
    fn sshd_config_matches_each_address() {
        let home = Path::new("/f/hosts/web1");
        let text = sshd_config(
            2222,
            &SshdFiles {
                fleet_dir: Path::new("/f"),
                host_key: Path::new("/f/key"),
                authorized_keys: Path::new("/f/authorized_keys"),
                pid_file: Path::new("/f/sshd.pid"),
            },
            &[ServedHost {
                name: "web1",
                addr: Ipv4Addr::new(127, 0, 1, 1),
                home,
            }],
            false,
        );
        assert!(text.starts_with("ListenAddress 127.0.1.1:2222\n"));
        assert!(text.ends_with(
            "Match LocalAddress 127.0.1.1\n    \
             SetEnv HOME=/f/hosts/web1 PLANRUN_TEST_HOST=web1 PLANRUN_TEST_FLEET=/f\n"
        ));
        assert!(!text.contains("PerSourcePenalties"));
    }
}
