//! Running the tools the tasks drive (cargo, rustup, apt-get) and turning
//! their outcome into messages and exit codes.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, ExitCode, ExitStatus};

use crate::Result;

/// The cargo that runs us (`$CARGO`), else `cargo` on PATH.
pub fn cargo() -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut cmd = Command::new(cargo);
    cmd.current_dir(planrun_tests::workspace_root());
    cmd
}

/// Runs `cmd` with inherited stdio; an error unless it succeeds.
pub fn run(cmd: &mut Command) -> Result {
    let status = status(cmd)?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", show(cmd)))
    }
}

/// Runs `cmd` with inherited stdio and returns how it ended.
pub fn status(cmd: &mut Command) -> Result<ExitStatus> {
    cmd.status()
        .map_err(|e| format!("failed to run `{}`: {e}", show(cmd)))
}

/// The exit code to pass on for a child's status; 128+N for a signal, as a
/// shell reports it.
pub fn exit_code(status: ExitStatus) -> ExitCode {
    use std::os::unix::process::ExitStatusExt as _;
    let code = status
        .code()
        .or_else(|| status.signal().map(|sig| 128 + sig))
        .unwrap_or(1);
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// The command as a shell line, for messages.
pub fn show(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|arg| {
            let arg = arg.to_string_lossy();
            if arg.is_empty() || arg.contains(|c: char| c.is_whitespace() || "'\"$\\".contains(c)) {
                format!("'{}'", arg.replace('\'', r"'\''"))
            } else {
                arg.into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `target/debug/planrun`, whether built yet or not.
pub fn planrun_path() -> PathBuf {
    planrun_tests::target_dir().join("debug").join("planrun")
}

/// Builds the planrun binary.
pub fn build_planrun() -> Result {
    run(cargo().args(["build", "-p", "planrun"]))
}
