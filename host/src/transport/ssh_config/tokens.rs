//! `~` and `%` token expansion in path-like ssh_config values
//! (IdentityFile, UserKnownHostsFile, …), as ssh_config(5) TOKENS describes.
//! Tokens are checked when the file is read, so expansion never fails.

use std::path::{Path, PathBuf};

/// Tokens accepted in IdentityFile and (User|Global)KnownHostsFile.
pub(super) const PATH_TOKENS: &str = "dhilLnpru";
/// Tokens accepted in HostName.
pub(super) const HOSTNAME_TOKENS: &str = "h";

/// Rejects `%x` for tokens not in `allowed` (and a dangling `%`), as ssh does.
pub(super) fn check(value: &str, allowed: &str) -> Result<(), String> {
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            continue;
        }
        match chars.next() {
            Some('%') => {}
            Some(t) if allowed.contains(t) => {}
            Some(t) => {
                let list: Vec<String> = allowed.chars().map(|c| format!("%{c}")).collect();
                return Err(format!(
                    "unknown token %{t} in {value:?} (supported here: %%, {})",
                    list.join(", ")
                ));
            }
            None => {
                return Err(format!(
                    "dangling % at the end of {value:?} (write %% for a literal %)"
                ));
            }
        }
    }
    Ok(())
}

/// Values the `%` tokens stand for, for one resolved host.
pub(super) struct Tokens<'a> {
    pub home: &'a Path,
    pub remote_host: &'a str,
    pub uid: u32,
    pub local_host: &'a str,
    pub alias: &'a str,
    pub port: u16,
    pub remote_user: &'a str,
    pub local_user: &'a str,
}

impl Tokens<'_> {
    fn value(&self, token: char) -> Option<String> {
        Some(match token {
            '%' => "%".to_owned(),
            'd' => self.home.display().to_string(),
            'h' => self.remote_host.to_owned(),
            'i' => self.uid.to_string(),
            'l' => self.local_host.to_owned(),
            'L' => self
                .local_host
                .split('.')
                .next()
                .unwrap_or_default()
                .to_owned(),
            'n' => self.alias.to_owned(),
            'p' => self.port.to_string(),
            'r' => self.remote_user.to_owned(),
            'u' => self.local_user.to_owned(),
            _ => return None,
        })
    }

    /// `~` first, then `%` tokens: the order ssh applies them in.
    pub fn expand_path(&self, value: &str) -> PathBuf {
        PathBuf::from(self.expand(&expand_tilde(value, self.home)))
    }

    pub fn expand(&self, value: &str) -> String {
        let mut out = String::with_capacity(value.len());
        let mut chars = value.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some(t) => match self.value(t) {
                    Some(v) => out.push_str(&v),
                    // Unreachable after `check`; keep the text rather than guess.
                    None => {
                        out.push('%');
                        out.push(t);
                    }
                },
                None => out.push('%'),
            }
        }
        out
    }
}

/// Expands a leading `~` or `~/` to `home`. `~user/` forms are left alone:
/// OpenSSH supports them, planrun does not look other users up.
pub(super) fn expand_tilde(value: &str, home: &Path) -> String {
    if value == "~" {
        home.display().to_string()
    } else if let Some(rest) = value.strip_prefix("~/") {
        home.join(rest).display().to_string()
    } else {
        value.to_owned()
    }
}

/// `%h` and `%%` in HostName: `%h` is the alias typed by the operator.
pub(super) fn expand_hostname(value: &str, alias: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('h') => out.push_str(alias),
            Some('%') => out.push('%'),
            Some(t) => {
                out.push('%');
                out.push(t);
            }
            None => out.push('%'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_rejects_unknown_tokens() {
        assert!(check("~/.ssh/id_%h_%p_%r_%u_%d_%%_%n_%i_%l_%L", PATH_TOKENS).is_ok());
        let err = check("~/.ssh/%z", PATH_TOKENS).unwrap_err();
        assert!(err.contains("unknown token %z"), "{err}");
        assert!(check("abc%", PATH_TOKENS).unwrap_err().contains("dangling"));
        assert!(check("%h.example.com", HOSTNAME_TOKENS).is_ok());
        assert!(check("%p.example.com", HOSTNAME_TOKENS).is_err());
    }

    #[test]
    fn expands_tokens_and_tilde() {
        let home = PathBuf::from("/home/op");
        let t = Tokens {
            home: &home,
            remote_host: "10.0.0.5",
            uid: 1000,
            local_host: "ctl.example.com",
            alias: "web01",
            port: 2222,
            remote_user: "deploy",
            local_user: "op",
        };
        assert_eq!(
            t.expand_path("~/.ssh/%n-%h-%p-%r-%u-%i-%L-%%"),
            PathBuf::from("/home/op/.ssh/web01-10.0.0.5-2222-deploy-op-1000-ctl-%")
        );
        assert_eq!(t.expand_path("%d/k"), PathBuf::from("/home/op/k"));
        assert_eq!(t.expand_path("~other/k"), PathBuf::from("~other/k"));
        assert_eq!(expand_hostname("%h.lan%%", "web01"), "web01.lan%");
    }
}
