//! A plan that opens a TCP connection from inside the sandbox, with Rust's
//! `std::net`, which imports `wasi:sockets`. planrun gives plans no network:
//! it must refuse to load this plan, naming the socket imports, before it
//! touches any host. (Were it ever loaded, it would report what it reached.)

use std::io::Read;
use std::net::TcpStream;

use planrun_sdk::{Result, param_or, step};

planrun_sdk::plan!(run);

fn run() -> Result<()> {
    let address = param_or("address", "127.0.0.1:22");
    match TcpStream::connect(&address) {
        Ok(mut stream) => {
            let mut banner = [0u8; 64];
            let n = stream.read(&mut banner).unwrap_or(0);
            step(
                "CONNECTED",
                format!(
                    "{address}: {}",
                    String::from_utf8_lossy(&banner[..n]).trim()
                ),
            );
        }
        Err(e) => step("REFUSED", format!("{address}: {e}")),
    }
    Ok(())
}
