//! The help overlay: draws `app::help::help_rows` (every binding of the
//! keymap in effect, grouped by where it applies) in a box, from the
//! scroll `update` keeps within them: rows, as a wrapped line takes
//! several.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::dialog::boxed;
use super::flow;
use super::text::{put, row};
use crate::app::help::{help_rows, keys_pad, keys_text, HelpRow, READ_ONLY_NOTE};
use crate::app::text_flow::Flow;
use crate::app::State;
use crate::config::Theme;

/// The help rows, styled: one `Line` per row, its text
/// `app::help::help_texts`'s.
pub fn lines(state: &State, theme: &Theme) -> Vec<Line<'static>> {
    help_rows(&state.keymap)
        .into_iter()
        .map(|help_row| match help_row {
            HelpRow::Blank => Line::raw(""),
            HelpRow::Section(title) => Line::styled(title, theme.header),
            HelpRow::Binding(b) => {
                let keys = keys_text(b);
                let pad = keys_pad(&keys);
                let mut spans = vec![
                    Span::raw("  "),
                    Span::styled(keys, theme.key),
                    Span::raw(pad),
                    Span::raw(b.help.to_string()),
                ];
                if b.mutating && state.read_only {
                    spans.push(Span::styled(READ_ONLY_NOTE, theme.status_warn));
                }
                Line::from(spans)
            }
        })
        .collect()
}

/// A box as tall as the rows need, at most `State::help_height` rows of
/// text; long rows cut (and shifted sideways) or wrapped as `flow` says,
/// in `State::help_width` columns.
pub fn render(
    buf: &mut Buffer,
    area: Rect,
    state: &State,
    scroll: usize,
    flow: Flow,
    theme: &Theme,
) {
    let lines = lines(state, theme);
    let widest = lines.iter().map(Line::width).max().unwrap_or(0);
    let cols = state.help_width();
    let rows: Vec<Line<'_>> = lines
        .iter()
        .flat_map(|l| flow::rows(l, flow, cols))
        .collect();
    let w = u16::try_from(widest + 4)
        .unwrap_or(u16::MAX)
        .min(area.width.saturating_sub(2));
    let visible = rows.len().min(state.help_height());
    let h = u16::try_from(visible + 2).unwrap_or(u16::MAX);
    let scroll = scroll.min(rows.len() - visible);
    let mut title = vec![Span::raw(" Help — every key ")];
    if let Some(badge) = flow.badge() {
        title.push(Span::styled(format!("{badge} "), theme.accent));
    }
    let inner = boxed(buf, area, w, h, Line::from(title), theme.border, theme);
    let text = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(1),
        inner.height,
    );
    let shown = visible.min(usize::from(inner.height));
    for (r, line) in rows.iter().skip(scroll).take(shown).enumerate() {
        put(buf, row(text, u16::try_from(r).unwrap_or(u16::MAX)), line);
    }
    if rows.len() > visible && inner.height > 0 {
        // Where we are, on the bottom border, since the list is cut.
        let end = scroll + visible;
        let more = if end < rows.len() { " ↓ more" } else { "" };
        let label = Line::styled(
            format!(" {}-{end} of {}{more} ", scroll + 1, rows.len()),
            theme.muted,
        );
        let lw = u16::try_from(label.width()).unwrap_or(0).min(inner.width);
        let y = inner.y + inner.height;
        put(buf, Rect::new(inner.right() - lw, y, lw, 1), &label);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::help::help_texts;
    use crate::model::Inventory;

    /// What `update` counts rows by is what is drawn, read-only or not.
    #[test]
    fn drawn_text_is_the_counted_text() {
        let mut state = State::new(Inventory::default(), false, 0);
        for read_only in [false, true] {
            state.read_only = read_only;
            let drawn: Vec<String> = lines(&state, &Theme::builtin_default())
                .iter()
                .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
                .collect();
            assert_eq!(drawn, help_texts(&state.keymap, read_only));
        }
    }
}
