//! Fact parsers against recorded command output, one data file per case
//! under `tests/data/facts/<source>/`, in pyinfra's form:
//!
//! ```json
//! { "source": "stat:/etc/hosts",        // a fact name picking the command
//!   "command": "p='/etc/hosts'; ...",   // the command planrun runs for it
//!   "exit": 0, "output": ["line", ...], // what the host answered
//!   "facts": { "stat:/etc/hosts": {...} } }   // or "error": "words in it"
//! ```
//!
//! Outputs come from Debian, Ubuntu, Rocky Linux and Alpine hosts. The
//! `command` field pins the command an output belongs to: change a fact's
//! command and these tests fail until the outputs are checked against the
//! new one. `PLANRUN_BLESS_FACT_COMMANDS=1` rewrites the `command` fields
//! (only those) once you have.

use std::fs;
use std::path::{Path, PathBuf};

use planrun::facts::Fact;
use serde_json::Value;

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/facts");
    let mut files = Vec::new();
    for dir in fs::read_dir(&root).expect("tests/data/facts") {
        let dir = dir.unwrap().path();
        for file in fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            if file.extension().is_some_and(|e| e == "json") {
                files.push(file);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn fact_parsers_read_recorded_outputs() {
    let bless = std::env::var_os("PLANRUN_BLESS_FACT_COMMANDS").is_some();
    let cases = cases();
    assert!(cases.len() >= 30, "only {} fact cases found", cases.len());
    let mut failures = Vec::new();
    for path in &cases {
        let name = path
            .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")))
            .unwrap();
        let text = fs::read_to_string(path).unwrap();
        let mut case: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", name.display()));
        let source = Fact::parse(case["source"].as_str().expect("source"))
            .unwrap_or_else(|_| panic!("{}: unknown source fact", name.display()))
            .source;
        let command = source.command();
        if case["command"] != command.as_str() {
            if bless {
                case["command"] = Value::String(command.clone());
                let text = serde_json::to_string_pretty(&case).unwrap() + "\n";
                fs::write(path, text).unwrap();
            } else {
                failures.push(format!(
                    "{}: the command for {source} is now\n  {command}\n(re-check the output, then \
                     bless with PLANRUN_BLESS_FACT_COMMANDS=1)",
                    name.display()
                ));
                continue;
            }
        }
        let lines: Vec<&str> = case["output"]
            .as_array()
            .expect("output lines")
            .iter()
            .map(|l| l.as_str().expect("output line"))
            .collect();
        let output = if lines.is_empty() {
            String::new()
        } else {
            lines.join("\n") + "\n"
        };
        let exit = case["exit"].as_i64().unwrap_or(0) as i32;
        let parsed = source.parse(&output, exit);
        match (&parsed, case.get("error")) {
            (Err(why), Some(expected)) => {
                if !why.contains(expected.as_str().unwrap()) {
                    failures.push(format!(
                        "{}: error {why:?} lacks {expected}",
                        name.display()
                    ));
                }
            }
            (Ok(value), None) => {
                for (fact, expected) in case["facts"].as_object().expect("facts") {
                    let fact = Fact::parse(fact).expect("known fact name");
                    assert_eq!(fact.source, source, "{}: {fact:?}", name.display());
                    let got = fact.answer(value);
                    if got != *expected {
                        failures.push(format!(
                            "{}: {fact:?}\n  got      {got}\n  expected {expected}",
                            name.display()
                        ));
                    }
                }
            }
            (Ok(value), Some(expected)) => failures.push(format!(
                "{}: expected an error with {expected}, got {value}",
                name.display()
            )),
            (Err(why), None) => failures.push(format!("{}: failed: {why}", name.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
