//! `command:NAME`: where the host finds a command, or "" if it has none.

/// `command -v` as the POSIX shell resolves it; absent is not an error.
pub fn command(quoted_name: &str) -> String {
    format!("command -v {quoted_name} || true")
}
