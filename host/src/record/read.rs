//! Reading the run record: recent runs, a run's hosts, a host's events and
//! output, a host's history; and gc. What `runs`, `show` and `serve` use.
//!
//! Opening the record also settles runs whose planrun died: a run still
//! `running` whose process is gone (on this controller) is marked crashed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};

use super::transcript;
use super::writer::{Policy, controller_name};
use super::{db, process, time};

/// Host states of a host that has not ended.
const UNFINISHED: &str = "('pending', 'connecting', 'running')";

/// A run as listed.
#[derive(Debug, Clone)]
pub struct RunRow {
    pub id: i64,
    /// running, ok, failed, interrupted, crashed
    pub state: String,
    pub started_ms: i64,
    pub ended_ms: Option<i64>,
    pub user: String,
    pub controller: String,
    pub args: Vec<String>,
    pub plan_name: String,
    pub plan_version: Option<String>,
    pub plan_sha256: String,
    pub plan_path: PathBuf,
    pub params: Vec<(String, String)>,
    pub policy: Policy,
    pub host_count: i64,
    pub retry_of: Option<i64>,
    pub tally: Tally,
}

/// How a run's hosts stand.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub ok: i64,
    pub failed: i64,
    pub unreachable: i64,
    /// Not ended yet (pending, connecting, running).
    pub running: i64,
    pub interrupted: i64,
    pub crashed: i64,
    pub changed: i64,
}

#[derive(Debug, Clone)]
pub struct HostRow {
    pub idx: i64,
    pub name: String,
    pub address: String,
    /// pending, connecting, running, ok, failed, unreachable, interrupted, crashed
    pub state: String,
    pub started_ms: Option<i64>,
    pub connected_ms: Option<i64>,
    pub ended_ms: Option<i64>,
    pub changed: i64,
    pub error: Option<String>,
    pub output_bytes: i64,
}

impl HostRow {
    /// Whether this host is still at work (its run may still be running).
    pub fn is_live(&self) -> bool {
        matches!(self.state.as_str(), "pending" | "connecting" | "running")
    }
}

#[derive(Debug, Clone)]
pub struct EventRow {
    pub seq: i64,
    /// Since the run started.
    pub at_ms: i64,
    pub kind: String,
    pub label: Option<String>,
    pub detail: String,
    pub exit_code: Option<i64>,
    pub signal: Option<String>,
    pub duration_ms: Option<i64>,
    pub changed: Option<bool>,
    pub result: Option<String>,
    pub failed: bool,
}

/// Which runs to list; unset fields match everything.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub plan: Option<String>,
    /// A host name or glob (`web*`) that took part.
    pub host: Option<String>,
    /// The run's state (ok, failed, interrupted, crashed, running).
    pub outcome: Option<String>,
    pub limit: usize,
}

/// What gc removed.
#[derive(Debug, Clone)]
pub struct GcReport {
    pub runs: usize,
    pub bytes_before: u64,
    pub bytes_after: u64,
}

/// An open run record, for reading.
pub struct Record {
    conn: Connection,
    path: PathBuf,
}

