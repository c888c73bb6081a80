//! Operations end to end, with the `ops` test plan on real sshd hosts: each
//! converges (the first run changes, the second changes nothing), and what
//! they leave on disk is checked.

mod common;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Run, planrun, read, secure};
use planrun_tests::{Fleet, plan_path};

/// Runs the `ops` plan's `scenario` with `dir` on `hosts`.
fn ops(fleet: &Fleet, hosts: &str, scenario: &str, dir: &Path, extra: &[&str]) -> Run {
    let plan = plan_path("ops");
    let scenario = format!("scenario={scenario}");
    let dir = format!("dir={}", dir.display());
    let mut args = vec![
        plan.to_str().unwrap(),
        "--hosts",
        hosts,
        "--param",
        &scenario,
        "--param",
        &dir,
    ];
    args.extend_from_slice(extra);
    planrun(fleet, &args)
}

/// Lines of `out` that report an operation of `host` as changed.
fn changed_lines<'a>(out: &'a str, host: &str) -> Vec<&'a str> {
    let prefix = format!("[{host}]");
    out.lines()
        .filter(|l| {
            l.starts_with(&prefix) && (l.contains(": changed") || l.contains(": would change"))
        })
        .collect()
}

fn unchanged_lines<'a>(out: &'a str, host: &str) -> Vec<&'a str> {
    let prefix = format!("[{host}]");
    out.lines()
        .filter(|l| l.starts_with(&prefix) && l.contains(": unchanged"))
        .collect()
}

/// A work dir with one directory per host, and the file the `line`
/// operations edit.
fn work_dir(fleet: &Fleet, hosts: &[String]) -> PathBuf {
    let dir = fleet.dir().join("work");
    for host in hosts {
        std::fs::create_dir_all(dir.join(host)).unwrap();
        std::fs::write(
            dir.join(host).join("settings.txt"),
            "name = x\n# workers = 1\nobsolete = yes\n",
        )
        .unwrap();
    }
    dir
}

fn mode(path: impl AsRef<Path>) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o7777
}

#[test]
fn file_operations_converge() {
    let hosts = secure(2);
    let fleet = Fleet::builder().hosts(&hosts).start().unwrap();
    let dir = work_dir(&fleet, &hosts);

    let first = ops(&fleet, "secure001-2", "files", &dir, &[]);
    first.expect_code(0);
    for host in &hosts {
        assert_eq!(
            changed_lines(&first.stdout, host).len(),
            8,
            "{}",
            first.stdout
        );
        let d = dir.join(host);
        assert_eq!(mode(d.join("app")), 0o750);
        assert_eq!(
            read(d.join("app/app.conf")),
            format!("# {host}\nport = 8080\npeer = a\npeer = b\n")
        );
        assert_eq!(mode(d.join("app/app.conf")), 0o640);
        assert_eq!(read(d.join("settings.txt")), "name = x\nworkers = 4\n");
        assert_eq!(read(d.join("app/hosts")), "10.0.0.1 db\n");
        assert_eq!(
            std::fs::read_link(d.join("current")).unwrap(),
            d.join("app")
        );
        assert!(d.join("app/built").is_file());
        assert_eq!(read(d.join("app/marker")), "once\n");
    }
    first.stdout_has("[secure001]  PACKAGE   coreutils: unchanged (");
    first.stderr_has("16 changed, 2 unchanged");
    first.stderr_has("changes      secure[001-002]: 8 changed, 1 unchanged");

    let second = ops(&fleet, "secure001-2", "files", &dir, &[]);
    second.expect_code(0);
    for host in &hosts {
        assert_eq!(changed_lines(&second.stdout, host), Vec::<&str>::new());
        assert_eq!(
            unchanged_lines(&second.stdout, host).len(),
            9,
            "{}",
            second.stdout
        );
        assert_eq!(read(dir.join(host).join("app/marker")), "once\n");
    }
    second.stderr_has("0 changed, 18 unchanged");
    second.stdout_has("[secure002]  LINK      ");
    second.stdout_has("current: unchanged (points to ");
}

