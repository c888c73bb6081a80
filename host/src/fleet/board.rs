//! The publish/lookup board: run-wide values one host sets and others read
//! (a join token from the control node, a leader's address).
//!
//! Bounded so that a misbehaving plan can neither fill the controller's
//! memory nor crowd out the other hosts: each key and value has a size
//! limit, each host a quota of keys and bytes it has published, and the run a
//! total. A value counts against the host that published it last.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::plan::bindings::PlanError;
use crate::sandbox::units::fmt_size;

const MAX_KEY_BYTES: usize = 256;
const MAX_VALUE_BYTES: usize = 64 * 1024;
/// Per host: a flood from one host leaves room for the others.
const MAX_KEYS_PER_HOST: usize = 1_000;
const MAX_BYTES_PER_HOST: usize = 1024 * 1024;
/// The whole run, however many hosts flood it.
const MAX_BYTES: usize = 64 * 1024 * 1024;

#[derive(Default)]
pub struct Board {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    values: HashMap<String, Entry>,
    /// Keys and bytes (key + value) each host holds.
    usage: HashMap<usize, Usage>,
    /// Bytes held by all hosts.
    total: usize,
}

struct Entry {
    value: String,
    owner: usize,
}

#[derive(Default, Clone, Copy)]
struct Usage {
    keys: usize,
    bytes: usize,
}

impl Board {
    /// Sets `key` to `value` for everyone, counted against `host`.
    pub fn publish(&self, host: usize, key: String, value: String) -> Result<(), PlanError> {
        if key.is_empty() || key.len() > MAX_KEY_BYTES {
            return Err(PlanError::Invalid(format!(
                "a published key must be 1 to {MAX_KEY_BYTES} bytes; this one is {}",
                key.len()
            )));
        }
        if value.len() > MAX_VALUE_BYTES {
            return Err(PlanError::Invalid(format!(
                "published value for `{key}` is {}; the limit is {}",
                fmt_size(value.len() as u64),
                fmt_size(MAX_VALUE_BYTES as u64)
            )));
        }
        let size = key.len() + value.len();
        let mut state = self.state.lock().expect("board poisoned");
        // What replacing an existing value would give back, and to whom.
        let (old_owner, old_size) = match state.values.get(&key) {
            Some(entry) => (Some(entry.owner), key.len() + entry.value.len()),
            None => (None, 0),
        };
        let mut mine = state.usage.get(&host).copied().unwrap_or_default();
        if old_owner == Some(host) {
            mine.keys -= 1;
            mine.bytes -= old_size;
        }
        if mine.keys + 1 > MAX_KEYS_PER_HOST || mine.bytes + size > MAX_BYTES_PER_HOST {
            return Err(PlanError::Invalid(format!(
                "cannot publish `{key}`: one host may publish at most {MAX_KEYS_PER_HOST} keys \
                 and {} in all, and this host holds {} keys and {}",
                fmt_size(MAX_BYTES_PER_HOST as u64),
                mine.keys,
                fmt_size(mine.bytes as u64)
            )));
        }
        let total = state.total - old_size + size;
        if total > MAX_BYTES {
            return Err(PlanError::Invalid(format!(
                "cannot publish `{key}`: the run's published values would exceed {}",
                fmt_size(MAX_BYTES as u64)
            )));
        }
        if let Some(owner) = old_owner.filter(|owner| *owner != host) {
            let theirs = state.usage.entry(owner).or_default();
            theirs.keys -= 1;
            theirs.bytes -= old_size;
        }
        mine.keys += 1;
        mine.bytes += size;
        state.usage.insert(host, mine);
        state.total = total;
        state.values.insert(key, Entry { value, owner: host });
        Ok(())
    }

    pub fn lookup(&self, key: &str) -> Option<String> {
        self.state
            .lock()
            .expect("board poisoned")
            .values
            .get(key)
            .map(|entry| entry.value.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(result: Result<(), PlanError>) -> String {
        match result {
            Err(PlanError::Invalid(why)) => why,
            other => panic!("expected invalid, got {other:?}"),
        }
    }

    #[test]
    fn keys_and_values_are_bounded() {
        let board = Board::default();
        assert!(invalid(board.publish(0, String::new(), "v".into())).contains("1 to 256"));
        assert!(invalid(board.publish(0, "k".repeat(300), "v".into())).contains("is 300"));
        let big = "x".repeat(MAX_VALUE_BYTES + 1);
        assert!(invalid(board.publish(0, "k".into(), big)).contains("the limit is 64 KiB"));
    }

    #[test]
    fn a_flooding_host_hits_its_quota_and_others_still_publish() {
        let board = Board::default();
        let mut published = 0;
        let why = loop {
            match board.publish(0, format!("k{published}"), "v".repeat(100)) {
                Ok(()) => published += 1,
                Err(PlanError::Invalid(why)) => break why,
                Err(other) => panic!("{other:?}"),
            }
        };
        assert_eq!(published, MAX_KEYS_PER_HOST);
        assert!(why.contains("at most 1000 keys"), "{why}");
        // Overwriting its own key is still fine; other hosts are unaffected.
        board.publish(0, "k0".into(), "new".into()).unwrap();
        board.publish(1, "token".into(), "abc".into()).unwrap();
        assert_eq!(board.lookup("token").as_deref(), Some("abc"));
        assert_eq!(board.lookup("k0").as_deref(), Some("new"));
    }

    #[test]
    fn bytes_are_counted_per_host_and_move_with_the_key() {
        let board = Board::default();
        let value = "x".repeat(60 * 1024);
        let mut n = 0;
        while board.publish(0, format!("k{n}"), value.clone()).is_ok() {
            n += 1;
        }
        assert_eq!(n, MAX_BYTES_PER_HOST / (60 * 1024 + 3));
        // Host 1 takes over one of host 0's keys: host 0 gets room back.
        board.publish(1, "k0".into(), "mine".into()).unwrap();
        board.publish(0, "again".into(), value).unwrap();
    }
}
