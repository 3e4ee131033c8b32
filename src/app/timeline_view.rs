//! The incident timeline the Timeline pane shows: entries as they come,
//! bounded, oldest first.

use std::collections::VecDeque;

use crate::model::timeline::TimelineEntry;

/// Entries kept; the oldest go first.
pub const TIMELINE_CAPACITY: usize = 2_000;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    pub entries: VecDeque<TimelineEntry>,
}

impl Timeline {
    /// Add `entry` where its time puts it (events of a slow host come late).
    pub fn push(&mut self, entry: TimelineEntry) {
        let at = self.entries.partition_point(|e| e.at <= entry.at);
        self.entries.insert(at, entry);
        if self.entries.len() > TIMELINE_CAPACITY {
            self.entries.pop_front();
        }
    }

    /// The entries `filter` (lower case) finds in their host, object or text.
    pub fn matching(&self, filter: &str) -> Vec<&TimelineEntry> {
        let filter = filter.to_lowercase();
        self.entries
            .iter()
            .filter(|e| {
                filter.is_empty()
                    || [&e.host, &e.object, &e.what]
                        .iter()
                        .any(|t| t.to_lowercase().contains(&filter))
            })
            .collect()
    }
}
