//! One plan instance's host-side state (the `T` of its `Store<T>`), and the
//! implementation of every import of the `plan` world, one file per interface.
//!
//! Run-wide state lives in [`RunContext`] behind an `Arc`; what belongs to
//! this host alone (its SSH session, fact cache, tally) lives here.

mod calls;
mod changes;
mod context;
mod fleet;
mod log;
mod stdio;
mod target;

use std::sync::Arc;

use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::plan::bindings::planrun::plan::types;
use crate::remote::Remote;
use crate::report::{Event, FailedCommand};
use crate::run::RunContext;
use crate::sandbox::Limiter;

/// What a host did during its run, for the summary.
#[derive(Debug, Default)]
pub struct Tally {
    /// Mutating calls that changed the host (or would have, in dry-run).
    pub changed: u32,
    /// The last call, if it was a failed command: shown when the plan fails.
    pub last_failure: Option<FailedCommand>,
}

/// Per-instance state of the plan running for one host.
pub struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    pub(crate) run: Arc<RunContext>,
    /// This host's position in `run.hosts`.
    pub(crate) index: usize,
    pub(crate) remote: Remote,
    pub(crate) tally: Tally,
    /// Memory and table limits; remembers what it refused.
    pub(crate) limiter: Limiter,
}

impl HostState {
    pub fn new(run: Arc<RunContext>, index: usize, remote: Remote) -> Self {
        // No args, no environment but --plan-env, no preopened directories,
        // no sockets: the plan reaches the world only through the planrun
        // imports (see sandbox::capabilities).
        let output = || stdio::PlanOutput {
            host: index,
            events: run.events.clone(),
        };
        let wasi = WasiCtx::builder()
            .stdout(output())
            .stderr(output())
            .envs(&run.sandbox.plan_env)
            .build();
        let limits = &run.sandbox.limits;
        let limiter = Limiter::new(limits.memory, limits.table_elements);
        HostState {
            wasi,
            table: ResourceTable::new(),
            run,
            index,
            remote,
            tally: Tally::default(),
            limiter,
        }
    }

    pub(crate) fn emit(&self, event: Event) {
        self.run.events.send(event);
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl types::Host for HostState {}
