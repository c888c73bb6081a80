//! `rolling-restart`: restarts a service one host at a time, in the run's
//! host order; each host's health check must pass before the next host
//! restarts. A host whose restart or health check fails stops the roll:
//! the hosts after it are left alone and fail, naming it; the hosts before
//! it end ok, with a warning.
//!
//! ```text
//! planrun target/plans/rolling-restart.wasm --hosts web01-8 --param service=nginx
//! ```
//!
//! Parameters:
//! - `service`: the systemd service (needed by the default commands);
//! - `restart` (optional): the restart command, default
//!   `systemctl restart SERVICE`;
//! - `health` (optional): a read-only check that succeeds once the host is
//!   healthy, default `systemctl is-active --quiet SERVICE`;
//! - `tries` (optional, default 10) and `interval` (seconds, default 1):
//!   how often to run the health check before giving up;
//! - `become` (optional): run both commands as this user through `sudo -n`.
//!
//! Ordering needs no coordinator: in round `r` only host `r` restarts and
//! publishes whether it came back healthy; every host meets at barrier
//! `r`, then reads the verdict. A failed host releases the barriers, so
//! the others never hang on it.

use planrun_sdk::{
    Error, Exec, Result, bail, barrier, fleet, lookup, param, param_as, publish, quote,
    require_param, step, this_host, warn,
};

planrun_sdk::plan!(run);

fn run() -> Result<()> {
    let restart = match param("restart") {
        Some(command) => command,
        None => format!("systemctl restart {}", quote(&require_param("service")?)),
    };
    let health = match param("health") {
        Some(command) => command,
        None => format!(
            "systemctl is-active --quiet {}",
            quote(&require_param("service")?)
        ),
    };
    let tries: u32 = param_as("tries")?.unwrap_or(10).max(1);
    let interval: f64 = param_as("interval")?.unwrap_or(1.0);
    let user = param("become");
    let me = this_host();
    let hosts = fleet();
    for (round, host) in hosts.iter().enumerate() {
        if round == me.index {
            step(
                "RESTART",
                format!("restarting ({} of {})", round + 1, hosts.len()),
            );
            let healthy = restart_and_check(&restart, &health, tries, interval, &user);
            publish(
                verdict_key(round),
                if healthy.is_ok() { "ok" } else { "failed" },
            )?;
            healthy?;
            step("HEALTHY", "health check passed");
        }
        barrier(format!("rolling-restart-{round}"))?;
        if lookup(verdict_key(round)).as_deref() != Some("ok") {
            // Hosts restarted before the bad one are fine; the rest fail,
            // so the operator sees which were never restarted.
            if me.index < round {
                warn(format!(
                    "roll stopped after this host: {} did not come back healthy",
                    host.name
                ));
                return Ok(());
            }
            bail!("not restarted: {} did not come back healthy", host.name);
        }
    }
    Ok(())
}

fn restart_and_check(
    restart: &str,
    health: &str,
    tries: u32,
    interval: f64,
    user: &Option<String>,
) -> Result<()> {
    with_user(Exec::new(restart), user).run()?;
    // The retries run on the host, in one command: no round trip per try.
    let check = format!(
        "i=0; while [ $i -lt {tries} ]; do ( {health} ) && exit 0; i=$((i+1)); \
         [ $i -lt {tries} ] && sleep {interval}; done; exit 1"
    );
    let output = with_user(Exec::new(check), user).probe()?;
    if !output.success() {
        return Err(Error::Plan(format!(
            "health check `{health}` still failing after {tries} tries"
        )));
    }
    Ok(())
}

fn with_user(exec: Exec, user: &Option<String>) -> Exec {
    match user {
        Some(user) => exec.become_user(user),
        None => exec,
    }
}

fn verdict_key(round: usize) -> String {
    format!("rolling-restart/{round}")
}
