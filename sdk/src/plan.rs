//! Declaring a plan: the [`plan!`](crate::plan!) macro turns the author's
//! `run` function into the component's exported `run`.

use std::fmt::Display;

use crate::__bindings::planrun::plan::log;

/// Declares the plan: `run` is called once per target host, in that host's
/// own instance; an `Err` fails the host, and its `Display` is the message
/// the operator sees.
///
/// `run` is a function (or closure) that takes nothing and returns
/// `Result<(), E>` for any `E: Display`, normally [`planrun_sdk::Result<()>`](crate::Result).
/// Use the macro once, in the plan crate's `lib.rs` (a `cdylib` built for
/// `wasm32-wasip2`).
///
/// ```no_run
/// use planrun_sdk::{Result, exec, step};
///
/// planrun_sdk::plan!(run);
///
/// fn run() -> Result<()> {
///     step("HELLO", "saying hello");
///     exec("echo hello >> /tmp/hello.log")?;
///     Ok(())
/// }
/// ```
#[macro_export]
macro_rules! plan {
    ($run:expr $(,)?) => {
        const _: () = {
            struct __PlanrunPlan;

            impl $crate::__bindings::Guest for __PlanrunPlan {
                fn run() -> ::core::result::Result<(), $crate::__private::String> {
                    $crate::__private::run_plan($run)
                }
            }

            $crate::__bindings::__export_plan!(__PlanrunPlan);
        };
    };
}

/// Calls the author's `run`, rendering its error for the operator.
#[doc(hidden)]
pub fn run_plan<E: Display>(run: impl FnOnce() -> Result<(), E>) -> Result<(), String> {
    // Plans have no stdio: without this hook a panic's message would be lost
    // and the operator would see only "unreachable executed".
    std::panic::set_hook(Box::new(|info| {
        let message = info.payload_as_str().unwrap_or("no message");
        let warning = match info.location() {
            Some(at) => format!("the plan panicked at {at}: {message}"),
            None => format!("the plan panicked: {message}"),
        };
        log::warn(&warning);
    }));
    run().map_err(|e| e.to_string())
}
