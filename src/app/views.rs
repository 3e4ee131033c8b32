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
    Wizard(Box<super::wizard_form::Wizard>),
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
    /// The user of a database cluster's replication account.
    ReplUser { cluster: String },
    /// Its password (shown as `*`).
    ReplPassword { cluster: String, user: String },
}

impl PromptFor {
    /// Typed as text (any printable character), not as a number.
    pub fn is_text(&self) -> bool {
        matches!(self, Self::ReplUser { .. } | Self::ReplPassword { .. })
    }

    /// Shown as `*`s, never as typed.
    pub fn is_secret(&self) -> bool {
        matches!(self, Self::ReplPassword { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Host(String),
    Container { host: String, id: String },
    Volume { host: String, name: String },
}

pub use super::msg::Confirm;

#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogView {
    pub session: u64,
    pub host: String,
    pub container: String,
    pub lines: VecDeque<String>,
    /// Lines from the bottom; 0 and `follow` means new lines scroll in.
    pub scroll_from_bottom: usize,
    pub follow: bool,
    pub search: Option<String>,
    /// Text being typed after `/`.
    pub search_input: Option<String>,
    pub ended: Option<String>,
    /// Older lines pushed out of the view by newer ones.
    pub dropped: usize,
    /// Lines never shown: the container wrote faster than tugboat read.
    pub skipped: usize,
    /// A cluster's members' logs merged in time order (`L`), else None.
    pub merged: Option<MergedView>,
}

/// What a merged view keeps besides its lines: the members, each line's
/// time and member (parallel to `lines`), and how the clocks were read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MergedView {
    pub names: Vec<String>,
    pub log: crate::model::log_time::MergedLog,
    /// Each host's measured clock offset, once known.
    pub note: Option<String>,
}

impl MergedView {
    /// The member of the line at `i`, for its colour.
    pub fn member_of(&self, i: usize) -> Option<usize> {
        self.log.lines.get(i).map(|l| l.member)
    }

    /// Room the member names take, so the texts line up.
    pub fn name_width(&self) -> usize {
        self.names
            .iter()
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0)
    }
}

/// The line that stands where lines were skipped.
pub fn skipped_line(n: usize) -> String {
    format!("… {n} lines skipped (written faster than shown)")
}

impl LogView {
    /// Mark where `n` lines were skipped with a line saying so.
    pub fn push_skipped(&mut self, n: usize) {
        if n > 0 {
            self.skipped += n;
            self.push_lines(vec![skipped_line(n)]);
        }
    }

    pub fn push_lines(&mut self, mut lines: Vec<String>) {
        // More than fit: the first ones would be pushed out at once.
        let surplus = lines.len().saturating_sub(LOG_CAPACITY);
        if surplus > 0 {
            lines.drain(..surplus);
            self.dropped += surplus;
        }
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

    /// Merged lines, each where its corrected time puts it (a line from a
    /// slower host lands before newer ones already shown).
    pub fn push_merged(&mut self, lines: Vec<crate::model::log_time::MergedLine>) {
        let Some(merged) = self.merged.as_mut() else {
            return;
        };
        let width = merged.name_width();
        for l in lines {
            let name = merged.names.get(l.member).cloned().unwrap_or_default();
            let text = format!(
                "{} {name:<width$} | {}",
                crate::model::log_time::clock_of(l.at),
                l.text
            );
            let dropped = merged.log.dropped;
            let placed = merged.log.insert(l);
            if merged.log.dropped > dropped {
                self.dropped += 1;
                // Placed: the oldest line made room. Not placed: the new
                // line itself was the oldest, and no other went.
                if placed.is_some() {
                    self.lines.pop_front();
                }
            }
            if let Some(i) = placed {
                self.lines.insert(i, text);
                if !self.follow {
                    self.scroll_from_bottom = (self.scroll_from_bottom + 1).min(self.lines.len());
                }
            }
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

#[cfg(test)]
mod tests {
    use super::*;

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
        // A chunk bigger than the view: only its newest lines are kept.
        v.push_lines((0..LOG_CAPACITY * 2).map(|i| format!("n{i}")).collect());
        assert_eq!(v.lines.len(), LOG_CAPACITY);
        assert_eq!(v.lines.front().unwrap(), &format!("n{LOG_CAPACITY}"));
        assert_eq!(v.dropped, 10 + LOG_CAPACITY * 2);
    }

    #[test]
    fn skipped_lines_leave_a_visible_mark_in_place() {
        let mut v = LogView {
            follow: true,
            ..Default::default()
        };
        v.push_skipped(0);
        v.push_lines(vec!["a".into()]);
        v.push_skipped(1234);
        v.push_lines(vec!["b".into()]);
        assert_eq!(v.lines, ["a", skipped_line(1234).as_str(), "b"]);
        assert_eq!(v.skipped, 1234);
        assert!(v.lines[1].contains("1234 lines skipped"));
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
