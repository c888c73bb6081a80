//! The sandbox a plan runs in: what it can reach and how much it may use.
//!
//! - [`capabilities`]: the imports a plan gets (the planrun API, a few WASI
//!   interfaces with nothing behind them but stdio, clocks and randomness)
//!   and the check that refuses any other import before a host is touched.
//! - Limits per instance: linear memory and table size ([`Limiter`]), CPU as
//!   time spent running ([`cpu`]: a meter and the epoch ticker), and for
//!   remote commands a timeout and an output cap ([`CommandLimits`], applied
//!   by `remote` and the transport).
//! - [`describe`]: a dead instance's failure in words ([`detail`]: the raw
//!   error and backtrace, for `-v`).
//!
//! The environment a plan sees is only `--plan-env`; its files only the
//! asset directory, through `copy` ([`crate::assets`]).

pub mod capabilities;
pub mod cpu;
mod limiter;
mod trap;
pub mod units;

use std::sync::Arc;
use std::time::Duration;

use wasmtime::{Config, Store};

pub use cpu::{CpuMeter, Ticker};
pub use limiter::{Limiter, Refused};
pub use trap::{describe, detail};

/// Wasm stack of one instance (wasmtime's default, stated so that the
/// stack-overflow message can name it).
pub const WASM_STACK: usize = 512 * 1024;

pub const DEFAULT_MAX_MEMORY: u64 = 256 * 1024 * 1024;
pub const DEFAULT_MAX_TABLE_ELEMENTS: u64 = 100_000;
pub const DEFAULT_MAX_CPU: Duration = Duration::from_secs(10);
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(3600);
pub const DEFAULT_MAX_OUTPUT: u64 = 8 * 1024 * 1024;

/// How much one plan instance may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Bytes per linear memory; None: unlimited (the engine's 4 GiB).
    pub memory: Option<u64>,
    pub table_elements: u64,
    /// CPU time running the plan; None: not metered, and no epoch checks.
    pub cpu: Option<Duration>,
    pub commands: CommandLimits,
}

/// What one remote command may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandLimits {
    /// Longest a command may run, whatever timeout the plan asks for;
    /// None: only the plan's own timeout.
    pub timeout: Option<Duration>,
    /// Bytes kept of each of a command's stdout and stderr; the rest is
    /// read and dropped, and a marker says how much.
    pub max_output: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory: Some(DEFAULT_MAX_MEMORY),
            table_elements: DEFAULT_MAX_TABLE_ELEMENTS,
            cpu: Some(DEFAULT_MAX_CPU),
            commands: CommandLimits::default(),
        }
    }
}

impl Default for CommandLimits {
    fn default() -> Self {
        CommandLimits {
            timeout: Some(DEFAULT_COMMAND_TIMEOUT),
            max_output: DEFAULT_MAX_OUTPUT,
        }
    }
}

/// The sandbox of a run: limits, and the environment plans see.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sandbox {
    pub limits: Limits,
    /// `--plan-env K=V`: the only environment variables a plan sees.
    pub plan_env: Vec<(String, String)>,
}

/// Engine settings the limits need: epoch checks compiled into the plan
/// only when CPU is limited (they cost a little on every loop and call).
pub fn configure_engine(config: &mut Config, limits: &Limits) {
    config.epoch_interruption(limits.cpu.is_some());
    config.max_wasm_stack(WASM_STACK);
}

/// Puts one instance's store under `limits`: its data's limiter for memory
/// and tables, and the CPU budget. The returned meter must wrap everything
/// that runs the instance (see [`CpuMeter::meter`]).
pub fn confine<T: 'static>(
    store: &mut Store<T>,
    limits: &Limits,
    limiter: impl FnMut(&mut T) -> &mut Limiter + Send + Sync + 'static,
) -> Arc<CpuMeter> {
    let mut limiter = limiter;
    store.limiter(move |data| limiter(data) as &mut dyn wasmtime::ResourceLimiter);
    let meter = Arc::new(CpuMeter::default());
    if let Some(limit) = limits.cpu {
        cpu::enforce(store, meter.clone(), limit);
    }
    meter
}
