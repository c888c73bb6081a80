//! `planrun:plan/context`: what a plan knows about its run.

use super::HostState;
use crate::plan::bindings::HostInfo;
use crate::plan::bindings::planrun::plan::context;

impl context::Host for HostState {
    async fn this_host(&mut self) -> wasmtime::Result<HostInfo> {
        Ok(self.run.hosts[self.index].clone())
    }

    async fn fleet(&mut self) -> wasmtime::Result<Vec<HostInfo>> {
        Ok(self.run.hosts.clone())
    }

    async fn param(&mut self, name: String) -> wasmtime::Result<Option<String>> {
        Ok(self
            .run
            .params
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.clone()))
    }

    async fn params(&mut self) -> wasmtime::Result<Vec<(String, String)>> {
        Ok(self.run.params.clone())
    }

    async fn dry_run(&mut self) -> wasmtime::Result<bool> {
        Ok(self.run.dry_run)
    }
}
