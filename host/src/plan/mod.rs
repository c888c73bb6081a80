//! Loading a plan: read the file, make sure it is a component built for an
//! API version this planrun serves, compile it once and pre-instantiate it,
//! so each host only pays for a cheap instantiation.

pub mod bindings;

use std::path::Path;

use anyhow::{Context, Result, anyhow, bail};
use sha2::{Digest, Sha256};
use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Config, Engine};

use crate::instance::HostState;
use crate::sandbox::{self, Limits};
use bindings::{Plan, PlanPre};

/// The API version this host serves (the `wit/` package version).
pub const API_VERSION: &str = "0.1.1";
pub const API_PACKAGE: &str = "planrun:plan";

/// A plan ready to be instantiated once per host.
pub struct LoadedPlan {
    pub engine: Engine,
    pub pre: PlanPre<HostState>,
    pub sha256: String,
    /// The limits the plan was compiled and linked for; every instance runs
    /// under them.
    pub limits: Limits,
    /// Advances the engine's epoch while the plan may run (CPU limits).
    _ticker: Option<sandbox::Ticker>,
}

/// An engine for plans run under `limits`.
pub fn engine(limits: &Limits) -> Result<Engine> {
    let mut config = Config::new();
    config.wasm_component_model(true);
    sandbox::configure_engine(&mut config, limits);
    Engine::new(&config).map_err(|e| anyhow!("cannot start the WebAssembly engine: {e}"))
}

/// Reads, checks, compiles and links the plan at `path`, for running under
/// `limits`.
pub fn load(path: &Path, limits: &Limits) -> Result<LoadedPlan> {
    let bytes = read(path)?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let engine = engine(limits)?;
    let component = compile(&engine, path, &bytes)?;
    check_api_version(&engine, &component)
        .and_then(|()| sandbox::capabilities::check(&engine, &component))
        .with_context(|| format!("cannot run plan {}", path.display()))?;

    let mut linker = Linker::<HostState>::new(&engine);
    sandbox::capabilities::link_wasi(&mut linker)?;
    Plan::add_to_linker::<_, HasSelf<_>>(&mut linker, |state| state)?;
    let instance_pre = linker
        .instantiate_pre(&component)
        .map_err(|e| anyhow!("cannot run plan {}: {e}", path.display()))?;
    let pre = PlanPre::new(instance_pre).map_err(|e| {
        anyhow!(
            "cannot run plan {}: it does not export `run: func() -> result<_, string>` ({e})",
            path.display()
        )
    })?;
    let ticker = match limits.cpu {
        Some(_) => Some(
            sandbox::Ticker::start(&engine)
                .map_err(|e| anyhow!("cannot start the CPU limit's clock thread: {e}"))?,
        ),
        None => None,
    };
    Ok(LoadedPlan {
        engine,
        pre,
        sha256,
        limits: limits.clone(),
        _ticker: ticker,
    })
}

/// The bytes of the plan file at `path`, if it holds a component.
pub fn read(path: &Path) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => anyhow!(
            "plan file {} not found: check the path, or build the plans with `cargo xtask plans`",
            path.display()
        ),
        _ => anyhow!("cannot read plan file {}: {e}", path.display()),
    })?;
    check_component(&bytes).with_context(|| format!("{} is not a plan", path.display()))?;
    Ok(bytes)
}

/// Compiles the plan read from `path`.
pub fn compile(engine: &Engine, path: &Path, bytes: &[u8]) -> Result<Component> {
    Component::new(engine, bytes)
        .map_err(|e| anyhow!("cannot compile plan {}: {e}", path.display()))
}

/// A component starts with `\0asm` and a version/layer word that differs
/// from a core module's; say which it is rather than a parser error.
fn check_component(bytes: &[u8]) -> Result<()> {
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        bail!("it is not a WebAssembly file (build plans with `cargo xtask plans`)");
    }
    // Layer 1 is a component; layer 0 a core module.
    if bytes[6..8] != [1, 0] {
        bail!(
            "it is a core WebAssembly module, not a component: build it for the \
             wasm32-wasip2 target (`cargo xtask plans` does)"
        );
    }
    Ok(())
}

/// Refuses plans built against a `planrun:plan` version we cannot serve,
/// naming both versions.
fn check_api_version(engine: &Engine, component: &Component) -> Result<()> {
    for (name, _) in component.component_type().imports(engine) {
        let Some(rest) = name.strip_prefix(&format!("{API_PACKAGE}/")) else {
            continue;
        };
        let version = rest.split_once('@').map(|(_, v)| v).unwrap_or("(none)");
        if !serves_api_version(version) {
            bail!(
                "it was built for {API_PACKAGE}@{version} (import `{name}`), but this planrun \
                 provides {API_PACKAGE}@{API_VERSION}; rebuild the plan against this API or \
                 use a planrun that serves {version}"
            );
        }
    }
    Ok(())
}

/// Whether this planrun serves a plan built for `planrun:plan@version`.
pub fn serves_api_version(version: &str) -> bool {
    let ours = semver_parts(API_VERSION).expect("valid API version");
    semver_parts(version).is_some_and(|theirs| {
        // 0.x: the minor is the breaking part; from 1.0 the major.
        theirs.0 == ours.0 && (ours.0 != 0 || theirs.1 == ours.1) && theirs <= ours
    })
}

fn semver_parts(v: &str) -> Option<(u64, u64, u64)> {
    let mut it = v.split('.').map(|p| p.parse::<u64>().ok());
    let parts = (it.next()??, it.next()??, it.next()??);
    it.next().is_none().then_some(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_modules_and_junk_from_components() {
        let core = b"\0asm\x01\0\0\0";
        let component = b"\0asm\x0d\0\x01\0";
        assert!(
            check_component(core)
                .unwrap_err()
                .to_string()
                .contains("core WebAssembly module")
        );
        assert!(
            check_component(b"#!/bin/sh\n")
                .unwrap_err()
                .to_string()
                .contains("not a WebAssembly")
        );
        assert!(check_component(component).is_ok());
    }
}
