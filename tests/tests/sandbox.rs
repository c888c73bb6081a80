//! The sandbox against hostile plans. Each run has host 0 (secure001)
//! attack with the `hostile` test plan while the other hosts do honest work
//! in the same run: the attack must fail on its own host only, with a
//! message in words, and every other host must finish normally.

mod common;

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Run, planrun, planrun_bare, secure};
use planrun_tests::{Fleet, plan_path, planrun_bin};

fn fleet() -> Fleet {
    Fleet::builder().hosts(secure(3)).start().unwrap()
}

/// Runs the hostile plan on secure001-3 with host 0 attacking.
fn attack(fleet: &Fleet, kind: &str, extra: &[&str]) -> Run {
    let plan = plan_path("hostile");
    let param = format!("attack={kind}");
    let mut args = vec![
        plan.to_str().unwrap(),
        "--hosts",
        "secure001-3",
        "--param",
        &param,
    ];
    args.extend_from_slice(extra);
    planrun(fleet, &args)
}

/// The honest hosts did all their work and got past the final barrier.
fn others_finished(run: &Run) {
    for host in ["secure002", "secure003"] {
        run.stdout_has(&format!("[{host}]  WORK      hello from {host}"));
        run.stdout_has(&format!("[{host}]  DONE      finished normally"));
    }
}

/// Host 0 failed with `message`, the others finished: exit code 1.
fn confined(run: &Run, message: &str) {
    run.expect_code(1);
    run.stderr_has("2 ok, 1 failed, 0 unreachable");
    run.stderr_has(&format!("failed       secure001: {message}"));
    others_finished(run);
    assert!(
        !run.stderr.contains("wasm backtrace"),
        "backtraces are for -v:\n{}",
        run.stderr
    );
}

#[test]
fn a_spinning_plan_is_stopped_by_its_cpu_limit_and_waiting_does_not_count() {
    let fleet = fleet();
    let started = Instant::now();
    // The honest hosts wait 2s on a remote `sleep`, twice the CPU limit.
    let run = attack(&fleet, "spin", &["--param", "sleep=2", "--max-cpu", "1s"]);
    confined(&run, "plan used more than 1s of CPU");
    assert!(started.elapsed() < Duration::from_secs(60), "the run ended");
}

#[test]
fn a_memory_bomb_hits_the_memory_limit() {
    let fleet = fleet();
    let run = attack(&fleet, "memory", &["--max-memory", "32MiB"]);
    confined(&run, "plan exceeded its memory limit of 32 MiB");
}

#[test]
fn endless_recursion_overflows_the_stack() {
    let fleet = fleet();
    let run = attack(&fleet, "recursion", &[]);
    confined(&run, "plan overflowed its stack");
}

#[test]
fn a_panic_is_reported_in_words_and_the_backtrace_only_with_verbose() {
    let fleet = fleet();
    let run = attack(&fleet, "panic", &[]);
    confined(&run, "the plan crashed: it panicked");
    run.stderr_has("deliberate panic in the hostile plan");

    let verbose = attack(&fleet, "panic", &["-v"]);
    verbose.expect_code(1);
    verbose.stdout_has("[secure001]  DEBUG");
    verbose.stdout_has("wasm backtrace");
}

#[test]
fn a_publish_flood_fails_its_host_and_leaves_room_for_the_others() {
    let fleet = fleet();
    let run = attack(&fleet, "publish", &[]);
    confined(&run, "invalid argument: cannot publish `flood-1000`");
    run.stderr_has("one host may publish at most 1000 keys");
    for host in ["secure002", "secure003"] {
        run.stdout_has(&format!("PUBLISHED  ready-{host}={host}"));
    }
}

