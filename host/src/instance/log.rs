//! `planrun:plan/log`: progress lines, shown as `[host]  LABEL  message`.

use super::HostState;
use crate::plan::bindings::planrun::plan::log;
use crate::report::Event;

impl log::Host for HostState {
    async fn step(&mut self, label: String, message: String) -> wasmtime::Result<()> {
        self.emit(Event::Step {
            host: self.index,
            label,
            message,
        });
        Ok(())
    }

    async fn warn(&mut self, message: String) -> wasmtime::Result<()> {
        self.emit(Event::Warn {
            host: self.index,
            message,
        });
        Ok(())
    }

    async fn debug(&mut self, message: String) -> wasmtime::Result<()> {
        self.emit(Event::Debug {
            host: self.index,
            message,
        });
        Ok(())
    }

    async fn unchanged(&mut self, label: String, message: String) -> wasmtime::Result<()> {
        self.note_unchanged(format!("{label} {message}"));
        self.emit(Event::Step {
            host: self.index,
            label,
            message,
        });
        Ok(())
    }

    async fn print(&mut self, text: String) -> wasmtime::Result<()> {
        self.emit(Event::Print {
            host: self.index,
            text,
        });
        Ok(())
    }
}
