//! What every end-to-end test does: run the real `planrun` binary against a
//! fleet and look at what it printed and left on the hosts.

#![allow(dead_code)] // each test binary uses its own subset

use std::path::Path;
use std::process::{Command, Output};

use planrun_tests::{Fleet, planrun_bin};

/// What a planrun invocation returned.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Panics with everything planrun printed unless it exited with `code`.
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "planrun exited {} (wanted {code})\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    /// Panics, showing stdout, unless it contains `text`.
    pub fn stdout_has(&self, text: &str) -> &Self {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}:\n{}",
            self.stdout
        );
        self
    }

    /// Panics, showing stderr, unless it contains `text`.
    pub fn stderr_has(&self, text: &str) -> &Self {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}:\n{}",
            self.stderr
        );
        self
    }
}

/// Runs planrun with `args`, pointed at the fleet's ssh_config.
pub fn planrun(fleet: &Fleet, args: &[&str]) -> Run {
    let mut cmd = Command::new(planrun_bin());
    // `-F` goes before any `--`, after the subcommand if there is one.
    let (head, rest) = match args.first() {
        Some(&"exec") => args.split_at(1),
        _ => args.split_at(0),
    };
    cmd.args(head).arg("-F").arg(fleet.ssh_config()).args(rest);
    Run::from(cmd.output().expect("run planrun"))
}

/// Runs planrun with exactly `args` (no fleet).
pub fn planrun_bare(args: &[&str]) -> Run {
    Run::from(
        Command::new(planrun_bin())
            .args(args)
            .output()
            .expect("run planrun"),
    )
}

pub fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// `secure001`…`secureNNN`.
pub fn secure(n: usize) -> Vec<String> {
    (1..=n).map(|i| format!("secure{i:03}")).collect()
}
