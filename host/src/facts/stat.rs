//! `stat:PATH`: whether a path exists, what it is, its mode, owner, size,
//! and the sha256 of a regular file or the target of a symlink.

use serde_json::{Value, json};

/// Files larger than this get no sha256: hashing a disk image to answer
/// "does it exist?" would cost minutes.
pub const MAX_HASHED: u64 = 64 * 1024 * 1024;

/// One `stat -c` line (`%F|%a|%U|%G|%s`: kind, octal mode, owner, group,
/// size; lstat, so a symlink is itself), then the symlink's target or the
/// file's `sha256sum` line (empty if unreadable or larger than
/// [`MAX_HASHED`]); or `missing`.
pub fn command(quoted_path: &str) -> String {
    format!(
        "p={quoted_path}; if [ -L \"$p\" ] || [ -e \"$p\" ]; then \
         l=$(stat -c '%F|%a|%U|%G|%s' -- \"$p\") || exit 1; echo \"$l\"; \
         if [ -L \"$p\" ]; then readlink -- \"$p\"; \
         elif [ -f \"$p\" ] && [ \"${{l##*|}}\" -le {MAX_HASHED} ]; then \
         sha256sum < \"$p\" 2>/dev/null || echo; fi; \
         else echo missing; fi"
    )
}

pub fn parse(path: &str, output: &str, exit: i32) -> Result<Value, String> {
    if exit != 0 {
        return Err(format!("stat of {path} failed (exit status {exit})"));
    }
    let mut lines = output.lines();
    let first = lines.next().unwrap_or("").trim();
    if first == "missing" {
        return Ok(json!({
            "path": path, "exists": false, "kind": null, "mode": null, "owner": null,
            "group": null, "size": null, "sha256": null, "target": null,
        }));
    }
    let fields: Vec<&str> = first.split('|').collect();
    let [kind, mode, owner, group, size] = fields[..] else {
        return Err(format!("unexpected stat output {first:?} for {path}"));
    };
    let kind = match kind {
        // GNU and BusyBox call an empty file "regular empty file".
        "regular file" | "regular empty file" => "file",
        "directory" => "directory",
        "symbolic link" => "symlink",
        _ => "other",
    };
    let mode = u32::from_str_radix(mode, 8)
        .map_err(|_| format!("unexpected mode {mode:?} in stat output for {path}"))?;
    let size: u64 = size
        .parse()
        .map_err(|_| format!("unexpected size {size:?} in stat output for {path}"))?;
    let second = lines.next().unwrap_or("").trim();
    let (sha256, target) = match kind {
        "file" => {
            let sha = second.split_whitespace().next().unwrap_or("");
            let valid = sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit());
            (valid.then(|| sha.to_string()), None)
        }
        "symlink" => (None, Some(second.to_string())),
        _ => (None, None),
    };
    Ok(json!({
        "path": path,
        "exists": true,
        "kind": kind,
        "mode": format!("{mode:04o}"),
        "owner": owner,
        "group": group,
        "size": size,
        "sha256": sha256,
        "target": target,
    }))
}
