//! `planrun PLAN.wasm --hosts SPEC`: run a plan on a fleet.

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};

use super::args::{FleetArgs, PlanArgs};
use super::exit;
use crate::assets::Assets;
use crate::report::Summary;
use crate::run::{self, RunSpec};
use crate::sandbox::Sandbox;

pub async fn run(args: PlanArgs) -> Result<u8> {
    let plan_path = args
        .plan
        .ok_or_else(|| anyhow!("no plan given: planrun PLAN.wasm --hosts SPEC"))?;
    let fleet = args
        .fleet
        .ok_or_else(|| anyhow!("--hosts is required: planrun PLAN.wasm --hosts SPEC"))?;
    let assets = match args.assets.or_else(|| default_assets(&plan_path)) {
        Some(dir) => Assets::open(&dir)?,
        None => Assets::none(),
    };
    let sandbox = args.sandbox.sandbox();
    run_on_fleet(
        &plan_path,
        &fleet,
        args.params,
        args.dry_run,
        assets,
        sandbox,
    )
    .await
}

/// Loads the plan, resolves the hosts, runs, prints the summary; the exit code.
pub async fn run_on_fleet(
    plan_path: &Path,
    fleet: &FleetArgs,
    params: Vec<(String, String)>,
    dry_run: bool,
    assets: Assets,
    sandbox: Sandbox,
) -> Result<u8> {
    let ssh = fleet.ssh_options();
    // Everything that can be wrong with the input is found before any host
    // is touched.
    let targets = fleet.targets(&ssh)?;
    let plan = tokio::task::block_in_place(|| crate::plan::load(plan_path, &sandbox.limits))?;
    let summary = run::run(RunSpec {
        plan,
        targets,
        ssh,
        params,
        dry_run,
        assets,
        forks: fleet.forks,
        verbosity: fleet.verbosity(),
        plan_env: sandbox.plan_env,
    })
    .await;
    eprint!("{summary}");
    Ok(exit_code(&summary))
}

pub fn exit_code(summary: &Summary) -> u8 {
    if summary.all_ok() {
        exit::OK
    } else {
        exit::HOST_FAILED
    }
}

/// `deploy.wasm` → `deploy.assets/` beside it, where `cargo xtask plans` puts
/// a plan's assets.
fn default_assets(plan: &Path) -> Option<PathBuf> {
    let dir = plan.with_extension("assets");
    dir.is_dir().then_some(dir)
}
