//! CPU time: how long a plan's instance has been running, and the epoch
//! ticker that lets the engine interrupt it.
//!
//! Measuring: a host's whole life as a plan (instantiate, then `run`) is one
//! future. [`Metered`] wraps it and charges the *thread CPU time* spent inside
//! its `poll`, which is exactly when the instance runs: wasm, and the host
//! functions it calls up to their first await. While a call waits on SSH, a
//! barrier or a WASI timer the future is pending and nothing is charged, so a
//! plan waiting ten minutes on `apt-get` uses none of its budget, while a plan
//! spinning on `lookup` (which never waits) pays for it. Thread CPU time
//! rather than wall time, so that a loaded controller does not charge plans
//! for the time the OS gave to other processes.
//!
//! Interrupting: with a CPU limit the engine instruments wasm with epoch
//! checks and the [`Ticker`] thread advances the epoch every [`TICK`]. A tick
//! that finds an instance running calls its deadline callback, which traps
//! it once it is over budget and otherwise yields to the executor: a busy
//! plan thus cannot starve the other hosts sharing its worker thread. The
//! ticker is a thread, not a task, because a task would never get to run
//! while spinning plans held every worker.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::Duration;

use nix::time::{ClockId, clock_gettime};
use wasmtime::{Engine, Store, UpdateDeadline};

use super::units::fmt_duration;

/// How often the epoch advances: the granularity of CPU limits and of the
/// yields that keep one spinning plan from holding a worker thread.
pub const TICK: Duration = Duration::from_millis(10);

/// The error that ends an instance over its CPU budget (a trap's cause).
#[derive(Debug, thiserror::Error)]
#[error("plan used more than {} of CPU", fmt_duration(*.0))]
pub struct CpuLimitExceeded(pub Duration);

/// CPU time charged to one instance. Only the thread polling the instance's
/// future writes it.
#[derive(Debug, Default)]
pub struct CpuMeter {
    /// Charged by finished polls.
    used_ns: AtomicU64,
    /// Thread CPU clock when the current poll started; 0 between polls.
    poll_started_ns: AtomicU64,
}

impl CpuMeter {
    /// CPU used so far, including the poll in progress when called from
    /// inside it (as the deadline callback is).
    pub fn used(&self) -> Duration {
        let mut ns = self.used_ns.load(Ordering::Relaxed);
        let started = self.poll_started_ns.load(Ordering::Relaxed);
        if started != 0 {
            ns += thread_cpu_ns().saturating_sub(started);
        }
        Duration::from_nanos(ns)
    }

    /// Wraps `future` so that the time spent polling it is charged here.
    pub fn meter<F: Future>(self: &Arc<Self>, future: F) -> Metered<F> {
        Metered {
            inner: Box::pin(future),
            meter: self.clone(),
        }
    }
}

/// A future whose polls are charged to a [`CpuMeter`].
pub struct Metered<F> {
    inner: Pin<Box<F>>,
    meter: Arc<CpuMeter>,
}

impl<F: Future> Future for Metered<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let started = thread_cpu_ns().max(1);
        self.meter.poll_started_ns.store(started, Ordering::Relaxed);
        let result = self.inner.as_mut().poll(cx);
        let spent = thread_cpu_ns().saturating_sub(started);
        self.meter.poll_started_ns.store(0, Ordering::Relaxed);
        self.meter.used_ns.fetch_add(spent, Ordering::Relaxed);
        result
    }
}

/// Makes `store` trap once `meter` shows more than `limit`, and yield at
/// every tick until then. The engine must have epoch interruption on.
pub fn enforce<T: 'static>(store: &mut Store<T>, meter: Arc<CpuMeter>, limit: Duration) {
    store.epoch_deadline_callback(move |_| {
        if meter.used() > limit {
            return Err(CpuLimitExceeded(limit).into());
        }
        // tokio's yield_now puts the task at the back of the queue; a plain
        // self-wake could land in the worker's LIFO slot and run again first.
        Ok(UpdateDeadline::YieldCustom(
            1,
            Box::pin(tokio::task::yield_now()),
        ))
    });
    store.set_epoch_deadline(1);
}

fn thread_cpu_ns() -> u64 {
    // Cannot fail for the calling thread on Linux; 0 charges nothing.
    clock_gettime(ClockId::CLOCK_THREAD_CPUTIME_ID)
        .map(|t| Duration::from(t).as_nanos() as u64)
        .unwrap_or(0)
}

/// Advances an engine's epoch every [`TICK`] until dropped.
pub struct Ticker {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Ticker {
    pub fn start(engine: &Engine) -> std::io::Result<Ticker> {
        let engine = engine.clone();
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("planrun-epoch".into())
            .spawn(move || {
                // Until the sender is dropped: a timeout is a tick.
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(TICK) {
                    engine.increment_epoch();
                }
            })?;
        Ok(Ticker {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metered_charges_polling_not_waiting() {
        let meter = Arc::new(CpuMeter::default());
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        runtime.block_on(meter.meter(async {
            // Waiting costs nothing...
            tokio::time::sleep(Duration::from_millis(300)).await;
            // ...spinning does (measured in CPU time: the machine may be busy).
            let spin = thread_cpu_ns();
            while thread_cpu_ns() - spin < 100_000_000 {
                std::hint::black_box(0);
            }
        }));
        let used = meter.used();
        assert!(used >= Duration::from_millis(100), "{used:?}");
        assert!(used < Duration::from_millis(250), "{used:?}");
    }
}