impl Record {
    /// Opens an existing record and marks runs whose planrun died as crashed.
    pub fn open(path: &Path) -> Result<Record> {
        let conn = db::open(path)?;
        let record = Record {
            conn,
            path: path.to_path_buf(),
        };
        record
            .settle_crashed()
            .with_context(|| format!("cannot update the run record {}", path.display()))?;
        Ok(record)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Marks `running` runs of this controller whose process is gone as
    /// crashed, and their unfinished hosts with them.
    fn settle_crashed(&self) -> Result<()> {
        let running: Vec<(i64, u32, String)> = self
            .conn
            .prepare(
                "SELECT id, pid, process FROM runs WHERE state = 'running' AND controller = ?1",
            )?
            .query_map([controller_name()], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        for (id, pid, token) in running {
            if process::alive(pid, &token) {
                continue;
            }
            let tx = self.conn.unchecked_transaction()?;
            // It ended when it was last heard of.
            tx.execute(
                "UPDATE runs SET state = 'crashed', ended_ms = MAX(
                     started_ms + COALESCE((SELECT MAX(at_ms) FROM events WHERE run_id = ?1), 0),
                     COALESCE((SELECT MAX(MAX(COALESCE(ended_ms, 0), COALESCE(connected_ms, 0)))
                               FROM hosts WHERE run_id = ?1), 0))
                 WHERE id = ?1 AND state = 'running'",
                [id],
            )?;
            tx.execute(
                &format!(
                    "UPDATE hosts SET state = 'crashed', error = 'planrun stopped before this host finished'
                     WHERE run_id = ?1 AND state IN {UNFINISHED}"
                ),
                [id],
            )?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Recent runs, newest first.
    pub fn runs(&self, filter: &Filter) -> Result<Vec<RunRow>> {
        let mut conditions = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        if let Some(plan) = &filter.plan {
            values.push(Value::Text(plan.clone()));
            conditions.push(format!("r.plan_name = ?{}", values.len()));
        }
        if let Some(outcome) = &filter.outcome {
            values.push(Value::Text(outcome.clone()));
            conditions.push(format!("r.state = ?{}", values.len()));
        }
        if let Some(host) = &filter.host {
            values.push(Value::Text(host.clone()));
            conditions.push(format!(
                "r.id IN (SELECT run_id FROM hosts WHERE name GLOB ?{})",
                values.len()
            ));
        }
        let filter_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        values.push(Value::Integer(filter.limit.max(1) as i64));
        let sql = format!(
            "{RUN_SELECT} {filter_sql} GROUP BY r.id ORDER BY r.id DESC LIMIT ?{}",
            values.len()
        );
        let rows = self
            .conn
            .prepare(&sql)?
            .query_map(params_from_iter(values), run_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    pub fn run(&self, id: i64) -> Result<Option<RunRow>> {
        let sql = format!("{RUN_SELECT} WHERE r.id = ?1 GROUP BY r.id");
        Ok(self.conn.query_row(&sql, [id], run_row).optional()?)
    }

    /// The newest run's id.
    pub fn latest(&self) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row("SELECT MAX(id) FROM runs", [], |r| r.get(0))?)
    }

    /// A run's hosts, in run order.
    pub fn hosts(&self, run: i64) -> Result<Vec<HostRow>> {
        let sql = format!("{HOST_SELECT} WHERE run_id = ?1 ORDER BY idx");
        let rows = self
            .conn
            .prepare(&sql)?
            .query_map([run], host_row)?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    pub fn host(&self, run: i64, name: &str) -> Result<Option<HostRow>> {
        let sql = format!("{HOST_SELECT} WHERE run_id = ?1 AND name = ?2");
        Ok(self
            .conn
            .query_row(&sql, params![run, name], host_row)
            .optional()?)
    }

    /// A host's events, in order.
    pub fn events(&self, run: i64, host: i64) -> Result<Vec<EventRow>> {
        let rows = self
            .conn
            .prepare(
                "SELECT seq, at_ms, kind, label, detail, exit_code, signal, duration_ms, changed,
                        result, failed
                 FROM events WHERE run_id = ?1 AND host_idx = ?2 ORDER BY seq",
            )?
            .query_map([run, host], |r| {
                Ok(EventRow {
                    seq: r.get(0)?,
                    at_ms: r.get(1)?,
                    kind: r.get(2)?,
                    label: r.get(3)?,
                    detail: r.get(4)?,
                    exit_code: r.get(5)?,
                    signal: r.get(6)?,
                    duration_ms: r.get(7)?,
                    changed: r.get(8)?,
                    result: r.get(9)?,
                    failed: r.get(10)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// A host's output as stored so far (none before its first flush).
    pub fn output(&self, run: i64, host: i64) -> Result<Option<String>> {
        let stored: Option<(Option<Vec<u8>>, i64)> = self
            .conn
            .query_row(
                "SELECT output, output_bytes FROM hosts WHERE run_id = ?1 AND idx = ?2",
                [run, host],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match stored {
            Some((Some(blob), size)) => Ok(Some(transcript::decompress(&blob, size as usize)?)),
            _ => Ok(None),
        }
    }

    /// The runs a host took part in, newest first, with how it did in each.
    pub fn host_history(&self, name: &str, limit: usize) -> Result<Vec<(RunRow, HostRow)>> {
        let ids: Vec<i64> = self
            .conn
            .prepare("SELECT run_id FROM hosts WHERE name = ?1 ORDER BY run_id DESC LIMIT ?2")?
            .query_map(params![name, limit as i64], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut history = Vec::new();
        for id in ids {
            if let (Some(run), Some(host)) = (self.run(id)?, self.host(id, name)?) {
                history.push((run, host));
            }
        }
        Ok(history)
    }

    /// Removes runs that ended more than `age` ago, then hands the space back.
    pub fn gc(&self, age: Duration) -> Result<GcReport> {
        let bytes_before = self.size();
        let cutoff = time::now_ms() - age.as_millis() as i64;
        let runs = self.conn.execute(
            "DELETE FROM runs WHERE state != 'running' AND COALESCE(ended_ms, started_ms) < ?1",
            [cutoff],
        )?;
        // Freed pages go back to the file system (auto_vacuum=INCREMENTAL),
        // and the WAL is folded in and truncated.
        self.conn.execute_batch("PRAGMA incremental_vacuum;")?;
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(GcReport {
            runs,
            bytes_before,
            bytes_after: self.size(),
        })
    }

    /// The database's bytes on disk, WAL included.
    pub fn size(&self) -> u64 {
        let file = |suffix: &str| {
            let mut name = self.path.as_os_str().to_owned();
            name.push(suffix);
            std::fs::metadata(PathBuf::from(name)).map_or(0, |m| m.len())
        };
        file("") + file("-wal")
    }
}

const RUN_SELECT: &str = "
    SELECT r.id, r.state, r.started_ms, r.ended_ms, r.user, r.controller, r.args, r.plan_name,
           r.plan_version, r.plan_sha256, r.plan_path, r.params, r.policy, r.host_count,
           r.retry_of,
           COALESCE(SUM(h.state = 'ok'), 0), COALESCE(SUM(h.state = 'failed'), 0),
           COALESCE(SUM(h.state = 'unreachable'), 0),
           COALESCE(SUM(h.state IN ('pending', 'connecting', 'running')), 0),
           COALESCE(SUM(h.state = 'interrupted'), 0), COALESCE(SUM(h.state = 'crashed'), 0),
           COALESCE(SUM(h.changed), 0)
    FROM runs r LEFT JOIN hosts h ON h.run_id = r.id";

fn run_row(r: &Row) -> rusqlite::Result<RunRow> {
    let json = |i: usize| -> rusqlite::Result<String> { r.get(i) };
    Ok(RunRow {
        id: r.get(0)?,
        state: r.get(1)?,
        started_ms: r.get(2)?,
        ended_ms: r.get(3)?,
        user: r.get(4)?,
        controller: r.get(5)?,
        args: serde_json::from_str(&json(6)?).unwrap_or_default(),
        plan_name: r.get(7)?,
        plan_version: r.get(8)?,
        plan_sha256: r.get(9)?,
        plan_path: PathBuf::from(r.get::<_, String>(10)?),
        params: serde_json::from_str(&json(11)?).unwrap_or_default(),
        policy: serde_json::from_str(&json(12)?).unwrap_or_default(),
        host_count: r.get(13)?,
        retry_of: r.get(14)?,
        tally: Tally {
            ok: r.get(15)?,
            failed: r.get(16)?,
            unreachable: r.get(17)?,
            running: r.get(18)?,
            interrupted: r.get(19)?,
            crashed: r.get(20)?,
            changed: r.get(21)?,
        },
    })
}

const HOST_SELECT: &str = "
    SELECT idx, name, address, state, started_ms, connected_ms, ended_ms, changed, error,
           output_bytes
    FROM hosts";

fn host_row(r: &Row) -> rusqlite::Result<HostRow> {
    Ok(HostRow {
        idx: r.get(0)?,
        name: r.get(1)?,
        address: r.get(2)?,
        state: r.get(3)?,
        started_ms: r.get(4)?,
        connected_ms: r.get(5)?,
        ended_ms: r.get(6)?,
        changed: r.get(7)?,
        error: r.get(8)?,
        output_bytes: r.get(9)?,
    })
}
