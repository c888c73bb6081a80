//! The test fleet harness itself, checked with the system's OpenSSH client.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use planrun_tests::{Fleet, numbered_names};

fn ssh(config: &Path, host: &str, command: &str) -> Output {
    Command::new("ssh")
        .arg("-F")
        .arg(config)
        .args(["-o", "BatchMode=yes", host, command])
        .output()
        .expect("failed to run ssh")
}

/// Whether the process exists and is not a zombie (killed processes that
/// were reparented wait for init to reap them).
fn pid_alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let state = stat[stat.rfind(')').unwrap() + 1..]
        .split_whitespace()
        .next();
    state != Some("Z")
}

#[test]
fn hosts_answer_with_their_name_and_home_and_die_when_killed() {
    let fleet = Fleet::builder()
        .hosts(numbered_names("secure", 3))
        .own_sshd("secure002")
        .start()
        .expect("fleet starts");
    assert_eq!(fleet.names(), numbered_names("secure", 3));
    assert_eq!(fleet.sshd_pids().len(), 2, "one shared sshd, one dedicated");

    for name in fleet.names() {
        let out = ssh(
            fleet.ssh_config(),
            &name,
            "echo $PLANRUN_TEST_HOST $HOME $PWD",
        );
        assert!(
            out.status.success(),
            "ssh {name} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let home = fleet.host_home(&name);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            format!("{name} {home} {home}\n", home = home.display())
        );
    }

    fleet.kill("secure002");
    let out = ssh(fleet.ssh_config(), "secure002", "true");
    assert!(!out.status.success(), "ssh to a killed host succeeded");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Connection refused"),
        "unexpected ssh error: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The others are unaffected.
    assert!(
        ssh(fleet.ssh_config(), "secure003", "true")
            .status
            .success()
    );

    let pids = fleet.sshd_pids();
    assert_eq!(pids.len(), 1);
    let dir = fleet.dir().to_path_buf();
    drop(fleet);
    for pid in pids {
        assert!(!pid_alive(pid), "sshd {pid} outlived its fleet");
    }
    assert!(!dir.exists(), "fleet dir {} was not removed", dir.display());
}

#[test]
fn killing_a_host_drops_its_established_connections() {
    let fleet = Fleet::builder()
        .hosts(["web1"])
        .own_sshd("web1")
        .start()
        .expect("fleet starts");
    let mut session = Command::new("ssh")
        .arg("-F")
        .arg(fleet.ssh_config())
        .args(["-o", "BatchMode=yes", "web1", "echo up; sleep 60"])
        .stdout(Stdio::piped())
        // "Connection to … closed by remote host."
        .stderr(Stdio::null())
        .spawn()
        .expect("failed to run ssh");
    let mut first = [0u8; 3];
    std::io::Read::read_exact(session.stdout.as_mut().unwrap(), &mut first).unwrap();
    assert_eq!(&first, b"up\n");
    let killed = Instant::now();
    fleet.kill("web1");
    let status = session.wait().unwrap();
    assert!(!status.success(), "session survived its host's death");
    assert!(killed.elapsed().as_secs() < 10, "session lingered");
}

#[test]
fn restart_brings_a_killed_host_back() {
    let fleet = Fleet::builder()
        .hosts(["web1"])
        .own_sshd("web1")
        .start()
        .expect("fleet starts");
    fleet.kill("web1");
    assert!(!ssh(fleet.ssh_config(), "web1", "true").status.success());
    fleet.restart("web1").expect("restart");
    let out = ssh(fleet.ssh_config(), "web1", "echo $PLANRUN_TEST_HOST");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "web1\n");
}

