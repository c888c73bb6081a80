//! Hosts that fail alone: unreachable, sshd killed mid-run, unknown host key.

mod common;

use std::time::Duration;

use common::{planrun, read, secure};
use planrun_tests::{Fleet, plan_path};

#[test]
fn an_unreachable_host_fails_alone() {
    let fleet = Fleet::builder()
        .hosts(secure(3))
        .unreachable("ghost01")
        .start()
        .unwrap();
    let root = fleet.dir().join("deploy");
    let plan = plan_path("deploy");
    let run = planrun(
        &fleet,
        &[
            plan.to_str().unwrap(),
            "--hosts",
            "secure001-3,ghost01",
            "--param",
            &format!("root={}", root.display()),
        ],
    );
    run.expect_code(1);
    run.stderr_has("3 ok, 0 failed, 1 unreachable");
    run.stderr_has("unreachable  ghost01: ");
    // The barrier did not wait for the dead host: the workers got the release.
    for worker in ["secure002", "secure003"] {
        assert_eq!(
            read(root.join(worker).join("release")).trim(),
            "1.0@secure001"
        );
    }
}

#[test]
fn a_host_whose_sshd_dies_mid_run_fails_alone() {
    let fleet = Fleet::builder()
        .hosts(secure(3))
        .own_sshd("secure003")
        .start()
        .unwrap();
    let killer = {
        let started = std::time::Instant::now();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(1500));
            started.elapsed()
        })
    };
    let run = std::thread::scope(|s| {
        let run = s.spawn(|| {
            planrun(
                &fleet,
                &[
                    "exec",
                    "--hosts",
                    "secure001-3",
                    "--",
                    "sleep 3; echo finished",
                ],
            )
        });
        killer.join().unwrap();
        fleet.kill("secure003");
        run.join().unwrap()
    });
    run.expect_code(1);
    run.stdout_has("[secure001]  finished");
    run.stdout_has("[secure002]  finished");
    assert!(
        !run.stdout.contains("[secure003]  finished"),
        "{}",
        run.stdout
    );
    run.stderr_has("2 ok");
    run.stderr_has("secure003: ");
}

#[test]
fn an_unknown_host_key_is_refused_then_accepted_on_request() {
    let fleet = Fleet::builder()
        .hosts(secure(2))
        .omit_from_known_hosts("secure002")
        .start()
        .unwrap();
    let cmd = ["exec", "--hosts", "secure001-2", "--", "echo hi"];
    let run = planrun(&fleet, &cmd);
    run.expect_code(1);
    run.stdout_has("[secure001]  hi");
    run.stderr_has("unreachable  secure002: ");
    run.stderr_has("SHA256:");
    let known_hosts = fleet.known_hosts().display().to_string();
    run.stderr_has(&known_hosts);

    let before = read(fleet.known_hosts());
    let mut accept = cmd.to_vec();
    accept.insert(1, "--accept-new-host-keys");
    planrun(&fleet, &accept).expect_code(0);
    let after = read(fleet.known_hosts());
    let address = fleet.address("secure002");
    assert!(
        !before.contains(&format!("[{address}]")) && after.contains(&format!("[{address}]")),
        "known_hosts gained the key:\n{after}"
    );
    // And from now on it is known, strictly.
    planrun(&fleet, &cmd).expect_code(0);
}
