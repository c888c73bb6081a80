//! The command line: `planrun PLAN.wasm --hosts SPEC` (no subcommand) and
//! the subcommands. One file per command; this one parses and dispatches.

mod args;
mod exec;
mod gc;
mod inspect;
mod record;
mod retry;
mod run_plan;
mod runs;
mod sandbox;
mod serve;
mod show;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use args::{FleetArgs, PlanArgs};
pub use record::{DbArgs, RecordArgs};
pub use show::hosts_line;

/// Exit codes, as documented in the README.
pub mod exit {
    pub const OK: u8 = 0;
    /// Some host failed or was unreachable.
    pub const HOST_FAILED: u8 = 1;
    /// Bad usage, bad input, or a plan that cannot run.
    pub const USAGE: u8 = 2;
    /// Interrupted by the operator.
    pub const INTERRUPTED: u8 = 130;
}

#[derive(Parser, Debug)]
#[command(
    name = "planrun",
    version,
    about = "Run deployment plans (WebAssembly components) on fleets of machines over SSH",
    long_about = "Run deployment plans (WebAssembly components) on fleets of machines over SSH.\n\n\
        Run a plan:      planrun deploy.wasm --hosts secure001-4\n\
        Run a command:   planrun exec --hosts web[01-12] -- uptime\n\
        See what a plan can reach:  planrun inspect deploy.wasm\n\
        Past runs:       planrun runs; planrun show 12; planrun serve",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    #[command(flatten)]
    run: PlanArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a shell command on every host and print its output, per host.
    Exec(exec::ExecArgs),
    /// Show what a plan imports (what it can reach) and exports, without running it.
    Inspect(inspect::InspectArgs),
    /// List recorded runs, newest first.
    Runs(runs::RunsArgs),
    /// Show a recorded run, or one host's output in it.
    Show(show::ShowArgs),
    /// Serve the run record as a web UI (loopback by default).
    Serve(serve::ServeArgs),
    /// Remove old runs from the record.
    Gc(gc::GcArgs),
}

/// Parses the command line, runs it, and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("planrun: error: cannot start the async runtime: {e}");
            return ExitCode::from(exit::USAGE);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Some(Command::Exec(args)) => exec::run(args).await,
            Some(Command::Inspect(args)) => inspect::run(args).await,
            Some(Command::Runs(args)) => runs::run(args).await,
            Some(Command::Show(args)) => show::run(args).await,
            Some(Command::Serve(args)) => serve::run(args).await,
            Some(Command::Gc(args)) => gc::run(args).await,
            None => run_plan::run(cli.run).await,
        }
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("planrun: error: {e:#}");
            ExitCode::from(exit::USAGE)
        }
    }
}
