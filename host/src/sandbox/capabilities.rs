//! What a plan may import: the planrun API and the few WASI interfaces
//! language runtimes need. One table says what each provided interface
//! gives the plan; linking, the check before a run and `planrun inspect` all
//! read it, so they cannot disagree.
//!
//! Provided WASI, and why:
//! - `wasi:io`, `wasi:cli/stdout|stderr`: every runtime's print; captured
//!   line by line into the host's output.
//! - `wasi:cli/stdin`, `exit`, `environment`, `terminal-*`: Rust's std and
//!   other runtimes import them at start-up. Stdin is empty, no stream is a
//!   terminal, and the environment holds only what `--plan-env` sets (no
//!   arguments, no working directory).
//! - `wasi:clocks`, `wasi:random`: time, sleeps (waiting, not CPU) and hash
//!   seeds. They reveal nothing about the controller but the time.
//! - `wasi:filesystem`: linked, with **no preopened directory**. Runtimes
//!   import it as soon as they can open a file (Rust's `std::fs`; Python
//!   and JavaScript runtimes always), so refusing it would refuse them.
//!   WASI resolves every path against a preopened directory, through
//!   cap-std; with none, every open fails (`/etc/passwd`, `~/.ssh/…`,
//!   anything) with an error the plan can report. The asset directory is
//!   reached only through `copy`, never through WASI.
//!
//! Everything else is refused before any host is touched: sockets and HTTP
//! (a plan reaches its host only through the planrun API and has no network
//! of its own), newer or older WASI versions, unknown planrun interfaces.

use std::fmt;

use anyhow::{Result, bail};
use wasmtime::Engine;
use wasmtime::component::{Component, HasData, Linker, ResourceTable};
use wasmtime_wasi::WasiView;
use wasmtime_wasi::cli::{WasiCli, WasiCliView};
use wasmtime_wasi::clocks::{WasiClocks, WasiClocksView};
use wasmtime_wasi::filesystem::{WasiFilesystem, WasiFilesystemView};
use wasmtime_wasi::p2::bindings;
use wasmtime_wasi::random::WasiRandom;

use crate::instance::HostState;
use crate::plan::{API_PACKAGE, API_VERSION, serves_api_version};

/// The WASI release whose interfaces are linked (any 0.2.x import matches).
const WASI_TRACK: &str = "0.2";

type Link = fn(&mut Linker<HostState>) -> wasmtime::Result<()>;

/// A WASI interface planrun links, and what it gives the plan.
struct Provided {
    name: &'static str,
    gives: &'static str,
    link: Link,
}

/// `wasi:io` hosts work on the resource table alone.
struct Table;

impl HasData for Table {
    type Data<'a> = &'a mut ResourceTable;
}

fn table(state: &mut HostState) -> &mut ResourceTable {
    state.ctx().table
}

