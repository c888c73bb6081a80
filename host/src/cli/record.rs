//! Where the run record is (`--record-db`, `PLANRUN_RECORD_DB`), whether a
//! run is recorded (`--no-record`), and starting the recorder for a run.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use crate::record::{self, Policy, Record, Recorder, RunMeta};

/// The run record database, for the commands that read it.
#[derive(Args, Debug, Clone, Default)]
pub struct DbArgs {
    /// The run record [default: $XDG_STATE_HOME/planrun/runs.db, else
    /// ~/.local/state/planrun/runs.db].
    #[arg(long, env = "PLANRUN_RECORD_DB", value_name = "FILE")]
    pub record_db: Option<PathBuf>,
}

impl DbArgs {
    pub fn path(&self) -> Result<PathBuf> {
        match &self.record_db {
            Some(path) => Ok(path.clone()),
            None => record::default_path(),
        }
    }

    /// Opens the record for reading.
    pub fn open(&self) -> Result<Record> {
        Record::open(&self.path()?)
    }
}

/// The run record, for the commands that run something.
#[derive(Args, Debug, Clone, Default)]
pub struct RecordArgs {
    #[command(flatten)]
    pub db: DbArgs,

    /// Do not record this run.
    #[arg(long)]
    pub no_record: bool,
}

impl RecordArgs {
    /// Starts recording the run, unless asked not to. A record that cannot
    /// be opened never stops a run: it says so and the run goes on.
    pub fn start(&self, meta: &RunMeta) -> Option<Recorder> {
        if self.no_record {
            return None;
        }
        let started = self
            .db
            .path()
            .and_then(|path| tokio::task::block_in_place(|| Recorder::start(&path, meta)));
        match started {
            Ok(recorder) => Some(recorder),
            Err(e) => {
                eprintln!(
                    "planrun: warning: {e:#}; the run goes on unrecorded (--no-record skips recording)"
                );
                None
            }
        }
    }
}

/// What the record says about a run before it starts.
pub fn run_meta(
    plan_path: &Path,
    sha256: &str,
    params: &[(String, String)],
    policy: Policy,
    hosts: Vec<(String, String)>,
    retry_of: Option<i64>,
) -> RunMeta {
    RunMeta {
        args: std::env::args().collect(),
        // Until plans carry their own name and version, a plan is known by
        // its file name.
        plan_name: plan_path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| plan_path.display().to_string()),
        plan_version: None,
        plan_sha256: sha256.to_string(),
        plan_path: absolute(plan_path),
        params: params.to_vec(),
        policy,
        hosts,
        retry_of,
    }
}

pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
