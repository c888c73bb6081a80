//! API versions: `planrun:plan` 0.1.1 only added `log.unchanged`, so a plan
//! built against 0.1.0 still runs.

mod common;

use common::{planrun, secure};
use planrun_tests::{Fleet, plan_path};

#[test]
fn a_plan_built_for_an_older_patch_version_still_runs() {
    let fleet = Fleet::builder().hosts(secure(1)).start().unwrap();
    let plan = plan_path("api-0-1-0");
    let run = planrun(&fleet, &[plan.to_str().unwrap(), "--hosts", "secure001"]);
    run.expect_code(0);
    run.stdout_has("[secure001]  OLD       a 0.1.0 plan runs");
}