#[test]
fn templates_render_and_missing_variables_fail_the_host() {
    let hosts = secure(1);
    let fleet = Fleet::builder().hosts(&hosts).start().unwrap();
    let dir = work_dir(&fleet, &hosts);
    let run = ops(
        &fleet,
        "secure001",
        "files",
        &dir,
        &["--param", "port=9090"],
    );
    run.expect_code(0);
    assert!(read(dir.join("secure001/app/app.conf")).contains("port = 9090\n"));

    // A typo in a template is an error, not a file with a hole in it.
    let bad = ops(&fleet, "secure001", "bad-template", &dir, &[]);
    bad.expect_code(1);
    bad.stderr_has("cannot render template: undefined value");
    assert!(!dir.join("secure001/bad.conf").exists());
}

/// A git repository with two commits, the first tagged `v1`.
fn repo(fleet: &Fleet) -> (PathBuf, String, String) {
    let repo = fleet.dir().join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-C"])
            .arg(&repo)
            .args(args)
            .output()
            .expect("git");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    git(&["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("VERSION"), "1\n").unwrap();
    git(&["add", "VERSION"]);
    git(&["commit", "-q", "-m", "one"]);
    git(&["tag", "-a", "v1", "-m", "release 1"]);
    let v1 = git(&["rev-parse", "HEAD"]);
    std::fs::write(repo.join("VERSION"), "2\n").unwrap();
    git(&["commit", "-q", "-am", "two"]);
    let v2 = git(&["rev-parse", "HEAD"]);
    (repo, v1, v2)
}

fn head(checkout: &Path) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(checkout)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn git_checkouts_converge_and_move_between_revisions() {
    let hosts = secure(2);
    let fleet = Fleet::builder().hosts(&hosts).start().unwrap();
    let dir = work_dir(&fleet, &hosts);
    let (repo, v1, v2) = repo(&fleet);
    let repo = format!("repo={}", repo.display());
    let git = |rev: &str, extra: &[&str]| {
        let rev = format!("rev={rev}");
        let mut args = vec!["--param", &repo, "--param", &rev];
        args.extend_from_slice(extra);
        ops(&fleet, "secure001-2", "git", &dir, &args)
    };

    let first = git("v1", &[]);
    first.expect_code(0);
    first.stdout_has(&format!("@ v1: changed (cloned at {})", &v1[..12]));
    for host in &hosts {
        let src = dir.join(host).join("src");
        assert_eq!(head(&src), v1);
        assert_eq!(read(src.join("VERSION")), "1\n");
    }
    let again = git("v1", &[]);
    again.expect_code(0);
    again.stdout_has(&format!("@ v1: unchanged (at {})", &v1[..12]));
    assert!(changed_lines(&again.stdout, "secure001").is_empty());

    // A dry run says it would move, and does not.
    let dry = git("main", &["--dry-run"]);
    dry.expect_code(0);
    dry.stdout_has(&format!(
        "@ main: would change ({} → {})",
        &v1[..12],
        &v2[..12]
    ));
    assert_eq!(head(&dir.join("secure001/src")), v1);

    let moved = git("main", &[]);
    moved.expect_code(0);
    for host in &hosts {
        assert_eq!(head(&dir.join(host).join("src")), v2);
        assert_eq!(read(dir.join(host).join("src/VERSION")), "2\n");
    }
    git(&v1, &[]).expect_code(0).stdout_has("changed");
    assert_eq!(head(&dir.join("secure002/src")), v1);
}

/// The `systemctl` the service tests put first on the hosts' PATH: unit
/// state in files under `$HOME/units`, each action logged to
/// `$HOME/systemctl.log` (the test fleet has no systemd).
const FAKE_SYSTEMCTL: &str = r#"#!/bin/sh
units="$HOME/units"
verb=$1; unit=$2
state() { cat "$units/$unit.$1" 2>/dev/null || echo "$2"; }
case "$verb" in
show)
    if [ ! -e "$units/$unit" ]; then
        printf 'LoadState=not-found\nActiveState=inactive\nSubState=dead\nUnitFileState=\n'
        exit 0
    fi
    active=$(state active inactive)
    sub=dead; [ "$active" = active ] && sub=running
    printf 'LoadState=loaded\nActiveState=%s\nSubState=%s\nUnitFileState=%s\n' \
        "$active" "$sub" "$(state enabled disabled)"
    exit 0 ;;
start|restart) echo active > "$units/$unit.active" ;;
stop) echo inactive > "$units/$unit.active" ;;
enable) echo enabled > "$units/$unit.enabled" ;;
disable) echo disabled > "$units/$unit.enabled" ;;
*) echo "fake systemctl: $verb not supported" >&2; exit 1 ;;
esac
echo "$verb $unit" >> "$HOME/systemctl.log"
"#;

