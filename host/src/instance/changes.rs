//! What a plan changed on its host, as the operator sees it: every change
//! (an `exec`, a `write`/`copy` that changed the file) is counted and
//! announced as an event — listed with its diff in a dry run, shown with
//! `-v` in a real one — and every no-op counts as unchanged. A dry run and
//! the real run after it announce the same changes: both come from here.

use super::HostState;
use crate::plan::bindings::ExecOptions;
use crate::remote::Placed;
use crate::report::Event;

impl HostState {
    /// An `exec` is a change, made or (in a dry run) skipped.
    pub(crate) fn note_exec(&mut self, command: &str, options: &ExecOptions) {
        let what = match &options.become_user {
            Some(user) => format!("run as {user}: {command}"),
            None => format!("run: {command}"),
        };
        self.note_change(what, None);
    }

    /// A placed file: a change if it changed, else unchanged. Returns
    /// whether it changed.
    pub(crate) fn note_put(&mut self, placed: Placed) -> bool {
        if placed.changed {
            self.note_change(placed.what, placed.diff);
        } else {
            self.note_unchanged(placed.what);
        }
        placed.changed
    }

    /// Something the plan found as wanted and left alone.
    pub(crate) fn note_unchanged(&mut self, what: String) {
        self.emit(Event::Unchanged {
            host: self.index,
            what,
        });
    }

    fn note_change(&mut self, what: String, diff: Option<String>) {
        self.tally.changed += 1;
        self.emit(Event::Change {
            host: self.index,
            what,
            diff,
            dry_run: self.run.dry_run,
        });
    }
}
