//! Reading ssh_config files into a list of items: the lexing rules of
//! OpenSSH's readconf.c/misc.c (`Key Value`, `Key=Value`, quotes, backslash
//! escapes, trailing `#` comments), `Include` with globs (read once, here),
//! `Match` criteria, and validation of the options we honour, so that a bad
//! value fails the run at start with FILE:LINE like ssh does, not later.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use super::super::error::ConfigError;
use super::super::pattern::wildcard_match;
use super::StrictHostKeyChecking;
use super::tokens::{self, HOSTNAME_TOKENS, PATH_TOKENS};

/// OpenSSH's limit; it also stops Include cycles.
const MAX_INCLUDE_DEPTH: usize = 16;

#[derive(Clone, Debug)]
pub(super) enum Item {
    /// `Host` patterns (a `!` prefix negates).
    Host(Vec<String>),
    /// `Match` criteria, all of which must hold; `None` when a criterion is
    /// one we do not evaluate: the block is then never active.
    Match(Option<Vec<Criterion>>),
    Set(Setting),
    /// The files an `Include` line named, each parsed on its own.
    Include(Vec<Vec<Item>>),
}

#[derive(Clone, Debug)]
pub(super) struct Criterion {
    pub kind: CriterionKind,
    pub negated: bool,
}

#[derive(Clone, Debug)]
pub(super) enum CriterionKind {
    All,
    /// Against the HostName resolved so far (or the alias).
    Host(String),
    /// Against the alias as typed.
    OriginalHost(String),
    /// Against the remote user resolved so far.
    User(String),
    /// Against the local user.
    LocalUser(String),
}

/// One honoured option with its validated value.
#[derive(Clone, Debug)]
pub(super) enum Setting {
    HostName(String),
    User(String),
    Port(u16),
    IdentityFile(String),
    IdentitiesOnly(bool),
    /// As written: `none`, `SSH_AUTH_SOCK`, `$VAR` or a path.
    IdentityAgent(String),
    /// `None` for `none`/0: no timeout configured.
    ConnectTimeout(Option<Duration>),
    UserKnownHostsFile(Vec<String>),
    GlobalKnownHostsFile(Vec<String>),
    StrictHostKeyChecking(StrictHostKeyChecking),
    /// `None` for `none`.
    ProxyJump(Option<String>),
    HostKeyAlias(String),
}

pub(super) struct Parser<'a> {
    pub home: &'a Path,
    /// Debug-level remarks (skipped Match blocks, missing includes).
    pub notes: Vec<String>,
}

