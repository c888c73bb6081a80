//! The plan behind `planrun exec --hosts SPEC -- CMD`: runs one shell
//! command on every host and prints what it wrote, line by line, under the
//! host's prefix.
//!
//! Parameters:
//! - `command` (required): the `sh -c` command line;
//! - `timeout` (optional): seconds after which the command is killed.
//!
//! A failing command prints the output it had and fails the host with the
//! command, its exit status and the tail of its stderr.

use std::time::Duration;

use planrun_sdk::{Error, Exec, Output, Result, param_as, print, require_param};

planrun_sdk::plan!(run);

fn run() -> Result<()> {
    let command = require_param("command")?;
    let mut exec = Exec::new(command);
    if let Some(seconds) = param_as::<f64>("timeout")? {
        let timeout = Duration::try_from_secs_f64(seconds)
            .ok()
            .filter(|timeout| !timeout.is_zero())
            .ok_or_else(|| Error::InvalidParam {
                name: "timeout".into(),
                value: seconds.to_string(),
                reason: "must be a positive number of seconds".into(),
            })?;
        exec = exec.timeout(timeout);
    }
    match exec.run() {
        Ok(output) => {
            show(&output);
            Ok(())
        }
        Err(Error::CommandFailed(output)) => {
            show(&output);
            Err(Error::CommandFailed(output))
        }
        Err(other) => Err(other),
    }
}

/// Prints the command's stdout, then its stderr.
fn show(output: &Output) {
    for text in [output.stdout_str(), output.stderr_str()] {
        // The host prints one line per line; a trailing newline is not an
        // extra, empty line.
        let text = text.strip_suffix('\n').unwrap_or(&text);
        if !text.is_empty() {
            print(text);
        }
    }
}
