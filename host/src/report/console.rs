//! The console reporter: `[host]  LABEL  message` lines, aligned, and the
//! summary at the end. Host output goes to stdout; warnings, failures and
//! the summary to stderr, so `planrun exec … | sort` sees only output.

use std::io::Write;
use std::time::Instant;

use tokio::sync::mpsc;

use super::{Event, HostOutcome, Summary};
use crate::record::RecordSink;

/// Labels are padded to this width so messages line up.
const LABEL_WIDTH: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    Normal,
    /// Also debug messages and every remote command.
    Verbose,
}

pub struct Reporter {
    names: Vec<String>,
    /// Width of the widest `[host]` prefix.
    width: usize,
    verbosity: Verbosity,
    /// Where each event goes once shown, when the run is recorded.
    record: Option<RecordSink>,
    /// Changes are listed as what would change, and counted so.
    dry_run: bool,
}

impl Reporter {
    pub fn new(names: Vec<String>, verbosity: Verbosity) -> Self {
        let width = names.iter().map(|n| n.len() + 2).max().unwrap_or(0);
        Reporter {
            names,
            width,
            verbosity,
            record: None,
            dry_run: false,
        }
    }

    /// Hands every event on to the run record after showing it.
    pub fn recording(mut self, record: Option<RecordSink>) -> Self {
        self.record = record;
        self
    }

    /// A dry run: list every change as one that would be made.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Prints events until every sender is gone; returns the summary.
    pub async fn run(self, mut events: mpsc::UnboundedReceiver<Event>) -> Summary {
        let started = Instant::now();
        // Hosts finish in any order; the summary lists them in run order.
        let mut ended: Vec<Option<(HostOutcome, u32)>> = vec![None; self.names.len()];
        let mut unchanged = vec![0u32; self.names.len()];
        while let Some(event) = events.recv().await {
            self.show(&event);
            if let Event::Unchanged { host, .. } = &event {
                unchanged[*host] += 1;
            }
            if let Event::HostDone {
                host,
                outcome,
                changed,
                ..
            } = &event
            {
                ended[*host] = Some((outcome.clone(), *changed));
            }
            if let Some(record) = &self.record {
                record.send(event);
            }
        }
        let mut summary = Summary {
            dry_run: self.dry_run,
            ..Summary::default()
        };
        for ((name, ended), unchanged) in self.names.iter().zip(ended).zip(unchanged) {
            match ended {
                Some((outcome, changed)) => {
                    summary.hosts.push((name.clone(), outcome, changed));
                    summary.unchanged.push(unchanged);
                }
                None => summary.unfinished.push(name.clone()),
            }
        }
        summary.wall = started.elapsed();
        summary
    }

    fn show(&self, event: &Event) {
        let verbose = self.verbosity == Verbosity::Verbose;
        match event {
            Event::Step {
                host,
                label,
                message,
            } => self.out(*host, label, message),
            Event::Print { host, text } => self.out(*host, "", text),
            Event::Debug { host, message } if verbose => self.out(*host, "DEBUG", message),
            Event::Command { host, command } if verbose => self.out(*host, "EXEC", command),
            Event::Debug { .. } | Event::Command { .. } => {}
            Event::Connecting { .. } | Event::Connected { .. } | Event::Call { .. } => {}
            Event::Warn { host, message } => self.err(*host, "WARN", message),
            Event::Change {
                host,
                what,
                diff,
                dry_run: true,
            } => {
                self.out(*host, "WOULD", what);
                if let Some(diff) = diff {
                    self.out(*host, "", diff);
                }
            }
            Event::Change { host, what, .. } if verbose => self.out(*host, "CHANGED", what),
            Event::Change { .. } | Event::Unchanged { .. } => {}
            Event::HostDone {
                host,
                outcome,
                duration,
                ..
            } => match outcome {
                HostOutcome::Ok if verbose => self.out(
                    *host,
                    "OK",
                    &format!("done in {:.2}s", duration.as_secs_f64()),
                ),
                HostOutcome::Ok => {}
                HostOutcome::Failed { message, command } => {
                    self.err(*host, "FAILED", message);
                    if let Some(command) = command {
                        // The plan's message may already carry the details.
                        if !message.contains(&command.command) {
                            self.err(*host, "", &format!("command: {}", command.command));
                            self.err(*host, "", &command.status);
                        }
                        let shown = command
                            .stderr_tail
                            .last()
                            .is_some_and(|l| message.contains(l));
                        if !shown {
                            for line in &command.stderr_tail {
                                self.err(*host, "", &format!("stderr: {line}"));
                            }
                        }
                    }
                }
                HostOutcome::Unreachable(why) => self.err(*host, "UNREACHABLE", why),
            },
        }
    }

    fn format(&self, host: usize, label: &str, message: &str) -> String {
        let prefix = format!("[{}]", self.names[host]);
        let mut text = String::new();
        for line in message.lines().chain(message.is_empty().then_some("")) {
            let line = format!(
                "{prefix:<width$}  {label:<LABEL_WIDTH$}  {line}",
                width = self.width
            );
            text.push_str(line.trim_end());
            text.push('\n');
        }
        text
    }

    fn out(&self, host: usize, label: &str, message: &str) {
        let text = if label.is_empty() {
            self.plain(host, message)
        } else {
            self.format(host, label, message)
        };
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
    }

    fn err(&self, host: usize, label: &str, message: &str) {
        let _ = std::io::stderr()
            .lock()
            .write_all(self.format(host, label, message).as_bytes());
    }

    /// Plain output: `[host]  line`, as pdsh and clush users read it.
    fn plain(&self, host: usize, text: &str) -> String {
        let prefix = format!("[{}]", self.names[host]);
        text.lines()
            .map(|l| format!("{prefix:<width$}  {l}\n", width = self.width))
            .collect()
    }
}
