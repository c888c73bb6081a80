//! Telling the run record about each finished host API call.

use std::time::Instant;

use super::HostState;
use crate::report::{Call, CallKind, CallResult, Event};

impl HostState {
    /// Sends a finished call to the record; `result` is only built (its
    /// output copied) when the run is being recorded.
    pub(crate) fn record_call(
        &self,
        kind: CallKind,
        subject: &str,
        started: Instant,
        result: impl FnOnce() -> CallResult,
    ) {
        if !self.run.recording {
            return;
        }
        self.emit(Event::Call {
            host: self.index,
            call: Call {
                kind,
                subject: subject.to_string(),
                duration: started.elapsed(),
                result: result(),
            },
        });
    }
}