impl Parser<'_> {
    /// Reads and parses one file. `include_base` is where relative `Include`
    /// paths point (~/.ssh for user files, /etc/ssh for the system file).
    pub fn file(
        &mut self,
        path: &Path,
        include_base: &Path,
        depth: usize,
    ) -> Result<Vec<Item>, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        self.text(&text, path, include_base, depth)
    }

    pub fn text(
        &mut self,
        text: &str,
        path: &Path,
        include_base: &Path,
        depth: usize,
    ) -> Result<Vec<Item>, ConfigError> {
        let mut items = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line_no = index + 1;
            let syntax = |message: String| ConfigError::Syntax {
                path: path.to_owned(),
                line: line_no,
                message,
            };
            let Some((keyword, rest)) = split_keyword(line) else {
                continue;
            };
            if keyword.is_empty() {
                return Err(syntax("missing keyword before '='".to_owned()));
            }
            let args = split_args(rest).map_err(syntax)?;
            let at = format!("{}:{line_no}", path.display());
            if let Some(item) = self
                .item(keyword, args, &at, include_base, depth)
                .map_err(|e| match e {
                    LineError::Message(m) => syntax(m),
                    LineError::Config(e) => e,
                })?
            {
                items.push(item);
            }
        }
        Ok(items)
    }

    fn item(
        &mut self,
        keyword: &str,
        args: Vec<String>,
        at: &str,
        include_base: &Path,
        depth: usize,
    ) -> Result<Option<Item>, LineError> {
        let lower = keyword.to_ascii_lowercase();
        let setting = match lower.as_str() {
            "host" => {
                if args.is_empty() {
                    return Err("Host needs at least one pattern".into());
                }
                return Ok(Some(Item::Host(args)));
            }
            "match" => return self.match_line(&args, at).map(|m| Some(Item::Match(m))),
            "include" => {
                if args.is_empty() {
                    return Err("Include needs at least one file".into());
                }
                if depth >= MAX_INCLUDE_DEPTH {
                    return Err(format!(
                        "Include nested more than {MAX_INCLUDE_DEPTH} deep (a file including itself?)"
                    )
                    .into());
                }
                let mut files = Vec::new();
                for arg in &args {
                    let pattern = PathBuf::from(tokens::expand_tilde(arg, self.home));
                    let pattern = if pattern.is_absolute() {
                        pattern
                    } else {
                        include_base.join(pattern)
                    };
                    let matched = glob(&pattern);
                    if matched.is_empty() {
                        self.note(format!(
                            "{at}: Include {} matched no file",
                            pattern.display()
                        ));
                    }
                    for file in matched {
                        files.push(
                            self.file(&file, include_base, depth + 1)
                                .map_err(LineError::Config)?,
                        );
                    }
                }
                return Ok(Some(Item::Include(files)));
            }
            "hostname" => {
                let v = one(&lower, args)?;
                tokens::check(&v, HOSTNAME_TOKENS)?;
                Setting::HostName(v)
            }
            "user" => Setting::User(one(&lower, args)?),
            "port" => {
                let v = one(&lower, args)?;
                match v.parse::<u16>() {
                    Ok(p) if p > 0 => Setting::Port(p),
                    _ => return Err(format!("bad port {v:?}: expected 1-65535").into()),
                }
            }
            "identityfile" => {
                let v = one(&lower, args)?;
                tokens::check(&v, PATH_TOKENS)?;
                Setting::IdentityFile(v)
            }
            "identitiesonly" => Setting::IdentitiesOnly(flag(&lower, &one(&lower, args)?)?),
            "identityagent" => {
                let v = one(&lower, args)?;
                if !v.starts_with('$') {
                    tokens::check(&v, PATH_TOKENS)?;
                }
                Setting::IdentityAgent(v)
            }
            "connecttimeout" => {
                let v = one(&lower, args)?;
                Setting::ConnectTimeout(if v.eq_ignore_ascii_case("none") {
                    None
                } else {
                    let d = parse_time(&v).ok_or_else(|| {
                        format!("bad ConnectTimeout {v:?}: expected seconds or a time like 30s, 1m")
                    })?;
                    (!d.is_zero()).then_some(d)
                })
            }
            "userknownhostsfile" | "globalknownhostsfile" => {
                if args.is_empty() {
                    return Err(format!("{keyword} needs at least one file").into());
                }
                for a in &args {
                    tokens::check(a, PATH_TOKENS)?;
                }
                if lower == "userknownhostsfile" {
                    Setting::UserKnownHostsFile(args)
                } else {
                    Setting::GlobalKnownHostsFile(args)
                }
            }
            "stricthostkeychecking" => {
                let v = one(&lower, args)?;
                Setting::StrictHostKeyChecking(match v.to_ascii_lowercase().as_str() {
                    // We never prompt: `ask` (ssh's default) is as strict as `yes`.
                    "yes" | "true" | "ask" => StrictHostKeyChecking::Yes,
                    "accept-new" => StrictHostKeyChecking::AcceptNew,
                    "no" | "false" | "off" => StrictHostKeyChecking::No,
                    _ => {
                        return Err(format!(
                            "bad StrictHostKeyChecking {v:?}: expected yes, accept-new, no or ask"
                        )
                        .into());
                    }
                })
            }
            "proxyjump" => {
                let v = one(&lower, args)?;
                Setting::ProxyJump((!v.eq_ignore_ascii_case("none")).then_some(v))
            }
            "hostkeyalias" => Setting::HostKeyAlias(one(&lower, args)?),
            // Every other ssh option is accepted and ignored: it may matter to
            // ssh, it does not change how planrun connects.
            _ => return Ok(None),
        };
        Ok(Some(Item::Set(setting)))
    }

    fn match_line(
        &mut self,
        args: &[String],
        at: &str,
    ) -> Result<Option<Vec<Criterion>>, LineError> {
        if args.is_empty() {
            return Err("Match needs criteria (e.g. Match host web*)".into());
        }
        let mut criteria = Vec::new();
        let mut unsupported = Vec::new();
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            let (negated, name) = match arg.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, arg.as_str()),
            };
            let name = name.to_ascii_lowercase();
            let mut value = || {
                args.next()
                    .cloned()
                    .ok_or_else(|| LineError::from(format!("Match {name} needs an argument")))
            };
            let kind = match name.as_str() {
                "all" => CriterionKind::All,
                "host" => CriterionKind::Host(value()?),
                "originalhost" => CriterionKind::OriginalHost(value()?),
                "user" => CriterionKind::User(value()?),
                "localuser" => CriterionKind::LocalUser(value()?),
                // Evaluated by ssh in passes we do not make, or by running
                // commands/probing networks we will not do for a config file.
                "canonical" | "final" => {
                    unsupported.push(arg.clone());
                    continue;
                }
                _ => {
                    let v = value()?;
                    unsupported.push(format!("{arg} {v}"));
                    continue;
                }
            };
            criteria.push(Criterion { kind, negated });
        }
        if unsupported.is_empty() {
            Ok(Some(criteria))
        } else {
            self.note(format!(
                "{at}: Match {} is not supported by planrun; the block is skipped",
                unsupported.join(" ")
            ));
            Ok(None)
        }
    }

    fn note(&mut self, note: String) {
        tracing::debug!("{note}");
        self.notes.push(note);
    }
}

