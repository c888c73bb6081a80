//! known_hosts: deciding whether a server's host key is the one recorded for
//! it, and recording new keys when the operator allows it.
//!
//! Read as OpenSSH's hostfile.c reads it: host fields with comma-separated
//! names, `*`/`?` wildcards and `!` negation, hashed `|1|salt|hash` names,
//! `[host]:port` for non-22 ports, `@revoked` keys refused outright, and
//! `@cert-authority` lines skipped (host certificates are not supported).
//! russh's `check_known_hosts_path` handles only plain and hashed names, so
//! it is not used.
//!
//! Verdicts follow ssh: a matching recorded key → known; a recorded key of
//! the same type that differs → changed (never accepted); nothing of that
//! type → unknown (accepted only with accept-new, and then recorded).

use std::fs::{DirBuilder, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use data_encoding::BASE64;
use hmac::{Hmac, KeyInit, Mac};
use russh::keys::{Algorithm, HashAlg, PublicKey};
use sha1::Sha1;

use super::pattern::{ListMatch, match_list};

/// The recorded keys that apply to one host name, gathered from its files.
#[derive(Clone, Debug, Default)]
pub struct KnownHosts {
    entries: Vec<Entry>,
}

#[derive(Clone, Debug)]
struct Entry {
    revoked: bool,
    key: PublicKey,
    file: PathBuf,
    line: usize,
}

impl Entry {
    fn location(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }
}

/// What known_hosts says about a presented key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Recorded for this host at `location` (`FILE:LINE`).
    Known { location: String },
    /// Nothing of this key type is recorded; `other_keys` lists recorded
    /// keys of other types (`ssh-rsa at FILE:LINE`).
    Unknown { other_keys: Vec<String> },
    /// Keys of the same type are recorded and none matches (`FILE:LINE` each).
    Changed { offending: Vec<String> },
    /// The key is marked `@revoked` at `location`.
    Revoked { location: String },
}

impl KnownHosts {
    /// Reads `files` (missing ones are skipped, as ssh does) and keeps the
    /// lines whose host field matches `name`.
    pub fn load(name: &str, files: &[PathBuf]) -> Result<KnownHosts, (PathBuf, std::io::Error)> {
        let mut known = KnownHosts::default();
        for file in files {
            match std::fs::read(file) {
                Ok(bytes) => known.add_text(name, &String::from_utf8_lossy(&bytes), file),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err((file.clone(), e)),
            }
        }
        Ok(known)
    }

    /// Adds the lines of `text` (read from `file`) that apply to `name`.
    /// Lines that do not parse are skipped, as ssh skips them.
    pub fn add_text(&mut self, name: &str, text: &str, file: &Path) {
        let name = name.to_lowercase();
        for (index, line) in text.lines().enumerate() {
            let mut fields = line.split_whitespace();
            let Some(mut first) = fields.next() else {
                continue;
            };
            if first.starts_with('#') {
                continue;
            }
            let mut revoked = false;
            if first.starts_with('@') {
                match first {
                    "@revoked" => revoked = true,
                    // @cert-authority and unknown markers: not for plain keys.
                    _ => continue,
                }
                let Some(next) = fields.next() else { continue };
                first = next;
            }
            let (Some(key_type), Some(base64)) = (fields.next(), fields.next()) else {
                continue;
            };
            if !host_field_matches(&name, first) {
                continue;
            }
            let Ok(key) = PublicKey::from_openssh(&format!("{key_type} {base64}")) else {
                tracing::debug!(
                    "{}:{}: skipping a key that does not parse",
                    file.display(),
                    index + 1
                );
                continue;
            };
            self.entries.push(Entry {
                revoked,
                key,
                file: file.to_owned(),
                line: index + 1,
            });
        }
    }

