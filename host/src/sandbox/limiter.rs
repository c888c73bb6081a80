//! Memory and table limits of one instance: a wasmtime `ResourceLimiter`.
//!
//! A refused growth is not a trap by itself: `memory.grow` returns -1 and the
//! plan's language decides what happens (Rust aborts, Python raises
//! MemoryError and may recover). The limiter remembers the refusal, so that
//! when the plan then dies, its failure names the limit instead of
//! "unreachable executed".

use wasmtime::ResourceLimiter;

use super::units::fmt_size;

/// What the limiter refused last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// A linear memory wanted to grow to `wanted` bytes.
    Memory { limit: u64, wanted: u64 },
    /// A table wanted `wanted` elements.
    Table { limit: u64, wanted: u64 },
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Memory { limit, wanted } => write!(
                f,
                "plan exceeded its memory limit of {} (it asked for {})",
                fmt_size(*limit),
                fmt_size(*wanted)
            ),
            Refused::Table { limit, wanted } => write!(
                f,
                "plan exceeded its table limit of {limit} elements (it asked for {wanted})"
            ),
        }
    }
}

/// One instance's limiter; lives in its store's data.
#[derive(Debug)]
pub struct Limiter {
    /// Bytes per linear memory; None: as much as the engine allows.
    memory: Option<u64>,
    table_elements: u64,
    refused: Option<Refused>,
}

impl Limiter {
    pub fn new(memory: Option<u64>, table_elements: u64) -> Self {
        Limiter {
            memory,
            table_elements,
            refused: None,
        }
    }

    /// The last growth refused, if any.
    pub fn refused(&self) -> Option<Refused> {
        self.refused
    }
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        match self.memory {
            Some(limit) if desired as u64 > limit => {
                self.refused = Some(Refused::Memory {
                    limit,
                    wanted: desired as u64,
                });
                Ok(false)
            }
            _ => Ok(true),
        }
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired as u64 > self.table_elements {
            self.refused = Some(Refused::Table {
                limit: self.table_elements,
                wanted: desired as u64,
            });
            return Ok(false);
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_past_the_limit_and_remembers() {
        let mut limiter = Limiter::new(Some(1 << 20), 10);
        assert!(limiter.memory_growing(0, 1 << 20, None).unwrap());
        assert_eq!(limiter.refused(), None);
        assert!(!limiter.memory_growing(1 << 20, 2 << 20, None).unwrap());
        assert_eq!(
            limiter.refused().unwrap().to_string(),
            "plan exceeded its memory limit of 1 MiB (it asked for 2 MiB)"
        );
        assert!(!limiter.table_growing(5, 11, None).unwrap());
        assert!(matches!(limiter.refused(), Some(Refused::Table { .. })));
        let mut unlimited = Limiter::new(None, 10);
        assert!(unlimited.memory_growing(0, 1 << 32, None).unwrap());
    }
}
