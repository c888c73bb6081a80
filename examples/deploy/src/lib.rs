//! An example plan: an application upgrade across a fleet, shaped like the
//! Phacility upgrade in the story of Phabricator's Phage.
//!
//! It shows how to author a plan with `planrun-sdk`:
//! - parameters with defaults (`version`, `root`);
//! - commands that change the host (`exec`) and facts about it (`fact`);
//! - operations that change only what differs (`write`, `copy`), reported
//!   as `changed` or `unchanged`, so a second run changes nothing;
//! - ordering and data across hosts: the control host (index 0) publishes
//!   the release, every host meets at a barrier, then the workers read it;
//! - labelled progress (`step`), shown as `[host]  LABEL  message`.
//!
//! ```text
//! planrun deploy.wasm --hosts secure001-4 --param version=1.2
//! ```
//!
//! Each host works in `<root>/<host name>`, so hosts that share a
//! filesystem (as test fleets on one machine do) don't collide.

use planrun_sdk::{
    FileOptions, Result, barrier, copy, exec, fact, lookup, param_or, publish, quote, step,
    this_host, write,
};

planrun_sdk::plan!(run);

fn run() -> Result<()> {
    let version = param_or("version", "1.0");
    let root = param_or("root", "/tmp/planrun-deploy");
    let host = this_host();
    let dir = format!("{}/{}", root.trim_end_matches('/'), host.name);

    step("PREP", format!("working in {dir}"));
    exec(format!("mkdir -p {}", quote(&dir)))?;

    step(
        "FACTS",
        format!(
            "{}: {}, kernel {}",
            fact("hostname")?,
            fact("os")?,
            fact("kernel")?
        ),
    );

    // Derived only from the host and the version: the same run twice writes
    // the same bytes, and the second `write` reports `unchanged`.
    let config = format!(
        "# written by the planrun deploy example\nhost = {}\nversion = {version}\n",
        host.name
    );
    let change = FileOptions::new()
        .mode(0o644)
        .write(format!("{dir}/app.conf"), config)?;
    step("CONFIG", format!("app.conf {change}"));

    let change = copy("motd.txt", format!("{dir}/motd.txt"))?;
    step("MOTD", format!("motd.txt {change}"));

    // The control host publishes the release; the barrier orders it before
    // the workers' lookup.
    if host.index == 0 {
        let release = format!("{version}@{}", host.name);
        publish("release", &release)?;
        write(format!("{dir}/published"), format!("{release}\n"))?;
        step("RELEASE", format!("published {release}"));
    }
    barrier("released")?;
    if host.index != 0 {
        // Not there means the control host failed before publishing.
        let release = lookup("release").ok_or("the control host published no release")?;
        write(format!("{dir}/release"), format!("{release}\n"))?;
        step("RELEASE", format!("got {release}"));
    }

    // Stand-ins for the real work: each appends a line to deploy.log.
    let deploy_log = format!("{dir}/deploy.log");
    let append = |line: &str| exec(format!("echo {} >> {}", quote(line), quote(&deploy_log)));
    step("PULL", format!("pulling release {version}"));
    append(&format!("pulled {version}"))?;
    step("UPGRADE", format!("upgrading to {version}"));
    append(&format!("upgraded to {version}"))?;
    step("RESTART", "restarting the application");
    append("restarted")?;

    step("DONE", format!("version {version} deployed"));
    Ok(())
}
