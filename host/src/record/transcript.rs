//! A host's output in the record: one text per host per run, as a person
//! reads it (`+1.234  LABEL     message`, command output indented under
//! its command), stored zstd-compressed as one blob rather than a row per
//! line.

use std::time::Duration;

use anyhow::{Context, Result};

/// A host's transcript stops growing here (a note says how much was left out).
const MAX_BYTES: usize = 16 << 20;
/// Of one command's stdout or stderr, the record keeps this much.
const MAX_STREAM_BYTES: usize = 1 << 20;
/// zstd level: fast, and output text compresses well even so.
const LEVEL: i32 = 3;
/// Labels are padded to this width, as on the console.
const LABEL_WIDTH: usize = 8;

#[derive(Debug, Default)]
pub struct Transcript {
    text: String,
    /// Bytes left out past [`MAX_BYTES`].
    dropped: usize,
    /// Grown since last compressed.
    dirty: bool,
}

impl Transcript {
    /// `+SECS  LABEL  message`; a multi-line message continues aligned.
    pub fn line(&mut self, at: Duration, label: &str, message: &str) {
        let stamp = format!("+{:.3}", at.as_secs_f64());
        let mut first = true;
        for line in message.lines().chain(message.is_empty().then_some("")) {
            let (stamp, label) = if first {
                (stamp.as_str(), label)
            } else {
                ("", "")
            };
            first = false;
            let line = format!("{stamp:>9}  {label:<LABEL_WIDTH$}  {line}");
            self.push(line.trim_end());
        }
    }

    /// A command's output stream under its command line, each line marked
    /// (`|` stdout, `!` stderr).
    pub fn output(&mut self, marker: char, bytes: &[u8]) {
        let kept = &bytes[..bytes.len().min(MAX_STREAM_BYTES)];
        let text = String::from_utf8_lossy(kept);
        for line in text.lines() {
            self.push(&format!("{:>9}  {:<LABEL_WIDTH$}  {marker} {line}", "", ""));
        }
        if kept.len() < bytes.len() {
            let note = format!("[{} more bytes not recorded]", bytes.len() - kept.len());
            self.push(&format!("{:>9}  {:<LABEL_WIDTH$}  {marker} {note}", "", ""));
        }
    }

    fn push(&mut self, line: &str) {
        if self.text.len() + line.len() + 1 > MAX_BYTES {
            self.dropped += line.len() + 1;
        } else {
            self.text.push_str(line);
            self.text.push('\n');
        }
        self.dirty = true;
    }

    /// Whether it grew since the last [`take_compressed`](Self::take_compressed).
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// The blob to store and its uncompressed size; marks it clean.
    pub fn take_compressed(&mut self) -> Result<(Vec<u8>, usize)> {
        self.dirty = false;
        let mut text = std::borrow::Cow::Borrowed(self.text.as_str());
        if self.dropped > 0 {
            let note = format!(
                "[output past {MAX_BYTES} bytes not recorded: {} bytes]\n",
                self.dropped
            );
            text.to_mut().push_str(&note);
        }
        let blob =
            zstd::bulk::compress(text.as_bytes(), LEVEL).context("cannot compress output")?;
        Ok((blob, text.len()))
    }
}

/// A stored blob back to text.
pub fn decompress(blob: &[u8], size: usize) -> Result<String> {
    let bytes =
        zstd::bulk::decompress(blob, size.max(1)).context("the stored output is damaged")?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_align_and_round_trip_through_zstd() {
        let mut t = Transcript::default();
        t.line(Duration::from_millis(1234), "EXEC", "echo hi");
        t.output('|', b"hi\nthere\n");
        t.line(Duration::from_millis(2000), "", "two\nlines");
        let (blob, size) = t.take_compressed().unwrap();
        assert!(!t.is_dirty());
        let text = decompress(&blob, size).unwrap();
        assert_eq!(
            text,
            "   +1.234  EXEC      echo hi\n\
             \x20                    | hi\n\
             \x20                    | there\n\
             \x20  +2.000            two\n\
             \x20                    lines\n"
        );
    }

    #[test]
    fn a_huge_stream_is_cut_with_a_note() {
        let mut t = Transcript::default();
        t.output('|', &vec![b'x'; MAX_STREAM_BYTES + 10]);
        let (blob, size) = t.take_compressed().unwrap();
        assert!(
            decompress(&blob, size)
                .unwrap()
                .contains("[10 more bytes not recorded]")
        );
    }
}