    /// Judges `key` against the recorded keys.
    pub fn check(&self, key: &PublicKey) -> Verdict {
        let data = key.key_data();
        if let Some(e) = self
            .entries
            .iter()
            .find(|e| e.revoked && e.key.key_data() == data)
        {
            return Verdict::Revoked {
                location: e.location(),
            };
        }
        let plain = || self.entries.iter().filter(|e| !e.revoked);
        if let Some(e) = plain().find(|e| e.key.key_data() == data) {
            return Verdict::Known {
                location: e.location(),
            };
        }
        let offending: Vec<String> = plain()
            .filter(|e| e.key.algorithm() == key.algorithm())
            .map(Entry::location)
            .collect();
        if !offending.is_empty() {
            return Verdict::Changed { offending };
        }
        Verdict::Unknown {
            other_keys: plain()
                .map(|e| format!("{} at {}", e.key.algorithm().as_str(), e.location()))
                .collect(),
        }
    }

    /// Key types recorded for the host (not revoked), first seen first: the
    /// host key algorithms to ask the server for first, as ssh does, so a
    /// host with several keys presents the one we can check.
    pub fn algorithms(&self) -> Vec<Algorithm> {
        let mut algs: Vec<Algorithm> = Vec::new();
        for e in self.entries.iter().filter(|e| !e.revoked) {
            let alg = e.key.algorithm();
            if !algs.contains(&alg) {
                algs.push(alg);
            }
        }
        algs
    }
}

/// Whether a known_hosts host field applies to `name` (already lowercase).
fn host_field_matches(name: &str, field: &str) -> bool {
    if let Some(hashed) = field.strip_prefix("|1|") {
        return hashed_matches(name, hashed);
    }
    match_list(name, field) == ListMatch::Positive
}

/// `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`, as `HashKnownHosts` writes.
fn hashed_matches(name: &str, salt_and_hash: &str) -> bool {
    let Some((salt, hash)) = salt_and_hash.split_once('|') else {
        return false;
    };
    let (Ok(salt), Ok(hash)) = (
        BASE64.decode(salt.as_bytes()),
        BASE64.decode(hash.as_bytes()),
    ) else {
        return false;
    };
    let Ok(mac) = Hmac::<Sha1>::new_from_slice(&salt) else {
        return false;
    };
    mac.chain_update(name.as_bytes())
        .verify_slice(&hash)
        .is_ok()
}

/// `SHA256:…` as ssh prints fingerprints.
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// The key's type name as known_hosts writes it (`ssh-ed25519`).
pub fn key_type(key: &PublicKey) -> String {
    key.algorithm().as_str().to_owned()
}

/// Serialises appends from every connection of this process: a fleet run
/// may accept many new hosts at once into the same file.
static APPEND_LOCK: Mutex<()> = Mutex::new(());

/// Records `key` for `name` at the end of `path` as `name keytype base64`,
/// creating the file and its directory (mode 700) if missing. Does nothing
/// if another connection recorded the same key meanwhile.
pub fn append(path: &Path, name: &str, key: &PublicKey) -> std::io::Result<()> {
    let _guard = APPEND_LOCK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(dir) = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && !d.exists())
    {
        DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)?;
    let mut existing = String::new();
    file.read_to_string(&mut existing)?;
    let mut recorded = KnownHosts::default();
    recorded.add_text(name, &existing, path);
    if matches!(recorded.check(key), Verdict::Known { .. }) {
        return Ok(());
    }
    let public = PublicKey::new(key.key_data().clone(), "")
        .to_openssh()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut line = String::new();
    // A file whose last line lacks its newline would glue our entry onto it.
    if !existing.is_empty() && !existing.ends_with('\n') {
        line.push('\n');
    }
    line.push_str(&format!("{name} {}\n", public.trim_end()));
    file.seek(SeekFrom::End(0))?;
    file.write_all(line.as_bytes())?;
    file.flush()
}

#[cfg(test)]
mod tests {
    use russh::keys::ssh_key::private::Ed25519Keypair;

    use super::*;

    /// A deterministic ed25519 key per seed: generated, not checked in.
    fn ed25519(seed: u8) -> PublicKey {
        let pair = Ed25519Keypair::from_seed(&[seed; 32]);
        PublicKey::new(pair.public.into(), "test")
    }