const WASI: &[Provided] = &[
    Provided {
        name: "wasi:io/error",
        gives: "error details of stdio streams",
        link: |l| bindings::io::error::add_to_linker::<_, Table>(l, table),
    },
    Provided {
        name: "wasi:io/poll",
        gives: "waiting on streams and timers",
        link: |l| bindings::io::poll::add_to_linker::<_, Table>(l, table),
    },
    Provided {
        name: "wasi:io/streams",
        gives: "the stdio streams",
        link: |l| bindings::io::streams::add_to_linker::<_, Table>(l, table),
    },
    Provided {
        name: "wasi:cli/stdout",
        gives: "standard output, shown under the host's name",
        link: |l| bindings::cli::stdout::add_to_linker::<_, WasiCli>(l, HostState::cli),
    },
    Provided {
        name: "wasi:cli/stderr",
        gives: "standard error, shown under the host's name",
        link: |l| bindings::cli::stderr::add_to_linker::<_, WasiCli>(l, HostState::cli),
    },
    Provided {
        name: "wasi:cli/stdin",
        gives: "an empty standard input",
        link: |l| bindings::cli::stdin::add_to_linker::<_, WasiCli>(l, HostState::cli),
    },
    Provided {
        name: "wasi:cli/environment",
        gives: "only the variables given with --plan-env; no arguments",
        link: |l| bindings::cli::environment::add_to_linker::<_, WasiCli>(l, HostState::cli),
    },
    Provided {
        name: "wasi:cli/exit",
        gives: "exit, which ends this host's plan",
        link: |l| bindings::cli::exit::add_to_linker::<_, WasiCli>(l, HostState::cli),
    },
    Provided {
        name: "wasi:cli/terminal-input",
        gives: "terminal types (no stream is a terminal)",
        link: |l| bindings::cli::terminal_input::add_to_linker::<_, WasiCli>(l, HostState::cli),
    },
    Provided {
        name: "wasi:cli/terminal-output",
        gives: "terminal types (no stream is a terminal)",
        link: |l| bindings::cli::terminal_output::add_to_linker::<_, WasiCli>(l, HostState::cli),
    },
    Provided {
        name: "wasi:cli/terminal-stdin",
        gives: "no terminal",
        link: |l| bindings::cli::terminal_stdin::add_to_linker::<_, WasiCli>(l, HostState::cli),
    },
    Provided {
        name: "wasi:cli/terminal-stdout",
        gives: "no terminal",
        link: |l| bindings::cli::terminal_stdout::add_to_linker::<_, WasiCli>(l, HostState::cli),
    },
    Provided {
        name: "wasi:cli/terminal-stderr",
        gives: "no terminal",
        link: |l| bindings::cli::terminal_stderr::add_to_linker::<_, WasiCli>(l, HostState::cli),
    },
    Provided {
        name: "wasi:clocks/wall-clock",
        gives: "the time of day",
        link: |l| {
            bindings::clocks::wall_clock::add_to_linker::<_, WasiClocks>(l, HostState::clocks)
        },
    },
    Provided {
        name: "wasi:clocks/monotonic-clock",
        gives: "elapsed time and sleeps (waiting uses no CPU budget)",
        link: |l| {
            bindings::clocks::monotonic_clock::add_to_linker::<_, WasiClocks>(l, HostState::clocks)
        },
    },
    Provided {
        name: "wasi:random/random",
        gives: "random bytes",
        link: |l| bindings::random::random::add_to_linker::<_, WasiRandom>(l, random),
    },
    Provided {
        name: "wasi:random/insecure",
        gives: "random bytes",
        link: |l| bindings::random::insecure::add_to_linker::<_, WasiRandom>(l, random),
    },
    Provided {
        name: "wasi:random/insecure-seed",
        gives: "a hash seed",
        link: |l| bindings::random::insecure_seed::add_to_linker::<_, WasiRandom>(l, random),
    },
    Provided {
        name: "wasi:filesystem/types",
        gives: "file types only: there is no directory to open files in",
        link: |l| {
            bindings::filesystem::types::add_to_linker::<_, WasiFilesystem>(
                l,
                HostState::filesystem,
            )
        },
    },
    Provided {
        name: "wasi:filesystem/preopens",
        gives: "no directories: every path fails",
        link: |l| {
            bindings::filesystem::preopens::add_to_linker::<_, WasiFilesystem>(
                l,
                HostState::filesystem,
            )
        },
    },
];

fn random(state: &mut HostState) -> &mut wasmtime_wasi::random::WasiRandomCtx {
    state.ctx().ctx.random()
}

/// The planrun interfaces, and what each gives.
const PLANRUN: &[(&str, &str)] = &[
    ("types", "the API's shared types"),
    (
        "target",
        "exec, probe, copy, write, read, fact: this host, over SSH",
    ),
    (
        "fleet",
        "barrier, publish, lookup: the only ways to affect other hosts",
    ),
    (
        "context",
        "this host's name, the fleet, run parameters, dry-run",
    ),
    ("log", "step, warn, debug, print: this host's output"),
];

/// Links the WASI interfaces of the table, and nothing else.
pub fn link_wasi(linker: &mut Linker<HostState>) -> Result<()> {
    for provided in WASI {
        (provided.link)(linker)
            .map_err(|e| anyhow::anyhow!("cannot link {}: {e}", provided.name))?;
    }
    Ok(())
}

/// Whether planrun gives a plan what an import asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Linked; the text says what the plan gets.
    Provided(&'static str),
    /// Not linked: the plan cannot run. The text says why.
    Refused(String),
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Provided(gives) => f.write_str(gives),
            Verdict::Refused(why) => write!(f, "REFUSED: {why}"),
        }
    }
}

