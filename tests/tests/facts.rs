//! Facts on a real host: gathered live, typed, several in one command, and
//! read anew after a change.

mod common;

use common::{planrun, secure};
use planrun_tests::{Fleet, plan_path};

#[test]
fn a_fact_read_after_a_change_is_read_anew() {
    let hosts = secure(2);
    let fleet = Fleet::builder().hosts(&hosts).start().unwrap();
    let dir = fleet.dir().join("work");
    let plan = plan_path("ops");
    let dir = format!("dir={}", dir.display());
    let run = planrun(
        &fleet,
        &[
            plan.to_str().unwrap(),
            "--hosts",
            "secure001-2",
            "--param",
            "scenario=invalidate",
            "--param",
            &dir,
        ],
    );
    run.expect_code(0);
    let cpus = std::thread::available_parallelism().unwrap().get();
    for host in &hosts {
        run.stdout_has(&format!("[{host}]  before exists=false after size=Some(5)"));
        run.stdout_has(&format!("[{host}]  batch os=debian size=Some(5) sh=/"));
        run.stdout_has("root-uid=Some(0)");
        run.stdout_has(&format!(
            "[{host}]  coreutils installed=true manager=Some(\"dpkg\") cpus={cpus} memory>0=true"
        ));
    }
}

#[test]
fn facts_gathered_in_one_command_agree_with_facts_gathered_one_by_one() {
    let fleet = Fleet::builder().hosts(secure(1)).start().unwrap();
    let plan = plan_path("ops");
    let run = planrun(
        &fleet,
        &[
            plan.to_str().unwrap(),
            "--hosts",
            "secure001",
            "--param",
            "scenario=batch",
            "--param",
            "dir=/tmp",
        ],
    );
    run.expect_code(0);
    run.stdout_has("[secure001]  10 facts agree; batched ");
    run.stdout_has("[secure001]  unknown in a batch: disk:/; 20 known");
}
