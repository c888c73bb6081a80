//! `planrun PLAN.wasm --hosts SPEC`: run a plan on a fleet.

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow};

use super::args::{FleetArgs, PlanArgs};
use super::exit;
use super::record::{RecordArgs, absolute, run_meta};
use crate::assets::Assets;
use crate::plan::LoadedPlan;
use crate::record::{Policy, RunEnd};
use crate::report::Summary;
use crate::run::{self, RunSpec};
use crate::sandbox::Sandbox;
use crate::transport::{HostConfig, SshOptions};

pub async fn run(args: PlanArgs) -> Result<u8> {
    if let Some(id) = &args.retry_failed {
        let sandbox = args.sandbox.sandbox();
        return super::retry::run(id, args.fleet.unwrap_or_default(), sandbox, &args.record).await;
    }
    let plan_path = args
        .plan
        .ok_or_else(|| anyhow!("no plan given: planrun PLAN.wasm --hosts SPEC"))?;
    let fleet = args
        .fleet
        .ok_or_else(|| anyhow!("--hosts is required: planrun PLAN.wasm --hosts SPEC"))?;
    let assets_dir = args.assets.or_else(|| default_assets(&plan_path));
    let sandbox = args.sandbox.sandbox();
    run_on_fleet(
        &plan_path,
        &fleet,
        args.params,
        args.dry_run,
        assets_dir,
        sandbox,
        &args.record,
    )
    .await
}

/// Loads the plan, resolves the hosts, runs, prints the summary; the exit code.
pub async fn run_on_fleet(
    plan_path: &Path,
    fleet: &FleetArgs,
    params: Vec<(String, String)>,
    dry_run: bool,
    assets_dir: Option<PathBuf>,
    sandbox: Sandbox,
    record: &RecordArgs,
) -> Result<u8> {
    let ssh = fleet.ssh_options();
    // Everything that can be wrong with the input is found before any host
    // is touched.
    let targets = fleet.targets(&ssh)?;
    let plan = tokio::task::block_in_place(|| crate::plan::load(plan_path, &sandbox.limits))?;
    launch(Launch {
        plan_path,
        plan,
        fleet,
        ssh,
        targets,
        params,
        dry_run,
        assets_dir,
        plan_env: sandbox.plan_env,
        record,
        retry_of: None,
    })
    .await
}

/// A run with everything decided: what, where, how, and how it is recorded.
pub struct Launch<'a> {
    pub plan_path: &'a Path,
    pub plan: LoadedPlan,
    pub fleet: &'a FleetArgs,
    pub ssh: SshOptions,
    pub targets: Vec<HostConfig>,
    pub params: Vec<(String, String)>,
    pub dry_run: bool,
    pub assets_dir: Option<PathBuf>,
    /// `--plan-env`: the only environment variables plans see.
    pub plan_env: Vec<(String, String)>,
    pub record: &'a RecordArgs,
    pub retry_of: Option<i64>,
}

/// Runs it, recording it; prints the summary; the exit code.
pub async fn launch(launch: Launch<'_>) -> Result<u8> {
    let assets = match &launch.assets_dir {
        Some(dir) => Assets::open(dir)?,
        None => Assets::none(),
    };
    let policy = Policy {
        hosts: launch.fleet.hosts.clone().unwrap_or_default(),
        forks: launch.fleet.forks,
        dry_run: launch.dry_run,
        assets: launch.assets_dir.as_deref().map(absolute),
    };
    let hosts = launch
        .targets
        .iter()
        .map(|t| (t.alias.clone(), t.hostname.clone()))
        .collect();
    let meta = run_meta(
        launch.plan_path,
        &launch.plan.sha256,
        &launch.params,
        policy,
        hosts,
        launch.retry_of,
    );
    let recorder = launch.record.start(&meta);
    let summary = run::run(RunSpec {
        plan: launch.plan,
        targets: launch.targets,
        ssh: launch.ssh,
        params: launch.params,
        dry_run: launch.dry_run,
        assets,
        forks: launch.fleet.forks,
        verbosity: launch.fleet.verbosity(),
        plan_env: launch.plan_env,
        record: recorder.as_ref().map(|r| r.sink()),
    })
    .await;
    eprint!("{summary}");
    if let Some(recorder) = recorder {
        let id = recorder.id();
        recorder.finish(run_end(&summary));
        eprintln!("recorded as run {id}: planrun show {id}");
    }
    Ok(exit_code(&summary))
}

fn run_end(summary: &Summary) -> RunEnd {
    if summary.interrupted {
        RunEnd::Interrupted
    } else if summary.all_ok() {
        RunEnd::Ok
    } else {
        RunEnd::Failed
    }
}

pub fn exit_code(summary: &Summary) -> u8 {
    if summary.interrupted {
        exit::INTERRUPTED
    } else if summary.all_ok() {
        exit::OK
    } else {
        exit::HOST_FAILED
    }
}

/// `deploy.wasm` → `deploy.assets/` beside it, where `cargo xtask plans` puts
/// a plan's assets.
pub fn default_assets(plan: &Path) -> Option<PathBuf> {
    let dir = plan.with_extension("assets");
    dir.is_dir().then_some(dir)
}
