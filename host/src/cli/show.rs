//! `planrun show RUN [--host H]`: a recorded run, its hosts and how each
//! ended; with `--host`, that host's output as it was recorded.

use std::borrow::Cow;

use anyhow::{Result, anyhow, bail};
use clap::Args;

use super::record::DbArgs;
use crate::record::{Record, RunRow, time};

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The run's number (as `planrun runs` lists it), or `last`.
    #[arg(value_name = "RUN")]
    run: String,

    /// Show this host's events and output.
    #[arg(long, value_name = "HOST")]
    host: Option<String>,

    #[command(flatten)]
    db: DbArgs,
}

pub async fn run(args: ShowArgs) -> Result<u8> {
    let db = args.db.open()?;
    let id = run_id(&db, &args.run)?;
    let run = db
        .run(id)?
        .ok_or_else(|| anyhow!("there is no run {id} in {}", db.path().display()))?;
    match &args.host {
        Some(name) => show_host(&db, &run, name)?,
        None => show_run(&db, &run)?,
    }
    Ok(super::exit::OK)
}

/// `12` or `last` to a run id.
pub fn run_id(db: &Record, text: &str) -> Result<i64> {
    if text == "last" {
        return db
            .latest()?
            .ok_or_else(|| anyhow!("no run is recorded in {}", db.path().display()));
    }
    match text.trim_start_matches('#').parse::<i64>() {
        Ok(id) if id > 0 => Ok(id),
        _ => bail!("`{text}` is not a run: give its number (see `planrun runs`) or `last`"),
    }
}

fn show_run(db: &Record, run: &RunRow) -> Result<()> {
    let retry = run
        .retry_of
        .map(|id| format!("  (retry of run {id})"))
        .unwrap_or_default();
    println!("run {}  {}{retry}", run.id, run.state);
    let version = run
        .plan_version
        .as_deref()
        .map(|v| format!(" {v}"))
        .unwrap_or_default();
    println!(
        "  plan      {}{version}  sha256 {}  {}",
        printable(&run.plan_name),
        run.plan_sha256,
        printable(&run.plan_path.display().to_string())
    );
    if !run.params.is_empty() {
        let params: Vec<String> = run.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        println!("  params    {}", printable(&params.join(" ")));
    }
    println!(
        "  started   {} by {} on {}, took {}",
        time::format_utc(run.started_ms),
        printable(&run.user),
        printable(&run.controller),
        took(run.started_ms, run.ended_ms)
    );
    println!("  command   {}", printable(&run.args.join(" ")));
    println!(
        "  hosts     {}; {} changes",
        hosts_line(run),
        run.tally.changed
    );
    let hosts = db.hosts(run.id)?;
    let width = hosts.iter().map(|h| h.name.len()).max().unwrap_or(4).max(4);
    println!();
    println!(
        "{:<width$}  {:<11}  {:>7}  {:>7}  ERROR",
        "HOST", "STATE", "TOOK", "CHANGES"
    );
    for host in &hosts {
        let error = host
            .error
            .as_deref()
            .and_then(|e| e.lines().next())
            .unwrap_or("");
        println!(
            "{:<width$}  {:<11}  {:>7}  {:>7}  {}",
            printable(&host.name),
            host.state,
            host.started_ms
                .map_or("-".to_string(), |s| took(s, host.ended_ms)),
            host.changed,
            printable(error)
        );
    }
    if hosts.iter().any(|h| h.state != "ok") {
        println!();
        println!("a host's output: planrun show {} --host HOST", run.id);
    }
    Ok(())
}

fn show_host(db: &Record, run: &RunRow, name: &str) -> Result<()> {
    let host = db.host(run.id, name)?.ok_or_else(|| {
        anyhow!(
            "run {} has no host `{name}` (it ran on {} hosts: see `planrun show {}`)",
            run.id,
            run.host_count,
            run.id
        )
    })?;
    println!(
        "{} in run {} ({}): {}",
        printable(&host.name),
        run.id,
        printable(&run.plan_name),
        host.state
    );
    if let Some(started) = host.started_ms {
        println!(
            "  started   {}, took {}; {} changes",
            time::format_utc(started),
            took(started, host.ended_ms),
            host.changed
        );
    }
    if let Some(error) = &host.error {
        println!("  error     {}", printable(error));
    }
    println!();
    match db.output(run.id, host.idx)? {
        Some(output) => print!("{}", printable(&output)),
        None => println!("(no output recorded)"),
    }
    Ok(())
}

/// `4 hosts: 3 ok, 1 unreachable`, leaving out the zero counts.
pub fn hosts_line(run: &RunRow) -> String {
    let t = &run.tally;
    let parts: Vec<String> = [
        (t.ok, "ok"),
        (t.failed, "failed"),
        (t.unreachable, "unreachable"),
        (t.running, "running"),
        (t.interrupted, "interrupted"),
        (t.crashed, "crashed"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    format!("{}: {}", run.host_count, parts.join(", "))
}

/// How long from `start` to `end`, or `running` if it has not ended.
pub fn took(start: i64, end: Option<i64>) -> String {
    end.map_or("running".to_string(), |end| {
        time::format_duration_ms(end - start)
    })
}

/// Recorded text is the plans' and the hosts' output, so it is untrusted:
/// control characters (terminal escapes) are shown, not sent.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\n' | '\t' => c.to_string(),
                c if c.is_control() => c.escape_unicode().to_string(),
                c => c.to_string(),
            })
            .collect(),
    )
}
