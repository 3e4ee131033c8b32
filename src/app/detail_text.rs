//! The text a detail view is made of: lines of segments tagged with what
//! they mean (a `Tone`), and the helpers that build fields from them.
//! Below `detail` and `job_detail`, which both build with them.

use crate::model::clock::{utc_clock, utc_datetime};

/// From this many columns of text the sections (mounts, labels, users) go
/// in a second column beside the fields.
pub const TWO_COLUMNS: usize = 100;
/// Width of the label column of a field (`name        shop-db-1`).
pub const LABEL_WIDTH: usize = 12;

/// What a piece of text means; the UI picks the style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// Plain content.
    Value,
    /// A field's name, a label's key.
    Label,
    /// A section title.
    Heading,
    /// Running, healthy, up.
    Ok,
    /// Starting, paused, restarting.
    Warn,
    /// Exited, unhealthy, unreachable.
    Bad,
    /// Secondary text: placeholders, arrows, `(rw)`.
    Muted,
    /// Worth a second look: a read-only mount.
    Accent,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    pub tone: Tone,
}

/// One row of a detail view; empty for a blank row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DetailLine {
    pub segments: Vec<Segment>,
}

impl DetailLine {
    /// The text without tones (for tests and searches).
    pub fn text(&self) -> String {
        self.segments.iter().map(|s| s.text.as_str()).collect()
    }
}

pub(super) fn seg(text: impl Into<String>, tone: Tone) -> Segment {
    Segment {
        text: text.into(),
        tone,
    }
}

pub(super) fn line(segments: Vec<Segment>) -> DetailLine {
    DetailLine { segments }
}

/// Fields (`label  value`) and sections (mounts, labels, users). On a wide
/// screen the sections sit in a second column; otherwise below the fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    pub title: String,
    pub fields: Vec<DetailLine>,
    pub sections: Vec<DetailLine>,
}

impl Detail {
    /// Sections beside the fields on a screen `width` columns wide (text
    /// starts one column in).
    pub fn two_columns(&self, width: u16) -> bool {
        usize::from(width).saturating_sub(1) >= TWO_COLUMNS && !self.sections.is_empty()
    }

    /// One column: the fields, a blank row unless it would cost a row of
    /// content in `rows` visible rows, then the sections.
    pub fn stacked(&self, rows: usize) -> Vec<DetailLine> {
        let mut all = self.fields.clone();
        if all.len() + 1 + self.sections.len() <= rows {
            all.push(DetailLine::default());
        }
        all.extend(self.sections.iter().cloned());
        all
    }

    /// Rows the view scrolls through on a `width` x `rows` viewer. Two
    /// columns scroll together, so the longer one counts.
    pub fn row_count(&self, width: u16, rows: usize) -> usize {
        if self.two_columns(width) {
            self.fields.len().max(self.sections.len())
        } else {
            self.stacked(rows).len()
        }
    }
}

/// `02:31:05 UTC`: wall-clock time of a unix timestamp. UTC because the
/// bastion's local zone and the hosts' zones often differ.
pub fn clock(secs: i64) -> String {
    format!("{} UTC", utc_clock(secs))
}

/// `clock`, with the date when it was a day or more before `now`, since the
/// time of day alone would then be ambiguous.
pub fn clock_since(secs: i64, now: i64) -> String {
    if now - secs >= 86_400 {
        let datetime = utc_datetime(secs);
        format!("{} UTC", datetime.trim_end_matches('Z').replace('T', " "))
    } else {
        clock(secs)
    }
}

pub(super) fn field(label: &str, value: Segment) -> DetailLine {
    line(vec![
        seg(format!("{label:<LABEL_WIDTH$}"), Tone::Label),
        value,
    ])
}

pub(super) fn value(text: impl Into<String>) -> Segment {
    seg(text, Tone::Value)
}
