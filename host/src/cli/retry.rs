//! `planrun --retry-failed RUN`: run a recorded run's plan again, with the
//! same parameters, on the hosts where it did not end ok (failed,
//! unreachable, interrupted, crashed). The plan file must still be the one
//! that ran: same sha256, or nothing runs.

use anyhow::{Context, Result, anyhow, bail};

use super::args::FleetArgs;
use super::record::RecordArgs;
use super::run_plan::{Launch, launch};
use super::show::run_id;
use crate::record::RunRow;
use crate::sandbox::Sandbox;

pub async fn run(id: &str, fleet: FleetArgs, sandbox: Sandbox, record: &RecordArgs) -> Result<u8> {
    let db = record.db.open()?;
    let id = run_id(&db, id)?;
    let earlier = db
        .run(id)?
        .ok_or_else(|| anyhow!("there is no run {id} in {}", db.path().display()))?;
    if earlier.state == "running" {
        bail!("run {id} is still running: retry it when it has ended");
    }
    let hosts: Vec<String> = db
        .hosts(id)?
        .into_iter()
        .filter(|h| h.state != "ok")
        .map(|h| h.name)
        .collect();
    drop(db);
    if hosts.is_empty() {
        eprintln!("run {id} ended ok on every host: nothing to retry");
        return Ok(super::exit::OK);
    }
    let plan = load_same_plan(&earlier, &sandbox)?;
    eprintln!(
        "retrying run {id} ({}, sha256 {}) on {} host{}: {}",
        earlier.plan_name,
        short(&earlier.plan_sha256),
        hosts.len(),
        if hosts.len() == 1 { "" } else { "s" },
        crate::hostspec::fold(&hosts.iter().map(String::as_str).collect::<Vec<_>>())
    );
    let ssh = fleet.ssh_options();
    let targets = fleet.resolve(&ssh, &hosts)?;
    let fleet = FleetArgs {
        hosts: Some(hosts.join(",")),
        ..fleet
    };
    let assets_dir = earlier.policy.assets.clone();
    if let Some(dir) = &assets_dir
        && !dir.is_dir()
    {
        bail!(
            "run {id} used the asset directory {}, which is gone",
            dir.display()
        );
    }
    launch(Launch {
        plan_path: &earlier.plan_path,
        plan,
        fleet: &fleet,
        ssh,
        targets,
        params: earlier.params.clone(),
        dry_run: earlier.policy.dry_run,
        assets_dir,
        plan_env: sandbox.plan_env,
        record,
        retry_of: Some(id),
    })
    .await
}

/// The recorded plan file, if it still has the digest that ran.
fn load_same_plan(earlier: &RunRow, sandbox: &Sandbox) -> Result<crate::plan::LoadedPlan> {
    let path = &earlier.plan_path;
    let plan = tokio::task::block_in_place(|| crate::plan::load(path, &sandbox.limits))
        .with_context(|| format!("cannot retry run {}", earlier.id))?;
    if plan.sha256 != earlier.plan_sha256 {
        bail!(
            "cannot retry run {}: the plan file {} has changed since (sha256 {} now, {} then); \
             restore that plan, or run the new one with `planrun {} --hosts …`",
            earlier.id,
            path.display(),
            short(&plan.sha256),
            short(&earlier.plan_sha256),
            path.display()
        );
    }
    Ok(plan)
}

/// The first 12 hex digits: enough to tell digests apart in a message.
pub fn short(sha256: &str) -> &str {
    &sha256[..sha256.len().min(12)]
}
