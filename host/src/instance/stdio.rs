//! A plan's WASI stdout and stderr, captured line by line into its host's
//! output (`[host]  line`) instead of the controller's terminal.

use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};

use crate::report::{Event, EventSender};

/// A line longer than this is shown in pieces rather than held forever.
const MAX_LINE: usize = 64 * 1024;

/// The stream a plan instance writes to; one per host and stream.
pub struct PlanOutput {
    pub host: usize,
    pub events: EventSender,
}

impl IsTerminal for PlanOutput {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for PlanOutput {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(LineWriter {
            host: self.host,
            events: self.events.clone(),
            pending: Vec::new(),
        })
    }
}

struct LineWriter {
    host: usize,
    events: EventSender,
    pending: Vec<u8>,
}

impl LineWriter {
    fn emit(&mut self, upto: usize) {
        let line: Vec<u8> = self.pending.drain(..upto).collect();
        let text = String::from_utf8_lossy(&line);
        self.events.send(Event::Print {
            host: self.host,
            text: text.trim_end_matches(['\n', '\r']).to_string(),
        });
    }
}

impl AsyncWrite for LineWriter {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        self.pending.extend_from_slice(buf);
        while let Some(newline) = self.pending.iter().position(|b| *b == b'\n') {
            self.emit(newline + 1);
        }
        if self.pending.len() > MAX_LINE {
            let all = self.pending.len();
            self.emit(all);
        }
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        // A last line without its newline still belongs to the output.
        if !self.pending.is_empty() {
            let all = self.pending.len();
            self.emit(all);
        }
    }
}
