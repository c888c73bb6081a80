//! What every end-to-end test does: run the real `planrun` binary against a
//! fleet and look at what it printed and left on the hosts.

#![allow(dead_code)] // each test binary uses its own subset

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

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
    cmd.env("PLANRUN_RECORD_DB", record_db(fleet));
    Run::from(cmd.output().expect("run planrun"))
}

/// Runs planrun like [`planrun`], with one environment variable set.
pub fn planrun_with_env(fleet: &Fleet, args: &[&str], key: &str, value: &str) -> Run {
    let mut cmd = Command::new(planrun_bin());
    let (head, rest) = match args.first() {
        Some(&"exec") => args.split_at(1),
        _ => args.split_at(0),
    };
    cmd.args(head).arg("-F").arg(fleet.ssh_config()).args(rest);
    cmd.env("PLANRUN_RECORD_DB", record_db(fleet))
        .env(key, value);
    Run::from(cmd.output().expect("run planrun"))
}

/// The run record of the fleet's tests: in the fleet's dir, never the
/// user's own (~/.local/state).
pub fn record_db(fleet: &Fleet) -> PathBuf {
    fleet.dir().join("runs.db")
}

/// Runs a planrun subcommand that reads the fleet's run record (no `-F`).
pub fn planrun_record(fleet: &Fleet, args: &[&str]) -> Run {
    Run::from(
        Command::new(planrun_bin())
            .args(args)
            .env("PLANRUN_RECORD_DB", record_db(fleet))
            .output()
            .expect("run planrun"),
    )
}

/// Starts planrun on the fleet without waiting; its stdout lines arrive on
/// the returned channel.
pub fn planrun_spawn(fleet: &Fleet, args: &[&str]) -> (Child, mpsc::Receiver<String>) {
    let mut child = Command::new(planrun_bin())
        .arg("-F")
        .arg(fleet.ssh_config())
        .args(args)
        .env("PLANRUN_RECORD_DB", record_db(fleet))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start planrun");
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

/// Waits until `count` lines containing `text` have arrived.
pub fn wait_for_lines(lines: &mpsc::Receiver<String>, text: &str, count: usize, within: Duration) {
    let deadline = std::time::Instant::now() + within;
    let mut seen = Vec::new();
    while seen.iter().filter(|l: &&String| l.contains(text)).count() < count {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => seen.push(line),
            Err(_) => panic!(
                "{count} lines with {text:?} did not come in {within:?}; got:\n{}",
                seen.join("\n")
            ),
        }
    }
}

/// Runs planrun with exactly `args` (no fleet).
pub fn planrun_bare(args: &[&str]) -> Run {
    Run::from(
        Command::new(planrun_bin())
            .args(args)
            // Never the user's own run record: a path no one can create.
            .env("PLANRUN_RECORD_DB", "/dev/null/planrun-tests/runs.db")
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
