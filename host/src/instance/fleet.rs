//! `planrun:plan/fleet`: barrier, publish and lookup, the only ways one
//! host's plan affects another's.

use std::time::Instant;

use super::HostState;
use crate::plan::bindings::planrun::plan::fleet;
use crate::plan::bindings::{BarrierOutcome, PlanError};
use crate::report::{CallKind, CallResult, Event};

impl fleet::Host for HostState {
    async fn barrier(
        &mut self,
        name: String,
    ) -> wasmtime::Result<Result<BarrierOutcome, PlanError>> {
        self.emit(Event::Debug {
            host: self.index,
            message: format!("waiting at barrier `{name}`"),
        });
        // Waiting holds no fork slot: slots are taken per remote command only.
        let started = Instant::now();
        let result = self.run.barriers.wait(self.index, &name).await;
        self.record_call(CallKind::Barrier, &name, started, || {
            CallResult::of_value(&result, |met| {
                format!(
                    "arrived: {}; gone: {}",
                    met.arrived.join(","),
                    met.gone.join(",")
                )
            })
        });
        Ok(result)
    }

    async fn publish(
        &mut self,
        key: String,
        value: String,
    ) -> wasmtime::Result<Result<(), PlanError>> {
        Ok(self.run.board.publish(self.index, key, value))
    }

    async fn lookup(&mut self, key: String) -> wasmtime::Result<Option<String>> {
        Ok(self.run.board.lookup(&key))
    }
}
