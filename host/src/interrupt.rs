//! Ctrl-C during a run, in its minimal form: stop waiting for the hosts,
//! abandon them, and report the run as interrupted (the record says so and
//! planrun exits 130). Letting running commands finish first, and a second
//! Ctrl-C that cancels them, belong to the fleet policy.

use std::time::Duration;

use futures::future::join_all;
use tokio::task::JoinHandle;

/// How long abandoned host tasks and the reporter get to wind down after
/// Ctrl-C before planrun stops waiting for them.
const WIND_DOWN: Duration = Duration::from_secs(3);

/// Waits for every host task; true if Ctrl-C came first, in which case the
/// tasks have been aborted.
pub async fn wait_for_hosts(mut tasks: Vec<JoinHandle<()>>) -> bool {
    let interrupted = {
        let all = join_all(tasks.iter_mut());
        tokio::select! {
            results = all => {
                for result in results {
                    if let Err(e) = result {
                        // A panic in a host task is our bug; the run must still close.
                        eprintln!("planrun: internal error in a host task: {e}");
                    }
                }
                false
            }
            () = ctrl_c() => true,
        }
    };
    if interrupted {
        for task in &tasks {
            task.abort();
        }
        // Aborted tasks drop their sessions and instances at their next await.
        let _ = tokio::time::timeout(WIND_DOWN, join_all(tasks)).await;
    }
    interrupted
}

/// The reporter's result, not waiting for ever when the run was abandoned
/// (a host task stuck in a computation still holds an event sender).
pub async fn join_reporter<T: Default>(reporter: JoinHandle<T>, interrupted: bool) -> T {
    if interrupted {
        match tokio::time::timeout(WIND_DOWN, reporter).await {
            Ok(result) => result.unwrap_or_default(),
            Err(_) => T::default(),
        }
    } else {
        reporter.await.unwrap_or_default()
    }
}

/// Resolves on SIGINT; never, if the handler cannot be installed (then
/// Ctrl-C ends the process as usual and the record shows the run crashed).
async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
