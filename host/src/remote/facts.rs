//! Facts on the wire: asking the host for what [`crate::facts`] knows how
//! to gather, one remote command for every source not yet cached, and
//! keeping the answers until the next change on the host.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::Remote;
use crate::facts::{self, Fact, Source};
use crate::plan::bindings::PlanError;
use crate::transport::{ExitStatus, shell_quote};

/// Parsed answers per source, for as long as the host has not changed.
pub type FactCache = HashMap<Source, Value>;

impl Remote {
    /// The fact `name`; or, for names separated by newlines, a JSON object
    /// of every one of them, gathered in one remote command.
    pub async fn fact(&mut self, name: &str) -> Result<String, PlanError> {
        let batch = name.contains('\n');
        let names: Vec<&str> = name.split('\n').filter(|n| !n.is_empty()).collect();
        let mut wanted = Vec::with_capacity(names.len());
        for name in &names {
            let fact = Fact::parse(name).map_err(|_| PlanError::UnknownFact(facts::known()))?;
            wanted.push(fact);
        }
        if wanted.is_empty() {
            return Err(PlanError::UnknownFact(facts::known()));
        }
        let mut missing: Vec<Source> = Vec::new();
        for fact in &wanted {
            if !self.facts.contains_key(&fact.source) && !missing.contains(&fact.source) {
                missing.push(fact.source.clone());
            }
        }
        if !missing.is_empty() {
            self.gather(&missing).await?;
        }
        let answer = |fact: &Fact| fact.answer(&self.facts[&fact.source]);
        if !batch {
            return Ok(facts::to_text(&answer(&wanted[0])));
        }
        let all: Map<String, Value> = names
            .iter()
            .zip(&wanted)
            .map(|(name, fact)| (name.to_string(), answer(fact)))
            .collect();
        Ok(Value::Object(all).to_string())
    }

    /// Runs the commands of `sources` as one script and caches each answer.
    async fn gather(&mut self, sources: &[Source]) -> Result<(), PlanError> {
        let script = facts::batch_script(sources);
        let raw = self
            .run(&format!("sh -c {}", shell_quote(&script)), None, None)
            .await?;
        let stdout = String::from_utf8_lossy(&raw.stdout);
        let sections = match raw.status {
            ExitStatus::Code(0) => facts::split_batch(&stdout, sources.len()),
            _ => Err(String::from_utf8_lossy(&raw.stderr).trim().to_string()),
        }
        .map_err(|why| PlanError::Other(format!("gathering facts failed: {why}")))?;
        for (source, (exit, output)) in sources.iter().zip(sections) {
            let value = source
                .parse(&output, exit)
                .map_err(|why| PlanError::Other(format!("could not read {source}: {why}")))?;
            self.facts.insert(source.clone(), value);
        }
        Ok(())
    }
}
