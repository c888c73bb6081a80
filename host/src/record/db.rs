//! Where the run record lives and how a connection to it is opened.

use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use rusqlite::{Connection, OpenFlags};

use super::schema;

/// How long a writer waits for another process's transaction (a `gc`, a
/// reader marking crashed runs) before giving up on a batch.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// `$XDG_STATE_HOME/planrun/runs.db`, else `~/.local/state/planrun/runs.db`.
pub fn default_path() -> Result<PathBuf> {
    // The XDG spec: a relative XDG_STATE_HOME is invalid and ignored.
    if let Some(dir) = std::env::var_os("XDG_STATE_HOME").map(PathBuf::from)
        && dir.is_absolute()
    {
        return Ok(dir.join("planrun").join("runs.db"));
    }
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .ok_or_else(|| {
            anyhow!("neither XDG_STATE_HOME nor HOME is set: name the run record with --record-db")
        })?;
    Ok(PathBuf::from(home)
        .join(".local")
        .join("state")
        .join("planrun")
        .join("runs.db"))
}

/// Opens the database for recording, creating it (and its directory) if
/// needed, with the schema up to date.
pub fn create(path: &Path) -> Result<Connection> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the directory {}", dir.display()))?;
    }
    // The record holds commands, parameters and output: the user's alone.
    // (SQLite gives its -wal and -shm files the database file's mode.)
    let created = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
    match created {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e).with_context(|| format!("cannot create {}", path.display())),
    }
    open_with(path, OpenFlags::default())
}

/// Opens an existing database; an error naming the path if there is none.
pub fn open(path: &Path) -> Result<Connection> {
    if !path.exists() {
        bail!(
            "no run has been recorded in {} yet (it does not exist)",
            path.display()
        );
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    open_with(path, flags)
}

fn open_with(path: &Path, flags: OpenFlags) -> Result<Connection> {
    let context = || format!("cannot open the run record {}", path.display());
    let mut conn = Connection::open_with_flags(path, flags).with_context(context)?;
    configure(&conn).with_context(context)?;
    schema::migrate(&mut conn).with_context(context)?;
    Ok(conn)
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Only takes effect on a new, empty database: gc can then hand freed
    // pages back to the file system without a full VACUUM.
    conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")?;
    // WAL: readers (planrun serve, runs) never block the writer, and a
    // killed writer leaves the last committed batch intact.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // In WAL mode NORMAL stays consistent after a crash; only the last
    // batches may be lost if the machine itself goes down.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}
