//! Placing files on a host and fetching them back.
//!
//! `put` first asks the host for the file's sha256, mode and owner (one
//! round trip), and sends the content only when it differs; the new content
//! goes to a temporary file beside the destination and is renamed over it,
//! so a reader never sees half a file.

use sha2::{Digest, Sha256};

use super::Remote;
use super::command::become_line;
use crate::plan::bindings::{FileOptions, PlanError};
use crate::transport::{ExitStatus, shell_quote};

/// Mode of a file planrun creates when the plan gives none.
const DEFAULT_MODE: u32 = 0o644;
/// Exit code our read script uses for "no such file".
const NOT_FOUND: i32 = 44;

/// A file as the host has it.
#[derive(Debug, PartialEq)]
struct Present {
    sha256: String,
    mode: u32,
    owner: String,
    group: String,
}

/// What `put` did, or would do in a dry run, to a file.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// Whether anything changed (or would have).
    pub changed: bool,
    /// The file and, when it changed, what about it:
    /// `write /etc/app.conf (content, mode 0644 → 0600)`.
    pub what: String,
    /// In a dry run whose content would change: the unified diff.
    pub diff: Option<String>,
}

impl Remote {
    /// Makes `dest` hold `contents` with `options`; says whether anything
    /// changed (or would have, when `dry_run`) and what.
    pub async fn put(
        &mut self,
        dest: &str,
        contents: &[u8],
        options: &FileOptions,
        dry_run: bool,
    ) -> Result<Placed, PlanError> {
        if dest.is_empty() {
            return Err(PlanError::Invalid("destination path is empty".into()));
        }
        if let Some(mode) = options.mode
            && mode > 0o7777
        {
            return Err(PlanError::Invalid(format!(
                "mode {mode:o} for {dest} is not a permission mode (at most 7777 octal)"
            )));
        }
        let want_sha = hex::encode(Sha256::digest(contents));
        let present = self.stat(dest, options).await?;
        let content_same = present.as_ref().is_some_and(|p| p.sha256 == want_sha);
        let mode = options
            .mode
            .or(present.as_ref().map(|p| p.mode))
            .unwrap_or(DEFAULT_MODE);
        let differences = differences(present.as_ref(), content_same, mode, options);
        if differences.is_empty() {
            return Ok(Placed {
                changed: false,
                what: dest.to_string(),
                diff: None,
            });
        }
        let what = format!("write {dest} ({})", differences.join(", "));
        if dry_run {
            let diff = match (&present, content_same) {
                (_, true) => None,
                (None, false) => Some(crate::diff::unified(dest, None, contents)),
                (Some(_), false) => Some(match self.cat(dest, options).await {
                    Ok(old) => crate::diff::unified(dest, Some(&old), contents),
                    Err(why) => format!("(no diff: could not read the current {dest}: {why})"),
                }),
            };
            return Ok(Placed {
                changed: true,
                what,
                diff,
            });
        }
        let q = shell_quote(dest);
        let mut script = String::new();
        let stdin = if content_same {
            script.push_str(&format!("chmod {mode:o} {q}"));
            script.push_str(&chown(options, &q));
            None
        } else {
            let tmp = shell_quote(&format!("{dest}.planrun-tmp"));
            script.push_str(&format!("umask 077 && cat > {tmp} && chmod {mode:o} {tmp}"));
            script.push_str(&chown(options, &tmp));
            script.push_str(&format!(
                " && mv -f {tmp} {q} || {{ rm -f {tmp}; exit 1; }}"
            ));
            Some(contents)
        };
        let line = self.file_command(&script, options)?;
        let raw = self.run(&line, stdin, None).await?;
        if raw.status != ExitStatus::Code(0) {
            return Err(refused(options, &raw.stderr).unwrap_or_else(|| {
                PlanError::Other(format!(
                    "could not write {dest}: {}",
                    String::from_utf8_lossy(&raw.stderr).trim()
                ))
            }));
        }
        Ok(Placed {
            changed: true,
            what,
            diff: None,
        })
    }

