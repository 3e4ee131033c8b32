//! The set of marked containers, held by the state (`marks` changes it).

use std::collections::BTreeSet;

use crate::model::ContainerKey;

/// The marked containers and the last one marked (where a range starts).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Marks {
    pub keys: BTreeSet<ContainerKey>,
    pub anchor: Option<ContainerKey>,
}

impl Marks {
    pub fn contains(&self, key: &ContainerKey) -> bool {
        self.keys.contains(key)
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Forget containers that are gone.
    pub fn retain_known(&mut self, known: impl Fn(&ContainerKey) -> bool) {
        self.keys.retain(|k| known(k));
        if self.anchor.as_ref().is_some_and(|a| !known(a)) {
            self.anchor = None;
        }
    }
}
