//! Choosing the one port a fleet listens on at all its addresses.
//!
//! Fleets run in parallel test threads and in parallel test processes. Within
//! a process a reservation set keeps two fleets off the same port; across
//! processes a bind probe on every address finds a port that is free right
//! now, and the caller retries if another process wins the race to it. Ports
//! come from below Linux's ephemeral range (32768+), so outgoing connections
//! never hold them.

use std::collections::BTreeSet;
use std::io;
use std::net::{Ipv4Addr, TcpListener};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

const LOW: u16 = 20_000;
const SPAN: u16 = 12_000;
/// Prime, so stepping by it visits every port in the span.
const STRIDE: u32 = 7_919;
const TRIES: u32 = 3_000;

static RESERVED: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());
static CALLS: AtomicU32 = AtomicU32::new(0);

/// A port reserved in this process until dropped.
#[derive(Debug)]
pub(super) struct Port(u16);

impl Port {
    pub fn get(&self) -> u16 {
        self.0
    }
}

impl Drop for Port {
    fn drop(&mut self) {
        reserved().remove(&self.0);
    }
}

/// Reserves a port that nothing listens on at any of `addrs`.
pub(super) fn choose(addrs: &[Ipv4Addr]) -> io::Result<Port> {
    // Spread concurrent processes (and successive calls) over the range.
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let seed = std::process::id()
        .wrapping_mul(2_654_435_761)
        .wrapping_add(nanos)
        .wrapping_add(CALLS.fetch_add(1, Ordering::Relaxed).wrapping_mul(STRIDE));
    for attempt in 0..TRIES {
        let offset = (seed.wrapping_add(attempt.wrapping_mul(STRIDE))) % u32::from(SPAN);
        let port = LOW + u16::try_from(offset).expect("offset < SPAN");
        if !reserved().insert(port) {
            continue;
        }
        let port = Port(port);
        if free_on_all(port.get(), addrs) {
            return Ok(port);
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AddrInUse,
        format!(
            "failed to find a port in {LOW}..{} free on all {} fleet addresses",
            LOW + SPAN,
            addrs.len()
        ),
    ))
}

fn free_on_all(port: u16, addrs: &[Ipv4Addr]) -> bool {
    // Hold every probe until the last bind so the check is of one moment.
    let mut probes = Vec::with_capacity(addrs.len());
    for addr in addrs {
        match TcpListener::bind((*addr, port)) {
            Ok(listener) => probes.push(listener),
            Err(_) => return false,
        }
    }
    true
}

fn reserved() -> std::sync::MutexGuard<'static, BTreeSet<u16>> {
    RESERVED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
