//! Unified diffs of a file's content, computed on the controller: what a
//! dry run shows for each file it would change.

use similar::TextDiff;

/// Files larger than this are summarised, not diffed: a diff of megabytes
/// helps nobody read a dry run.
const MAX_DIFF_INPUT: usize = 256 * 1024;

/// Lines of context around each change, as `diff -u`.
const CONTEXT: usize = 3;

/// The unified diff from `old` (None: the file does not exist) to `new`
/// for `path`; a one-line note when either side is not text or too large.
pub fn unified(path: &str, old: Option<&[u8]>, new: &[u8]) -> String {
    let old_len = old.map_or(0, <[u8]>::len);
    if old_len > MAX_DIFF_INPUT || new.len() > MAX_DIFF_INPUT {
        return format!(
            "(not shown: {path} would go from {old_len} to {} bytes)",
            new.len()
        );
    }
    let (Ok(old_text), Ok(new_text)) = (
        std::str::from_utf8(old.unwrap_or_default()),
        std::str::from_utf8(new),
    ) else {
        return format!(
            "(binary content: {path} would go from {old_len} to {} bytes)",
            new.len()
        );
    };
    let from = if old.is_some() {
        path.to_string()
    } else {
        "/dev/null".to_string()
    };
    TextDiff::from_lines(old_text, new_text)
        .unified_diff()
        .context_radius(CONTEXT)
        .header(&from, path)
        .missing_newline_hint(true)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_changed_lines_with_context() {
        let diff = unified("/etc/app.conf", Some(b"a\nb\nc\n"), b"a\nB\nc\n");
        assert_eq!(
            diff,
            "--- /etc/app.conf\n+++ /etc/app.conf\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
        );
    }

    #[test]
    fn a_new_file_comes_from_dev_null() {
        let diff = unified("/x", None, b"hello\n");
        assert!(
            diff.starts_with("--- /dev/null\n+++ /x\n@@ -0,0 +1 @@\n+hello\n"),
            "{diff}"
        );
    }

    #[test]
    fn binary_and_huge_files_are_summarised() {
        assert!(unified("/b", Some(b"\xff\xfe"), b"x").contains("binary"));
        let big = vec![b'a'; MAX_DIFF_INPUT + 1];
        assert!(unified("/big", None, &big).contains("not shown"));
    }
}
