//! Why a plan instance died, in words: the limit it broke or the fault it
//! hit. The raw error with its wasm backtrace is [`detail`], which the run
//! reports as a debug message (shown with `-v`).

use wasmtime::Trap;
use wasmtime_wasi::I32Exit;

use super::WASM_STACK;
use super::cpu::CpuLimitExceeded;
use super::limiter::Refused;
use super::units::fmt_size;

/// The failure message for an instance that ended with `error`. `refused`
/// is the limiter's last refusal: a plan that died after being refused
/// memory died of the limit, whatever its language did about it (abort,
/// `unreachable`, a failed allocation while receiving a call's result).
pub fn describe(error: &wasmtime::Error, refused: Option<Refused>) -> String {
    if let Some(cpu) = find::<CpuLimitExceeded>(error) {
        return cpu.to_string();
    }
    if let Some(refused) = refused {
        return refused.to_string();
    }
    if let Some(exit) = find::<I32Exit>(error) {
        return format!(
            "the plan exited with status {} instead of returning from run",
            exit.0
        );
    }
    match find::<Trap>(error) {
        Some(Trap::StackOverflow) => {
            format!(
                "plan overflowed its stack of {}",
                fmt_size(WASM_STACK as u64)
            )
        }
        Some(Trap::UnreachableCodeReached) => {
            "the plan crashed: it panicked or aborted (its last output says why)".to_string()
        }
        Some(trap) => format!(
            "the plan crashed: {}",
            trap.to_string().trim_start_matches("wasm trap: ")
        ),
        None => {
            let root = error.root_cause().to_string();
            let first = root.lines().next().unwrap_or("unknown error").to_string();
            format!("the plan crashed: {first}")
        }
    }
}

/// The whole error chain with the wasm backtrace, for whoever debugs the plan.
pub fn detail(error: &wasmtime::Error) -> String {
    format!("{error:?}")
}

/// `E` anywhere in the error's chain (traps carry backtrace context).
fn find<E: std::error::Error + Send + Sync + 'static>(error: &wasmtime::Error) -> Option<&E> {
    error
        .downcast_ref::<E>()
        .or_else(|| error.chain().find_map(|cause| cause.downcast_ref::<E>()))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn limits_and_faults_read_as_words() {
        let cpu = wasmtime::Error::from(CpuLimitExceeded(Duration::from_secs(10)));
        assert_eq!(describe(&cpu, None), "plan used more than 10s of CPU");

        let unreachable = wasmtime::Error::from(Trap::UnreachableCodeReached);
        let memory = Refused::Memory {
            limit: 256 << 20,
            wanted: 300 << 20,
        };
        assert!(
            describe(&unreachable, Some(memory))
                .starts_with("plan exceeded its memory limit of 256 MiB")
        );
        assert!(describe(&unreachable, None).contains("panicked"));

        let stack = wasmtime::Error::from(Trap::StackOverflow).context("wasm backtrace: ...");
        assert_eq!(
            describe(&stack, None),
            "plan overflowed its stack of 512 KiB"
        );
        let detail = detail(&stack);
        assert!(detail.contains("wasm backtrace"), "{detail}");

        let exit = wasmtime::Error::from(I32Exit(3));
        assert!(describe(&exit, None).contains("exited with status 3"));
    }
}
