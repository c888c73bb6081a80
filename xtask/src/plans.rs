//! `cargo xtask plans`: build every plan crate for wasm32-wasip2 in one cargo
//! invocation and lay the components out where tests and the demo find them:
//! `target/plans/<name>.wasm`, plus `target/plans/<name>.assets/` for a plan
//! with an `assets/` folder.
//!
//! A plan crate is any directory under `examples/`, `plugins/` or
//! `tests/plans/` (plans the end-to-end tests use) with a
//! Cargo.toml whose `[lib]` is a `cdylib`.

use std::fs;
use std::path::{Path, PathBuf};

use crate::Result;
use crate::prereq;
use crate::process::{self, cargo};

const PLAN_DIRS: [&str; 3] = ["examples", "plugins", "tests/plans"];
const TARGET: &str = "wasm32-wasip2";
const PROFILE: &str = "plan";

/// A plan crate found in the workspace.
pub struct Plan {
    /// The package name: what `-p` takes and what the plan is called.
    pub package: String,
    /// The library name: what cargo names the .wasm.
    lib: String,
    dir: PathBuf,
}

/// Builds all plans; returns them.
pub fn run() -> Result<Vec<Plan>> {
    prereq::wasm_target()?;
    let plans = find()?;
    if plans.is_empty() {
        eprintln!("no plan crates under {}", PLAN_DIRS.join("/, "));
        return Ok(plans);
    }
    let mut build = cargo();
    build.args(["build", "--profile", PROFILE, "--target", TARGET]);
    for plan in &plans {
        build.args(["-p", &plan.package]);
    }
    process::run(&mut build)?;

    let target = planrun_tests::target_dir();
    let built = target.join(TARGET).join(PROFILE);
    let out = target.join("plans");
    fs::create_dir_all(&out).map_err(|e| format!("failed to create {}: {e}", out.display()))?;
    let width = plans.iter().map(|p| p.package.len()).max().unwrap_or(0);
    for plan in &plans {
        let wasm = built.join(format!("{}.wasm", plan.lib));
        let dest = out.join(format!("{}.wasm", plan.package));
        let size = fs::copy(&wasm, &dest).map_err(|e| {
            format!(
                "failed to copy {} to {}: {e}",
                wasm.display(),
                dest.display()
            )
        })?;
        let assets = plan.dir.join("assets");
        let assets_dest = out.join(format!("{}.assets", plan.package));
        // Replace, never merge: a file deleted from assets/ must go.
        if assets_dest.exists() {
            fs::remove_dir_all(&assets_dest)
                .map_err(|e| format!("failed to remove {}: {e}", assets_dest.display()))?;
        }
        let note = if assets.is_dir() {
            copy_tree(&assets, &assets_dest)?;
            format!(" + {}", display(&assets_dest))
        } else {
            String::new()
        };
        println!(
            "{:<width$} {:>9} bytes  {}{note}",
            plan.package,
            size,
            display(&dest)
        );
    }
    Ok(plans)
}

/// Every plan crate, sorted by directory.
pub fn find() -> Result<Vec<Plan>> {
    let root = planrun_tests::workspace_root();
    let mut plans = Vec::new();
    for parent in PLAN_DIRS {
        let parent = root.join(parent);
        let Ok(entries) = fs::read_dir(&parent) else {
            continue;
        };
        let mut dirs: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|dir| dir.join("Cargo.toml").is_file())
            .collect();
        dirs.sort();
        for dir in dirs {
            let manifest = dir.join("Cargo.toml");
            let text = fs::read_to_string(&manifest)
                .map_err(|e| format!("failed to read {}: {e}", manifest.display()))?;
            let package = toml_value(&text, "package", "name")
                .ok_or_else(|| format!("no [package] name in {}", manifest.display()))?;
            if !text.contains("cdylib") {
                eprintln!("note: skipping {}: not a cdylib", manifest.display());
                continue;
            }
            let lib = toml_value(&text, "lib", "name").unwrap_or_else(|| package.replace('-', "_"));
            plans.push(Plan { package, lib, dir });
        }
    }
    Ok(plans)
}

/// A string value `key = "…"` in `[section]` of a simple TOML file: enough
/// for Cargo.toml's `[package] name` and `[lib] name`.
fn toml_value(text: &str, section: &str, key: &str) -> Option<String> {
    let mut current = "";
    for line in text.lines().map(str::trim) {
        if let Some(header) = line.strip_prefix('[') {
            current = header.trim_end_matches(']').trim();
            continue;
        }
        if current != section {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if k.trim() == key {
            let v = v.trim();
            return v
                .strip_prefix('"')
                .and_then(|v| v.split_once('"'))
                .map(|(v, _)| v.to_owned());
        }
    }
    None
}

fn copy_tree(from: &Path, to: &Path) -> Result {
    fs::create_dir_all(to).map_err(|e| format!("failed to create {}: {e}", to.display()))?;
    let entries =
        fs::read_dir(from).map_err(|e| format!("failed to read {}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("failed to read {}: {e}", from.display()))?;
        let (src, dest) = (entry.path(), to.join(entry.file_name()));
        if src.is_dir() {
            copy_tree(&src, &dest)?;
        } else {
            fs::copy(&src, &dest).map_err(|e| {
                format!(
                    "failed to copy {} to {}: {e}",
                    src.display(),
                    dest.display()
                )
            })?;
        }
    }
    Ok(())
}

/// A path relative to the workspace root when it is under it.
pub fn display(path: &Path) -> String {
    let root = planrun_tests::workspace_root();
    path.strip_prefix(&root)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::toml_value;

    #[test]
    fn reads_package_and_lib_names() {
        let manifest = r#"
[package]
name = "my-plan" # comment
version.workspace = true

[lib]
crate-type = ["cdylib"]
name = "plan_lib"

[dependencies]
name = "not this"
"#;
        assert_eq!(
            toml_value(manifest, "package", "name").as_deref(),
            Some("my-plan")
        );
        assert_eq!(
            toml_value(manifest, "lib", "name").as_deref(),
            Some("plan_lib")
        );
        assert_eq!(toml_value(manifest, "workspace", "name"), None);
    }
}
