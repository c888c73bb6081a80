//! The end-of-run summary: how every host ended, folded into host ranges.

use std::fmt;
use std::time::Duration;

use super::HostOutcome;
use crate::hostspec::fold;

/// How the run ended, per host.
#[derive(Debug, Default)]
pub struct Summary {
    /// (host name, outcome, changes) for every host that finished.
    pub hosts: Vec<(String, HostOutcome, u32)>,
    pub wall: Duration,
    /// Hosts that never finished (the run was interrupted), in run order.
    pub unfinished: Vec<String>,
    /// The operator interrupted the run.
    pub interrupted: bool,
}

impl Summary {
    pub fn ok(&self) -> usize {
        self.count(|o| *o == HostOutcome::Ok)
    }

    pub fn failed(&self) -> usize {
        self.count(|o| matches!(o, HostOutcome::Failed { .. }))
    }

    pub fn unreachable(&self) -> usize {
        self.count(|o| matches!(o, HostOutcome::Unreachable(_)))
    }

    pub fn all_ok(&self) -> bool {
        self.ok() == self.hosts.len() && self.unfinished.is_empty()
    }

    fn count(&self, f: impl Fn(&HostOutcome) -> bool) -> usize {
        self.hosts.iter().filter(|(_, o, _)| f(o)).count()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let changed: u32 = self.hosts.iter().map(|(_, _, c)| c).sum();
        let interrupted = match self.interrupted {
            true => format!(", {} interrupted", self.unfinished.len()),
            false => String::new(),
        };
        writeln!(
            f,
            "{} hosts in {:.2}s: {} ok, {} failed, {} unreachable{interrupted}; {} changes",
            self.hosts.len() + self.unfinished.len(),
            self.wall.as_secs_f64(),
            self.ok(),
            self.failed(),
            self.unreachable(),
            changed
        )?;
        // Hosts in run order, and hosts that ended the same way on one line:
        // on a large fleet one broken thing is one line, not five hundred.
        let mut groups: Vec<(&str, &str, Vec<&str>)> = Vec::new();
        for (host, outcome, _) in &self.hosts {
            let (kind, why) = match outcome {
                HostOutcome::Ok => ("ok", ""),
                HostOutcome::Failed { message, .. } => ("failed", first_line(message)),
                HostOutcome::Unreachable(why) => ("unreachable", first_line(why)),
            };
            match groups.iter_mut().find(|(k, w, _)| *k == kind && *w == why) {
                Some((_, _, hosts)) => hosts.push(host),
                None => groups.push((kind, why, vec![host])),
            }
        }
        groups.sort_by_key(|(kind, _, _)| *kind != "ok");
        for (kind, why, hosts) in groups {
            let hosts = fold(&hosts);
            match why {
                "" => writeln!(f, "  {kind:<12} {hosts}")?,
                why => writeln!(f, "  {kind:<12} {hosts}: {why}")?,
            }
        }
        if !self.unfinished.is_empty() {
            writeln!(
                f,
                "  {:<12} {}: did not finish",
                "interrupted",
                fold(&self.unfinished)
            )?;
        }
        Ok(())
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}
