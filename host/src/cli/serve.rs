//! `planrun serve`: the run record as a web site, on loopback unless told
//! otherwise.

use std::net::SocketAddr;

use anyhow::Result;
use clap::Args;

use super::record::DbArgs;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Listen on this address (port 0 picks a free one). Another machine
    /// can reach it only if you name an address other than loopback.
    #[arg(long, default_value = "127.0.0.1:7878", value_name = "ADDR")]
    listen: SocketAddr,

    #[command(flatten)]
    db: DbArgs,
}

pub async fn run(args: ServeArgs) -> Result<u8> {
    let path = args.db.path()?;
    crate::web::serve(path, args.listen).await?;
    Ok(super::exit::OK)
}