enum LineError {
    Message(String),
    Config(ConfigError),
}

impl From<String> for LineError {
    fn from(m: String) -> Self {
        LineError::Message(m)
    }
}

impl From<&str> for LineError {
    fn from(m: &str) -> Self {
        LineError::Message(m.to_owned())
    }
}

fn one(keyword: &str, mut args: Vec<String>) -> Result<String, LineError> {
    match args.len() {
        1 => Ok(args.remove(0)),
        0 => Err(format!("{keyword} needs a value").into()),
        _ => Err(format!(
            "{keyword} takes one value, got {} (quote values that contain spaces)",
            args.len()
        )
        .into()),
    }
}

fn flag(keyword: &str, v: &str) -> Result<bool, LineError> {
    match v.to_ascii_lowercase().as_str() {
        "yes" | "true" => Ok(true),
        "no" | "false" => Ok(false),
        _ => Err(format!("bad {keyword} value {v:?}: expected yes or no").into()),
    }
}

/// Splits `Keyword value`, `Keyword=value` and `Keyword = value`. None for
/// blank and comment lines.
pub(super) fn split_keyword(line: &str) -> Option<(&str, &str)> {
    let line = line.trim_start();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let end = line
        .find(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or(line.len());
    let (keyword, rest) = line.split_at(end);
    // One '=' may separate the keyword from its value, with or without
    // whitespace around it (readconf.c's strdelim).
    let rest = match rest.strip_prefix('=') {
        Some(r) => r.trim_start(),
        None => {
            let r = rest.trim_start();
            r.strip_prefix('=').map_or(r, str::trim_start)
        }
    };
    Some((keyword, rest))
}

/// OpenSSH's argv_split: whitespace separates arguments; single and double
/// quotes group; backslash escapes quotes, backslash and (outside quotes)
/// space; a `#` starting an argument ends the line.
pub(super) fn split_args(s: &str) -> Result<Vec<String>, String> {
    let mut args = Vec::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        match chars.peek() {
            None | Some('#') => break,
            _ => {}
        }
        let mut arg = String::new();
        let mut quote: Option<char> = None;
        while let Some(c) = chars.next() {
            match c {
                c if c.is_whitespace() && quote.is_none() => break,
                '\\' => match chars.peek() {
                    Some(&n)
                        if n == '\'' || n == '"' || n == '\\' || (n == ' ' && quote.is_none()) =>
                    {
                        arg.push(n);
                        chars.next();
                    }
                    _ => arg.push('\\'),
                },
                '"' | '\'' if quote.is_none() => quote = Some(c),
                c if Some(c) == quote => quote = None,
                c => arg.push(c),
            }
        }
        if let Some(q) = quote {
            return Err(format!("unterminated {q} quote"));
        }
        args.push(arg);
    }
    Ok(args)
}

