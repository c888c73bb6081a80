//! `planrun gc --older-than 30d`: remove runs that ended longer ago than
//! that, and give their space back.

use anyhow::Result;
use clap::Args;

use super::record::DbArgs;
use crate::record::time;

#[derive(Args, Debug)]
pub struct GcArgs {
    /// Remove runs that ended more than this long ago: e.g. 30d, 12h, 2w.
    #[arg(long, value_name = "AGE", value_parser = parse_age)]
    older_than: std::time::Duration,

    #[command(flatten)]
    db: DbArgs,
}

fn parse_age(text: &str) -> Result<std::time::Duration, String> {
    time::parse_age(text).map_err(|e| e.to_string())
}

pub async fn run(args: GcArgs) -> Result<u8> {
    let db = args.db.open()?;
    let report = tokio::task::block_in_place(|| db.gc(args.older_than))?;
    println!(
        "removed {} run{} from {}; {} → {}",
        report.runs,
        if report.runs == 1 { "" } else { "s" },
        db.path().display(),
        bytes(report.bytes_before),
        bytes(report.bytes_after)
    );
    Ok(super::exit::OK)
}

fn bytes(n: u64) -> String {
    match n {
        0..1024 => format!("{n} B"),
        1024..1_048_576 => format!("{:.1} KiB", n as f64 / 1024.0),
        _ => format!("{:.1} MiB", n as f64 / 1_048_576.0),
    }
}
