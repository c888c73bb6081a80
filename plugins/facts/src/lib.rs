//! `facts`: prints what planrun knows about each host — hostname, OS,
//! kernel, architecture, CPUs, memory — gathered in one round trip.
//!
//! ```text
//! planrun target/plans/facts.wasm --hosts web01-4
//! planrun target/plans/facts.wasm --hosts web01-4 --param format=json
//! planrun target/plans/facts.wasm --hosts web01 --param facts=package:nginx,stat:/etc/nginx
//! ```
//!
//! Parameters:
//! - `format` (optional): `text` (the default), one `name  value` line per
//!   fact, or `json`, one JSON object per host;
//! - `facts` (optional): more facts to show, comma-separated (any name
//!   `fact()` knows, e.g. `package:nginx`, `unit:ssh.service`, `user:app`).

use planrun_sdk::{Error, Result, facts, param, param_or, print};

planrun_sdk::plan!(run);

/// What every host shows.
const SYSTEM: &[&str] = &[
    "hostname",
    "os",
    "os.name",
    "os.family",
    "kernel",
    "arch",
    "cpus",
    "memory",
];

fn run() -> Result<()> {
    let mut names: Vec<String> = SYSTEM.iter().map(|s| s.to_string()).collect();
    if let Some(extra) = param("facts") {
        names.extend(
            extra
                .split(',')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_string),
        );
    }
    let found = facts::gather(&names)?;
    match param_or("format", "text").as_str() {
        "json" => print(found.to_json()),
        "text" => {
            let width = names.iter().map(String::len).max().unwrap_or(0);
            for name in &names {
                print(format!("{name:<width$}  {}", found.text(name)?));
            }
        }
        other => {
            return Err(Error::InvalidParam {
                name: "format".into(),
                value: other.into(),
                reason: "must be `text` or `json`".into(),
            });
        }
    }
    Ok(())
}
