//! The incident timeline the Timeline pane shows: entries as they come,
//! bounded, oldest first, with the rows the pane's filter finds kept
//! alongside, so a render, a key or a new entry does not filter again.

use std::collections::VecDeque;

use crate::model::timeline::TimelineEntry;

/// Entries kept; the oldest go first.
pub const TIMELINE_CAPACITY: usize = 2_000;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    entries: VecDeque<TimelineEntry>,
    /// The filter `shown` was made for, as typed.
    filter: String,
    /// Where the entries `filter` finds are in `entries`, ascending.
    shown: Vec<usize>,
}

/// Whether `needle` (lower case) is in the entry's host, object or text.
fn finds(needle: &str, e: &TimelineEntry) -> bool {
    needle.is_empty()
        || [&e.host, &e.object, &e.what]
            .iter()
            .any(|t| t.to_lowercase().contains(needle))
}

impl Timeline {
    /// Add `entry` where its time puts it (events of a slow host come late).
    pub fn push(&mut self, entry: TimelineEntry) {
        let at = self.entries.partition_point(|e| e.at <= entry.at);
        let found = finds(&self.filter.to_lowercase(), &entry);
        self.entries.insert(at, entry);
        // Rows after the new entry moved down one.
        let from = self.shown.partition_point(|&i| i < at);
        for i in &mut self.shown[from..] {
            *i += 1;
        }
        if found {
            self.shown.insert(from, at);
        }
        if self.entries.len() > TIMELINE_CAPACITY {
            self.entries.pop_front();
            if self.shown.first() == Some(&0) {
                self.shown.remove(0);
            }
            for i in &mut self.shown {
                *i -= 1;
            }
        }
    }

    /// Show what `filter` finds, filtering again only when it changed;
    /// returns how many entries that is. The app calls it after every
    /// update, so the kept rows follow the filter as it is typed.
    pub fn refilter(&mut self, filter: &str) -> usize {
        if filter != self.filter {
            let needle = filter.to_lowercase();
            self.shown = (0..self.entries.len())
                .filter(|&i| finds(&needle, &self.entries[i]))
                .collect();
            self.filter = filter.to_string();
        }
        self.shown.len()
    }

    /// Every entry kept, filtered or not.
    pub fn entries(&self) -> &VecDeque<TimelineEntry> {
        &self.entries
    }

    /// How many entries the filter finds.
    pub fn shown_len(&self) -> usize {
        self.shown.len()
    }

    /// The `row`th entry the filter finds.
    pub fn shown(&self, row: usize) -> Option<&TimelineEntry> {
        self.shown.get(row).map(|&i| &self.entries[i])
    }

    /// The entries `filter` finds, filtered afresh (what `refilter` keeps).
    pub fn matching(&self, filter: &str) -> Vec<&TimelineEntry> {
        let needle = filter.to_lowercase();
        self.entries.iter().filter(|e| finds(&needle, e)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::timeline::{Severity, Source};

    fn entry(at: i128, object: &str) -> TimelineEntry {
        TimelineEntry {
            at,
            host: "local".into(),
            source: Source::Engine,
            object: object.into(),
            what: "died".into(),
            severity: Severity::Bad,
        }
    }

    fn kept(t: &Timeline) -> Vec<&TimelineEntry> {
        (0..t.shown_len()).filter_map(|i| t.shown(i)).collect()
    }

    #[test]
    fn the_kept_rows_follow_the_filter_pushes_and_drops() {
        let mut t = Timeline::default();
        for at in 0..10 {
            let object = if at % 2 == 0 { "container DB" } else { "web" };
            t.push(entry(at * 10, object));
        }
        assert_eq!(t.refilter("db"), 5);
        assert_eq!(kept(&t), t.matching("db"));
        // Late entries land between the others, found or not.
        t.push(entry(15, "container db-2"));
        t.push(entry(25, "web-2"));
        assert_eq!(kept(&t), t.matching("db"));
        assert_eq!(t.refilter("WEB"), 6);
        assert_eq!(kept(&t), t.matching("web"));
        assert_eq!(t.refilter("db"), 6);
        // Fill past capacity: the oldest go, found ones among them.
        for at in 0..TIMELINE_CAPACITY as i128 {
            let object = if at % 3 == 0 { "container db" } else { "web" };
            t.push(entry(100 + at, object));
            if at % 500 == 0 {
                assert_eq!(kept(&t), t.matching("db"), "after {at}");
            }
        }
        assert_eq!(t.entries().len(), TIMELINE_CAPACITY);
        assert_eq!(kept(&t), t.matching("db"));
        assert_eq!(t.refilter(""), TIMELINE_CAPACITY);
        assert_eq!(kept(&t), t.matching(""));
    }
}
