//! The run record: what a run leaves in the database, read back with SQL
//! and with `planrun runs/show`; retries; an interrupted and a killed
//! planrun; a database that cannot be written; gc.

mod common;

use std::time::Duration;

use common::{planrun, planrun_record, planrun_spawn, record_db, secure, wait_for_lines};
use planrun_tests::{Fleet, plan_path};
use rusqlite::Connection;

/// The run id planrun printed (`recorded as run N`).
fn recorded_run(stderr: &str) -> i64 {
    let line = stderr
        .lines()
        .find_map(|l| l.strip_prefix("recorded as run "))
        .unwrap_or_else(|| panic!("no `recorded as run` in:\n{stderr}"));
    line.split(':').next().unwrap().parse().unwrap()
}

/// kind, detail, exit code, duration, changed, result.
type EventRow = (
    String,
    String,
    Option<i64>,
    Option<i64>,
    Option<bool>,
    Option<String>,
);

fn db(fleet: &Fleet) -> Connection {
    Connection::open(record_db(fleet)).unwrap()
}

fn host_state(conn: &Connection, run: i64, host: &str) -> (String, Option<String>) {
    conn.query_row(
        "SELECT state, error FROM hosts WHERE run_id = ?1 AND name = ?2",
        rusqlite::params![run, host],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

fn run_state(conn: &Connection, run: i64) -> String {
    conn.query_row("SELECT state FROM runs WHERE id = ?1", [run], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_run_is_recorded_with_hosts_events_and_output_and_retried() {
    let fleet = Fleet::builder()
        .hosts(secure(3))
        .unreachable("ghost01")
        .start()
        .unwrap();
    // A copy of the plan, so the test can change it under the record.
    let plan = fleet.dir().join("scenarios.wasm");
    std::fs::copy(plan_path("scenarios"), &plan).unwrap();
    let out = fleet.dir().join("out");
    let dir_param = format!("dir={}", out.display());
    let args = [
        plan.to_str().unwrap(),
        "--hosts",
        "secure001-3,ghost01",
        "-p",
        "scenario=record",
        "-p",
        &dir_param,
        "-p",
        "fail=secure002",
    ];
    let run = planrun(&fleet, &args);
    run.expect_code(1);
    let id = recorded_run(&run.stderr);

    let conn = db(&fleet);
    let (state, plan_name, sha, params, hosts, pid): (String, String, String, String, i64, i64) =
        conn.query_row(
            "SELECT state, plan_name, plan_sha256, params, host_count, pid FROM runs WHERE id = ?1",
            [id],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            },
        )
        .unwrap();
    assert_eq!(state, "failed");
    assert_eq!(plan_name, "scenarios");
    assert_eq!(sha.len(), 64);
    assert!(params.contains(r#"["fail","secure002"]"#), "{params}");
    assert_eq!(hosts, 4);
    assert!(pid > 0);
    assert_eq!(host_state(&conn, id, "secure001").0, "ok");
    let (failed, error) = host_state(&conn, id, "secure002");
    assert_eq!(failed, "failed");
    assert!(error.unwrap().contains("exit"), "the error names the exit");
    let (unreachable, why) = host_state(&conn, id, "ghost01");
    assert_eq!(unreachable, "unreachable");
    assert!(why.unwrap().contains("refused"));

    // Every kind of call, with its command, status, duration and change.
    let events: Vec<EventRow> = conn
        .prepare(
            "SELECT e.kind, e.detail, e.exit_code, e.duration_ms, e.changed, e.result
             FROM events e JOIN hosts h ON h.run_id = e.run_id AND h.idx = e.host_idx
             WHERE e.run_id = ?1 AND h.name = 'secure001' ORDER BY e.seq",
        )
        .unwrap()
        .query_map([id], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    for kind in ["step", "exec", "write", "fact", "barrier"] {
        assert!(kinds.contains(&kind), "no {kind} event in {kinds:?}");
    }
    let exec = events.iter().find(|e| e.0 == "exec").unwrap();
    assert!(exec.1.contains("echo hello from secure001"));
    assert_eq!(exec.2, Some(0));
    assert!(exec.3.is_some(), "exec has a duration");
    let write = events.iter().find(|e| e.0 == "write").unwrap();
    assert_eq!(write.4, Some(true), "the first write changed the host");
    let fact = events.iter().find(|e| e.0 == "fact").unwrap();
    assert_eq!(fact.1, "hostname");
    assert!(fact.5.as_deref().is_some_and(|v| !v.is_empty()), "{fact:?}");
    let failing: i64 = conn
        .query_row(
            "SELECT e.exit_code FROM events e JOIN hosts h ON h.run_id = e.run_id AND h.idx = e.host_idx
             WHERE e.run_id = ?1 AND h.name = 'secure002' AND e.kind = 'exec' AND e.failed = 1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(failing, 3);

    // Output: one compressed blob per host, read back by `planrun show`.
    let blobs: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM hosts WHERE run_id = ?1 AND output IS NOT NULL",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(blobs, 4);
    let show = planrun_record(&fleet, &["show", &id.to_string(), "--host", "secure002"]);
    show.expect_code(0);
    show.stdout_has("secure002 in run");
    show.stdout_has("hello from secure002");
    show.stdout_has("! boom");
    show.stdout_has("exit 3");
    show.stdout_has("<script>document.title='pwned'</script>");

    let show = planrun_record(&fleet, &["show", &id.to_string()]);
    show.expect_code(0);
    show.stdout_has(&format!("run {id}  failed"));
    show.stdout_has("4: 2 ok, 1 failed, 1 unreachable");
    show.stdout_has("ghost01");

    // `runs` lists it, and its filters pick it or not.
    let runs = planrun_record(&fleet, &["runs"]);
    runs.expect_code(0);
    runs.stdout_has("scenarios");
    runs.stdout_has("failed");
    let by_host = planrun_record(&fleet, &["runs", "--host", "ghost*"]);
    by_host.stdout_has(&format!("{id:>5}  "));
    let none = planrun_record(&fleet, &["runs", "--outcome", "ok"]);
    none.expect_code(0);
    assert!(none.stdout.is_empty(), "{}", none.stdout);
    none.stderr_has("no runs match");

    // Retry: the failed and unreachable hosts only, same plan and params.
    let retry = planrun(&fleet, &["--retry-failed", &id.to_string()]);
    retry.expect_code(1);
    retry.stderr_has("on 2 hosts");
    retry.stderr_has("1 ok, 0 failed, 1 unreachable");
    retry.stdout_has("[secure002]  DONE");
    assert!(!retry.stdout.contains("[secure001]"), "{}", retry.stdout);
    let again = recorded_run(&retry.stderr);
    let (retry_of, count): (i64, i64) = conn
        .query_row(
            "SELECT retry_of, host_count FROM runs WHERE id = ?1",
            [again],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((retry_of, count), (id, 2));

    // A plan file that changed since is refused, saying so.
    std::fs::copy(plan_path("deploy"), &plan).unwrap();
    let refused = planrun(&fleet, &["--retry-failed", &id.to_string()]);
    refused.expect_code(2);
    refused.stderr_has("has changed since");

    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
}

#[test]
fn ctrl_c_records_the_run_as_interrupted_and_exits_130() {
    let fleet = Fleet::builder().hosts(secure(2)).start().unwrap();
    let plan = plan_path("scenarios");
    let (child, lines) = planrun_spawn(
        &fleet,
        &[
            plan.to_str().unwrap(),
            "--hosts",
            "secure001-2",
            "-p",
            "scenario=sleep",
        ],
    );
    wait_for_lines(&lines, "SLEEPING", 2, Duration::from_secs(60));
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("0 ok, 0 failed, 0 unreachable, 2 interrupted"),
        "{stderr}"
    );
    assert!(
        stderr.contains("interrupted  secure[001-002]: did not finish"),
        "{stderr}"
    );
    let id = recorded_run(&stderr);
    let conn = db(&fleet);
    assert_eq!(run_state(&conn, id), "interrupted");
    for host in ["secure001", "secure002"] {
        assert_eq!(host_state(&conn, id, host).0, "interrupted");
    }
    let show = planrun_record(&fleet, &["show", &id.to_string(), "--host", "secure001"]);
    show.stdout_has("SLEEPING");
}

#[test]
fn a_killed_planrun_leaves_a_consistent_record_showing_a_crash() {
    let fleet = Fleet::builder().hosts(secure(3)).start().unwrap();
    let plan = plan_path("scenarios");
    let (mut child, lines) = planrun_spawn(
        &fleet,
        &[
            plan.to_str().unwrap(),
            "--hosts",
            "secure001-3",
            "-p",
            "scenario=sleep",
        ],
    );
    wait_for_lines(&lines, "SLEEPING", 3, Duration::from_secs(60));
    // Let the writer commit what it has: kill -9 then hits it idle or mid-batch.
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();

    let conn = db(&fleet);
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let id: i64 = conn
        .query_row("SELECT MAX(id) FROM runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(run_state(&conn, id), "running", "nobody has looked yet");

    let runs = planrun_record(&fleet, &["runs"]);
    runs.expect_code(0);
    runs.stdout_has("crashed");
    assert_eq!(run_state(&conn, id), "crashed");
    assert_eq!(host_state(&conn, id, "secure002").0, "crashed");
    let steps: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM events WHERE run_id = ?1 AND kind = 'step'",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(steps, 3, "each host's step before the kill was kept");
}

#[test]
fn an_unwritable_record_does_not_stop_the_run() {
    let fleet = Fleet::builder().hosts(secure(1)).start().unwrap();
    let run = common::planrun_with_env(
        &fleet,
        &["exec", "--hosts", "secure001", "--", "echo still here"],
        "PLANRUN_RECORD_DB",
        "/dev/null/cannot/runs.db",
    );
    run.expect_code(0);
    run.stdout_has("[secure001]  still here");
    run.stderr_has("the run goes on unrecorded");

    let skipped = planrun(
        &fleet,
        &["exec", "--no-record", "--hosts", "secure001", "--", "true"],
    );
    skipped.expect_code(0);
    assert!(
        !skipped.stderr.contains("recorded as run"),
        "{}",
        skipped.stderr
    );
}

#[test]
fn gc_removes_old_runs() {
    let fleet = Fleet::builder().hosts(secure(2)).start().unwrap();
    for _ in 0..2 {
        planrun(&fleet, &["exec", "--hosts", "secure001-2", "--", "echo hi"]).expect_code(0);
    }
    let kept = planrun_record(&fleet, &["gc", "--older-than", "30d"]);
    kept.expect_code(0);
    kept.stdout_has("removed 0 runs");
    let gone = planrun_record(&fleet, &["gc", "--older-than", "0s"]);
    gone.expect_code(0);
    gone.stdout_has("removed 2 runs");
    let conn = db(&fleet);
    let left: i64 = conn
        .query_row("SELECT (SELECT COUNT(*) FROM runs) + (SELECT COUNT(*) FROM hosts) + (SELECT COUNT(*) FROM events)", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
    let bad = planrun_record(&fleet, &["gc", "--older-than", "soon"]);
    bad.expect_code(2);
    bad.stderr_has("not an age");
}