    fn openssh(key: &PublicKey) -> String {
        PublicKey::new(key.key_data().clone(), "")
            .to_openssh()
            .unwrap()
    }

    /// Generated with `ssh-keygen -t ed25519` / `-t ecdsa`, and the hashed
    /// line with `ssh-keygen -H` over `[127.0.1.5]:2222 KEY`: real OpenSSH output.
    const REAL_ED25519: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILe0Qk9zskNffNn9rRFjDOoCiFLUG9fEbjL42/lVtp1Q";
    const REAL_ED25519_FP: &str = "SHA256:6pmppzntKHuwN/bm1RhwB6pJG4Hn0sDhQ5h7A6C/+wQ";
    const REAL_ECDSA: &str = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHcwSojV7ZORDuecC+wd6GTypKTdgMAr8H789Gk62UOxkQHnUtV2ackjsrx3eHNpe/AFYE+elfg+PetYUrr2Ch4=";
    const REAL_HASHED: &str = "|1|CZal4PFCw68klPPG8YIve6QhgBM=|hexV1q0klNn41V7iJd/NRrhNHAc= ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILe0Qk9zskNffNn9rRFjDOoCiFLUG9fEbjL42/lVtp1Q";

    fn verdict(text: &str, name: &str, key: &PublicKey) -> Verdict {
        let mut k = KnownHosts::default();
        k.add_text(name, text, Path::new("/kh"));
        k.check(key)
    }

    fn real(line: &str) -> PublicKey {
        PublicKey::from_openssh(line).unwrap()
    }

    #[test]
    fn fingerprint_as_ssh_prints_it() {
        assert_eq!(fingerprint(&real(REAL_ED25519)), REAL_ED25519_FP);
        assert_eq!(key_type(&real(REAL_ED25519)), "ssh-ed25519");
        assert_eq!(key_type(&real(REAL_ECDSA)), "ecdsa-sha2-nistp256");
    }

    #[test]
    fn verdicts() {
        let a = ed25519(1);
        let b = ed25519(2);
        let (ka, kb) = (openssh(&a), openssh(&b));
        let known = |l: usize| Verdict::Known {
            location: format!("/kh:{l}"),
        };
        let unknown = Verdict::Unknown { other_keys: vec![] };
        let cases: Vec<(String, &str, &PublicKey, Verdict)> = vec![
            // plain name, port 22 form
            (format!("web1 {ka}\n"), "web1", &a, known(1)),
            // case-insensitive names
            (format!("WEB1 {ka}\n"), "web1", &a, known(1)),
            // comments, blank lines and comment text after the key
            (format!("# c\n\nweb1 {ka} op@ctl\n"), "web1", &a, known(3)),
            // [host]:port must match exactly
            (
                format!("[127.0.1.5]:2222 {ka}\n"),
                "[127.0.1.5]:2222",
                &a,
                known(1),
            ),
            (
                format!("127.0.1.5 {ka}\n"),
                "[127.0.1.5]:2222",
                &a,
                unknown.clone(),
            ),
            (
                format!("[127.0.1.5]:2222 {ka}\n"),
                "127.0.1.5",
                &a,
                unknown.clone(),
            ),
            // comma-separated host lists
            (format!("web1,10.0.0.1 {ka}\n"), "10.0.0.1", &a, known(1)),
            // wildcards, also across the port form
            (
                format!("*.example.com {ka}\n"),
                "web1.example.com",
                &a,
                known(1),
            ),
            (
                format!("[127.0.1.?]:2222 {ka}\n"),
                "[127.0.1.5]:2222",
                &a,
                known(1),
            ),
            // negation vetoes the line
            (
                format!("*.example.com,!bad.example.com {ka}\n"),
                "bad.example.com",
                &a,
                unknown.clone(),
            ),
            // changed: same type, other key; line numbers count every line
            (
                format!("# c\nweb1 {kb}\n"),
                "web1",
                &a,
                Verdict::Changed {
                    offending: vec!["/kh:2".into()],
                },
            ),
            // a matching line anywhere wins over a stale one
            (format!("web1 {kb}\nweb1 {ka}\n"), "web1", &a, known(2)),
            // @revoked refuses even when also listed as known
            (
                format!("@revoked * {ka}\nweb1 {ka}\n"),
                "web1",
                &a,
                Verdict::Revoked {
                    location: "/kh:1".into(),
                },
            ),
            // @cert-authority lines are not plain keys
            (
                format!("@cert-authority * {ka}\n"),
                "web1",
                &a,
                unknown.clone(),
            ),
            // other types recorded: unknown, naming them
            (
                format!("web1 {REAL_ECDSA}\n"),
                "web1",
                &a,
                Verdict::Unknown {
                    other_keys: vec!["ecdsa-sha2-nistp256 at /kh:1".into()],
                },
            ),
            // garbage lines are skipped
            (
                format!("web1 ssh-ed25519 notbase64!!\nweb1\n{ka}\nweb1 {ka}\n"),
                "web1",
                &a,
                known(4),
            ),
        ];
        for (text, name, key, want) in cases {
            assert_eq!(verdict(&text, name, key), want, "{name} in:\n{text}");
        }
    }

