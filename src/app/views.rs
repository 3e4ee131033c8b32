//! Overlays that stack on top of the panes: the top one gets keys first.

use std::collections::VecDeque;

use crate::model::InspectSection;

/// Lines kept per log view; older ones are dropped.
pub const LOG_CAPACITY: usize = 5_000;

#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    Help {
        scroll: usize,
    },
    Confirm(Confirm),
    /// Scrolls like the viewers: `scroll` is the first row shown.
    Detail {
        target: Target,
        scroll: usize,
    },
    Logs(LogView),
    Inspect(InspectView),
    /// A small question answered by typing (the count to scale to).
    Prompt(Prompt),
    /// The cluster-creation wizard (`n`).
    Wizard(Box<super::wizard::Wizard>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub title: String,
    pub question: String,
    pub input: String,
    pub about: PromptFor,
}

/// What a typed number is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptFor {
    /// The replica count of the service this replica belongs to.
    Scale(crate::model::ContainerKey),
    /// A balancer server's weight.
    Weight {
        balancer_id: String,
        backend: String,
        server: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Host(String),
    Container { host: String, id: String },
    Volume { host: String, name: String },
}

/// A pending mutating action, shown as a y/n dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    /// What will happen, in full: names the target and the host.
    pub body: Vec<String>,
    pub on_yes: super::msg::Effect,
    /// First body line shown: a plan longer than the screen scrolls, so
    /// every step (and its point of no return) can be read before `y`.
    pub scroll: usize,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogView {
    pub session: u64,
    pub host: String,
    pub container: String,
    pub lines: VecDeque<String>,
    /// A partial last line waiting for its newline.
    pub pending: String,
    /// Lines from the bottom; 0 and `follow` means new lines scroll in.
    pub scroll_from_bottom: usize,
    pub follow: bool,
    pub search: Option<String>,
    /// Text being typed after `/`.
    pub search_input: Option<String>,
    pub ended: Option<String>,
    pub dropped: usize,
}

impl LogView {
    pub fn push_lines(&mut self, lines: Vec<String>) {
        let added = lines.len();
        self.lines.extend(lines);
        let over = self.lines.len().saturating_sub(LOG_CAPACITY);
        if over > 0 {
            self.lines.drain(..over);
            self.dropped += over;
        }
        // When reading older lines, keep them in place as new ones arrive.
        if !self.follow {
            self.scroll_from_bottom = (self.scroll_from_bottom + added).min(self.lines.len());
        }
    }

    /// Index of the next line (after or before the current view) matching the search.
    pub fn find(&self, forward: bool, from: usize) -> Option<usize> {
        let needle = self.search.as_deref()?.to_lowercase();
        let hit = |i: &usize| self.lines[*i].to_lowercase().contains(&needle);
        if forward {
            (from + 1..self.lines.len()).find(hit)
        } else {
            (0..from.min(self.lines.len())).rev().find(hit)
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct InspectView {
    pub host: String,
    pub id: String,
    pub name: String,
    /// None while loading.
    pub sections: Option<Result<Vec<InspectSection>, crate::docker::HostError>>,
    pub scroll: usize,
}

impl InspectView {
    /// The flattened lines as the viewer shows them.
    pub fn lines(&self) -> Vec<String> {
        match &self.sections {
            None => vec!["loading…".into()],
            Some(Err(e)) => vec![format!("inspect failed: {e}")],
            Some(Ok(sections)) => sections
                .iter()
                .flat_map(|s| {
                    let body: Vec<String> = if s.lines.is_empty() {
                        vec!["  (none)".into()]
                    } else {
                        s.lines.iter().map(|l| format!("  {l}")).collect()
                    };
                    std::iter::once(format!("{}:", s.title)).chain(body)
                })
                .collect(),
        }
    }
}

/// Split a log chunk into complete lines, carrying a partial tail over.
pub fn split_log_chunk(pending: &mut String, chunk: &str) -> Vec<String> {
    pending.push_str(chunk);
    let mut lines = Vec::new();
    while let Some(pos) = pending.find('\n') {
        let line: String = pending.drain(..=pos).collect();
        lines.push(line.trim_end_matches(['\n', '\r']).to_string());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_split_into_lines_across_boundaries() {
        let mut pending = String::new();
        assert_eq!(split_log_chunk(&mut pending, "a\nb"), ["a"]);
        assert_eq!(split_log_chunk(&mut pending, "c\r\nd\n"), ["bc", "d"]);
        assert!(pending.is_empty());
    }

    #[test]
    fn log_view_keeps_a_bounded_tail() {
        let mut v = LogView {
            follow: true,
            ..Default::default()
        };
        v.push_lines((0..LOG_CAPACITY + 10).map(|i| i.to_string()).collect());
        assert_eq!(v.lines.len(), LOG_CAPACITY);
        assert_eq!(v.lines.front().unwrap(), "10");
        assert_eq!(v.dropped, 10);
    }

    #[test]
    fn search_finds_next_and_previous() {
        let mut v = LogView::default();
        v.push_lines(vec![
            "x".into(),
            "ERROR one".into(),
            "y".into(),
            "error two".into(),
        ]);
        v.search = Some("error".into());
        assert_eq!(v.find(true, 0), Some(1));
        assert_eq!(v.find(true, 1), Some(3));
        assert_eq!(v.find(false, 3), Some(1));
        assert_eq!(v.find(true, 3), None);
    }
}
