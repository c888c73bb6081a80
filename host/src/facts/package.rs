//! `package:NAME` (installed? which version?) and `package.candidate:NAME`
//! (which version would be installed now), for dpkg/apt, rpm/dnf and apk.
//!
//! Both commands print the package manager first, then its own answer, so
//! the parser knows how to read it.

use serde_json::{Value, json};

/// dpkg's status abbreviation and version (`ii |1.22.1-9`), rpm's version
/// (or `package NAME is not installed`), apk's `apk list -I` lines.
pub fn command(quoted_name: &str) -> String {
    format!(
        "n={quoted_name}; \
         if command -v dpkg-query >/dev/null 2>&1; then echo dpkg; \
         dpkg-query -W -f='${{db:Status-Abbrev}}|${{Version}}\\n' -- \"$n\"; \
         elif command -v rpm >/dev/null 2>&1; then echo rpm; \
         rpm -q --qf '%{{VERSION}}-%{{RELEASE}}\\n' -- \"$n\"; \
         elif command -v apk >/dev/null 2>&1; then echo apk; apk list -I -- \"$n\"; \
         else echo none; fi; true"
    )
}

pub fn parse(name: &str, output: &str) -> Result<Value, String> {
    let mut lines = output.lines().map(str::trim).filter(|l| !l.is_empty());
    let manager = lines.next().unwrap_or("none");
    let answer: Vec<&str> = lines.collect();
    let version = match manager {
        // `ii |1.2-3`: the second letter is the current status; `rc`
        // (removed, config files left) is not installed.
        "dpkg" => answer.iter().find_map(|line| {
            let (status, version) = line.split_once('|')?;
            (status.as_bytes().get(1) == Some(&b'i')).then(|| version.to_string())
        }),
        // One line per installed instance (kernels): the last is newest.
        "rpm" => answer
            .iter()
            .rev()
            .find(|line| !line.contains(' '))
            .map(|v| v.to_string()),
        // `nginx-1.24.0-r15 x86_64 {nginx} (BSD-2-Clause) [installed]`
        "apk" => answer.iter().find_map(|line| {
            let first = line.split_whitespace().next()?;
            let version = first.strip_prefix(name)?.strip_prefix('-')?;
            let starts_with_digit = version.bytes().next().is_some_and(|b| b.is_ascii_digit());
            (starts_with_digit && line.contains("[installed]")).then(|| version.to_string())
        }),
        "none" => None,
        other => return Err(format!("unexpected package manager {other:?}")),
    };
    Ok(json!({
        "name": name,
        "manager": (manager != "none").then_some(manager),
        "installed": version.is_some(),
        "version": version,
    }))
}

/// `apt-cache policy`, `dnf repoquery` or `apk policy`, after the tool's name.
pub fn candidate_command(quoted_name: &str) -> String {
    format!(
        "n={quoted_name}; \
         if command -v apt-cache >/dev/null 2>&1; then echo apt; apt-cache policy -- \"$n\"; \
         elif command -v dnf >/dev/null 2>&1; then echo dnf; \
         dnf -q repoquery --latest-limit=1 --qf '%{{version}}-%{{release}}\\n' -- \"$n\"; \
         elif command -v apk >/dev/null 2>&1; then echo apk; apk policy -- \"$n\"; \
         else echo none; fi; true"
    )
}

/// The candidate version, or "" when the package cannot be installed.
pub fn parse_candidate(output: &str) -> Result<Value, String> {
    let mut lines = output.lines().filter(|l| !l.trim().is_empty());
    let tool = lines.next().unwrap_or("none").trim();
    let rest: Vec<&str> = lines.collect();
    let candidate = match tool {
        // `  Candidate: 1.22.1-9`, or `(none)` when no source has it.
        "apt" => rest
            .iter()
            .find_map(|l| l.trim().strip_prefix("Candidate:"))
            .map(str::trim)
            .filter(|v| *v != "(none)")
            .unwrap_or(""),
        "dnf" => rest.last().map(|l| l.trim()).unwrap_or(""),
        // Versions are the lines indented by two spaces and ending in `:`,
        // oldest first; repositories follow each, indented further.
        "apk" => rest
            .iter()
            .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
            .filter_map(|l| l.trim().strip_suffix(':'))
            .next_back()
            .unwrap_or(""),
        "none" => "",
        other => return Err(format!("unexpected package tool {other:?}")),
    };
    Ok(Value::String(candidate.to_string()))
}