    /// The current content of `path`, read as `put` would write it, for a
    /// dry run's diff.
    async fn cat(&mut self, path: &str, options: &FileOptions) -> Result<Vec<u8>, String> {
        let line = self
            .file_command(&format!("cat -- {}", shell_quote(path)), options)
            .map_err(|e| words(&e))?;
        let raw = self.run(&line, None, None).await.map_err(|e| words(&e))?;
        match raw.status {
            ExitStatus::Code(0) if raw.stdout_dropped == 0 => Ok(raw.stdout),
            ExitStatus::Code(0) => Err("it is larger than the output limit".into()),
            _ => Err(String::from_utf8_lossy(&raw.stderr).trim().to_string()),
        }
    }

    /// Fetches the contents of `path`.
    pub async fn read(&mut self, path: &str) -> Result<Vec<u8>, PlanError> {
        let q = shell_quote(path);
        let script = format!("if [ -e {q} ]; then exec cat -- {q}; else exit {NOT_FOUND}; fi");
        let raw = self
            .run(&format!("sh -c {}", shell_quote(&script)), None, None)
            .await?;
        match raw.status {
            // A cut file is not the file: fail rather than return part of it.
            ExitStatus::Code(0) if raw.stdout_dropped > 0 => Err(PlanError::Invalid(format!(
                "{path} is larger than the {} limit on command output; raise --max-output to read it",
                self.max_output()
            ))),
            ExitStatus::Code(0) => Ok(raw.stdout),
            ExitStatus::Code(NOT_FOUND) => Err(PlanError::NotFound(format!(
                "{path} does not exist on the host"
            ))),
            _ => Err(PlanError::Other(format!(
                "could not read {path}: {}",
                String::from_utf8_lossy(&raw.stderr).trim()
            ))),
        }
    }

    /// The file's sha256, mode and owner, or None if there is no such file.
    async fn stat(
        &mut self,
        dest: &str,
        options: &FileOptions,
    ) -> Result<Option<Present>, PlanError> {
        let q = shell_quote(dest);
        let script = format!(
            "if [ -f {q} ]; then sha256sum < {q} | cut -c1-64 && stat -c '%a %U %G' -- {q}; \
             elif [ -e {q} ]; then echo 'exists and is not a regular file' >&2; exit 3; \
             else echo missing; fi"
        );
        let line = self.file_command(&script, options)?;
        let raw = self.run(&line, None, None).await?;
        let stdout = String::from_utf8_lossy(&raw.stdout);
        if raw.status != ExitStatus::Code(0) {
            return Err(refused(options, &raw.stderr).unwrap_or_else(|| {
                PlanError::Other(format!(
                    "could not check {dest}: {}",
                    String::from_utf8_lossy(&raw.stderr).trim()
                ))
            }));
        }
        parse_stat(&stdout).ok_or_else(|| {
            PlanError::Other(format!(
                "could not check {dest}: unexpected answer {stdout:?} (the host needs sha256sum and GNU stat)"
            ))
        })
    }

    fn file_command(&self, script: &str, options: &FileOptions) -> Result<String, PlanError> {
        match &options.become_user {
            Some(user) => become_line(user, script),
            None => Ok(format!("sh -c {}", shell_quote(script))),
        }
    }
}

