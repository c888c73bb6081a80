//! The sandbox flags, shared by every command that runs a plan: per-host
//! limits (defaults shown in `--help`) and the environment plans see.

use std::time::Duration;

use clap::Args;

use crate::sandbox::units::{parse_duration, parse_size};
use crate::sandbox::{CommandLimits, Limits, Sandbox};

/// Where `--help` lists these flags. (Per argument: a struct-level
/// `next_help_heading` would also take the arguments declared after it.)
const HEADING: &str = "Sandbox (limits apply to each host's plan instance)";

#[derive(Args, Debug, Clone)]
pub struct SandboxArgs {
    /// Largest linear memory of a plan instance (256MiB, 1G, …), or `unlimited`.
    #[arg(help_heading = HEADING, long, value_name = "SIZE", default_value = "256MiB", value_parser = parse_memory)]
    pub max_memory: Cap<u64>,

    /// Most elements in one of a plan instance's tables.
    #[arg(help_heading = HEADING, long, value_name = "N", default_value_t = crate::sandbox::DEFAULT_MAX_TABLE_ELEMENTS)]
    pub max_table_elements: u64,

    /// CPU time a plan may spend running, not counting time waiting on
    /// remote commands or other hosts (10s, 2m, …), or `unlimited`.
    #[arg(help_heading = HEADING, long, value_name = "TIME", default_value = "10s", value_parser = parse_time)]
    pub max_cpu: Cap<Duration>,

    /// Longest any remote command may run; a plan may ask for less (30s, 2h, …), or `unlimited`.
    #[arg(help_heading = HEADING, long, value_name = "TIME", default_value = "1h", value_parser = parse_time)]
    pub command_timeout: Cap<Duration>,

    /// Bytes kept of each of a command's stdout and stderr; the rest is
    /// dropped and a marker says how much.
    #[arg(help_heading = HEADING, long, value_name = "SIZE", default_value = "8MiB", value_parser = parse_output)]
    pub max_output: u64,

    /// An environment variable plans see (they see none but these); repeatable.
    #[arg(help_heading = HEADING, long = "plan-env", value_name = "NAME=VALUE", value_parser = parse_env)]
    pub plan_env: Vec<(String, String)>,
}

/// A limit, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cap<T> {
    Limited(T),
    Unlimited,
}

impl<T> Cap<T> {
    fn limit(self) -> Option<T> {
        match self {
            Cap::Limited(limit) => Some(limit),
            Cap::Unlimited => None,
        }
    }
}

impl SandboxArgs {
    pub fn sandbox(&self) -> Sandbox {
        Sandbox {
            limits: Limits {
                memory: self.max_memory.limit(),
                table_elements: self.max_table_elements,
                cpu: self.max_cpu.limit(),
                commands: CommandLimits {
                    timeout: self.command_timeout.limit(),
                    max_output: self.max_output,
                },
            },
            plan_env: self.plan_env.clone(),
        }
    }
}

fn parse_memory(text: &str) -> Result<Cap<u64>, String> {
    if text == "unlimited" {
        return Ok(Cap::Unlimited);
    }
    let bytes = parse_size(text)?;
    // Below one wasm page nothing can even start.
    if bytes < 64 * 1024 {
        return Err(format!("{text} is too small: a plan needs at least 64KiB"));
    }
    Ok(Cap::Limited(bytes))
}

fn parse_time(text: &str) -> Result<Cap<Duration>, String> {
    if text == "unlimited" {
        return Ok(Cap::Unlimited);
    }
    match parse_duration(text)? {
        zero if zero.is_zero() => Err("must be more than 0 (or `unlimited`)".into()),
        time => Ok(Cap::Limited(time)),
    }
}

fn parse_output(text: &str) -> Result<u64, String> {
    let bytes = parse_size(text)?;
    if bytes < 1024 {
        return Err(format!("{text} is too small: keep at least 1KiB of output"));
    }
    Ok(bytes)
}

fn parse_env(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.to_string(), value.to_string())),
        _ => Err(format!("`{text}` is not NAME=VALUE")),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        sandbox: SandboxArgs,
    }

    #[test]
    fn defaults_are_the_sandbox_defaults() {
        let cli = Cli::try_parse_from(["planrun"]).unwrap();
        assert_eq!(cli.sandbox.sandbox(), Sandbox::default());
    }

    #[test]
    fn limits_parse_and_can_be_lifted() {
        let cli = Cli::try_parse_from([
            "planrun",
            "--max-memory",
            "32MiB",
            "--max-cpu",
            "unlimited",
            "--command-timeout",
            "90s",
            "--max-output",
            "1M",
            "--plan-env",
            "A=b=c",
        ])
        .unwrap();
        let sandbox = cli.sandbox.sandbox();
        assert_eq!(sandbox.limits.memory, Some(32 << 20));
        assert_eq!(sandbox.limits.cpu, None);
        assert_eq!(
            sandbox.limits.commands.timeout,
            Some(Duration::from_secs(90))
        );
        assert_eq!(sandbox.limits.commands.max_output, 1 << 20);
        assert_eq!(sandbox.plan_env, [("A".to_string(), "b=c".to_string())]);
        for bad in [
            &["--max-memory", "1k"][..],
            &["--max-cpu", "0s"],
            &["--max-output", "10"],
            &["--plan-env", "=x"],
        ] {
            let args = std::iter::once("planrun").chain(bad.iter().copied());
            assert!(Cli::try_parse_from(args).is_err(), "{bad:?}");
        }
    }
}
