//! The first-party plans in plugins/: `facts` and `rolling-restart`.

mod common;

use common::{planrun, read, secure};
use planrun_tests::{Fleet, plan_path};

#[test]
fn the_facts_plugin_prints_facts_as_text_and_json() {
    let hosts = secure(2);
    let fleet = Fleet::builder().hosts(&hosts).start().unwrap();
    let plan = plan_path("facts");
    let text = planrun(&fleet, &[plan.to_str().unwrap(), "--hosts", "secure001-2"]);
    text.expect_code(0);
    let arch = std::env::consts::ARCH;
    for host in &hosts {
        text.stdout_has(&format!("[{host}]  os.family  debian"));
        text.stdout_has(&format!("[{host}]  arch       {arch}"));
    }

    let json = planrun(
        &fleet,
        &[
            plan.to_str().unwrap(),
            "--hosts",
            "secure001-2",
            "--param",
            "format=json",
            "--param",
            "facts=command:sh,stat:/etc/hostname",
        ],
    );
    json.expect_code(0);
    let line = json
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("[secure002]  "))
        .expect("a line for secure002");
    let facts: serde_json::Value = serde_json::from_str(line).expect("one JSON object");
    assert_eq!(facts["os.family"], "debian");
    assert_eq!(facts["arch"], arch);
    assert!(facts["cpus"].as_str().unwrap().parse::<u32>().unwrap() >= 1);
    assert_eq!(facts["stat:/etc/hostname"]["kind"], "file");
    assert!(facts["command:sh"].as_str().unwrap().ends_with("/sh"));

    planrun(
        &fleet,
        &[
            plan.to_str().unwrap(),
            "--hosts",
            "secure001",
            "--param",
            "format=xml",
        ],
    )
    .expect_code(1)
    .stderr_has("parameter `format` has an invalid value `xml`: must be `text` or `json`");
}

/// Runs rolling-restart with a stand-in restart command that logs when each
/// host starts and ends its restart, in one log all hosts share.
fn roll(fleet: &Fleet, health: &str, extra: &[&str]) -> (common::Run, String) {
    let log = fleet.dir().join("restarts.log");
    let restart = format!(
        "restart=echo start $PLANRUN_TEST_HOST >> {log}; sleep 0.3; echo end $PLANRUN_TEST_HOST >> {log}",
        log = log.display()
    );
    let health = format!("health={health}");
    let plan = plan_path("rolling-restart");
    let mut args = vec![
        plan.to_str().unwrap(),
        "--hosts",
        "secure001-4",
        "--param",
        &restart,
        "--param",
        &health,
    ];
    args.extend_from_slice(extra);
    let run = planrun(fleet, &args);
    let log = std::fs::read_to_string(&log).unwrap_or_default();
    (run, log)
}

#[test]
fn rolling_restart_goes_one_healthy_host_at_a_time() {
    let fleet = Fleet::builder().hosts(secure(4)).start().unwrap();
    let marker = fleet.dir().join("restarts.log");
    let health = format!("grep -q \"end $PLANRUN_TEST_HOST\" {}", marker.display());
    let (run, log) = roll(&fleet, &health, &[]);
    run.expect_code(0);
    let expected: String = secure(4)
        .iter()
        .map(|h| format!("start {h}\nend {h}\n"))
        .collect();
    assert_eq!(log, expected, "restarts overlapped or ran out of order");
    run.stdout_has("[secure003]  RESTART   restarting (3 of 4)");
    run.stdout_has("[secure004]  HEALTHY   health check passed");
    let _ = read(&marker);
}

#[test]
fn rolling_restart_stops_at_a_host_that_stays_unhealthy() {
    let fleet = Fleet::builder().hosts(secure(4)).start().unwrap();
    let (run, log) = roll(
        &fleet,
        "test \"$PLANRUN_TEST_HOST\" != secure002",
        &["--param", "tries=2", "--param", "interval=0.1"],
    );
    run.expect_code(1);
    assert_eq!(
        log,
        "start secure001\nend secure001\nstart secure002\nend secure002\n"
    );
    run.stderr_has("secure002: health check `test \"$PLANRUN_TEST_HOST\" != secure002` still failing after 2 tries");
    run.stderr_has("secure[003-004]: not restarted: secure002 did not come back healthy");
    run.stderr_has(
        "[secure001]  WARN      roll stopped after this host: secure002 did not come back healthy",
    );
    run.stderr_has("1 ok, 3 failed");
}
