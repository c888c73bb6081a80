//! Facts: what a host is and has, in pyinfra's sense — each a shell command
//! and a parser of its output. This module owns the names plans ask for,
//! the commands that answer them and the parsers; [`crate::remote`] runs the
//! commands and caches the answers per host.
//!
//! A fact name picks a [`Source`] (one command) and a part of its answer:
//! `os.id` and `kernel` both come from the [`system`] source, `users` and
//! `user:app` from [`accounts`]. Several sources needed at once run as one
//! remote command ([`batch_script`]), each in its own section.

pub mod accounts;
pub mod command;
pub mod package;
pub mod stat;
pub mod system;
pub mod unit;

use std::fmt;

use serde_json::Value;

use crate::transport::shell_quote;

/// Plain fact names, in the order shown to plan authors.
const PLAIN: &[&str] = &[
    "hostname",
    "os",
    "os.id",
    "os.version",
    "os.name",
    "os.family",
    "kernel",
    "kernel.name",
    "arch",
    "cpus",
    "memory",
    "users",
    "groups",
];

/// Facts that take an argument after a colon, as shown to plan authors.
const WITH_ARGUMENT: &[&str] = &[
    "stat:PATH",
    "package:NAME",
    "package.candidate:NAME",
    "unit:NAME",
    "command:NAME",
    "user:NAME",
    "group:NAME",
];

/// Every fact name `fact()` answers: what an unknown name's error lists.
pub fn known() -> Vec<String> {
    PLAIN
        .iter()
        .chain(WITH_ARGUMENT)
        .map(|name| name.to_string())
        .collect()
}

/// One command whose parsed answer serves one or more facts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Source {
    /// Hostname, OS, kernel, arch, CPUs, memory.
    System,
    /// Users and groups.
    Accounts,
    Stat(String),
    Package(String),
    Candidate(String),
    Unit(String),
    Command(String),
}

impl Source {
    /// The shell script that gathers this source (run under `sh`).
    pub fn command(&self) -> String {
        match self {
            Source::System => system::COMMAND.to_string(),
            Source::Accounts => accounts::COMMAND.to_string(),
            Source::Stat(path) => stat::command(&shell_quote(path)),
            Source::Package(name) => package::command(&shell_quote(name)),
            Source::Candidate(name) => package::candidate_command(&shell_quote(name)),
            Source::Unit(name) => unit::command(&shell_quote(name)),
            Source::Command(name) => command::command(&shell_quote(name)),
        }
    }

    /// Parses what [`command`](Self::command) printed and how it exited.
    pub fn parse(&self, output: &str, exit: i32) -> Result<Value, String> {
        match self {
            Source::System => system::parse(output),
            Source::Accounts => accounts::parse(output),
            Source::Stat(path) => stat::parse(path, output, exit),
            Source::Package(name) => package::parse(name, output),
            Source::Candidate(_) => package::parse_candidate(output),
            Source::Unit(name) => unit::parse(name, output, exit),
            Source::Command(_) => Ok(Value::String(output.trim().to_string())),
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::System => f.write_str("system facts"),
            Source::Accounts => f.write_str("users and groups"),
            Source::Stat(path) => write!(f, "stat:{path}"),
            Source::Package(name) => write!(f, "package:{name}"),
            Source::Candidate(name) => write!(f, "package.candidate:{name}"),
            Source::Unit(name) => write!(f, "unit:{name}"),
            Source::Command(name) => write!(f, "command:{name}"),
        }
    }
}

/// A fact a plan asked for: where its answer comes from and which part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    pub source: Source,
    pick: Pick,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pick {
    /// The source's whole answer.
    Whole,
    /// One field of an object answer.
    Field(String),
    /// The user or group of this name in the accounts answer, or null.
    User(String),
    Group(String),
}

/// A name `fact()` does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFact;

impl Fact {
    /// The fact called `name`, e.g. `os.id` or `stat:/etc/hosts`.
    pub fn parse(name: &str) -> Result<Fact, UnknownFact> {
        let fact = |source, pick| Ok(Fact { source, pick });
        if let Some((kind, arg)) = name.split_once(':') {
            if arg.is_empty() || arg.contains('\n') {
                return Err(UnknownFact);
            }
            let arg = arg.to_string();
            return match kind {
                "stat" => fact(Source::Stat(arg), Pick::Whole),
                "package" => fact(Source::Package(arg), Pick::Whole),
                "package.candidate" => fact(Source::Candidate(arg), Pick::Whole),
                "unit" => fact(Source::Unit(arg), Pick::Whole),
                "command" => fact(Source::Command(arg), Pick::Whole),
                "user" => fact(Source::Accounts, Pick::User(arg)),
                "group" => fact(Source::Accounts, Pick::Group(arg)),
                _ => Err(UnknownFact),
            };
        }
        match name {
            "users" | "groups" => fact(Source::Accounts, Pick::Field(name.to_string())),
            _ if PLAIN.contains(&name) => fact(Source::System, Pick::Field(name.to_string())),
            _ => Err(UnknownFact),
        }
    }

