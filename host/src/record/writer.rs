//! Recording a run as it happens: a writer thread owns the database
//! connection and turns the run's events into rows, a batch per transaction.
//!
//! The run never waits on the database: events reach the writer over an
//! unbounded channel. If the database fails, the writer says so once and
//! drops what follows; the run goes on. Every batch is one transaction, so a
//! planrun killed at any moment leaves the record as of its last batch, with
//! the run still `running` under a dead pid, which readers call crashed.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use rusqlite::{Connection, Transaction, params};
use serde::{Deserialize, Serialize};

use super::transcript::Transcript;
use super::{db, process, time};
use crate::plan::bindings::ExitStatus;
use crate::report::{Call, CallKind, CallResult, Event, HostOutcome};

/// After the first event of a batch, wait this long for more: at most ~20
/// transactions a second, however busy the fleet.
const BATCH_WINDOW: Duration = Duration::from_millis(50);
/// A running host's output is stored this often, for `serve` to show live.
const LIVE_OUTPUT_EVERY: Duration = Duration::from_secs(2);
/// How long planrun waits at the end for the record to be written.
const FINISH_WAIT: Duration = Duration::from_secs(10);

/// What a run is: written when it starts.
#[derive(Debug, Clone)]
pub struct RunMeta {
    /// The command line, as typed.
    pub args: Vec<String>,
    pub plan_name: String,
    pub plan_version: Option<String>,
    pub plan_sha256: String,
    /// Absolute, so `--retry-failed` finds the plan from anywhere.
    pub plan_path: PathBuf,
    pub params: Vec<(String, String)>,
    pub policy: Policy,
    /// (name, address) in run order.
    pub hosts: Vec<(String, String)>,
    /// The run this one retries.
    pub retry_of: Option<i64>,
}

/// How the run was asked to go (stored as JSON: later options add fields).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Policy {
    /// `--hosts` as given.
    #[serde(default)]
    pub hosts: String,
    #[serde(default)]
    pub forks: usize,
    #[serde(default)]
    pub dry_run: bool,
    /// The asset directory, absolute.
    #[serde(default)]
    pub assets: Option<PathBuf>,
}

/// How a run ended, as the CLI saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    Ok,
    Failed,
    Interrupted,
}

impl RunEnd {
    fn state(self) -> &'static str {
        match self {
            RunEnd::Ok => "ok",
            RunEnd::Failed => "failed",
            RunEnd::Interrupted => "interrupted",
        }
    }
}

enum Message {
    /// An event and when it happened, since the run started.
    Event(Duration, Event),
    Finish(RunEnd),
}

/// Where the reporter hands events once shown; cheap to clone, never blocks.
#[derive(Clone)]
pub struct RecordSink {
    sender: mpsc::Sender<Message>,
    started: Instant,
}

impl RecordSink {
    pub fn send(&self, event: Event) {
        // A writer that stopped has said why; the run goes on regardless.
        let _ = self
            .sender
            .send(Message::Event(self.started.elapsed(), event));
    }
}

/// A run being recorded.
pub struct Recorder {
    id: i64,
    sink: RecordSink,
    done: mpsc::Receiver<()>,
}

impl Recorder {
    /// Opens the database, records the run as `running` with its hosts
    /// pending, and starts the writer.
    pub fn start(path: &Path, meta: &RunMeta) -> Result<Recorder> {
        let conn = db::create(path)?;
        let started = Instant::now();
        let started_ms = time::now_ms();
        let id = insert_run(&conn, meta, started_ms)
            .with_context(|| format!("cannot record the run in {}", path.display()))?;
        let (sender, receiver) = mpsc::channel();
        let (done_tx, done) = mpsc::channel();
        let writer = Writer {
            conn,
            path: path.to_path_buf(),
            run_id: id,
            started_ms,
            hosts: (0..meta.hosts.len()).map(|_| HostLog::default()).collect(),
            broken: false,
        };
        thread::Builder::new()
            .name("planrun-record".into())
            .spawn(move || {
                writer.run(receiver);
                let _ = done_tx.send(());
            })
            .context("cannot start the run record's writer thread")?;
        Ok(Recorder {
            id,
            sink: RecordSink { sender, started },
            done,
        })
    }

    /// The run's id in the record.
    pub fn id(&self) -> i64 {
        self.id
    }

    pub fn sink(&self) -> RecordSink {
        self.sink.clone()
    }

