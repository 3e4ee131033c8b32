//! The text a detail view is made of: lines of segments tagged with what
//! they mean (a `Tone`), and the helpers that build fields from them.
//! Below `detail` and `job_detail`, which both build with them.

use super::text_flow::{cells, Flow};
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

/// One column of a detail view as laid out: its lines, drawn from `x`
/// columns into the text, `cols` wide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailColumn {
    pub lines: Vec<DetailLine>,
    pub x: usize,
    pub cols: usize,
}

impl DetailColumn {
    /// Rows its lines take, laid out as `flow` says.
    pub fn rows(&self, flow: Flow) -> usize {
        rows_of(&self.lines, flow, self.cols)
    }

    /// How much wider than the column its widest line is.
    pub fn overflow(&self) -> usize {
        let widest = self.lines.iter().map(|l| cells(&l.text())).max();
        widest.unwrap_or(0).saturating_sub(self.cols)
    }

    /// `flow` for this column: shifted no further than its widest line's
    /// end shows, so a column that fits stays put.
    pub fn flow(&self, flow: Flow) -> Flow {
        Flow {
            col: flow.col.min(self.overflow()),
            ..flow
        }
    }
}

fn rows_of(lines: &[DetailLine], flow: Flow, cols: usize) -> usize {
    lines.iter().map(|l| flow.rows_of(&l.text(), cols)).sum()
}

impl Detail {
    /// Sections beside the fields on a screen `width` columns wide (text
    /// starts one column in).
    pub fn two_columns(&self, width: u16) -> bool {
        usize::from(width).saturating_sub(1) >= TWO_COLUMNS && !self.sections.is_empty()
    }

    /// One column `cols` wide: the fields, a blank row unless it would
    /// cost a row of content in `rows` visible rows, then the sections.
    pub fn stacked(&self, rows: usize, flow: Flow, cols: usize) -> Vec<DetailLine> {
        let content = rows_of(&self.fields, flow, cols) + rows_of(&self.sections, flow, cols);
        let mut all = self.fields.clone();
        if content < rows {
            all.push(DetailLine::default());
        }
        all.extend(self.sections.iter().cloned());
        all
    }

    /// The columns on a `width` x `rows` viewer: the fields beside the
    /// sections on a wide screen (the fields' column as wide as they need,
    /// up to half), else one column of both.
    pub fn columns(&self, width: u16, rows: usize, flow: Flow) -> Vec<DetailColumn> {
        let text = usize::from(width).saturating_sub(1);
        if !self.two_columns(width) {
            let lines = self.stacked(rows, flow, text);
            return vec![DetailColumn {
                lines,
                x: 0,
                cols: text,
            }];
        }
        let fields = self.fields.iter().map(|l| cells(&l.text())).max();
        let left = (fields.unwrap_or(0) + 4).max(30).min(text / 2);
        vec![
            DetailColumn {
                lines: self.fields.clone(),
                x: 0,
                // A column between the two.
                cols: left.saturating_sub(1),
            },
            DetailColumn {
                lines: self.sections.clone(),
                x: left,
                cols: text - left,
            },
        ]
    }

    /// Rows the view scrolls through on a `width` x `rows` viewer. Two
    /// columns scroll together, so the longer one counts.
    pub fn row_count(&self, width: u16, rows: usize, flow: Flow) -> usize {
        let columns = self.columns(width, rows, flow);
        columns.iter().map(|c| c.rows(flow)).max().unwrap_or(0)
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
