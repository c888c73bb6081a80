//! `planrun exec`: ad-hoc commands with per-host output.

mod common;

use common::{planrun, secure};
use planrun_tests::Fleet;

#[test]
fn prints_each_hosts_output_with_its_prefix() {
    let fleet = Fleet::builder().hosts(secure(3)).start().unwrap();
    let run = planrun(
        &fleet,
        &[
            "exec",
            "--hosts",
            "secure[001-003]",
            "--",
            "echo",
            "hello from $PLANRUN_TEST_HOST",
        ],
    );
    run.expect_code(0);
    for host in secure(3) {
        run.stdout_has(&format!("[{host}]  hello from {host}"));
    }
}

#[test]
fn a_failing_command_shows_its_status_and_stderr() {
    let fleet = Fleet::builder().hosts(secure(2)).start().unwrap();
    let run = planrun(
        &fleet,
        &[
            "exec",
            "--hosts",
            "secure001-2",
            "--",
            "echo oops >&2; exit 3",
        ],
    );
    run.expect_code(1);
    run.stderr_has("exit status 3");
    run.stderr_has("oops");
    run.stderr_has("0 ok, 2 failed");
}
