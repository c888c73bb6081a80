//! A plan for the sandbox tests. Host 0 attacks the sandbox as the `attack`
//! param says; every other host does honest work (a command, a publish) in
//! the same run. Then all meet at the `done` barrier, which a host that
//! died releases, so the others always get to finish.
//!
//! Attacks that the sandbox answers with an error the plan sees report it
//! with `REFUSED`/`BLOCKED` steps (or `ESCAPED`/`STOLEN` if it ever let them
//! through); attacks that must end the instance never return.
//!
//! Parameters: `attack` (required); `sleep` (seconds the honest hosts wait
//! on a remote `sleep`, default 0); `outside` (a path outside the asset
//! directory, for `assets`); `paths` (comma-separated controller files for
//! `files`); `dir` (where honest hosts copy an asset).

use std::hint::black_box;

use planrun_sdk::{
    Result, barrier, copy, exec, lookup, param, param_or, publish, require_param, step, this_host,
};

planrun_sdk::plan!(run);

fn run() -> Result<()> {
    let host = this_host();
    if host.index == 0 {
        attack(&require_param("attack")?)?;
    } else {
        behave(&host.name)?;
    }
    barrier("done")?;
    step("DONE", "finished normally");
    Ok(())
}

/// What a well-behaved host does: wait on a command, use its output, publish.
fn behave(name: &str) -> Result<()> {
    let seconds = param_or("sleep", "0");
    exec(format!("sleep {seconds}"))?;
    let hello = exec(format!("echo hello from {name}"))?;
    step("WORK", hello.stdout_str().trim());
    if let Some(dir) = param("dir") {
        copy("motd.txt", format!("{dir}/{name}.motd"))?;
        step("COPIED", "motd.txt");
    }
    publish(format!("ready-{name}"), name)?;
    let seen = lookup(format!("ready-{name}")).unwrap_or_default();
    step("PUBLISHED", format!("ready-{name}={seen}"));
    Ok(())
}

fn attack(kind: &str) -> Result<()> {
    match kind {
        // Burn CPU forever.
        "spin" => {
            let mut n = 0u64;
            loop {
                n = black_box(n.wrapping_add(1));
            }
        }
        // Allocate and touch memory until something gives.
        "memory" => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![1u8; 1 << 20]);
                black_box(&hoard);
            }
        }
        // Recurse without end.
        "recursion" => {
            let depth = deep(0, u64::MAX);
            step("DEPTH", depth.to_string());
            Ok(())
        }
        "panic" => panic!("deliberate panic in the hostile plan"),
        "exit" => std::process::exit(3),
        // A command that prints 1 GiB.
        "output" => {
            let out = exec("yes planrun | head -c 1073741824")?;
            let stdout = out.stdout_str();
            let last = stdout.trim_end().lines().last().unwrap_or("");
            step(
                "OUTPUT",
                format!("{} bytes; last line: {last}", out.stdout().len()),
            );
            Ok(())
        }
        // Reach out of the asset directory: up, absolute, and by a symlink.
        "assets" => {
            let outside = require_param("outside")?;
            for asset in [
                "../outside.txt",
                outside.as_str(),
                "link-out",
                "sub/../../outside.txt",
            ] {
                match copy(asset, "/tmp/planrun-hostile-asset") {
                    Ok(_) => step("ESCAPED", asset),
                    Err(e) => step("REFUSED", format!("{asset}: {e}")),
                }
            }
            Ok(())
        }
        // Read the controller's files through WASI.
        "files" => {
            let paths = require_param("paths")?;
            for path in paths.split(',') {
                match std::fs::read(path) {
                    Ok(bytes) => step("STOLEN", format!("{path}: {} bytes", bytes.len())),
                    Err(e) => step("BLOCKED", format!("{path}: {e}")),
                }
            }
            for dir in ["/", "."] {
                match std::fs::read_dir(dir) {
                    Ok(entries) => step("STOLEN", format!("{dir}: {} entries", entries.count())),
                    Err(e) => step("BLOCKED", format!("{dir}: {e}")),
                }
            }
            Ok(())
        }
        // Look for the controller's secrets in the environment.
        "env" => {
            let vars: Vec<String> = std::env::vars().map(|(k, v)| format!("{k}={v}")).collect();
            step(
                "ENV",
                format!("{} variables: {}", vars.len(), vars.join(" ")),
            );
            let args: Vec<String> = std::env::args().collect();
            step("ARGS", format!("{} arguments", args.len()));
            Ok(())
        }
        // Fill the run's publish board.
        "publish" => {
            let value = "x".repeat(1000);
            for i in 0.. {
                publish(format!("flood-{i}"), &value)?;
            }
            Ok(())
        }
        // A command that would never end.
        "hang" => {
            exec("sleep 600")?;
            Ok(())
        }
        other => planrun_sdk::bail!("unknown attack `{other}`"),
    }
}

/// Not a tail call, and not one LLVM can turn into a loop (the work after
/// the call is neither associative nor commutative).
fn deep(n: u64, limit: u64) -> u64 {
    if n >= limit {
        return n;
    }
    deep(n + 1, limit).wrapping_mul(3).wrapping_sub(n)
}
