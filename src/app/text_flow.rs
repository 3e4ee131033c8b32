//! How a viewer lays out lines wider than it is: cut at its edge (and
//! scrolled sideways by `col` columns), or wrapped onto as many rows as
//! they need. `update` scrolls by the rows `rows_of` counts and the UI
//! wraps at the same places (`row_breaks`), so a page is a page.

use unicode_width::UnicodeWidthChar;

use super::keymap::Action;

/// Columns one sideways scroll moves.
pub const SIDE_STEP: usize = 8;

/// A viewer's layout of long lines; the default cuts them, unshifted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flow {
    pub wrap: bool,
    /// Columns cut off on the left (only when not wrapping).
    pub col: usize,
}

/// What a wrap or sideways key did, for the status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowChange {
    Wrapped,
    Cut,
    Shifted,
    /// Sideways while lines wrap: nothing is cut to scroll to.
    WrapsAlready,
}

impl FlowChange {
    /// What to tell the user, if anything. It names no key: wrap and the
    /// sideways keys may be remapped (the footer shows the keys in effect).
    pub fn note(self) -> Option<&'static str> {
        match self {
            Self::Wrapped => Some("long lines wrap"),
            Self::Cut => Some("long lines cut: scroll sideways to read them"),
            Self::Shifted => None,
            Self::WrapsAlready => Some("lines wrap: nothing is cut to scroll sideways to"),
        }
    }
}

impl Flow {
    /// Apply a wrap or sideways `action`; None for any other. `widest`
    /// is the widest line's width, `cols` the columns shown.
    pub fn act(&mut self, action: Action, widest: usize, cols: usize) -> Option<FlowChange> {
        let change = match action {
            Action::Wrap => {
                self.wrap = !self.wrap;
                self.col = 0;
                if self.wrap {
                    FlowChange::Wrapped
                } else {
                    FlowChange::Cut
                }
            }
            Action::ScrollLeft | Action::ScrollRight if self.wrap => FlowChange::WrapsAlready,
            Action::ScrollLeft => {
                self.col = self.col.saturating_sub(SIDE_STEP);
                FlowChange::Shifted
            }
            Action::ScrollRight => {
                // No further than shows the widest line's end.
                let max = widest.saturating_sub(cols);
                self.col = (self.col + SIDE_STEP).min(max);
                FlowChange::Shifted
            }
            _ => return None,
        };
        Some(change)
    }

    /// Rows `text` takes in `cols` columns: 1 unless wrapping.
    pub fn rows_of(self, text: &str, cols: usize) -> usize {
        if self.wrap {
            row_breaks(text, cols).len()
        } else {
            1
        }
    }

    /// For the viewer's title: `[wrap]`, or `→ col N` when shifted.
    pub fn badge(self) -> Option<String> {
        if self.wrap {
            Some("[wrap]".into())
        } else if self.col > 0 {
            Some(format!("→ col {}", self.col + 1))
        } else {
            None
        }
    }
}

/// Width of `text` in terminal cells.
pub fn cells(text: &str) -> usize {
    text.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// Where `text` breaks into rows of at most `cols` cells: the byte offset
/// each row starts at (the first is 0; an empty text is one row).
pub fn row_breaks(text: &str, cols: usize) -> Vec<usize> {
    let cols = cols.max(1);
    let mut starts = vec![0];
    let mut used = 0;
    for (i, c) in text.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > cols && used > 0 {
            starts.push(i);
            used = 0;
        }
        used += w;
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_break_by_cells_and_keep_every_character() {
        assert_eq!(row_breaks("", 4), [0]);
        assert_eq!(row_breaks("abcdefghij", 4), [0, 4, 8]);
        // A wide character that would straddle the edge starts a row.
        assert_eq!(row_breaks("abc漢x", 4), [0, 3]);
        let wrap = Flow { wrap: true, col: 0 };
        assert_eq!(wrap.rows_of("abcdefghij", 4), 3);
        assert_eq!(Flow::default().rows_of("abcdefghij", 4), 1);
    }

    #[test]
    fn sideways_stops_at_the_widest_line_and_wrapping_resets_it() {
        let mut f = Flow::default();
        assert_eq!(
            f.act(Action::ScrollRight, 100, 80),
            Some(FlowChange::Shifted)
        );
        assert_eq!(f.col, 8);
        f.act(Action::ScrollRight, 100, 80);
        f.act(Action::ScrollRight, 100, 80);
        assert_eq!(f.col, 20, "the widest line's end shows, no further");
        assert_eq!(f.badge().as_deref(), Some("→ col 21"));
        f.act(Action::ScrollLeft, 100, 80);
        assert_eq!(f.col, 12);
        assert_eq!(f.act(Action::Wrap, 100, 80), Some(FlowChange::Wrapped));
        assert_eq!((f.wrap, f.col), (true, 0));
        assert_eq!(f.badge().as_deref(), Some("[wrap]"));
        assert_eq!(
            f.act(Action::ScrollRight, 100, 80),
            Some(FlowChange::WrapsAlready)
        );
        assert_eq!(f.act(Action::Up, 100, 80), None);
    }
}
