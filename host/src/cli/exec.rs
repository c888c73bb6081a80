//! `planrun exec --hosts SPEC -- CMD…`: an ad-hoc command on every host,
//! output printed per host. It runs the first-party `shell` plan, so it is
//! reported like any plan run.

use std::path::PathBuf;

use anyhow::{Result, bail};
use clap::Args;

use super::args::FleetArgs;
use super::record::RecordArgs;
use super::run_plan::run_on_fleet;
use super::sandbox::SandboxArgs;

#[derive(Args, Debug)]
pub struct ExecArgs {
    #[command(flatten)]
    fleet: FleetArgs,

    #[command(flatten)]
    sandbox: SandboxArgs,

    /// Kill the command on a host after this many seconds.
    #[arg(long, value_name = "SECS")]
    timeout: Option<u64>,

    #[command(flatten)]
    record: RecordArgs,

    /// The command, run by `sh -c` on each host.
    #[arg(last = true, required = true, value_name = "CMD")]
    command: Vec<String>,
}

pub async fn run(args: ExecArgs) -> Result<u8> {
    let shell = find_plugin("shell")?;
    let mut params = vec![("command".to_string(), args.command.join(" "))];
    if let Some(secs) = args.timeout {
        params.push(("timeout".to_string(), secs.to_string()));
    }
    let sandbox = args.sandbox.sandbox();
    run_on_fleet(
        &shell,
        &args.fleet,
        params,
        false,
        None,
        sandbox,
        &args.record,
    )
    .await
}

/// Where first-party plugins live: `$PLANRUN_PLUGINS`, then `plans/` beside
/// the binary's directory (`target/plans` for a cargo build), then the
/// system location.
fn find_plugin(name: &str) -> Result<PathBuf> {
    let file = format!("{name}.wasm");
    let mut places = Vec::new();
    if let Some(dir) = std::env::var_os("PLANRUN_PLUGINS") {
        places.push(PathBuf::from(dir));
    }
    if let Ok(exe) = std::env::current_exe()
        && let Some(bin_dir) = exe.parent()
    {
        places.push(bin_dir.join("plans"));
        if let Some(up) = bin_dir.parent() {
            places.push(up.join("plans"));
        }
    }
    places.push(PathBuf::from("/usr/lib/planrun/plugins"));
    for dir in &places {
        let path = dir.join(&file);
        if path.is_file() {
            return Ok(path);
        }
    }
    let looked: Vec<String> = places.iter().map(|p| p.display().to_string()).collect();
    bail!(
        "the `{name}` plugin ({file}) was not found in {}: build it with `cargo xtask plans` \
         or point PLANRUN_PLUGINS at the directory that has it",
        looked.join(", ")
    )
}