/// Puts the fake systemctl first on every host's PATH, with units `app`
/// (stopped, disabled) and `old` (running, enabled).
fn fake_systemd(fleet: &Fleet, hosts: &[String]) {
    let bin = fleet.dir().join("fakebin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(bin.join("systemctl"), FAKE_SYSTEMCTL).unwrap();
    std::fs::set_permissions(
        bin.join("systemctl"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    for host in hosts {
        let home = fleet.host_home(host);
        let bashrc = home.join(".bashrc");
        let mut text = read(&bashrc);
        text.push_str(&format!("export PATH={}:$PATH\n", bin.display()));
        std::fs::write(&bashrc, text).unwrap();
        let units = home.join("units");
        std::fs::create_dir_all(&units).unwrap();
        for unit in ["app.service", "old.service"] {
            std::fs::write(units.join(unit), "").unwrap();
        }
        std::fs::write(units.join("old.service.active"), "active\n").unwrap();
        std::fs::write(units.join("old.service.enabled"), "enabled\n").unwrap();
    }
}

#[test]
fn services_converge_and_restart_only_when_a_dependency_changed() {
    let hosts = secure(2);
    let fleet = Fleet::builder().hosts(&hosts).start().unwrap();
    let dir = work_dir(&fleet, &hosts);
    fake_systemd(&fleet, &hosts);
    let log = |host: &str| read(fleet.host_home(host).join("systemctl.log"));

    let first = ops(&fleet, "secure001-2", "service", &dir, &[]);
    first.expect_code(0);
    first.stdout_has("app.service: changed (started)");
    first.stdout_has("old.service: changed (stopped)");
    for host in &hosts {
        assert_eq!(
            log(host),
            "start app.service\nenable app.service\nstop old.service\ndisable old.service\n"
        );
    }

    let second = ops(&fleet, "secure001-2", "service", &dir, &[]);
    second.expect_code(0);
    second.stdout_has("app.service: unchanged (is running)");
    second.stdout_has("old.service: unchanged (is inactive)");
    assert!(
        changed_lines(&second.stdout, "secure002").is_empty(),
        "{}",
        second.stdout
    );
    assert_eq!(log("secure001").lines().count(), 4);

    // The config it depends on changes: a restart, once.
    let changed = ops(
        &fleet,
        "secure001-2",
        "service",
        &dir,
        &["--param", "port=81"],
    );
    changed.expect_code(0);
    changed.stdout_has("app.service: changed (restarted: a dependency changed)");
    assert!(log("secure001").ends_with("disable old.service\nrestart app.service\n"));
    let settled = ops(
        &fleet,
        "secure001-2",
        "service",
        &dir,
        &["--param", "port=81"],
    );
    settled.expect_code(0);
    assert_eq!(log("secure002").lines().count(), 5);
}

#[test]
fn a_package_that_is_installed_is_left_alone_and_dry_runs_touch_nothing() {
    let hosts = secure(1);
    let fleet = Fleet::builder().hosts(&hosts).start().unwrap();
    let dir = work_dir(&fleet, &hosts);
    let version = dpkg_version("coreutils").expect("coreutils is installed");
    let package = |state: &str, extra: &[&str]| {
        let state = format!("state={state}");
        let mut args = vec!["--param", "package=coreutils", "--param", &state];
        args.extend_from_slice(extra);
        ops(&fleet, "secure001", "package", &dir, &args)
    };

    package("present", &[])
        .expect_code(0)
        .stdout_has(&format!("coreutils: unchanged ({version} is installed)"));

    let absent = package("absent", &["--dry-run"]);
    absent.expect_code(0);
    absent.stdout_has("WOULD     run: apt-get remove -y -q 'coreutils'");
    absent.stdout_has(&format!("coreutils: would change (removing {version})"));
    absent.stderr_has("1 would change, 0 unchanged");
    assert_eq!(dpkg_version("coreutils"), Some(version.clone()));

    // A package no source offers fails the dry run already, as the real
    // run would fail.
    let missing = [
        "--param",
        "package=planrun-no-such-package",
        "--param",
        "state=present",
        "--dry-run",
    ];
    ops(&fleet, "secure001", "package", &dir, &missing)
        .expect_code(1)
        .stderr_has("not found: no package source on the host offers planrun-no-such-package");

    let latest = package("latest", &["--dry-run"]);
    latest.expect_code(0);
    match apt_candidate("coreutils") {
        Some(candidate) if candidate == version => {
            latest.stdout_has(&format!("coreutils: unchanged ({version} is the latest)"));
        }
        Some(candidate) => {
            latest.stdout_has(&format!("would change (upgrading {version} → {candidate})"));
        }
        None => {
            latest.stderr_has("no package source on the host offers coreutils");
        }
    }
}

fn dpkg_version(package: &str) -> Option<String> {
    let out = Command::new("dpkg-query")
        .args(["-W", "-f=${db:Status-Abbrev}|${Version}", package])
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let (status, version) = text.split_once('|')?;
    status.starts_with("ii").then(|| version.to_string())
}

fn apt_candidate(package: &str) -> Option<String> {
    let out = Command::new("apt-cache")
        .args(["policy", package])
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Candidate:")
                .map(|v| v.trim().to_string())
        })
        .filter(|v| v != "(none)")
}

/// A throwaway account on this machine, deleted when dropped.
pub struct Account(pub String);

impl Account {
    pub fn new(tag: &str) -> Account {
        Account(format!("prt{tag}{}", std::process::id() % 100_000))
    }
}

impl Drop for Account {
    fn drop(&mut self) {
        let _ = Command::new("userdel").arg(&self.0).output();
        let _ = Command::new("groupdel").arg(&self.0).output();
    }
}

fn getent(db: &str, name: &str) -> Option<String> {
    let out = Command::new("getent").args([db, name]).output().unwrap();
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[test]
fn users_and_groups_converge() {
    let hosts = secure(1);
    let fleet = Fleet::builder().hosts(&hosts).start().unwrap();
    let dir = work_dir(&fleet, &hosts);
    let account = Account::new("u");
    let param = format!("account={}", account.0);
    let run = |scenario: &str| ops(&fleet, "secure001", scenario, &dir, &["--param", &param]);

    let first = run("accounts");
    first.expect_code(0);
    first.stdout_has(&format!("GROUP     {}: changed (created)", account.0));
    first.stdout_has(&format!("USER      {}: changed (created)", account.0));
    let passwd = getent("passwd", &account.0).expect("the user exists");
    let home = dir.join("secure001/home");
    assert!(
        passwd.ends_with(&format!(":{}:/bin/sh", home.display())),
        "{passwd}"
    );
    let gid = getent("group", &account.0).expect("the group exists");
    assert!(
        passwd.contains(&format!(":{}:", gid.split(':').nth(2).unwrap())),
        "{passwd} {gid}"
    );
    assert!(home.is_dir());

    let second = run("accounts");
    second.expect_code(0);
    second.stdout_has(&format!(
        "USER      {}: unchanged (exists as wanted)",
        account.0
    ));
    second.stderr_has("0 changed, 2 unchanged");

    run("accounts-absent")
        .expect_code(0)
        .stdout_has(&format!("USER      {}: changed (deleted)", account.0));
    assert_eq!(getent("passwd", &account.0), None);
    assert_eq!(getent("group", &account.0), None);
    run("accounts-absent")
        .expect_code(0)
        .stderr_has("0 changed, 2 unchanged");
}

#[test]
fn operations_run_as_another_user_through_sudo() {
    let hosts = secure(1);
    let fleet = Fleet::builder().hosts(&hosts).start().unwrap();
    let account = Account::new("b");
    let status = Command::new("useradd")
        .args(["-M", "-s", "/bin/sh", &account.0])
        .status()
        .unwrap();
    assert!(status.success());
    let uid = getent("passwd", &account.0)
        .unwrap()
        .split(':')
        .nth(2)
        .unwrap()
        .parse::<u32>()
        .unwrap();
    // The other user must be able to reach its directory: not under the
    // fleet's private temp dir.
    let dir = tempfile::Builder::new()
        .prefix("planrun-become-")
        .tempdir()
        .unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let user = format!("user={}", account.0);

    let first = ops(
        &fleet,
        "secure001",
        "become",
        dir.path(),
        &["--param", &user],
    );
    first.expect_code(0);
    first.stdout_has(&format!("WHOAMI    {}", account.0));
    let owned = dir.path().join("secure001/owned");
    for file in ["", "by-user.txt", "lines.txt", "ran"] {
        let meta = std::fs::metadata(owned.join(file)).unwrap();
        assert_eq!(meta.uid(), uid, "{file} is not owned by {}", account.0);
    }
    assert_eq!(read(owned.join("by-user.txt")), "written as another user\n");

    let second = ops(
        &fleet,
        "secure001",
        "become",
        dir.path(),
        &["--param", &user],
    );
    second.expect_code(0);
    assert!(
        changed_lines(&second.stdout, "secure001").is_empty(),
        "{}",
        second.stdout
    );
}

#[test]
fn sudo_wanting_a_password_is_a_clear_error() {
    let hosts = secure(1);
    let fleet = Fleet::builder().hosts(&hosts).start().unwrap();
    // Log in as a user sudo does not trust: sudo -n then wants a password.
    let account = Account::new("p");
    let status = Command::new("useradd")
        .args(["-M", "-s", "/bin/sh", "-p", "*", &account.0])
        .status()
        .unwrap();
    assert!(status.success());
    // That user's sshd reads the fleet's authorized_keys and HOME.
    for path in [fleet.dir().to_path_buf(), fleet.dir().join("hosts")] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(
        fleet.dir().join("authorized_keys"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let config = read(fleet.ssh_config()).replace("User root", &format!("User {}", account.0));
    let config_path = fleet.dir().join("ssh_config.user");
    std::fs::write(&config_path, config).unwrap();

    let plan = plan_path("ops");
    let out = Command::new(planrun_tests::planrun_bin())
        .arg(&plan)
        .args(["--hosts", "secure001", "-F"])
        .arg(&config_path)
        .args(["--param", "scenario=sudo-password", "--param", "dir=/tmp"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let denied = "sudo to `root` wants a password; planrun runs sudo -n, so allow passwordless sudo (NOPASSWD) for the login user";
    assert_eq!(stdout.matches(denied).count(), 2, "{stdout}\n{stderr}");
}