    #[test]
    fn hashed_entries_written_by_ssh_keygen() {
        let key = real(REAL_ED25519);
        assert_eq!(
            verdict(REAL_HASHED, "[127.0.1.5]:2222", &key),
            Verdict::Known {
                location: "/kh:1".into()
            }
        );
        assert_eq!(
            verdict(REAL_HASHED, "[127.0.1.6]:2222", &key),
            Verdict::Unknown { other_keys: vec![] }
        );
        let other = ed25519(9);
        assert_eq!(
            verdict(REAL_HASHED, "[127.0.1.5]:2222", &other),
            Verdict::Changed {
                offending: vec!["/kh:1".into()]
            }
        );
    }

    #[test]
    fn algorithms_in_file_order() {
        let text = format!(
            "h {REAL_ECDSA}\nh {}\n@revoked h {REAL_ECDSA}\n",
            openssh(&ed25519(1))
        );
        let mut k = KnownHosts::default();
        k.add_text("h", &text, Path::new("/kh"));
        assert_eq!(
            k.algorithms(),
            vec![real(REAL_ECDSA).algorithm(), Algorithm::Ed25519]
        );
    }

    #[test]
    fn load_skips_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("kh");
        std::fs::write(&f, format!("h {}\n", openssh(&ed25519(1)))).unwrap();
        let k = KnownHosts::load("h", &[dir.path().join("missing"), f.clone()]).unwrap();
        assert_eq!(
            k.check(&ed25519(1)),
            Verdict::Known {
                location: format!("{}:1", f.display())
            }
        );
    }

    #[test]
    fn append_creates_file_and_directory_and_fixes_newline() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("new/.ssh/known_hosts");
        let a = ed25519(1);
        append(&file, "[127.0.1.5]:2222", &a).unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        assert_eq!(text, format!("[127.0.1.5]:2222 {}\n", openssh(&a)));
        assert!(text.starts_with("[127.0.1.5]:2222 ssh-ed25519 AAAA"));
        let mode = std::fs::metadata(file.parent().unwrap()).unwrap();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o777,
            0o700
        );
        // Appending the same key again is a no-op.
        append(&file, "[127.0.1.5]:2222", &a).unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap().lines().count(), 1);

        // A last line without newline is not glued to.
        let file2 = dir.path().join("kh2");
        std::fs::write(&file2, "# no newline").unwrap();
        append(&file2, "h", &a).unwrap();
        let text = std::fs::read_to_string(&file2).unwrap();
        assert_eq!(text, format!("# no newline\nh {}\n", openssh(&a)));
        let k = KnownHosts::load("h", &[file2]).unwrap();
        assert!(matches!(k.check(&a), Verdict::Known { .. }));
    }
}
