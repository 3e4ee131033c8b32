//! Everything said on the status line, kept so that a reason cut at the
//! screen's width (a refusal, a failure, a warning) can be read in full
//! later: `!`, or `:messages`, opens them in a viewer that wraps.

use std::collections::VecDeque;

use super::msg::Level;

/// Messages kept; the oldest go first.
pub const KEPT: usize = 200;

/// One message as it was said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    /// Unix seconds.
    pub at: i64,
    pub level: Level,
    pub text: String,
}

/// The status line's messages, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessageLog {
    said: VecDeque<Said>,
}

impl MessageLog {
    /// Keep `text`; the same message said again in a row is kept once,
    /// at its last time (a refusal asked again and again).
    pub fn push(&mut self, at: i64, level: Level, text: &str) {
        if let Some(last) = self.said.back_mut() {
            if last.level == level && last.text == text {
                last.at = at;
                return;
            }
        }
        if self.said.len() == KEPT {
            self.said.pop_front();
        }
        self.said.push_back(Said {
            at,
            level,
            text: text.to_string(),
        });
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Said> {
        self.said.iter()
    }

    pub fn len(&self) -> usize {
        self.said.len()
    }

    pub fn is_empty(&self) -> bool {
        self.said.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_kept_once_and_the_oldest_go_first() {
        let mut log = MessageLog::default();
        log.push(1, Level::Warn, "refused: quorum");
        log.push(2, Level::Warn, "refused: quorum");
        log.push(3, Level::Info, "3 marked");
        assert_eq!(log.len(), 2);
        assert_eq!(log.iter().next().unwrap().at, 2);
        for i in 0..KEPT {
            log.push(10 + i as i64, Level::Info, &format!("m{i}"));
        }
        assert_eq!(log.len(), KEPT);
        assert_eq!(log.iter().next().unwrap().text, "m0");
        assert_eq!(log.iter().last().unwrap().text, format!("m{}", KEPT - 1));
    }
}
