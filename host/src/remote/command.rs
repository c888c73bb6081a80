//! Building the shell command line for a plan's `exec`: working directory,
//! environment and `sudo -n -u USER` around `sh -c COMMAND`.
//!
//! SSH has no argv: the remote login shell parses one string, so every part
//! is quoted here.

use crate::plan::bindings::{ExecOptions, PlanError};
use crate::transport::shell_quote;

/// The line sent to the host for `command` under `options`.
pub fn command_line(command: &str, options: &ExecOptions) -> Result<String, PlanError> {
    let mut inner = String::new();
    if let Some(cwd) = &options.cwd {
        inner.push_str(&format!("cd {} && ", shell_quote(cwd)));
    }
    if !options.env.is_empty() {
        inner.push_str("env");
        for (key, value) in &options.env {
            if !is_env_name(key) {
                return Err(PlanError::Invalid(format!(
                    "`{key}` is not a valid environment variable name (letters, digits and _, \
                     not starting with a digit)"
                )));
            }
            inner.push_str(&format!(" {key}={}", shell_quote(value)));
        }
        inner.push(' ');
    }
    inner.push_str(&format!("sh -c {}", shell_quote(command)));
    Ok(match &options.become_user {
        Some(user) => become_line(user, &inner)?,
        None => inner,
    })
}

/// Wraps `line` to run as `user` through non-interactive sudo.
pub fn become_line(user: &str, line: &str) -> Result<String, PlanError> {
    if user.is_empty() || user.starts_with('-') {
        return Err(PlanError::Invalid(format!(
            "`{user}` is not a user name to become"
        )));
    }
    Ok(format!(
        "sudo -n -u {} -- sh -c {}",
        shell_quote(user),
        shell_quote(line)
    ))
}

/// The error for a command run through `sudo -n -u user` that sudo refused
/// because it wanted a password; None if that is not what happened.
pub fn password_wanted(user: &str, stderr: &[u8]) -> Option<PlanError> {
    let stderr = String::from_utf8_lossy(stderr);
    stderr.contains("sudo: a password is required").then(|| {
        PlanError::Denied(format!(
            "sudo to `{user}` wants a password; planrun runs sudo -n, so allow \
             passwordless sudo (NOPASSWD) for the login user"
        ))
    })
}

fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> ExecOptions {
        ExecOptions {
            become_user: None,
            env: Vec::new(),
            cwd: None,
            stdin: None,
            timeout_ms: None,
        }
    }

    #[test]
    fn plain_command_runs_under_sh() {
        assert_eq!(
            command_line("echo hi", &options()).unwrap(),
            "sh -c 'echo hi'"
        );
    }

    #[test]
    fn cwd_env_and_become_wrap_in_order() {
        let opts = ExecOptions {
            become_user: Some("deploy".into()),
            env: vec![("A".into(), "it's".into())],
            cwd: Some("/srv/app".into()),
            ..options()
        };
        let line = command_line("make", &opts).unwrap();
        assert!(line.starts_with("sudo -n -u deploy -- sh -c "), "{line}");
        assert!(line.contains("cd /srv/app && env A="), "{line}");
    }

    #[test]
    fn sudo_asking_for_a_password_is_denied() {
        let refused = password_wanted("app", b"sudo: a password is required\n");
        assert!(
            matches!(&refused, Some(PlanError::Denied(why)) if why.contains("`app` wants a password")),
            "{refused:?}"
        );
        assert_eq!(password_wanted("app", b"No such file\n"), None);
    }

    #[test]
    fn bad_env_names_are_refused() {
        let opts = ExecOptions {
            env: vec![("A B".into(), "x".into())],
            ..options()
        };
        assert!(matches!(
            command_line("true", &opts),
            Err(PlanError::Invalid(_))
        ));
    }
}
