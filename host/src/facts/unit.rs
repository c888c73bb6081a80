//! `unit:NAME`: a systemd unit's load, active and enablement state.

use serde_json::{Value, json};

/// Printed when the host has no `systemctl` at all.
const NO_SYSTEMCTL: &str = "no-systemctl";

pub fn command(quoted_name: &str) -> String {
    format!(
        "command -v systemctl >/dev/null 2>&1 || {{ echo {NO_SYSTEMCTL}; exit 0; }}; \
         systemctl show {quoted_name} --no-pager \
         --property=LoadState,ActiveState,SubState,UnitFileState"
    )
}

pub fn parse(name: &str, output: &str, exit: i32) -> Result<Value, String> {
    if output.trim() == NO_SYSTEMCTL {
        return Err(format!(
            "cannot tell the state of unit {name}: the host has no systemctl"
        ));
    }
    if exit != 0 {
        return Err(format!(
            "cannot tell the state of unit {name}: `systemctl show` failed with exit status \
             {exit} (is systemd running on the host?)"
        ));
    }
    let get = |key: &str| {
        output
            .lines()
            .filter_map(|l| l.trim().split_once('='))
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.to_string())
            .unwrap_or_default()
    };
    Ok(json!({
        "name": name,
        "load": get("LoadState"),
        "active": get("ActiveState"),
        "sub": get("SubState"),
        "enabled": get("UnitFileState"),
    }))
}
