//! Developer tasks for planrun: `cargo xtask <task>` (an alias in
//! `.cargo/config.toml`). Each task is one file; this one only dispatches.

mod demo;
mod fleet;
mod plans;
mod prereq;
mod process;
mod signal;
mod test;

use std::process::ExitCode;

/// Errors are messages that read well after "error: ".
type Result<T = ()> = std::result::Result<T, String>;

const USAGE: &str = "\
usage: cargo xtask <task> [args]

tasks:
  plans              build every plan (examples/*, plugins/*) for wasm32-wasip2
                     into target/plans/<name>.wasm (+ <name>.assets/)
  demo [ARGS]        build planrun and the plans, start a 4-host test fleet,
                     run the deploy plan on it; ARGS go to planrun
  test [ARGS]        build planrun and the plans, then `cargo test ARGS`
  fleet [N|NAMES]    start a test fleet (default 4 hosts) until Ctrl-C
";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let task = args.next();
    let rest: Vec<String> = args.collect();
    let result = match task.as_deref() {
        Some("plans") => {
            no_args("plans", &rest).and_then(|()| plans::run().map(|_| ExitCode::SUCCESS))
        }
        Some("demo") => demo::run(&rest),
        Some("test") => test::run(&rest),
        Some("fleet") => fleet::run(&rest).map(|()| ExitCode::SUCCESS),
        Some("help" | "-h" | "--help") => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        Some(other) => Err(format!("unknown task {other:?}\n\n{USAGE}")),
        None => Err(format!("no task given\n\n{USAGE}")),
    };
    result.unwrap_or_else(|err| {
        eprintln!("error: {err}");
        ExitCode::FAILURE
    })
}

fn no_args(task: &str, args: &[String]) -> Result {
    match args {
        [] => Ok(()),
        _ => Err(format!(
            "`cargo xtask {task}` takes no arguments, got {args:?}"
        )),
    }
}