/// What differs between the file as it is and as wanted; empty when
/// nothing does.
fn differences(
    present: Option<&Present>,
    content_same: bool,
    mode: u32,
    options: &FileOptions,
) -> Vec<String> {
    let want_owner = |have: &str, want: &Option<String>| want.clone().unwrap_or(have.to_string());
    let Some(present) = present else {
        let mut new = vec![format!("new file, mode {mode:04o}")];
        match (&options.owner, &options.group) {
            (Some(owner), Some(group)) => new.push(format!("owner {owner}:{group}")),
            (Some(owner), None) => new.push(format!("owner {owner}")),
            (None, Some(group)) => new.push(format!("group {group}")),
            (None, None) => {}
        }
        return new;
    };
    let mut differences = Vec::new();
    if !content_same {
        differences.push("content".to_string());
    }
    if present.mode != mode {
        differences.push(format!("mode {:04o} → {mode:04o}", present.mode));
    }
    let owner = want_owner(&present.owner, &options.owner);
    let group = want_owner(&present.group, &options.group);
    if owner != present.owner || group != present.group {
        differences.push(format!(
            "owner {}:{} → {owner}:{group}",
            present.owner, present.group
        ));
    }
    differences
}

/// An error of ours in words, for a note in a dry run's listing.
fn words(error: &PlanError) -> String {
    match error {
        PlanError::Connection(why)
        | PlanError::Invalid(why)
        | PlanError::Denied(why)
        | PlanError::Other(why) => why.clone(),
        PlanError::TimedOut(ms) => format!("timed out after {ms} ms"),
        other => format!("{other:?}"),
    }
}

/// sudo's refusal, when the file command ran as another user.
fn refused(options: &FileOptions, stderr: &[u8]) -> Option<PlanError> {
    super::command::password_wanted(options.become_user.as_deref()?, stderr)
}

fn chown(options: &FileOptions, path: &str) -> String {
    match (&options.owner, &options.group) {
        (None, None) => String::new(),
        (Some(o), None) => format!(" && chown {} {path}", shell_quote(o)),
        (None, Some(g)) => format!(" && chgrp {} {path}", shell_quote(g)),
        (Some(o), Some(g)) => format!(" && chown {} {path}", shell_quote(&format!("{o}:{g}"))),
    }
}

/// Reads the stat script's answer: `missing`, or sha256 then `MODE OWNER GROUP`.
fn parse_stat(stdout: &str) -> Option<Option<Present>> {
    let mut lines = stdout.lines();
    let first = lines.next()?.trim();
    if first == "missing" {
        return Some(None);
    }
    let mut attrs = lines.next()?.split_whitespace();
    let present = Present {
        sha256: first.to_string(),
        mode: u32::from_str_radix(attrs.next()?, 8).ok()?,
        owner: attrs.next()?.to_string(),
        group: attrs.next()?.to_string(),
    };
    (present.sha256.len() == 64).then_some(Some(present))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(mode: Option<u32>, owner: Option<&str>, group: Option<&str>) -> FileOptions {
        FileOptions {
            mode,
            owner: owner.map(str::to_string),
            group: group.map(str::to_string),
            become_user: None,
        }
    }

    #[test]
    fn differences_name_what_a_write_would_change() {
        let new = differences(None, false, 0o640, &options(Some(0o640), Some("app"), None));
        assert_eq!(new, vec!["new file, mode 0640", "owner app"]);
        let present = Present {
            sha256: "a".repeat(64),
            mode: 0o644,
            owner: "root".into(),
            group: "root".into(),
        };
        let same = options(None, Some("root"), None);
        assert!(differences(Some(&present), true, 0o644, &same).is_empty());
        let all = differences(
            Some(&present),
            false,
            0o600,
            &options(None, None, Some("app")),
        );
        assert_eq!(
            all,
            vec!["content", "mode 0644 → 0600", "owner root:root → root:app"]
        );
    }

    #[test]
    fn reads_the_stat_answer() {
        assert_eq!(parse_stat("missing\n"), Some(None));
        let sha = "a".repeat(64);
        assert_eq!(
            parse_stat(&format!("{sha}\n644 root staff\n")),
            Some(Some(Present {
                sha256: sha,
                mode: 0o644,
                owner: "root".into(),
                group: "staff".into()
            }))
        );
        assert_eq!(parse_stat("garbage\n"), None);
    }
}
