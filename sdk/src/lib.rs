//! Write planrun deployment plans in Rust.
//!
//! A plan is a WebAssembly component that planrun runs on a fleet of machines
//! over SSH: one instance per target host, and every call a plan makes is
//! about *that* host. This crate is all a plan author needs: it hides the
//! generated bindings of the `planrun:plan` WIT contract behind a small,
//! typed API, and [`plan!`] declares the plan in one line.
//!
//! # A complete plan
//!
//! `Cargo.toml`:
//!
//! ```toml
//! [package]
//! name = "hello"
//! version = "0.1.0"
//! edition = "2024"
//!
//! [lib]
//! crate-type = ["cdylib"]
//!
//! [dependencies]
//! planrun-sdk = "0.1"
//! ```
//!
//! `src/lib.rs`:
//!
//! ```no_run
//! use planrun_sdk::{Result, barrier, exec, fact, param_or, probe, publish, step, this_host, write};
//!
//! planrun_sdk::plan!(run);
//!
//! fn run() -> Result<()> {
//!     let version = param_or("version", "1.0");
//!     let host = this_host();
//!
//!     step("FACTS", format!("{} running {}", fact("os")?, fact("kernel")?));
//!
//!     // An operation: reports `changed` only when the content differs.
//!     let change = write("/etc/hello.conf", format!("version = {version}\n"))?;
//!     step("CONFIG", format!("/etc/hello.conf {change}"));
//!
//!     // Ordering across hosts: the first host goes first, the others wait.
//!     if host.index == 0 {
//!         exec("systemctl restart hello")?;
//!         publish("leader", &host.address)?;
//!     }
//!     barrier("leader-restarted")?;
//!
//!     // probe never changes anything; its exit status is the answer.
//!     if !probe("systemctl is-active --quiet hello")?.success() {
//!         planrun_sdk::bail!("hello is not running after the restart");
//!     }
//!     step("DONE", format!("hello {version} is up"));
//!     Ok(())
//! }
//! ```
//!
//! Build it with `cargo build --target wasm32-wasip2 --release` and run it
//! with `planrun target/wasm32-wasip2/release/hello.wasm --hosts web01-4
//! --param version=1.2`. Files for [`copy`] go in an asset directory next to
//! the plan.
//!
//! # The API
//!
//! | To…                                  | use                                                    |
//! |--------------------------------------|--------------------------------------------------------|
//! | declare the plan                     | [`plan!`]                                              |
//! | run a command (a change)             | [`exec`], [`Exec::run`]                                |
//! | ask a question (read-only)           | [`probe`], [`Exec::probe`], and [`Output`]             |
//! | place a file                         | [`copy`], [`write()`], [`FileOptions`] → [`Change`]      |
//! | read a file                          | [`read`], [`read_to_string`]                           |
//! | know the host                        | [`fact`], [`facts`], [`this_host`], [`fleet()`]        |
//! | get the operator's parameters        | [`param`], [`param_or`], [`require_param`], [`param_as`], [`params`] |
//! | order hosts and pass data between them | [`barrier`], [`publish`], [`lookup`]                 |
//! | change the host only where it differs | [`ops`]: file, template, directory, line, symlink, package, service, user, group, git, command |
//! | report progress                      | [`step`], [`unchanged`], [`warn`], [`debug`], [`print()`] |
//! | fail                                 | [`Error`], [`bail!`], [`ensure!`], `?`                 |
//!
//! # Dry runs
//!
//! With `--dry-run`, [`exec`] and file changes are reported, not made (`exec`
//! returns an empty, successful [`Output`]); [`probe`], [`read`] and facts
//! still run. Use [`probe`] for commands whose output the plan needs.
//! planrun lists every change a dry run would make (each command, each file
//! with a unified diff); the [`ops`] decide from facts, so the real run
//! after a dry run makes exactly the changes it listed.

mod context;
mod error;
mod exec;
pub mod facts;
mod files;
mod fleet;
mod log;
pub mod ops;
mod plan;

pub use context::{
    Host, fleet, is_dry_run, param, param_as, param_or, params, require_param, this_host,
};
pub use error::{Error, Result};
pub use exec::{Exec, ExitStatus, Output, exec, probe, quote};
pub use facts::fact;
pub use files::{Change, FileOptions, copy, read, read_to_string, write};
pub use fleet::{BarrierOutcome, barrier, lookup, publish};
pub use log::{debug, print, step, unchanged, warn};

/// The bindings generated from `wit/`: what the SDK wraps. Not for plans.
#[doc(hidden)]
pub mod __bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "plan",
        // The export macro is used by `plan!` in the plan's crate.
        pub_export_macro: true,
        export_macro_name: "__export_plan",
        default_bindings_module: "$crate::__bindings",
    });
}

/// What `plan!` expands to needs; not for plans.
#[doc(hidden)]
pub mod __private {
    pub use crate::plan::run_plan;
    pub use std::string::String;
}