    /// Records how the run ended and waits (a bounded time) for the writer.
    pub fn finish(self, end: RunEnd) {
        let _ = self.sink.sender.send(Message::Finish(end));
        drop(self.sink);
        if let Err(mpsc::RecvTimeoutError::Timeout) = self.done.recv_timeout(FINISH_WAIT) {
            eprintln!(
                "planrun: warning: the run record is still being written after {}s; \
                 leaving it (run {} will show as crashed)",
                FINISH_WAIT.as_secs(),
                self.id
            );
        }
    }
}

fn insert_run(conn: &Connection, meta: &RunMeta, started_ms: i64) -> Result<i64> {
    let (pid, token) = process::this_process();
    let user = nix::unistd::User::from_uid(nix::unistd::getuid())
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_else(|| nix::unistd::getuid().to_string());
    let controller = controller_name();
    let tx = conn.unchecked_transaction()?;
    tx.execute(
        "INSERT INTO runs (state, started_ms, user, controller, pid, process, args, plan_name,
             plan_version, plan_sha256, plan_path, params, policy, host_count, retry_of)
         VALUES ('running', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        params![
            started_ms,
            user,
            controller,
            pid,
            token,
            serde_json::to_string(&meta.args)?,
            meta.plan_name,
            meta.plan_version,
            meta.plan_sha256,
            meta.plan_path.display().to_string(),
            serde_json::to_string(&meta.params)?,
            serde_json::to_string(&meta.policy)?,
            meta.hosts.len() as i64,
            meta.retry_of,
        ],
    )?;
    let id = tx.last_insert_rowid();
    {
        let mut insert = tx.prepare(
            "INSERT INTO hosts (run_id, idx, name, address, state) VALUES (?1, ?2, ?3, ?4, 'pending')",
        )?;
        for (idx, (name, address)) in meta.hosts.iter().enumerate() {
            insert.execute(params![id, idx as i64, name, address])?;
        }
    }
    tx.commit()?;
    Ok(id)
}

/// This machine's name, as runs record their controller.
pub fn controller_name() -> String {
    nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok())
        .unwrap_or_else(|| "localhost".to_string())
}

#[derive(Default)]
struct HostLog {
    transcript: Transcript,
    /// Next event number.
    seq: u32,
    done: bool,
}

struct Writer {
    conn: Connection,
    path: PathBuf,
    run_id: i64,
    started_ms: i64,
    hosts: Vec<HostLog>,
    /// The database failed: said so once, drop everything from here on.
    broken: bool,
}

impl Writer {
    fn run(mut self, receiver: mpsc::Receiver<Message>) {
        let mut last_live = Instant::now();
        loop {
            let first = match receiver.recv_timeout(LIVE_OUTPUT_EVERY) {
                Ok(message) => Some(message),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => return,
            };
            let mut batch: Vec<Message> = first.into_iter().collect();
            let deadline = Instant::now() + BATCH_WINDOW;
            let mut finishing = matches!(batch.last(), Some(Message::Finish(_)));
            while !finishing {
                let wait = deadline.saturating_duration_since(Instant::now());
                match receiver.recv_timeout(wait) {
                    Ok(message) => {
                        finishing = matches!(message, Message::Finish(_));
                        batch.push(message);
                    }
                    Err(_) => break,
                }
            }
            let live = last_live.elapsed() >= LIVE_OUTPUT_EVERY;
            if live {
                last_live = Instant::now();
            }
            if !self.broken
                && let Err(e) = self.write(batch, live)
            {
                self.broken = true;
                eprintln!(
                    "planrun: warning: cannot record this run in {}: {e:#}; the run goes on unrecorded",
                    self.path.display()
                );
            }
            if finishing {
                return;
            }
        }
    }

