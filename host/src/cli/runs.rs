//! `planrun runs`: recent runs, newest first, filtered by plan, host or
//! outcome.

use anyhow::Result;
use clap::Args;

use super::record::DbArgs;
use super::show::{hosts_line, took};
use crate::record::{Filter, time};

#[derive(Args, Debug)]
pub struct RunsArgs {
    /// Only runs of this plan (its name, e.g. `deploy`).
    #[arg(long, value_name = "NAME")]
    plan: Option<String>,

    /// Only runs that included this host (a name or a glob such as `web*`).
    #[arg(long, value_name = "HOST")]
    host: Option<String>,

    /// Only runs that ended this way.
    #[arg(long, value_parser = ["ok", "failed", "interrupted", "crashed", "running"])]
    outcome: Option<String>,

    /// At most this many runs.
    #[arg(long, short = 'n', default_value_t = 20, value_name = "N")]
    limit: usize,

    #[command(flatten)]
    db: DbArgs,
}

pub async fn run(args: RunsArgs) -> Result<u8> {
    let path = args.db.path()?;
    if !path.exists() {
        eprintln!("no run has been recorded in {} yet", path.display());
        return Ok(super::exit::OK);
    }
    let db = crate::record::Record::open(&path)?;
    let runs = db.runs(&Filter {
        plan: args.plan,
        host: args.host,
        outcome: args.outcome,
        limit: args.limit,
    })?;
    if runs.is_empty() {
        eprintln!("no runs match in {}", db.path().display());
        return Ok(super::exit::OK);
    }
    let plan_width = runs
        .iter()
        .map(|r| r.plan_name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    println!(
        "{:>5}  {:<20}  {:>7}  {:<11}  {:<plan_width$}  HOSTS",
        "RUN", "STARTED", "TOOK", "OUTCOME", "PLAN"
    );
    for run in &runs {
        println!(
            "{:>5}  {:<20}  {:>7}  {:<11}  {:<plan_width$}  {}",
            run.id,
            time::format_utc(run.started_ms),
            took(run.started_ms, run.ended_ms),
            run.state,
            super::show::printable(&run.plan_name),
            hosts_line(run)
        );
    }
    Ok(super::exit::OK)
}
