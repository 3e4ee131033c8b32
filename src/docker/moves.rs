//! Containers that swarm replaced while a job ran. A step that names a
//! task's container by id (a database's guards, its switchover) would
//! otherwise ask after a container swarm removed: once a step has had
//! swarm replace a task, the old container's id stands for the new one on
//! every host handle of that job's executor.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Old container id → the id of the container that replaced it.
#[derive(Clone, Debug, Default)]
pub struct Moves(Arc<Mutex<HashMap<String, String>>>);

/// Replacements of replacements are followed this far, no further (a
/// cycle cannot be recorded, but the walk is bounded regardless).
const MAX_HOPS: usize = 64;

impl Moves {
    /// `old` was replaced by `new`.
    pub fn record(&self, old: &str, new: &str) {
        if old != new {
            self.0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(old.to_string(), new.to_string());
        }
    }

    /// The container that stands for `id` now: itself unless replaced.
    pub fn current(&self, id: &str) -> String {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let mut now = id;
        for _ in 0..MAX_HOPS {
            match map.get(now) {
                Some(next) => now = next,
                None => break,
            }
        }
        now.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replaced_container_stands_for_its_latest_replacement() {
        let moves = Moves::default();
        assert_eq!(moves.current("a"), "a");
        moves.record("a", "b");
        moves.record("b", "c");
        assert_eq!(moves.current("a"), "c");
        assert_eq!(moves.current("b"), "c");
        assert_eq!(moves.current("x"), "x");
        // Shared by clones: every handle of one executor sees it.
        let other = moves.clone();
        other.record("c", "d");
        assert_eq!(moves.current("a"), "d");
    }

    #[test]
    fn a_cycle_does_not_hang_the_walk() {
        let moves = Moves::default();
        moves.record("a", "b");
        moves.record("b", "a");
        let now = moves.current("a");
        assert!(now == "a" || now == "b");
    }
}
