//! Telling whether the process that started a run is still alive, so a run
//! left `running` by a planrun that was killed shows as crashed.
//!
//! A pid alone is not enough: pids are reused. A run stores its pid with the
//! boot id and the process's start time (from /proc), and the run's process
//! is alive only if a process with that pid started at that time this boot.

use std::path::Path;

/// This process, as a run records it: (pid, identity token).
pub fn this_process() -> (u32, String) {
    let pid = std::process::id();
    (pid, identity(pid).unwrap_or_default())
}

/// Whether the process recorded as (`pid`, `token`) still runs.
pub fn alive(pid: u32, token: &str) -> bool {
    match identity(pid) {
        Some(now) => token.is_empty() || now == token,
        // No /proc entry: gone (or no /proc at all, where we cannot tell and
        // assume it runs rather than call a live run crashed).
        None => !Path::new("/proc/self/stat").exists(),
    }
}

/// `BOOT_ID/STARTTIME` of `pid`, from /proc.
fn identity(pid: u32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may hold spaces;
    // the fields after its closing parenthesis are plain.
    let after = &stat[stat.rfind(')')? + 1..];
    // Field 22 (starttime) is the 20th after the name.
    let start = after.split_whitespace().nth(19)?;
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id").unwrap_or_default();
    Some(format!("{}/{start}", boot.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_stranger_with_its_pid_is_not() {
        let (pid, token) = this_process();
        assert!(!token.is_empty());
        assert!(alive(pid, &token));
        assert!(!alive(pid, "another-boot/1"));
    }

    #[test]
    fn a_finished_child_is_gone() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        let token = identity(pid).unwrap_or_default();
        child.wait().unwrap();
        assert!(!alive(pid, &token));
    }
}