#[test]
fn a_hung_command_is_killed_at_the_command_timeout() {
    let fleet = fleet();
    let started = Instant::now();
    let run = attack(&fleet, "hang", &["--command-timeout", "1s"]);
    confined(&run, "command `sleep 600` timed out after 1s");
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[test]
fn a_command_printing_a_gibibyte_is_cut_with_a_marker_and_not_held_in_memory() {
    let fleet = fleet();
    let plan = plan_path("hostile");
    let (run, max_rss_kib) = measured(
        &fleet,
        &[
            plan.to_str().unwrap(),
            "--hosts",
            "secure001-3",
            "--param",
            "attack=output",
        ],
        &[],
    );
    run.expect_code(0);
    // 8 MiB kept, then the marker line (114 bytes with its newlines).
    run.stdout_has(
        "[secure001]  OUTPUT    8388722 bytes; last line: [planrun: stdout truncated: \
         1065353216 more bytes (1016 MiB) dropped past the 8 MiB output limit (--max-output)]",
    );
    others_finished(&run);
    assert!(
        max_rss_kib < 200 * 1024,
        "planrun's peak RSS was {max_rss_kib} KiB: the gibibyte was held"
    );
}

#[test]
fn asset_paths_cannot_leave_the_asset_directory() {
    let fleet = fleet();
    let base = fleet.dir().join("asset-test");
    let assets = base.join("assets");
    let dest = base.join("dest");
    std::fs::create_dir_all(assets.join("sub")).unwrap();
    std::fs::create_dir_all(&dest).unwrap();
    std::fs::write(assets.join("motd.txt"), "welcome\n").unwrap();
    let outside = base.join("outside.txt");
    std::fs::write(&outside, "the operator's secret\n").unwrap();
    std::os::unix::fs::symlink("../outside.txt", assets.join("link-out")).unwrap();

    let outside_param = format!("outside={}", outside.display());
    let dir_param = format!("dir={}", dest.display());
    let run = attack(
        &fleet,
        "assets",
        &[
            "--assets",
            assets.to_str().unwrap(),
            "--param",
            &outside_param,
            "--param",
            &dir_param,
        ],
    );
    run.expect_code(0);
    for escape in ["../outside.txt", "link-out", "sub/../../outside.txt"] {
        run.stdout_has(&format!(
            "[secure001]  REFUSED   {escape}: denied: asset `{escape}` leads outside the asset directory"
        ));
    }
    run.stdout_has(&format!(
        "[secure001]  REFUSED   {0}: denied: asset `{0}` is an absolute path",
        outside.display()
    ));
    assert!(!run.stdout.contains("ESCAPED"), "{}", run.stdout);
    others_finished(&run);
    // The honest hosts' copy from the same directory worked.
    for host in ["secure002", "secure003"] {
        let copied = std::fs::read_to_string(dest.join(format!("{host}.motd"))).unwrap();
        assert_eq!(copied, "welcome\n");
    }
}

#[test]
fn plans_cannot_read_the_controllers_files_through_wasi() {
    let fleet = fleet();
    // The operator's usual key, and the very key planrun authenticates
    // with in this run.
    let home = std::env::var("HOME").unwrap_or_else(|_| "/root".into());
    let user_key = format!("{home}/.ssh/id_ed25519");
    let fleet_key = fleet.client_key().to_str().unwrap().to_string();
    assert!(std::fs::metadata(&fleet_key).is_ok(), "the key exists");
    let paths = ["/etc/passwd", &user_key, &fleet_key, "secret.txt"];
    let paths_param = format!("paths={}", paths.join(","));
    let run = attack(&fleet, "files", &["--param", &paths_param]);
    run.expect_code(0);
    for path in paths.iter().chain(&["/", "."]) {
        run.stdout_has(&format!("[secure001]  BLOCKED   {path}: "));
    }
    assert!(!run.stdout.contains("STOLEN"), "{}", run.stdout);
    others_finished(&run);
}

#[test]
fn plans_see_no_environment_but_plan_env() {
    let fleet = fleet();
    let plan = plan_path("hostile");
    let plan = plan.to_str().unwrap();
    let base = [plan, "--hosts", "secure001-3", "--param", "attack=env"];
    let secret = [("PLANRUN_TEST_SECRET", "hunter2")];

    let (run, _) = measured(&fleet, &base, &secret);
    run.expect_code(0);
    run.stdout_has("[secure001]  ENV       0 variables:");
    run.stdout_has("[secure001]  ARGS      0 arguments");
    others_finished(&run);

    let with_env = [&base[..], &["--plan-env", "GREETING=hello"]].concat();
    let (run, _) = measured(&fleet, &with_env, &secret);
    run.expect_code(0);
    run.stdout_has("[secure001]  ENV       1 variables: GREETING=hello");
    assert!(!run.stdout.contains("hunter2"), "{}", run.stdout);
}

#[test]
fn a_plan_that_opens_a_socket_is_refused_before_any_host_is_touched() {
    // Rust's std::net imports wasi:sockets: the plan cannot even load.
    let fleet = Fleet::builder()
        .hosts(secure(2))
        .unreachable("ghost01")
        .start()
        .unwrap();
    let plan = plan_path("net-client");
    let run = planrun(
        &fleet,
        &[plan.to_str().unwrap(), "--hosts", "secure001-2,ghost01"],
    );
    run.expect_code(2);
    run.stderr_has("cannot run plan");
    run.stderr_has("`wasi:sockets/tcp@0.2");
    run.stderr_has("network access");
    // Nothing was tried: no host output, no unreachable host, no summary.
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(!run.stderr.contains("ghost01"), "{}", run.stderr);
    assert!(!run.stderr.contains("hosts in"), "{}", run.stderr);

    let inspect = planrun_bare(&["inspect", plan.to_str().unwrap()]);
    inspect.expect_code(2);
    inspect.stdout_has("REFUSED: network access");
    inspect.stderr_has("planrun would refuse to run");
}

#[test]
fn a_plan_built_for_another_api_version_is_refused() {
    let plan = plan_path("future-api");
    let run = planrun_bare(&[plan.to_str().unwrap(), "--hosts", "secure001"]);
    run.expect_code(2);
    run.stderr_has("planrun:plan@0.2.0 (import `planrun:plan/log@0.2.0`)");
    run.stderr_has("this planrun provides planrun:plan@0.1.1");
}

#[test]
fn inspect_shows_what_a_plan_imports_and_exports() {
    let plan = plan_path("hostile");
    let run = planrun_bare(&["inspect", plan.to_str().unwrap()]);
    run.expect_code(0);
    run.stdout_has("sha256   ");
    run.stdout_has("planrun:plan/target@0.1.1");
    run.stdout_has("uses: exec, copy");
    run.stdout_has("wasi:cli/environment@0.2");
    run.stdout_has("only the variables given with --plan-env");
    run.stdout_has("no directories: every path fails");
    run.stdout_has("exports\n  run: func() -> result<_, string>");
    assert!(!run.stdout.contains("REFUSED"), "{}", run.stdout);
}

/// Runs planrun with `args` (and `envs` added to its environment) and
/// returns what it printed and its peak RSS in KiB, from wait4's rusage of
/// exactly this child.
#[expect(
    clippy::zombie_processes,
    reason = "reaped by wait4, which also gives its rusage"
)]
fn measured(fleet: &Fleet, args: &[&str], envs: &[(&str, &str)]) -> (Run, i64) {
    let mut child = Command::new(planrun_bin())
        .arg("-F")
        .arg(fleet.ssh_config())
        .args(args)
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start planrun");
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            pipe.read_to_string(&mut text).expect("read planrun output");
            text
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let mut status = 0;
    // SAFETY: rusage is plain data that wait4 fills in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, which std has not reaped.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4 failed");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    let run = Run {
        code,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    };
    (run, usage.ru_maxrss)
}
