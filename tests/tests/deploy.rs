//! The example `deploy` plan on a real 4-host fleet: files on disk,
//! idempotence, and barrier ordering between the control host and workers.

mod common;

use common::{planrun, read, secure};
use planrun_tests::{Fleet, plan_path};

fn deploy(fleet: &Fleet, root: &str, extra: &[&str]) -> common::Run {
    let plan = plan_path("deploy");
    let mut args = vec![plan.to_str().unwrap(), "--hosts", "secure001-4", "--param"];
    let root_param = format!("root={root}");
    args.push(&root_param);
    args.extend_from_slice(extra);
    planrun(fleet, &args)
}

#[test]
fn deploy_runs_on_every_host() {
    let fleet = Fleet::builder().hosts(secure(4)).start().unwrap();
    let root = fleet.dir().join("deploy");
    let root = root.to_str().unwrap();
    let run = deploy(&fleet, root, &["--param", "version=2.5"]);
    run.expect_code(0);

    for host in secure(4) {
        let dir = format!("{root}/{host}");
        let conf = read(format!("{dir}/app.conf"));
        assert!(
            conf.contains(&host) && conf.contains("2.5"),
            "{host}: {conf}"
        );
        let motd = read(format!("{dir}/motd.txt"));
        let asset = read(planrun_tests::workspace_root().join("examples/deploy/assets/motd.txt"));
        assert_eq!(motd, asset);
        let log = read(format!("{dir}/deploy.log"));
        assert!(log.contains("2.5"), "{host}: {log}");
        // Labelled, aligned progress lines.
        assert!(
            run.stdout
                .lines()
                .any(|l| l.starts_with(&format!("[{host}]  CONFIG"))),
            "{}",
            run.stdout
        );
    }
    run.stderr_has("4 hosts in");
    run.stderr_has("4 ok, 0 failed, 0 unreachable");
    run.stderr_has("ok           secure[001-004]");
}

#[test]
fn workers_read_what_the_control_host_published_before_the_barrier() {
    let fleet = Fleet::builder().hosts(secure(4)).start().unwrap();
    let root = fleet.dir().join("deploy");
    let root = root.to_str().unwrap();
    deploy(&fleet, root, &["--param", "version=3.1"]).expect_code(0);

    let published = read(format!("{root}/secure001/published"));
    assert_eq!(published.trim(), "3.1@secure001");
    for worker in &secure(4)[1..] {
        let release = read(format!("{root}/{worker}/release"));
        assert_eq!(release.trim(), published.trim(), "{worker}");
    }
}

#[test]
fn a_second_run_changes_no_files() {
    let fleet = Fleet::builder().hosts(secure(4)).start().unwrap();
    let root = fleet.dir().join("deploy");
    let root = root.to_str().unwrap();
    let first = deploy(&fleet, root, &[]);
    first.expect_code(0);
    let conf_lines = |out: &str, changed: bool| {
        out.lines()
            .filter(|l| l.contains("CONFIG") || l.contains("MOTD"))
            .filter(|l| l.contains("unchanged") != changed)
            .count()
    };
    assert_eq!(conf_lines(&first.stdout, true), 8, "{}", first.stdout);
    let mtime = std::fs::metadata(format!("{root}/secure002/app.conf"))
        .unwrap()
        .modified()
        .unwrap();

    let second = deploy(&fleet, root, &[]);
    second.expect_code(0);
    assert_eq!(conf_lines(&second.stdout, false), 8, "{}", second.stdout);
    let mtime_after = std::fs::metadata(format!("{root}/secure002/app.conf"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(
        mtime, mtime_after,
        "an unchanged file must not be rewritten"
    );
}

#[test]
fn hashed_known_hosts_are_honoured() {
    let fleet = Fleet::builder()
        .hosts(secure(2))
        .hashed_known_hosts(true)
        .start()
        .unwrap();
    let plan = plan_path("deploy");
    let root = format!("root={}", fleet.dir().join("deploy").display());
    planrun(
        &fleet,
        &[
            plan.to_str().unwrap(),
            "--hosts",
            "secure001-2",
            "--param",
            &root,
        ],
    )
    .expect_code(0);
}
