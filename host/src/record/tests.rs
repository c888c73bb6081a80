//! The recorder and the reader together, on a real database in a temp dir:
//! what a run's events become, a crash, a newer schema, gc.

use std::time::Duration;

use rusqlite::Connection;

use super::*;
use crate::plan::bindings::ExitStatus;
use crate::report::{Call, CallKind, CallResult, Event, HostOutcome};

fn meta(hosts: &[&str]) -> RunMeta {
    RunMeta {
        args: vec!["planrun".into(), "plan.wasm".into()],
        plan_name: "plan".into(),
        plan_version: None,
        plan_sha256: "ab".repeat(32),
        plan_path: "/plans/plan.wasm".into(),
        params: vec![("version".into(), "1.2".into())],
        policy: Policy {
            hosts: hosts.join(","),
            forks: 8,
            dry_run: false,
            assets: None,
        },
        hosts: hosts
            .iter()
            .map(|h| (h.to_string(), "127.0.0.1".into()))
            .collect(),
        retry_of: None,
    }
}

fn exec(command: &str, code: i32, stdout: &[u8]) -> Event {
    Event::Call {
        host: 0,
        call: Call {
            kind: CallKind::Exec,
            subject: command.into(),
            duration: Duration::from_millis(12),
            result: CallResult::Exited {
                status: ExitStatus::Code(code),
                stdout: stdout.to_vec(),
                stderr: Vec::new(),
            },
        },
    }
}

#[test]
fn a_run_is_written_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state").join("runs.db");
    let recorder = Recorder::start(&path, &meta(&["web1", "web2"])).unwrap();
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the record is the user's alone");
    let sink = recorder.sink();
    sink.send(Event::Connecting { host: 0 });
    sink.send(Event::Connected { host: 0 });
    sink.send(Event::Step {
        host: 0,
        label: "PREP".into(),
        message: "ready".into(),
    });
    sink.send(exec("echo <b>hi</b>", 0, b"<b>hi</b>\n"));
    sink.send(Event::Print {
        host: 0,
        text: "plain line".into(),
    });
    sink.send(Event::HostDone {
        host: 0,
        outcome: HostOutcome::Ok,
        changed: 1,
        duration: Duration::from_millis(40),
    });
    sink.send(Event::HostDone {
        host: 1,
        outcome: HostOutcome::Unreachable("connection refused".into()),
        changed: 0,
        duration: Duration::from_millis(3),
    });
    let id = recorder.id();
    recorder.finish(RunEnd::Failed);

    let record = Record::open(&path).unwrap();
    let run = record.run(id).unwrap().unwrap();
    assert_eq!(run.state, "failed");
    assert_eq!(run.params, vec![("version".to_string(), "1.2".to_string())]);
    assert_eq!(run.policy.forks, 8);
    assert_eq!((run.tally.ok, run.tally.unreachable), (1, 1));
    let hosts = record.hosts(id).unwrap();
    assert_eq!(hosts[1].error.as_deref(), Some("connection refused"));
    let events = record.events(id, 0).unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["step", "exec"]);
    assert_eq!(events[1].exit_code, Some(0));
    assert_eq!(events[1].duration_ms, Some(12));
    let output = record.output(id, 0).unwrap().unwrap();
    assert!(
        output.contains("EXEC      echo <b>hi</b>  (exit 0, 12ms)"),
        "{output}"
    );
    assert!(output.contains("| <b>hi</b>"), "{output}");
    assert!(output.contains("plain line"), "{output}");

    let filter = |host: &str| Filter {
        host: Some(host.into()),
        limit: 10,
        ..Filter::default()
    };
    assert_eq!(record.runs(&filter("web*")).unwrap().len(), 1);
    assert!(record.runs(&filter("db*")).unwrap().is_empty());
}

#[test]
fn a_run_whose_planrun_died_reads_as_crashed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("runs.db");
    let recorder = Recorder::start(&path, &meta(&["web1"])).unwrap();
    recorder.sink().send(Event::Connecting { host: 0 });
    let id = recorder.id();
    // Dropped without finishing, as a killed planrun would leave it; and
    // the pid now belongs to some other process.
    drop(recorder);
    std::thread::sleep(Duration::from_millis(200));
    let conn = Connection::open(&path).unwrap();
    conn.execute("UPDATE runs SET process = 'another-boot/1'", [])
        .unwrap();

    let record = Record::open(&path).unwrap();
    assert_eq!(record.run(id).unwrap().unwrap().state, "crashed");
    assert_eq!(record.hosts(id).unwrap()[0].state, "crashed");
}

#[test]
fn a_newer_schema_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("runs.db");
    let conn = Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    let error = format!("{:#}", Record::open(&path).err().unwrap());
    assert!(error.contains("newer than this planrun"), "{error}");
}

#[test]
fn gc_keeps_recent_and_running_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("runs.db");
    let done = Recorder::start(&path, &meta(&["web1"])).unwrap();
    done.finish(RunEnd::Ok);
    let running = Recorder::start(&path, &meta(&["web1"])).unwrap();
    let record = Record::open(&path).unwrap();
    assert_eq!(record.gc(Duration::from_secs(3600)).unwrap().runs, 0);
    assert_eq!(record.gc(Duration::ZERO).unwrap().runs, 1);
    assert!(record.run(running.id()).unwrap().is_some());
    running.finish(RunEnd::Ok);
}
