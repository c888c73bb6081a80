//! The publish/lookup board: run-wide values one host sets and others read
//! (a join token from the control node, a leader's address).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::plan::bindings::PlanError;

/// Bounds that keep a misbehaving plan from filling the controller's memory.
const MAX_VALUE_BYTES: usize = 64 * 1024;
const MAX_KEYS: usize = 10_000;

#[derive(Default)]
pub struct Board {
    values: Mutex<HashMap<String, String>>,
}

impl Board {
    pub fn publish(&self, key: String, value: String) -> Result<(), PlanError> {
        if value.len() > MAX_VALUE_BYTES {
            return Err(PlanError::Invalid(format!(
                "published value for `{key}` is {} bytes; the limit is {MAX_VALUE_BYTES}",
                value.len()
            )));
        }
        let mut values = self.values.lock().expect("board poisoned");
        if values.len() >= MAX_KEYS && !values.contains_key(&key) {
            return Err(PlanError::Invalid(format!(
                "cannot publish `{key}`: the run already holds {MAX_KEYS} published keys"
            )));
        }
        values.insert(key, value);
        Ok(())
    }

    pub fn lookup(&self, key: &str) -> Option<String> {
        self.values
            .lock()
            .expect("board poisoned")
            .get(key)
            .cloned()
    }
}
