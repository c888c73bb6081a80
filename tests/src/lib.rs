//! The test fleet harness for planrun's end-to-end tests.
//!
//! [`Fleet`] starts real OpenSSH `sshd` processes on loopback addresses
//! (127.0.1.1, 127.0.1.2, …), one address per named host, with generated keys,
//! an `ssh_config` that maps the names to them and a `known_hosts` file. Faults
//! are real: [`Fleet::kill`] SIGKILLs a host's sshd and everything it spawned.
//!
//! [`Browser`] drives a headless Chromium over WebDriver, for the web UI.
//!
//! [`paths`] finds the artifacts the tests run: the `planrun` binary and the
//! plans `cargo xtask plans` builds.
//!
//! ```no_run
//! use planrun_tests::{Fleet, numbered_names};
//!
//! let fleet = Fleet::builder()
//!     .hosts(numbered_names("secure", 4))
//!     .own_sshd("secure002")
//!     .start()?;
//! let out = std::process::Command::new("ssh")
//!     .arg("-F")
//!     .arg(fleet.ssh_config())
//!     .args(["secure001", "echo $PLANRUN_TEST_HOST"])
//!     .output()?;
//! assert_eq!(out.stdout, b"secure001\n");
//! fleet.kill("secure002");
//! # Ok::<(), std::io::Error>(())
//! ```

pub mod browser;
mod fleet;
pub mod paths;

pub use browser::Browser;
pub use fleet::{Fleet, FleetBuilder, numbered_names};
pub use paths::{plan_path, planrun_bin, target_dir, workspace_root};
