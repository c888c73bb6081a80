//! Arguments shared by the commands that run something on a fleet.

use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};
use clap::{Args, Parser};

use super::record::RecordArgs;
use super::sandbox::SandboxArgs;
use crate::report::Verbosity;
use crate::run::DEFAULT_FORKS;
use crate::transport::{HostConfig, SshConfig, SshOptions};

/// Which hosts, and how to reach them.
#[derive(Args, Debug)]
pub struct FleetArgs {
    /// Hosts to run on: `secure001-4`, `web[01-12]`, `a,b,c`, or a mix (required).
    #[arg(long, short = 'H', value_name = "SPEC")]
    pub hosts: Option<String>,

    /// Read this ssh_config instead of ~/.ssh/config (as `ssh -F`).
    #[arg(short = 'F', value_name = "FILE")]
    pub ssh_config: Option<PathBuf>,

    /// At most this many connection set-ups and remote commands at once.
    #[arg(long, default_value_t = DEFAULT_FORKS, value_name = "N")]
    pub forks: usize,

    /// Add unknown host keys to known_hosts (a changed key is still refused).
    #[arg(long)]
    pub accept_new_host_keys: bool,

    /// Connect timeout in seconds when ssh_config sets no ConnectTimeout.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    pub connect_timeout: u64,

    /// Show debug messages and every remote command.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

impl FleetArgs {
    pub fn ssh_options(&self) -> SshOptions {
        SshOptions {
            config_file: self.ssh_config.clone(),
            accept_new_host_keys: self.accept_new_host_keys,
            default_connect_timeout: std::time::Duration::from_secs(self.connect_timeout),
        }
    }

    /// Expands `--hosts` and resolves each name through ssh_config.
    pub fn targets(&self, ssh: &SshOptions) -> Result<Vec<HostConfig>> {
        let spec = self
            .hosts
            .as_deref()
            .ok_or_else(|| anyhow!("--hosts is required, e.g. --hosts secure001-4"))?;
        let names = crate::hostspec::expand(spec)?;
        self.resolve(ssh, &names)
    }

    /// Resolves these host names through ssh_config.
    pub fn resolve(&self, ssh: &SshOptions, names: &[String]) -> Result<Vec<HostConfig>> {
        if self.forks == 0 {
            bail!("--forks must be at least 1");
        }
        let config = SshConfig::load(ssh)?;
        Ok(names.iter().map(|name| config.resolve(name)).collect())
    }

    pub fn verbosity(&self) -> Verbosity {
        if self.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        }
    }
}

impl Default for FleetArgs {
    /// What an empty command line gives: every option at its default.
    fn default() -> Self {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            fleet: FleetArgs,
        }
        Only::parse_from(["planrun"]).fleet
    }
}

/// `planrun PLAN.wasm --hosts SPEC …`: the form without a subcommand.
#[derive(Args, Debug)]
pub struct PlanArgs {
    /// The plan to run: a WebAssembly component (e.g. target/plans/deploy.wasm).
    #[arg(value_name = "PLAN.wasm", required_unless_present = "retry_failed")]
    pub plan: Option<PathBuf>,

    #[command(flatten)]
    pub fleet: Option<FleetArgs>,

    /// A run parameter the plan reads with param(NAME); repeatable.
    #[arg(long = "param", short = 'p', value_name = "NAME=VALUE", value_parser = parse_param)]
    pub params: Vec<(String, String)>,

    /// The plan's asset directory (read-only). Default: PLAN.assets/ beside the plan, if present.
    #[arg(long, value_name = "DIR")]
    pub assets: Option<PathBuf>,

    /// Report what would change; change nothing.
    #[arg(long)]
    pub dry_run: bool,

    // Not inside FleetArgs: clap cannot tell whether an optional flattened
    // group with a nested flatten was given.
    #[command(flatten)]
    pub sandbox: SandboxArgs,

    /// Run recorded run RUN again (same plan, same digest, same parameters)
    /// on the hosts where it did not end ok.
    #[arg(long, value_name = "RUN", conflicts_with_all = ["plan", "params", "assets", "dry_run"])]
    pub retry_failed: Option<String>,

    #[command(flatten)]
    pub record: RecordArgs,
}

fn parse_param(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_string(), value.to_string())),
        _ => Err(format!("`{s}` is not NAME=VALUE")),
    }
}
