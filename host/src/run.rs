//! Running a plan on a fleet: one task per host, all concurrent.
//!
//! Each host task connects (holding a fork slot only while it does),
//! instantiates the plan in its own store, calls `run`, and reports how it
//! ended. A host that cannot be reached, loses its connection or whose plan
//! fails or traps ends alone; the others carry on.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use wasmtime::Store;

use crate::assets::Assets;
use crate::fleet::{Barriers, Board};
use crate::instance::HostState;
use crate::plan::LoadedPlan;
use crate::plan::bindings::HostInfo;
use crate::record::RecordSink;
use crate::remote::Remote;
use crate::report::{Event, EventSender, HostOutcome, Reporter, Summary, Verbosity};
use crate::sandbox::{self, Sandbox};
use crate::transport::{ConnectError, HostConfig, Session, SshOptions};

/// Run-wide state every host's instance shares.
pub struct RunContext {
    pub hosts: Vec<HostInfo>,
    pub params: Vec<(String, String)>,
    pub dry_run: bool,
    pub assets: Assets,
    pub barriers: Barriers,
    pub board: Board,
    pub events: EventSender,
    /// Whether the run is recorded: host calls report their results.
    pub recording: bool,
    /// Bounds concurrent connection set-ups and in-flight remote commands.
    pub forks: Arc<Semaphore>,
    /// Limits and environment of every instance.
    pub sandbox: Sandbox,
}

/// Everything a run needs, decided by the CLI.
pub struct RunSpec {
    pub plan: LoadedPlan,
    /// One resolved ssh config per host, in run order.
    pub targets: Vec<HostConfig>,
    pub ssh: SshOptions,
    pub params: Vec<(String, String)>,
    pub dry_run: bool,
    pub assets: Assets,
    pub forks: usize,
    pub verbosity: Verbosity,
    /// `--plan-env`: the only environment variables plans see. (The
    /// limits are the plan's: it was compiled for them.)
    pub plan_env: Vec<(String, String)>,
    /// Where events go to be recorded, unless the run is not recorded.
    pub record: Option<RecordSink>,
}

/// Runs the plan on every host and returns how each ended.
pub async fn run(spec: RunSpec) -> Summary {
    let names: Vec<String> = spec.targets.iter().map(|t| t.alias.clone()).collect();
    let hosts = spec
        .targets
        .iter()
        .enumerate()
        .map(|(index, t)| HostInfo {
            name: t.alias.clone(),
            address: t.hostname.clone(),
            index: index as u32,
            groups: Vec::new(),
            vars: Vec::new(),
        })
        .collect();
    let (events, receiver) = EventSender::channel();
    let recording = spec.record.is_some();
    let reporter = Reporter::new(names.clone(), spec.verbosity)
        .dry_run(spec.dry_run)
        .recording(spec.record);
    let reporter = tokio::spawn(reporter.run(receiver));
    let run = Arc::new(RunContext {
        hosts,
        params: spec.params,
        dry_run: spec.dry_run,
        assets: spec.assets,
        barriers: Barriers::new(names),
        board: Board::default(),
        events,
        recording,
        forks: Arc::new(Semaphore::new(spec.forks.max(1))),
        sandbox: Sandbox {
            limits: spec.plan.limits.clone(),
            plan_env: spec.plan_env,
        },
    });
    let plan = Arc::new(spec.plan);
    let ssh = Arc::new(spec.ssh);
    let tasks: Vec<_> = spec
        .targets
        .into_iter()
        .enumerate()
        .map(|(index, target)| {
            let (run, plan, ssh) = (run.clone(), plan.clone(), ssh.clone());
            tokio::spawn(async move {
                let started = Instant::now();
                run.events.send(Event::Connecting { host: index });
                let (outcome, changed) = run_host(&run, &plan, &ssh, index, &target).await;
                // Whatever happened, this host no longer holds up a barrier.
                run.barriers.finish(index);
                run.events.send(Event::HostDone {
                    host: index,
                    outcome,
                    changed,
                    duration: started.elapsed(),
                });
            })
        })
        .collect();
    let interrupted = crate::interrupt::wait_for_hosts(tasks).await;
    drop(run);
    let mut summary = crate::interrupt::join_reporter(reporter, interrupted).await;
    summary.interrupted = interrupted;
    summary
}

async fn run_host(
    run: &Arc<RunContext>,
    plan: &LoadedPlan,
    ssh: &SshOptions,
    index: usize,
    target: &HostConfig,
) -> (HostOutcome, u32) {
    let session = match connect(run, target, ssh).await {
        Ok(session) => session,
        Err(e) => return (HostOutcome::Unreachable(e.to_string()), 0),
    };
    run.events.send(Event::Connected { host: index });
    let remote = Remote::new(session, run.forks.clone(), run.sandbox.limits.commands);
    let mut store = Store::new(&plan.engine, HostState::new(run.clone(), index, remote));
    let cpu = sandbox::confine(&mut store, &run.sandbox.limits, |state| &mut state.limiter);
    // Everything that runs the instance is metered: its CPU budget.
    let result = cpu
        .meter(async {
            let started = Instant::now();
            let instance = plan.pre.instantiate_async(&mut store).await?;
            debug(
                run,
                index,
                format!("instantiated in {:?}", started.elapsed()),
            );
            instance.call_run(&mut store).await
        })
        .await;
    debug(run, index, format!("used {:?} of CPU", cpu.used()));
    let state = store.data();
    let changed = state.tally.changed;
    let outcome = match result {
        Ok(Ok(())) => HostOutcome::Ok,
        Ok(Err(message)) => match state.remote.lost() {
            Some(lost) => HostOutcome::Unreachable(lost.to_string()),
            None => HostOutcome::Failed {
                message,
                command: state.tally.last_failure.clone(),
            },
        },
        Err(trap) => {
            debug(run, index, sandbox::detail(&trap));
            HostOutcome::Failed {
                message: sandbox::describe(&trap, state.limiter.refused()),
                command: None,
            }
        }
    };
    state.remote.close().await;
    (outcome, changed)
}

/// Connects, retrying what sshd's connection throttle (MaxStartups) or a
/// busy host makes fail at random; holds a fork slot only while connecting.
async fn connect(
    run: &RunContext,
    target: &HostConfig,
    ssh: &SshOptions,
) -> Result<Session, ConnectError> {
    let mut attempt = 1;
    loop {
        let result = {
            let _slot = run.forks.acquire().await.expect("fork slots never close");
            Session::connect(target, ssh).await
        };
        match result {
            Err(e) if e.is_retryable() && attempt < CONNECT_ATTEMPTS => {
                tokio::time::sleep(CONNECT_BACKOFF * 2u32.pow(attempt - 1)).await;
                attempt += 1;
            }
            result => return result,
        }
    }
}

const CONNECT_ATTEMPTS: u32 = 3;
const CONNECT_BACKOFF: Duration = Duration::from_millis(200);

/// A detail shown with `-v`.
fn debug(run: &RunContext, host: usize, message: String) {
    run.events.send(Event::Debug { host, message });
}

/// Default `--forks`: enough to keep a fleet busy, few enough for sshd's
/// connection throttles on the targets' side to stay quiet.
pub const DEFAULT_FORKS: usize = 64;

/// Default connect timeout when ssh_config sets none.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