/// Judges one import name, e.g. `wasi:cli/stdout@0.2.6`.
pub fn judge(import: &str) -> Verdict {
    let (path, version) = match import.split_once('@') {
        Some((path, version)) => (path, Some(version)),
        None => (import, None),
    };
    let Some((package, interface)) = path.split_once('/') else {
        return Verdict::Refused(
            "a bare import, not an interface of the planrun API or of WASI".into(),
        );
    };
    if package == API_PACKAGE {
        let Some(&(_, gives)) = PLANRUN.iter().find(|(name, _)| *name == interface) else {
            return Verdict::Refused(format!(
                "{API_PACKAGE}@{API_VERSION} has no interface `{interface}`"
            ));
        };
        return match version {
            Some(v) if serves_api_version(v) => Verdict::Provided(gives),
            other => Verdict::Refused(format!(
                "built for {API_PACKAGE}@{}; this planrun serves {API_PACKAGE}@{API_VERSION}",
                other.unwrap_or("(no version)")
            )),
        };
    }
    if package == "wasi:sockets" || package == "wasi:http" {
        return Verdict::Refused(
            "network access: plans reach their host only through the planrun API".into(),
        );
    }
    let Some(provided) = WASI.iter().find(|p| p.name == path) else {
        return Verdict::Refused("planrun does not provide this interface to plans".into());
    };
    let track = version
        .and_then(|v| v.rsplit_once('.'))
        .map(|(track, _)| track);
    if track != Some(WASI_TRACK) {
        return Verdict::Refused(format!(
            "WASI version {} is not served; planrun serves WASI {WASI_TRACK}.x",
            version.unwrap_or("(none)")
        ));
    }
    Verdict::Provided(provided.gives)
}

/// Every import of `component` with its verdict, in the component's order.
pub fn imports(engine: &Engine, component: &Component) -> Vec<(String, Verdict)> {
    component
        .component_type()
        .imports(engine)
        .map(|(name, _)| (name.to_string(), judge(name)))
        .collect()
}

/// Refuses a component importing anything planrun does not provide, naming
/// every such import and why.
pub fn check(engine: &Engine, component: &Component) -> Result<()> {
    let refused: Vec<String> = imports(engine, component)
        .into_iter()
        .filter_map(|(name, verdict)| match verdict {
            Verdict::Refused(why) => Some(format!("`{name}` ({why})")),
            Verdict::Provided(_) => None,
        })
        .collect();
    if refused.is_empty() {
        return Ok(());
    }
    bail!(
        "it imports what planrun does not give plans: {}",
        refused.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_basics_are_provided() {
        for name in [
            "wasi:cli/stdout@0.2.6",
            "wasi:io/streams@0.2.0",
            "wasi:filesystem/preopens@0.2.3",
            "wasi:random/insecure-seed@0.2.6",
            "planrun:plan/target@0.1.0",
        ] {
            assert!(matches!(judge(name), Verdict::Provided(_)), "{name}");
        }
    }

    #[test]
    fn network_unknown_and_other_versions_are_refused() {
        let refused = |name: &str| match judge(name) {
            Verdict::Refused(why) => why,
            Verdict::Provided(_) => panic!("{name} provided"),
        };
        assert!(refused("wasi:sockets/tcp@0.2.6").contains("network"));
        assert!(refused("wasi:http/outgoing-handler@0.2.6").contains("network"));
        assert!(refused("wasi:cli/stdout@0.3.0").contains("WASI 0.2.x"));
        assert!(refused("wasi:keyvalue/store@0.2.0").contains("does not provide"));
        assert!(refused("planrun:plan/target@0.2.0").contains("serves planrun:plan@0.1.1"));
        assert!(refused("planrun:plan/secrets@0.1.0").contains("no interface `secrets`"));
        assert!(refused("steal-keys").contains("bare import"));
    }

    #[test]
    fn every_wasi_interface_links() {
        let engine = Engine::default();
        let mut linker = Linker::<HostState>::new(&engine);
        link_wasi(&mut linker).unwrap();
    }
}
