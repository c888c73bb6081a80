//! `cargo xtask fleet [N | NAME…]`: a test fleet to poke at by hand, up until
//! Ctrl-C. Default: secure001..secure004.

use std::thread;
use std::time::{Duration, Instant};

use planrun_tests::{Fleet, numbered_names};

use crate::{Result, prereq, signal};

pub fn run(args: &[String]) -> Result {
    let names = match args {
        [] => numbered_names("secure", 4),
        [n] if n.parse::<usize>().is_ok() => {
            numbered_names("secure", n.parse().unwrap_or_default())
        }
        names => names.to_vec(),
    };
    prereq::openssh()?;
    signal::catch_interrupts();
    let started = Instant::now();
    let fleet = Fleet::builder()
        .hosts(names)
        .start()
        .map_err(|e| format!("failed to start the test fleet: {e}"))?;
    let names = fleet.names();
    let cfg = fleet.ssh_config().display();
    println!(
        "{} hosts on port {} ({} sshds) up in {:.2?}",
        names.len(),
        fleet.port(),
        fleet.sshd_pids().len(),
        started.elapsed()
    );
    println!("ssh_config: {cfg}");
    println!(
        "try:        ssh -F {cfg} {} 'echo $PLANRUN_TEST_HOST $HOME'",
        names[0]
    );
    println!(
        "            target/debug/planrun exec -F {cfg} --hosts {} -- uname -a",
        names[0]
    );
    println!("Ctrl-C stops the fleet (PLANRUN_KEEP_FLEET=1 keeps its dir)");
    while !signal::interrupted() {
        thread::sleep(Duration::from_millis(200));
    }
    let stopping = Instant::now();
    fleet.stop();
    println!("stopped in {:.2?}", stopping.elapsed());
    Ok(())
}
