//! planrun: run deployment plans (WebAssembly components) on fleets of
//! machines over SSH.
//!
//! The pieces, in the order a run meets them: [`cli`] reads the command
//! line; [`hostspec`] expands `--hosts`; [`plan`] loads and checks the
//! component; [`run`] starts one task per host; each connects with
//! [`transport`], instantiates the plan with [`instance`] state whose calls go
//! through [`remote`] to the host and through [`fleet`] to other hosts;
//! [`report`] prints what happened and [`record`] keeps it in the run
//! database, which [`web`] serves. [`facts`] knows how to ask a host what
//! it is and has; [`diff`] shows what a dry run would change in a file.
//! [`sandbox`] bounds what each instance
//! can reach and use.

pub mod assets;
pub mod cli;
pub mod diff;
pub mod facts;
pub mod fleet;
pub mod hostspec;
pub mod instance;
pub mod interrupt;
pub mod plan;
pub mod record;
pub mod remote;
pub mod report;
pub mod run;
pub mod sandbox;
pub mod transport;
pub mod web;
