//! `cargo xtask demo [ARGS]`: the deploy example on a 4-host test fleet, from
//! a fresh checkout in one command. ARGS go to planrun.

use std::process::{Command, ExitCode};

use planrun_tests::{Fleet, numbered_names};

use crate::process::{build_planrun, exit_code, planrun_path, show, status};
use crate::{Result, plans, prereq, signal};

const HOSTS: usize = 4;
const PLAN: &str = "deploy";

pub fn run(args: &[String]) -> Result<ExitCode> {
    prereq::openssh()?;
    build_planrun()?;
    plans::run()?;
    let plan = planrun_tests::target_dir()
        .join("plans")
        .join(format!("{PLAN}.wasm"));
    if !plan.is_file() {
        return Err(format!(
            "{} was not built: is there an examples/{PLAN} plan?",
            plan.display()
        ));
    }

    // From here on Ctrl-C goes to planrun, and we outlive it to stop the fleet.
    signal::catch_interrupts();
    let fleet = Fleet::builder()
        .hosts(numbered_names("secure", HOSTS))
        .start()
        .map_err(|e| format!("failed to start the test fleet: {e}"))?;
    if signal::interrupted() {
        return Ok(ExitCode::from(130));
    }
    let mut planrun = Command::new(planrun_path());
    planrun
        .arg(&plan)
        .args(["--hosts", &format!("secure001-{HOSTS}"), "-F"])
        .arg(fleet.ssh_config())
        .args(args)
        .current_dir(planrun_tests::workspace_root());
    println!("$ {}", show(&planrun));
    let status = status(&mut planrun);
    fleet.stop();
    Ok(exit_code(status?))
}
