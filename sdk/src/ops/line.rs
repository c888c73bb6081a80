//! The `line` operation: a line present in a file (appended, or replacing
//! the lines a regular expression matches) or absent from it. The new
//! content is computed in the plan (regex-lite) and written with `write`,
//! so a dry run shows the diff.

use regex_lite::Regex;

use super::{ask, changed, unchanged};
use crate::error::{Error, Result};
use crate::files::{Change, FileOptions};
use crate::quote;

const LABEL: &str = "LINE";

/// A line in the file at `path`: build it, then [`present`](Line::present)
/// or [`absent`](Line::absent).
///
/// ```no_run
/// # fn main() -> planrun_sdk::Result<()> {
/// planrun_sdk::ops::line("/etc/ssh/sshd_config", "PermitRootLogin no")
///     .matching(r"^#?\s*PermitRootLogin\b")
///     .present()?;
/// # Ok(())
/// # }
/// ```
pub fn line(path: impl Into<String>, line: impl Into<String>) -> Line {
    Line {
        path: path.into(),
        line: line.into(),
        matching: None,
        become_user: None,
    }
}

/// See [`line()`].
#[derive(Debug, Clone)]
#[must_use = "a line operation does nothing until `.present()` or `.absent()`"]
pub struct Line {
    path: String,
    line: String,
    matching: Option<String>,
    become_user: Option<String>,
}

impl Line {
    /// A regular expression (regex-lite syntax) for the lines this line
    /// replaces: [`present`](Line::present) replaces every matching line
    /// with it (appending it when none matches), [`absent`](Line::absent)
    /// removes every matching line.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::line("/etc/default/app", "WORKERS=8").matching("^WORKERS=").present()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn matching(mut self, regex: impl Into<String>) -> Self {
        self.matching = Some(regex.into());
        self
    }

    /// Reads and writes the file as `user` through `sudo -n`.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::line("/etc/hosts", "10.0.0.5 db").become_user("root").present()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn become_user(mut self, user: impl Into<String>) -> Self {
        self.become_user = Some(user.into());
        self
    }

    /// Makes sure the line is in the file (creating the file if need be).
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::line("/etc/environment", "LANG=C.UTF-8").present()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn present(self) -> Result<Change> {
        let regex = self.regex()?;
        let old = self.read()?;
        let new = with_line(old.as_deref().unwrap_or(""), &self.line, regex.as_ref());
        self.finish(old, new, "is present")
    }

    /// Makes sure no line equal to this one (or, with
    /// [`matching`](Line::matching), matching it) is in the file.
    ///
    /// ```no_run
    /// # fn main() -> planrun_sdk::Result<()> {
    /// planrun_sdk::ops::line("/etc/hosts.allow", "ALL: ALL").absent()?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn absent(self) -> Result<Change> {
        let regex = self.regex()?;
        let Some(old) = self.read()? else {
            return Ok(unchanged(LABEL, &self.path, "no such file"));
        };
        let new = without_line(&old, &self.line, regex.as_ref());
        self.finish(Some(old), new, "is absent")
    }

    fn regex(&self) -> Result<Option<Regex>> {
        self.matching
            .as_deref()
            .map(|re| {
                Regex::new(re)
                    .map_err(|e| Error::Invalid(format!("`{re}` is not a regular expression: {e}")))
            })
            .transpose()
    }

    /// The file's text, or None when it does not exist.
    fn read(&self) -> Result<Option<String>> {
        let script = format!(
            "if [ -e {p} ]; then cat -- {p}; else exit 44; fi",
            p = quote(&self.path)
        );
        let output = ask(script, &self.become_user)?;
        match output.code() {
            Some(0) => String::from_utf8(output.stdout().to_vec())
                .map(Some)
                .map_err(|_| Error::Invalid(format!("{} is not UTF-8 text", self.path))),
            Some(44) => Ok(None),
            _ => Err(Error::CommandFailed(output)),
        }
    }

    fn finish(&self, old: Option<String>, new: String, wanted: &str) -> Result<Change> {
        let subject = format!("{}: {:?}", self.path, self.line);
        if old.as_deref() == Some(new.as_str()) || (old.is_none() && new.is_empty()) {
            return Ok(unchanged(LABEL, &subject, wanted));
        }
        let mut options = FileOptions::new();
        if let Some(user) = &self.become_user {
            options = options.become_user(user);
        }
        options.write(&self.path, new)?;
        Ok(changed(LABEL, &subject, ""))
    }
}

/// `text` with `line` in it: replacing the lines `regex` matches (or equal
/// lines), else appended at the end.
fn with_line(text: &str, line: &str, regex: Option<&Regex>) -> String {
    let hit = |l: &str| match regex {
        Some(re) => re.is_match(l),
        None => l == line,
    };
    if !text.lines().any(hit) {
        let mut out = text.to_string();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
        return out;
    }
    map_lines(text, |l| Some(if hit(l) { line } else { l }))
}

/// `text` without the lines equal to `line` (or matching `regex`).
fn without_line(text: &str, line: &str, regex: Option<&Regex>) -> String {
    map_lines(text, |l| {
        let hit = match regex {
            Some(re) => re.is_match(l),
            None => l == line,
        };
        (!hit).then_some(l)
    })
}

/// Rebuilds `text` line by line, keeping whether it ended with a newline.
fn map_lines<'a>(text: &'a str, mut f: impl FnMut(&'a str) -> Option<&'a str>) -> String {
    let mut out = String::with_capacity(text.len());
    let kept: Vec<&str> = text.lines().filter_map(&mut f).collect();
    out.push_str(&kept.join("\n"));
    if !kept.is_empty() && (text.ends_with('\n') || text.is_empty()) {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_once_and_keeps_newlines() {
        assert_eq!(with_line("a\nb", "c", None), "a\nb\nc\n");
        assert_eq!(with_line("", "c", None), "c\n");
        assert_eq!(with_line("a\nc\n", "c", None), "a\nc\n");
    }

    #[test]
    fn replaces_matching_lines() {
        let re = Regex::new(r"^#?\s*Port\b").unwrap();
        assert_eq!(
            with_line("# Port 22\nX yes\n", "Port 2222", Some(&re)),
            "Port 2222\nX yes\n"
        );
        assert_eq!(
            with_line("X yes\n", "Port 2222", Some(&re)),
            "X yes\nPort 2222\n"
        );
    }

    #[test]
    fn removes_lines() {
        assert_eq!(without_line("a\nb\na\n", "a", None), "b\n");
        let re = Regex::new("^b").unwrap();
        assert_eq!(without_line("a\nbb\nc", "", Some(&re)), "a\nc");
        assert_eq!(without_line("a\n", "a", None), "");
    }
}