    /// One batch, one transaction.
    fn write(&mut self, batch: Vec<Message>, live: bool) -> Result<()> {
        let tx = self.conn.transaction()?;
        for message in batch {
            match message {
                Message::Event(at, event) => apply(
                    &tx,
                    self.run_id,
                    self.started_ms,
                    &mut self.hosts,
                    at,
                    event,
                )?,
                Message::Finish(end) => finish(&tx, self.run_id, &mut self.hosts, end)?,
            }
        }
        if live {
            for (idx, host) in self.hosts.iter_mut().enumerate() {
                if !host.done && host.transcript.is_dirty() {
                    store_output(&tx, self.run_id, idx, &mut host.transcript)?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }
}

/// One event: rows for what it did, a line for the host's transcript.
fn apply(
    tx: &Transaction,
    run: i64,
    started_ms: i64,
    hosts: &mut [HostLog],
    at: Duration,
    event: Event,
) -> Result<()> {
    let at_ms = at.as_millis() as i64;
    let wall = started_ms + at_ms;
    match event {
        Event::Connecting { host } => {
            tx.prepare_cached(
                "UPDATE hosts SET state = 'connecting', started_ms = ?3 WHERE run_id = ?1 AND idx = ?2",
            )?
            .execute(params![run, host as i64, wall])?;
        }
        Event::Connected { host } => {
            tx.prepare_cached(
                "UPDATE hosts SET state = 'running', connected_ms = ?3 WHERE run_id = ?1 AND idx = ?2",
            )?
            .execute(params![run, host as i64, wall])?;
            hosts[host].transcript.line(at, "CONNECT", "connected");
        }
        Event::Step {
            host,
            label,
            message,
        } => {
            hosts[host].transcript.line(at, &label, &message);
            let row = EventRow::new("step", &message).label(&label);
            insert_event(tx, run, host, &mut hosts[host], at_ms, row)?;
        }
        Event::Change {
            host,
            what,
            diff,
            dry_run,
        } => {
            let label = if dry_run { "WOULD" } else { "CHANGED" };
            hosts[host].transcript.line(at, label, &what);
            if let Some(diff) = &diff {
                hosts[host].transcript.line(at, "", diff);
            }
            let row = EventRow::new("change", &what).label(label);
            insert_event(tx, run, host, &mut hosts[host], at_ms, row)?;
        }
        Event::Unchanged { host, what } => {
            hosts[host].transcript.line(at, "UNCHANGED", &what);
            let row = EventRow::new("unchanged", &what);
            insert_event(tx, run, host, &mut hosts[host], at_ms, row)?;
        }
        Event::Warn { host, message } => {
            hosts[host].transcript.line(at, "WARN", &message);
            insert_event(
                tx,
                run,
                host,
                &mut hosts[host],
                at_ms,
                EventRow::new("warn", &message),
            )?;
        }
        Event::Debug { host, message } => {
            hosts[host].transcript.line(at, "DEBUG", &message);
            insert_event(
                tx,
                run,
                host,
                &mut hosts[host],
                at_ms,
                EventRow::new("debug", &message),
            )?;
        }
        Event::Print { host, text } => hosts[host].transcript.line(at, "", &text),
        // The command's result comes as a `Call` when it is done.
        Event::Command { .. } => {}
        Event::Call { host, call } => {
            let log = &mut hosts[host];
            transcribe(&mut log.transcript, at, &call);
            let row = EventRow::of_call(&call);
            // A call's event is stamped with when it started.
            let start_ms = at_ms - call.duration.as_millis() as i64;
            insert_event(tx, run, host, log, start_ms.max(0), row)?;
        }
        Event::HostDone {
            host,
            outcome,
            changed,
            duration,
        } => {
            let log = &mut hosts[host];
            let secs = duration.as_secs_f64();
            let (state, error, command) = match &outcome {
                HostOutcome::Ok => {
                    let note = format!("done in {secs:.2}s, {changed} changes");
                    log.transcript.line(at, "OK", &note);
                    ("ok", None, None)
                }
                HostOutcome::Failed { message, command } => {
                    log.transcript.line(at, "FAILED", message);
                    let command = command.as_ref().map(|c| {
                        serde_json::json!({
                            "command": c.command,
                            "status": c.status,
                            "stderr_tail": c.stderr_tail,
                        })
                        .to_string()
                    });
                    ("failed", Some(message.clone()), command)
                }
                HostOutcome::Unreachable(why) => {
                    log.transcript.line(at, "UNREACHABLE", why);
                    ("unreachable", Some(why.clone()), None)
                }
            };
            log.done = true;
            tx.prepare_cached(
                "UPDATE hosts SET state = ?3, ended_ms = ?4, changed = ?5, error = ?6,
                     failed_command = ?7 WHERE run_id = ?1 AND idx = ?2",
            )?
            .execute(params![
                run,
                host as i64,
                state,
                wall,
                changed,
                error,
                command
            ])?;
            store_output(tx, run, host, &mut log.transcript)?;
        }
    }
    Ok(())
}

/// The end of the run: hosts that never finished, then the run's outcome.
fn finish(tx: &Transaction, run: i64, hosts: &mut [HostLog], end: RunEnd) -> Result<()> {
    let now = time::now_ms();
    let (state, why) = match end {
        RunEnd::Interrupted => ("interrupted", "the run was interrupted"),
        // Every host reports its end; one that did not hit a bug of ours.
        RunEnd::Ok | RunEnd::Failed => ("failed", "planrun lost track of this host"),
    };
    for (idx, log) in hosts.iter_mut().enumerate().filter(|(_, l)| !l.done) {
        tx.prepare_cached(
            "UPDATE hosts SET state = ?3, ended_ms = ?4, error = ?5 WHERE run_id = ?1 AND idx = ?2",
        )?
        .execute(params![run, idx as i64, state, now, why])?;
        store_output(tx, run, idx, &mut log.transcript)?;
        log.done = true;
    }
    tx.prepare_cached("UPDATE runs SET state = ?2, ended_ms = ?3 WHERE id = ?1")?
        .execute(params![run, end.state(), now])?;
    Ok(())
}

fn store_output(
    tx: &Transaction,
    run: i64,
    host: usize,
    transcript: &mut Transcript,
) -> Result<()> {
    let (blob, size) = transcript.take_compressed()?;
    tx.prepare_cached(
        "UPDATE hosts SET output = ?3, output_bytes = ?4 WHERE run_id = ?1 AND idx = ?2",
    )?
    .execute(params![run, host as i64, blob, size as i64])?;
    Ok(())
}

/// A call in the transcript: `EXEC  cmd  (exit 0, 12ms)` and its output.
fn transcribe(transcript: &mut Transcript, at: Duration, call: &Call) {
    let label = call.kind.name().to_uppercase();
    let ms = call.duration.as_millis() as i64;
    let took = time::format_duration_ms(ms);
    let at = at.saturating_sub(call.duration);
    match &call.result {
        CallResult::Exited {
            status,
            stdout,
            stderr,
        } => {
            let status = match status {
                ExitStatus::Code(code) => format!("exit {code}"),
                ExitStatus::Signal(signal) => format!("signal {signal}"),
            };
            transcript.line(at, &label, &format!("{}  ({status}, {took})", call.subject));
            transcript.output('|', stdout);
            transcript.output('!', stderr);
        }
        CallResult::Changed(changed) => {
            let what = if *changed { "changed" } else { "unchanged" };
            transcript.line(at, &label, &format!("{}  ({what}, {took})", call.subject));
        }
        CallResult::Value(value) => {
            transcript.line(at, &label, &format!("{} = {value}  ({took})", call.subject))
        }
        CallResult::Skipped => {
            transcript.line(at, &label, &format!("{}  (dry run: skipped)", call.subject))
        }
        CallResult::Failed(why) => transcript.line(
            at,
            &label,
            &format!("{}  (failed: {why}, {took})", call.subject),
        ),
    }
}

/// An `events` row.
struct EventRow<'a> {
    kind: &'a str,
    label: Option<&'a str>,
    detail: &'a str,
    exit_code: Option<i32>,
    signal: Option<&'a str>,
    duration_ms: Option<i64>,
    changed: Option<bool>,
    result: Option<&'a str>,
    failed: bool,
}

impl<'a> EventRow<'a> {
    fn new(kind: &'a str, detail: &'a str) -> Self {
        EventRow {
            kind,
            label: None,
            detail,
            exit_code: None,
            signal: None,
            duration_ms: None,
            changed: None,
            result: None,
            failed: false,
        }
    }

    fn label(mut self, label: &'a str) -> Self {
        self.label = Some(label);
        self
    }

    fn of_call(call: &'a Call) -> Self {
        let mut row = EventRow::new(call.kind.name(), &call.subject);
        row.duration_ms = Some(call.duration.as_millis() as i64);
        match &call.result {
            CallResult::Exited { status, .. } => match status {
                ExitStatus::Code(code) => {
                    row.exit_code = Some(*code);
                    // A probe answering "no" with its exit status is no failure.
                    row.failed = *code != 0 && call.kind != CallKind::Probe;
                }
                ExitStatus::Signal(signal) => {
                    row.signal = Some(signal);
                    row.failed = true;
                }
            },
            CallResult::Changed(changed) => row.changed = Some(*changed),
            CallResult::Value(value) => row.result = Some(value),
            CallResult::Skipped => row.result = Some("skipped (dry run)"),
            CallResult::Failed(why) => {
                row.result = Some(why);
                row.failed = true;
            }
        }
        row
    }
}

fn insert_event(
    tx: &Transaction,
    run: i64,
    host: usize,
    log: &mut HostLog,
    at_ms: i64,
    row: EventRow,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO events (run_id, host_idx, seq, at_ms, kind, label, detail, exit_code,
             signal, duration_ms, changed, result, failed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        run,
        host as i64,
        log.seq,
        at_ms,
        row.kind,
        row.label,
        row.detail,
        row.exit_code,
        row.signal,
        row.duration_ms,
        row.changed,
        row.result,
        row.failed,
    ])?;
    log.seq += 1;
    Ok(())
}
