//! The help overlay and the detail view as plain text in columns (the
//! help's one, a detail's one or two): what `update` counts their rows by
//! when long lines wrap and how far they scroll sideways when cut, laid
//! out by `text_flow` as the UI draws them.

use super::detail::detail_lines;
use super::help::help_texts;
use super::state::State;
use super::text_flow::{cells, Flow};
use super::views::Overlay;

/// One column of text: its lines, `cols` wide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextColumn {
    pub texts: Vec<String>,
    pub cols: usize,
}

impl TextColumn {
    /// Rows its lines take, laid out as `flow` says.
    pub fn rows(&self, flow: Flow) -> usize {
        self.texts.iter().map(|t| flow.rows_of(t, self.cols)).sum()
    }

    /// How much wider than the column its widest line is.
    pub fn overflow(&self) -> usize {
        let widest = self.texts.iter().map(|t| cells(t)).max();
        widest.unwrap_or(0).saturating_sub(self.cols)
    }

    /// The row line `i` starts on.
    pub fn row_of(&self, i: usize, flow: Flow) -> usize {
        let before = self.texts.iter().take(i);
        before.map(|t| flow.rows_of(t, self.cols)).sum()
    }

    /// The line on row `row` (the last line past the end).
    pub fn line_at(&self, row: usize, flow: Flow) -> usize {
        let mut end = 0;
        for (i, t) in self.texts.iter().enumerate() {
            end += flow.rows_of(t, self.cols);
            if end > row {
                return i;
            }
        }
        self.texts.len().saturating_sub(1)
    }
}

/// The scroll and flow of the help or a detail; None for other overlays.
pub fn scroll_and_flow(overlay: &Overlay) -> Option<(usize, Flow)> {
    match overlay {
        Overlay::Help { scroll, flow } | Overlay::Detail { scroll, flow, .. } => {
            Some((*scroll, *flow))
        }
        _ => None,
    }
}

impl State {
    /// The help's or a detail's columns as laid out with `flow` (a
    /// detail's stacked column keeps a blank row only when it fits); none
    /// for other overlays.
    pub fn text_columns(&self, overlay: &Overlay, flow: Flow) -> Vec<TextColumn> {
        match overlay {
            Overlay::Help { .. } => vec![TextColumn {
                texts: help_texts(&self.keymap, self.read_only),
                cols: self.help_width(),
            }],
            Overlay::Detail { target, .. } => detail_lines(self, target)
                .columns(self.width, self.viewer_height(), flow)
                .into_iter()
                .map(|c| TextColumn {
                    texts: c.lines.iter().map(|l| l.text()).collect(),
                    cols: c.cols,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Rows the help or a detail scrolls through: two columns scroll
    /// together, so the longer counts.
    pub fn flowed_rows(&self, overlay: &Overlay) -> usize {
        let Some((_, flow)) = scroll_and_flow(overlay) else {
            return 0;
        };
        let columns = self.text_columns(overlay, flow);
        columns.iter().map(|c| c.rows(flow)).max().unwrap_or(0)
    }
}
