//! The plan API end to end, with the `scenarios` test plan: barriers that
//! deadlock or are released by a failed host, a panicking plan confined to
//! its host, plan stdio, facts, probe and read.

mod common;

use common::{Run, planrun, secure};
use planrun_tests::{Fleet, plan_path};

fn scenario(fleet: &Fleet, hosts: &str, name: &str, extra: &[&str]) -> Run {
    let plan = plan_path("scenarios");
    let param = format!("scenario={name}");
    let mut args = vec![plan.to_str().unwrap(), "--hosts", hosts, "--param", &param];
    args.extend_from_slice(extra);
    planrun(fleet, &args)
}

#[test]
fn hosts_waiting_at_different_barriers_are_a_reported_deadlock() {
    let fleet = Fleet::builder().hosts(secure(3)).start().unwrap();
    let run = scenario(&fleet, "secure001-3", "deadlock", &[]);
    run.expect_code(1);
    run.stderr_has("0 ok, 3 failed");
    run.stderr_has("`a` (secure001), `b` (secure[002-003])");
}

#[test]
fn a_failed_host_releases_the_barrier() {
    let fleet = Fleet::builder().hosts(secure(3)).start().unwrap();
    let run = scenario(&fleet, "secure001-3", "fail-first", &[]);
    run.expect_code(1);
    run.stderr_has("2 ok, 1 failed");
    run.stderr_has("secure001: host 0 gives up");
    for host in ["secure002", "secure003"] {
        run.stdout_has(&format!("[{host}]  BARRIER   gone: secure001"));
    }
}

#[test]
fn a_panicking_plan_fails_only_its_host() {
    let fleet = Fleet::builder().hosts(secure(3)).start().unwrap();
    let run = scenario(&fleet, "secure001-3", "panic-first", &[]);
    run.expect_code(1);
    run.stderr_has("2 ok, 1 failed");
    run.stderr_has("deliberate panic on secure001");
    run.stderr_has("failed       secure001: the plan crashed");
    assert!(!run.stderr.contains("backtrace"), "{}", run.stderr);
}

#[test]
fn plan_stdout_and_stderr_are_shown_under_the_host() {
    let fleet = Fleet::builder().hosts(secure(2)).start().unwrap();
    let run = scenario(&fleet, "secure001-2", "stdout", &[]);
    run.expect_code(0);
    for host in secure(2) {
        run.stdout_has(&format!("[{host}]  printed by {host}"));
        run.stdout_has(&format!("[{host}]  to stderr from {host}"));
    }
}

#[test]
fn facts_probe_and_read_reach_the_host() {
    let fleet = Fleet::builder().hosts(secure(2)).start().unwrap();
    let dir = fleet.dir().join("scratch");
    std::fs::create_dir_all(&dir).unwrap();
    let dir_param = format!("dir={}", dir.display());
    let run = scenario(&fleet, "secure001-2", "facts", &["--param", &dir_param]);
    run.expect_code(0);
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    for host in secure(2) {
        let line = |text: &str| {
            run.stdout_has(&format!("[{host}]  {text}"));
        };
        line(&format!("FACT      hostname={}", hostname.trim()));
        line(&format!("FACT      arch={}", std::env::consts::ARCH));
        line("PROBE     exists=false");
        line(&format!("read back {host}"));
        line("FACT      unknown; known: hostname,os,");
        line("FLEET     2 hosts");
        assert_eq!(
            std::fs::read_to_string(dir.join(format!("{host}.txt")))
                .unwrap()
                .trim(),
            host
        );
    }
}
