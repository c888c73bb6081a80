//! The one `bindgen!` site: Rust types and traits for the `planrun:plan` world.
//!
//! Every import is async (it waits on SSH or on other hosts) and trappable
//! (a host fault or a cancelled run ends the instance with a trap rather than
//! an error the plan could swallow).

wasmtime::component::bindgen!({
    world: "plan",
    path: "../wit",
    imports: { default: async | trappable },
    exports: { default: async },
    additional_derives: [PartialEq],
});

pub use self::planrun::plan::types::{
    BarrierOutcome, CommandOutput, Error as PlanError, ExecOptions, ExitStatus, FileOptions,
    HostInfo,
};
