//! Where a log viewer's lines wait for the loop. Below both the follower
//! (`logs`) that fills it and the inbox that holds one per viewer.

use std::collections::VecDeque;

/// The newest `capacity` lines, and how many older ones were dropped
/// since the last `take`.
#[derive(Debug)]
pub struct LogBuffer {
    lines: VecDeque<String>,
    skipped: usize,
    capacity: usize,
}

impl LogBuffer {
    pub fn new(capacity: usize) -> Self {
        Self {
            lines: VecDeque::new(),
            skipped: 0,
            capacity: capacity.max(1),
        }
    }

    pub fn push(&mut self, line: String) {
        if self.lines.len() == self.capacity {
            self.lines.pop_front();
            self.skipped += 1;
        }
        self.lines.push_back(line);
    }

    /// (lines skipped before these, the lines), emptying the buffer.
    pub fn take(&mut self) -> (usize, Vec<String>) {
        let skipped = std::mem::take(&mut self.skipped);
        (skipped, self.lines.drain(..).collect())
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty() && self.skipped == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_buffer_keeps_the_newest_lines_and_counts_the_rest() {
        let mut b = LogBuffer::new(3);
        assert!(b.is_empty());
        for i in 0..10 {
            b.push(i.to_string());
        }
        assert_eq!(b.take(), (7, vec!["7".into(), "8".into(), "9".into()]));
        assert!(b.is_empty());
        b.push("10".into());
        assert_eq!(b.take(), (0, vec!["10".into()]));
    }
}
