//! The run record's schema and its migrations.
//!
//! The schema version is SQLite's `user_version`. Each migration takes the
//! database from version `i` to `i + 1` and runs in one transaction, so a
//! database is always at exactly one version. Migrations are only ever
//! appended: a released one never changes.

use anyhow::{Context, Result, bail};
use rusqlite::{Connection, TransactionBehavior};

/// Migration `i` takes the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: runs, their hosts, each host's events and output.
    r#"
    CREATE TABLE runs (
        id           INTEGER PRIMARY KEY,
        -- running, ok, failed, interrupted, crashed
        state        TEXT NOT NULL,
        started_ms   INTEGER NOT NULL,          -- unix time
        ended_ms     INTEGER,
        -- who ran it, where, how: a running run whose process is gone crashed
        user         TEXT NOT NULL,
        controller   TEXT NOT NULL,
        pid          INTEGER NOT NULL,
        process      TEXT NOT NULL,             -- boot id and start time of pid
        args         TEXT NOT NULL,             -- JSON array: the command line
        plan_name    TEXT NOT NULL,
        plan_version TEXT,
        plan_sha256  TEXT NOT NULL,
        plan_path    TEXT NOT NULL,
        params       TEXT NOT NULL,             -- JSON array of [name, value]
        policy       TEXT NOT NULL,             -- JSON object: forks, dry_run, assets
        host_count   INTEGER NOT NULL,
        retry_of     INTEGER REFERENCES runs(id) ON DELETE SET NULL
    );
    CREATE INDEX runs_started ON runs(started_ms);
    CREATE INDEX runs_plan ON runs(plan_name, started_ms);

    CREATE TABLE hosts (
        run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        idx          INTEGER NOT NULL,          -- position in the run
        name         TEXT NOT NULL,
        address      TEXT NOT NULL,
        -- pending, connecting, running, ok, failed, unreachable, interrupted, crashed
        state        TEXT NOT NULL,
        started_ms   INTEGER,
        connected_ms INTEGER,
        ended_ms     INTEGER,
        changed      INTEGER NOT NULL DEFAULT 0,
        error        TEXT,
        failed_command TEXT,                    -- JSON: command, status, stderr tail
        output       BLOB,                      -- zstd-compressed transcript
        output_bytes INTEGER NOT NULL DEFAULT 0, -- its size uncompressed
        PRIMARY KEY (run_id, idx)
    ) WITHOUT ROWID;
    CREATE INDEX hosts_name ON hosts(name, run_id);

    CREATE TABLE events (
        run_id       INTEGER NOT NULL,
        host_idx     INTEGER NOT NULL,
        seq          INTEGER NOT NULL,
        at_ms        INTEGER NOT NULL,          -- since the run started
        -- step, warn, debug, exec, probe, copy, write, read, fact, barrier
        kind         TEXT NOT NULL,
        label        TEXT,                      -- a step's label
        detail       TEXT NOT NULL,             -- message, command, path, name
        exit_code    INTEGER,
        signal       TEXT,
        duration_ms  INTEGER,
        changed      INTEGER,                   -- 0/1 for copy and write
        result       TEXT,                      -- a value, or why it failed
        failed       INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (run_id, host_idx, seq),
        FOREIGN KEY (run_id, host_idx) REFERENCES hosts(run_id, idx) ON DELETE CASCADE
    ) WITHOUT ROWID;
    "#,
];

/// The version this planrun writes.
pub const VERSION: u32 = MIGRATIONS.len() as u32;

/// Brings the schema up to [`VERSION`]; refuses a newer database.
pub fn migrate(conn: &mut Connection) -> Result<()> {
    // The common case, without taking the write lock: already up to date.
    let current: u32 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if current == VERSION {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .context("cannot lock it to check its schema")?;
    let current: u32 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if current > VERSION {
        bail!(
            "its schema version is {current}, newer than this planrun's ({VERSION}): \
             use a newer planrun, or another database (--record-db)"
        );
    }
    for (from, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(sql)
            .with_context(|| format!("cannot migrate its schema to version {}", from + 1))?;
    }
    if current < VERSION {
        tx.pragma_update(None, "user_version", VERSION)?;
    }
    tx.commit().context("cannot commit its schema")?;
    Ok(())
}
