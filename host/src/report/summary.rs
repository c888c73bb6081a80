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
    /// Per host, in the order of `hosts`: what the plan found as wanted.
    pub unchanged: Vec<u32>,
    /// Changes were only listed, not made.
    pub dry_run: bool,
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
        let unchanged: u32 = self.unchanged.iter().sum();
        let interrupted = match self.interrupted {
            true => format!(", {} interrupted", self.unfinished.len()),
            false => String::new(),
        };
        writeln!(
            f,
            "{} hosts in {:.2}s: {} ok, {} failed, {} unreachable{interrupted}; {}",
            self.hosts.len() + self.unfinished.len(),
            self.wall.as_secs_f64(),
            self.ok(),
            self.failed(),
            self.unreachable(),
            self.counts(changed, unchanged)
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
        // Per host what changed, hosts with the same counts on one line.
        let mut counts: Vec<((u32, u32), Vec<&str>)> = Vec::new();
        for ((host, _, changed), unchanged) in self.hosts.iter().zip(&self.unchanged) {
            let key = (*changed, *unchanged);
            if key == (0, 0) {
                continue;
            }
            match counts.iter_mut().find(|(k, _)| *k == key) {
                Some((_, hosts)) => hosts.push(host),
                None => counts.push((key, vec![host])),
            }
        }
        for ((changed, unchanged), hosts) in counts {
            let label = if self.dry_run {
                "would change"
            } else {
                "changes"
            };
            writeln!(
                f,
                "  {label:<12} {}: {}",
                fold(&hosts),
                self.counts(changed, unchanged)
            )?;
        }
        Ok(())
    }
}

impl Summary {
    /// `3 changed, 5 unchanged`, or in a dry run `3 would change, 5 unchanged`.
    fn counts(&self, changed: u32, unchanged: u32) -> String {
        let verb = if self.dry_run {
            "would change"
        } else {
            "changed"
        };
        format!("{changed} {verb}, {unchanged} unchanged")
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(dry_run: bool) -> Summary {
        let hosts: Vec<(String, HostOutcome, u32)> = ["web1", "web2", "web3"]
            .iter()
            .zip([2, 2, 0])
            .map(|(h, c)| (h.to_string(), HostOutcome::Ok, c))
            .collect();
        Summary {
            hosts,
            wall: Duration::from_millis(1500),
            unchanged: vec![3, 3, 5],
            dry_run,
            ..Summary::default()
        }
    }

    #[test]
    fn counts_changed_and_unchanged_per_host() {
        assert_eq!(
            summary(false).to_string(),
            "3 hosts in 1.50s: 3 ok, 0 failed, 0 unreachable; 4 changed, 11 unchanged\n  \
             ok           web[1-3]\n  \
             changes      web[1-2]: 2 changed, 3 unchanged\n  \
             changes      web3: 0 changed, 5 unchanged\n"
        );
    }

    #[test]
    fn a_dry_run_counts_what_would_change() {
        let text = summary(true).to_string();
        assert!(text.contains("; 4 would change, 11 unchanged\n"), "{text}");
        assert!(
            text.contains("  would change web[1-2]: 2 would change, 3 unchanged\n"),
            "{text}"
        );
    }
}
