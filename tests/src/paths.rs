//! Where the tests find what they run: the workspace, its target directory,
//! the `planrun` binary and the plans built by `cargo xtask plans`.
//!
//! Tests never build these themselves (a nested cargo build inside `cargo
//! test` would wait on the lock cargo holds); they panic with the command that
//! builds the missing piece.

use std::env;
use std::path::{Path, PathBuf};

/// The workspace root: the parent of this crate's manifest directory.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent directory")
        .to_path_buf()
}

/// Cargo's target directory: `CARGO_TARGET_DIR` if set (a relative value is
/// taken relative to the workspace root), else `<workspace>/target`.
pub fn target_dir() -> PathBuf {
    match env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => workspace_root().join(dir),
        _ => workspace_root().join("target"),
    }
}

/// The `planrun` binary under test: `$PLANRUN_BIN` if set (e.g. a release
/// build for benchmarks), else `<target>/debug/planrun`.
///
/// # Panics
/// If the binary does not exist, with the command that builds it.
pub fn planrun_bin() -> PathBuf {
    let bin = match env::var_os("PLANRUN_BIN") {
        Some(bin) if !bin.is_empty() => PathBuf::from(bin),
        _ => target_dir().join("debug").join("planrun"),
    };
    assert!(
        bin.is_file(),
        "planrun binary not built: run `cargo xtask test` (or `cargo build -p planrun`); \
         looked for {}",
        bin.display()
    );
    bin
}

/// A plan component built by `cargo xtask plans`: `<target>/plans/<name>.wasm`.
/// Its assets, if the plan has any, are in `<target>/plans/<name>.assets/`.
///
/// # Panics
/// If the plan does not exist, with the command that builds it.
pub fn plan_path(name: &str) -> PathBuf {
    let path = target_dir().join("plans").join(format!("{name}.wasm"));
    assert!(
        path.is_file(),
        "plan {name} not built: run `cargo xtask plans`; looked for {}",
        path.display()
    );
    path
}