#[test]
fn unreachable_and_unknown_hosts_are_refused() {
    let fleet = Fleet::builder()
        .hosts(["a", "b", "c"])
        .unreachable("b")
        .unreachable("gone")
        .omit_from_known_hosts("c")
        .hashed_known_hosts(true)
        .start()
        .expect("fleet starts");
    assert_eq!(fleet.names(), ["a", "b", "c", "gone"]);

    let known = std::fs::read_to_string(fleet.known_hosts()).unwrap();
    assert_eq!(known.lines().count(), 1, "only a is known: {known}");
    assert!(known.starts_with("|1|"), "not hashed: {known}");

    assert!(ssh(fleet.ssh_config(), "a", "true").status.success());
    for name in ["b", "gone"] {
        let out = ssh(fleet.ssh_config(), name, "true");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("Connection refused"), "{name}: {err}");
    }
    let out = ssh(fleet.ssh_config(), "c", "true");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Host key verification failed"),
        "c's unknown key was not refused: {err}"
    );
    // That refusal does not lock the others out.
    assert!(ssh(fleet.ssh_config(), "a", "true").status.success());
}

#[test]
fn fleets_in_parallel_get_distinct_ports() {
    let fleets: Vec<Fleet> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| Fleet::builder().hosts(["x", "y"]).start().unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut ports: Vec<u16> = fleets.iter().map(Fleet::port).collect();
    ports.sort_unstable();
    ports.dedup();
    assert_eq!(ports.len(), fleets.len());
    for fleet in &fleets {
        let out = ssh(fleet.ssh_config(), "y", "echo $PLANRUN_TEST_HOST");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "y\n");
    }
}

/// Start time of a large fleet, printed for the record (`--nocapture`).
#[test]
fn a_200_host_fleet_starts_quickly() {
    let started = Instant::now();
    let fleet = Fleet::builder()
        .hosts(numbered_names("secure", 200))
        .start()
        .expect("fleet starts");
    let took = started.elapsed();
    eprintln!(
        "200-host fleet ({} sshds) started in {took:.2?}",
        fleet.sshd_pids().len()
    );
    let last = ssh(fleet.ssh_config(), "secure200", "echo $PLANRUN_TEST_HOST");
    assert_eq!(String::from_utf8_lossy(&last.stdout), "secure200\n");
    assert_eq!(fleet.address("secure200").to_string(), "127.0.1.200");
}

#[test]
fn sftp_works_and_relative_paths_land_in_the_host_home() {
    let fleet = Fleet::builder()
        .hosts(["a", "b"])
        .start()
        .expect("fleet starts");
    let mut sftp = Command::new("sftp")
        .arg("-F")
        .arg(fleet.ssh_config())
        .args(["-q", "-b", "-", "b"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("failed to run sftp");
    let put = format!("put {} copied\n", fleet.known_hosts().display());
    std::io::Write::write_all(sftp.stdin.as_mut().unwrap(), put.as_bytes()).unwrap();
    drop(sftp.stdin.take());
    assert!(sftp.wait().unwrap().success());
    assert!(fleet.host_home("b").join("copied").is_file());
    assert!(!fleet.host_home("a").join("copied").exists());
    let out = ssh(fleet.ssh_config(), "b", "cat copied");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        std::fs::read_to_string(fleet.known_hosts()).unwrap()
    );
}

/// Starts `sleep` detached from the ssh session and returns its pid.
fn orphan_sleep(fleet: &Fleet, host: &str) -> u32 {
    let out = ssh(
        fleet.ssh_config(),
        host,
        "sleep 300 </dev/null >/dev/null 2>&1 & echo $!",
    );
    let pid = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    assert!(pid_alive(pid));
    pid
}

#[test]
fn orphaned_remote_commands_die_with_their_host() {
    let fleet = Fleet::builder()
        .hosts(["a", "b", "c"])
        .own_sshd("a")
        .start()
        .expect("fleet starts");
    let on_a = orphan_sleep(&fleet, "a");
    let on_b = orphan_sleep(&fleet, "b");
    fleet.kill("a");
    assert!(!pid_alive(on_a), "a's command outlived a");
    assert!(pid_alive(on_b), "killing a killed b's command");
    drop(fleet);
    assert!(!pid_alive(on_b), "b's command outlived the fleet");
}