/// OpenSSH's convtime: `90`, `90s`, `1m30s`, `2h`, `1d`, `1w`.
pub(super) fn parse_time(s: &str) -> Option<Duration> {
    let mut total: u64 = 0;
    let mut digits = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let mult = match c.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            'w' => 604800,
            _ => return None,
        };
        let n: u64 = digits.parse().ok()?;
        total = total.checked_add(n.checked_mul(mult)?)?;
        digits.clear();
    }
    if !digits.is_empty() {
        total = total.checked_add(digits.parse().ok()?)?;
    } else if s.is_empty() {
        return None;
    }
    Some(Duration::from_secs(total))
}

/// glob(3) enough for Include: `*` and `?` in any component, dotfiles only
/// matched by patterns that start with a dot, results sorted, only existing
/// regular files.
fn glob(pattern: &Path) -> Vec<PathBuf> {
    let mut candidates = vec![PathBuf::new()];
    for component in pattern.components() {
        let Component::Normal(part) = component else {
            for c in &mut candidates {
                c.push(component.as_os_str());
            }
            continue;
        };
        let part = part.to_string_lossy();
        if !part.contains(['*', '?']) {
            for c in &mut candidates {
                c.push(part.as_ref());
            }
            continue;
        }
        let mut next = Vec::new();
        for dir in &candidates {
            let read_from = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir.as_path()
            };
            let Ok(entries) = std::fs::read_dir(read_from) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') && !part.starts_with('.') {
                    continue;
                }
                if wildcard_match(&name, &part) {
                    next.push(dir.join(&name));
                }
            }
        }
        candidates = next;
    }
    let mut files: Vec<PathBuf> = candidates.into_iter().filter(|p| p.is_file()).collect();
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords() {
        assert_eq!(split_keyword("  Port 22"), Some(("Port", "22")));
        assert_eq!(split_keyword("Port=22"), Some(("Port", "22")));
        assert_eq!(split_keyword("Port = 22"), Some(("Port", "22")));
        assert_eq!(split_keyword("Port =22"), Some(("Port", "22")));
        assert_eq!(
            split_keyword("\tHostName\t  a.b "),
            Some(("HostName", "a.b "))
        );
        assert_eq!(split_keyword("   # comment"), None);
        assert_eq!(split_keyword("   "), None);
    }

    #[test]
    fn args() {
        let a = |s: &str| split_args(s).unwrap();
        assert_eq!(a("a b  c"), ["a", "b", "c"]);
        assert_eq!(a(r#""/path with/space" x"#), ["/path with/space", "x"]);
        assert_eq!(a("'single quoted' # comment"), ["single quoted"]);
        assert_eq!(a(r"esc\ aped"), ["esc aped"]);
        assert_eq!(a(r#"a"b c"d"#), ["ab cd"]);
        assert_eq!(a("x#y"), ["x#y"]);
        assert!(split_args("\"open").is_err());
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("10"), Some(Duration::from_secs(10)));
        assert_eq!(parse_time("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_time("2H"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_time("abc"), None);
        assert_eq!(parse_time(""), None);
    }
}
