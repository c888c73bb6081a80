//! Barriers: wait until every host still running has arrived or finished.
//!
//! A host that finishes (or fails, or was never reachable) releases every
//! barrier, so a dead host never blocks the rest. When no live host is
//! running and the waiting ones wait at *different* barriers, nobody can
//! ever move: that deadlock is reported to each of them, naming the barriers.
//!
//! A barrier name may be used more than once (in a loop): a host's n-th
//! arrival at `name` meets the other hosts' n-th arrival.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::oneshot;

use crate::plan::bindings::{BarrierOutcome, PlanError};

type Reply = oneshot::Sender<Result<BarrierOutcome, PlanError>>;

/// A barrier occurrence: its name and which arrival at that name it is.
type Meeting = (String, u32);

#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Running,
    Waiting(Meeting),
    Gone,
}

pub struct Barriers {
    names: Vec<String>,
    state: Mutex<State>,
}

struct State {
    phases: Vec<Phase>,
    /// How often each host has arrived at each name, to tell meetings apart.
    arrivals: Vec<HashMap<String, u32>>,
    waiters: HashMap<Meeting, Vec<(usize, Reply)>>,
}

impl Barriers {
    /// Barriers for a run over `names` (index = host index); all start running.
    pub fn new(names: Vec<String>) -> Self {
        let n = names.len();
        Barriers {
            names,
            state: Mutex::new(State {
                phases: vec![Phase::Running; n],
                arrivals: vec![HashMap::new(); n],
                waiters: HashMap::new(),
            }),
        }
    }

    /// Host `host` arrives at barrier `name` and waits for the others.
    pub async fn wait(&self, host: usize, name: &str) -> Result<BarrierOutcome, PlanError> {
        let (tx, rx) = oneshot::channel();
        {
            let mut st = self.state.lock().expect("barrier state poisoned");
            let count = st.arrivals[host].entry(name.to_string()).or_insert(0);
            *count += 1;
            let meeting = (name.to_string(), *count);
            st.phases[host] = Phase::Waiting(meeting.clone());
            st.waiters.entry(meeting).or_default().push((host, tx));
            self.settle(&mut st);
        }
        rx.await.unwrap_or(Err(PlanError::Cancelled))
    }

    /// Host `host` has finished, failed or was never reachable: it no longer
    /// holds anyone up.
    pub fn finish(&self, host: usize) {
        let mut st = self.state.lock().expect("barrier state poisoned");
        st.phases[host] = Phase::Gone;
        self.settle(&mut st);
    }

    /// Releases what can be released; reports a deadlock if nothing can move.
    fn settle(&self, st: &mut State) {
        let mut live = st.phases.iter().filter(|p| **p != Phase::Gone);
        let Some(first) = live.next() else { return };
        if let Phase::Waiting(meeting) = first
            && live.clone().all(|p| *p == Phase::Waiting(meeting.clone()))
        {
            let meeting = meeting.clone();
            self.release(st, &meeting);
            return;
        }
        if st.phases.contains(&Phase::Running) {
            return;
        }
        // Everyone alive is waiting, at different barriers.
        let mut meetings: Vec<Meeting> = st.waiters.keys().cloned().collect();
        meetings.sort();
        let described: Vec<String> = meetings
            .iter()
            .map(|m| {
                let hosts: Vec<&str> = st.waiters[m]
                    .iter()
                    .map(|(h, _)| self.names[*h].as_str())
                    .collect();
                format!("`{}` ({})", m.0, crate::hostspec::fold(&hosts))
            })
            .collect();
        let message = format!(
            "every live host waits at a barrier, but at different ones: {}",
            described.join(", ")
        );
        for meeting in meetings {
            for (host, reply) in st.waiters.remove(&meeting).unwrap_or_default() {
                st.phases[host] = Phase::Running;
                let _ = reply.send(Err(PlanError::Deadlock(message.clone())));
            }
        }
    }

    fn release(&self, st: &mut State, meeting: &Meeting) {
        let waiters = st.waiters.remove(meeting).unwrap_or_default();
        let mut arrived: Vec<usize> = waiters.iter().map(|(h, _)| *h).collect();
        arrived.sort_unstable();
        let gone = st
            .phases
            .iter()
            .enumerate()
            .filter(|(_, p)| **p == Phase::Gone)
            .map(|(h, _)| self.names[h].clone())
            .collect();
        let outcome = BarrierOutcome {
            arrived: arrived.iter().map(|h| self.names[*h].clone()).collect(),
            gone,
        };
        for (host, reply) in waiters {
            st.phases[host] = Phase::Running;
            let _ = reply.send(Ok(outcome.clone()));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn barriers(n: usize) -> Arc<Barriers> {
        Arc::new(Barriers::new((0..n).map(|i| format!("h{i}")).collect()))
    }

    #[tokio::test]
    async fn releases_when_all_arrive() {
        let b = barriers(3);
        let waits: Vec<_> = (0..3)
            .map(|h| {
                let b = b.clone();
                tokio::spawn(async move { b.wait(h, "x").await })
            })
            .collect();
        for w in waits {
            let outcome = w.await.unwrap().unwrap();
            assert_eq!(outcome.arrived, ["h0", "h1", "h2"]);
            assert!(outcome.gone.is_empty());
        }
    }

    #[tokio::test]
    async fn a_finished_host_releases_the_others() {
        let b = barriers(3);
        let w0 = tokio::spawn({
            let b = b.clone();
            async move { b.wait(0, "x").await }
        });
        let w1 = tokio::spawn({
            let b = b.clone();
            async move { b.wait(1, "x").await }
        });
        tokio::task::yield_now().await;
        b.finish(2);
        let outcome = w0.await.unwrap().unwrap();
        assert_eq!(outcome.arrived, ["h0", "h1"]);
        assert_eq!(outcome.gone, ["h2"]);
        assert!(w1.await.unwrap().is_ok());
    }

    #[tokio::test]
    async fn different_barriers_are_a_deadlock() {
        let b = barriers(3);
        let w0 = tokio::spawn({
            let b = b.clone();
            async move { b.wait(0, "a").await }
        });
        let w1 = tokio::spawn({
            let b = b.clone();
            async move { b.wait(1, "b").await }
        });
        tokio::task::yield_now().await;
        b.finish(2);
        for w in [w0, w1] {
            match w.await.unwrap() {
                Err(PlanError::Deadlock(m)) => {
                    assert!(m.contains("`a` (h0)") && m.contains("`b` (h1)"), "{m}")
                }
                other => panic!("expected a deadlock, got {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn names_can_be_met_again() {
        let b = barriers(2);
        let run = |h: usize| {
            let b = b.clone();
            tokio::spawn(async move {
                for _ in 0..3 {
                    b.wait(h, "loop").await.unwrap();
                }
            })
        };
        let (a, c) = (run(0), run(1));
        a.await.unwrap();
        c.await.unwrap();
    }
}
