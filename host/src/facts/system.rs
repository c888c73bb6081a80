//! The system facts: hostname, OS, kernel, architecture, CPUs and memory,
//! all from one command.

use serde_json::{Map, Value};

/// Lines 1–6: `uname -n -s -r -m` one per line, online CPUs, the
/// `MemTotal:` line (empty when unknown); then `/etc/os-release`.
pub const COMMAND: &str = "uname -n; uname -s; uname -r; uname -m; \
    getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null || echo; \
    grep '^MemTotal:' /proc/meminfo 2>/dev/null || echo; \
    cat /etc/os-release 2>/dev/null; true";

/// An object of text values keyed by fact name (`os.id`, `cpus`, …).
pub fn parse(output: &str) -> Result<Value, String> {
    let mut lines = output.lines().map(str::trim);
    let mut next = |what: &str| {
        lines
            .next()
            .map(str::to_string)
            .ok_or_else(|| format!("no {what} in the system facts"))
    };
    let hostname = next("hostname")?;
    let kernel_name = next("kernel name")?;
    let kernel = next("kernel release")?;
    let arch = next("architecture")?;
    let cpus = next("CPU count")?;
    let memory = memory_bytes(&next("memory")?);
    let release: Vec<(&str, String)> = output
        .lines()
        .skip(6)
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim(), unquote(v.trim())))
        .collect();
    let get = |key: &str| {
        release
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    };
    // Without os-release (BSDs, old systems) the kernel names the OS.
    let os_id = get("ID").unwrap_or_else(|| kernel_name.to_lowercase());
    let os_family = get("ID_LIKE")
        .and_then(|like| like.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| os_id.clone());
    let os_version = get("VERSION_ID").unwrap_or_default();
    let os_name = get("PRETTY_NAME").unwrap_or_else(|| os_id.clone());
    let os = format!("{os_id} {os_version}").trim().to_string();
    let mut facts = Map::new();
    for (name, value) in [
        ("hostname", hostname),
        ("os", os),
        ("os.id", os_id),
        ("os.version", os_version),
        ("os.name", os_name),
        ("os.family", os_family),
        ("kernel", kernel),
        ("kernel.name", kernel_name),
        ("arch", arch),
        ("cpus", cpus),
        ("memory", memory),
    ] {
        facts.insert(name.to_string(), Value::String(value));
    }
    Ok(Value::Object(facts))
}

/// `MemTotal:       16314784 kB` → bytes as text; "" when unknown.
fn memory_bytes(line: &str) -> String {
    let mut words = line.split_whitespace().skip(1);
    let (Some(amount), unit) = (words.next(), words.next()) else {
        return String::new();
    };
    let Ok(amount) = amount.parse::<u64>() else {
        return String::new();
    };
    let scale = match unit {
        Some("kB") => 1024,
        Some("MB") => 1024 * 1024,
        _ => 1,
    };
    (amount * scale).to_string()
}

/// os-release values may be quoted, with `\"` inside double quotes.
fn unquote(value: &str) -> String {
    let v = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
        .unwrap_or(value);
    v.replace("\\\"", "\"")
}
