//! `cargo xtask test [ARGS]`: what the tests need installed and built, then `cargo test
//! ARGS` on the default members (host, tests, xtask). Plans are wasm cdylibs
//! built by `cargo xtask plans`, never by `cargo test`.

use std::process::ExitCode;

use crate::process::{build_planrun, cargo, exit_code, status};
use crate::{Result, plans, prereq};

pub fn run(args: &[String]) -> Result<ExitCode> {
    prereq::openssh()?;
    prereq::chromium()?;
    prereq::sudo()?;
    plans::run()?;
    build_planrun()?;
    let status = status(cargo().arg("test").args(args))?;
    Ok(exit_code(status))
}
