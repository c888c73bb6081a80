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
        self.ok() == self.hosts.len()
    }

    fn count(&self, f: impl Fn(&HostOutcome) -> bool) -> usize {
        self.hosts.iter().filter(|(_, o, _)| f(o)).count()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let changed: u32 = self.hosts.iter().map(|(_, _, c)| c).sum();
        writeln!(
            f,
            "{} hosts in {:.2}s: {} ok, {} failed, {} unreachable; {} changes",
            self.hosts.len(),
            self.wall.as_secs_f64(),
            self.ok(),
            self.failed(),
            self.unreachable(),
            changed
        )?;
        let ok: Vec<&str> = self
            .hosts
            .iter()
            .filter(|(_, o, _)| *o == HostOutcome::Ok)
            .map(|(h, _, _)| h.as_str())
            .collect();
        if !ok.is_empty() {
            writeln!(f, "  ok           {}", fold(&ok))?;
        }
        for (host, outcome, _) in &self.hosts {
            match outcome {
                HostOutcome::Ok => {}
                HostOutcome::Failed { message, .. } => {
                    writeln!(f, "  failed       {host}: {}", first_line(message))?
                }
                HostOutcome::Unreachable(why) => {
                    writeln!(f, "  unreachable  {host}: {}", first_line(why))?
                }
            }
        }
        Ok(())
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}