    /// This fact's value, taken from its source's parsed answer.
    pub fn answer(&self, gathered: &Value) -> Value {
        let named = |list: &str, name: &str| {
            gathered[list]
                .as_array()
                .and_then(|all| all.iter().find(|entry| entry["name"] == name))
                .cloned()
                .unwrap_or(Value::Null)
        };
        match &self.pick {
            Pick::Whole => gathered.clone(),
            Pick::Field(field) => gathered[field.as_str()].clone(),
            Pick::User(name) => named("users", name),
            Pick::Group(name) => named("groups", name),
        }
    }
}

/// A fact's value as `fact()` returns it: text facts as they are,
/// structured ones as JSON.
pub fn to_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Starts a section of a batch: `MARK index`.
const MARK: &str = "@@planrun-fact";
/// Ends a section: `\nEND exit-status`.
const END: &str = "@@planrun-fact-exit";

/// One script that runs every source's command, each in a subshell with
/// its stderr dropped, its output framed by marker lines: one round trip
/// for all of them.
pub fn batch_script(sources: &[Source]) -> String {
    let mut script = String::new();
    for (index, source) in sources.iter().enumerate() {
        script.push_str(&format!(
            "echo '{MARK} {index}'; ( {} ) 2>/dev/null </dev/null; printf '\\n{END} %s\\n' \"$?\"\n",
            source.command()
        ));
    }
    script
}

/// Splits a batch's output into `(exit status, output)` per section.
pub fn split_batch(stdout: &str, sections: usize) -> Result<Vec<(i32, String)>, String> {
    let mut found = Vec::with_capacity(sections);
    let mut rest = stdout;
    for index in 0..sections {
        let start = format!("{MARK} {index}\n");
        let at = rest
            .find(&start)
            .ok_or_else(|| format!("section {index} of the facts script is missing"))?;
        rest = &rest[at + start.len()..];
        let end = format!("\n{END} ");
        let stop = rest
            .find(&end)
            .ok_or_else(|| format!("section {index} of the facts script did not finish"))?;
        let output = &rest[..stop];
        rest = &rest[stop + end.len()..];
        let (code, after) = rest.split_once('\n').unwrap_or((rest, ""));
        let exit = code
            .trim()
            .parse()
            .map_err(|_| format!("section {index} ended with {code:?}, not an exit status"))?;
        rest = after;
        found.push((exit, output.to_string()));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_pick_sources_and_parts() {
        assert_eq!(Fact::parse("os.id").unwrap().source, Source::System);
        assert_eq!(
            Fact::parse("stat:/etc/hosts").unwrap().source,
            Source::Stat("/etc/hosts".into())
        );
        assert_eq!(Fact::parse("user:app").unwrap().source, Source::Accounts);
        for unknown in ["nope", "stat:", "os.", "disk:/", "users:x"] {
            assert_eq!(Fact::parse(unknown), Err(UnknownFact), "{unknown}");
        }
        assert!(known().iter().any(|k| k == "stat:PATH"));
    }

    #[test]
    fn answers_pick_users_and_fields() {
        let gathered = serde_json::json!({
            "users": [{"name": "root", "uid": 0}],
            "groups": [],
        });
        let root = Fact::parse("user:root").unwrap().answer(&gathered);
        assert_eq!(root["uid"], 0);
        let nobody = Fact::parse("user:nobody").unwrap().answer(&gathered);
        assert_eq!(to_text(&nobody), "null");
        assert_eq!(to_text(&Value::String("x".into())), "x");
    }

    #[test]
    fn a_batch_splits_back_into_sections() {
        let script = batch_script(&[Source::Command("git".into()), Source::System]);
        assert!(script.contains("command -v git "), "{script}");
        let stdout = format!("{MARK} 0\n/usr/bin/git\n\n{END} 0\n{MARK} 1\nno newline\n{END} 3\n");
        assert_eq!(
            split_batch(&stdout, 2).unwrap(),
            vec![(0, "/usr/bin/git\n".into()), (3, "no newline".into())]
        );
        assert!(split_batch(&stdout, 3).is_err());
    }
}
