//! Bad input gets a clear error and exit code 2, before any host is touched.

mod common;

use common::planrun_bare;
use planrun_tests::plan_path;

#[test]
fn a_bad_host_spec_points_at_the_bad_part() {
    let plan = plan_path("deploy");
    let run = planrun_bare(&[plan.to_str().unwrap(), "--hosts", "web[01-03,db1"]);
    run.expect_code(2);
    run.stderr_has("bad host spec `web[01-03,db1`");
    run.stderr_has("never closed");
}

#[test]
fn a_missing_plan_file_is_named() {
    let run = planrun_bare(&["/nonexistent/deploy.wasm", "--hosts", "secure001"]);
    run.expect_code(2);
    run.stderr_has("plan file /nonexistent/deploy.wasm not found");
}

#[test]
fn a_file_that_is_not_a_component_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.wasm");
    std::fs::write(&text, "just some text\n").unwrap();
    let run = planrun_bare(&[text.to_str().unwrap(), "--hosts", "secure001"]);
    run.expect_code(2);
    run.stderr_has("not a WebAssembly file");

    let core = dir.path().join("core.wasm");
    std::fs::write(&core, b"\0asm\x01\0\0\0").unwrap();
    let run = planrun_bare(&[core.to_str().unwrap(), "--hosts", "secure001"]);
    run.expect_code(2);
    run.stderr_has("not a component");
}

#[test]
fn no_plan_is_a_usage_error() {
    let run = planrun_bare(&["--hosts", "secure001"]);
    run.expect_code(2);
}
