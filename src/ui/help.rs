//! The help overlay: draws `app::help::help_rows` (every binding of the
//! keymap in effect, grouped by where it applies) in a box, from the
//! scroll `update` keeps within them.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::dialog::boxed;
use super::text::{put, row, width};
use crate::app::help::{help_rows, HelpRow};
use crate::app::keymap::key_label;
use crate::app::State;
use crate::config::Theme;

/// Key column width; longer key lists push their text right rather than cut.
const KEYS_WIDTH: usize = 12;

/// The help rows, styled: one `Line` per row.
pub fn lines(state: &State, theme: &Theme) -> Vec<Line<'static>> {
    help_rows(&state.keymap)
        .into_iter()
        .map(|help_row| match help_row {
            HelpRow::Blank => Line::raw(""),
            HelpRow::Section(title) => Line::styled(title, theme.header),
            HelpRow::Binding(b) => {
                let keys: Vec<String> = b.keys.iter().map(key_label).collect();
                // An action the user unbound is listed still: the palette runs it.
                let keys = if keys.is_empty() {
                    "—".to_string()
                } else {
                    keys.join("/")
                };
                let pad = KEYS_WIDTH.saturating_sub(width(&keys)).max(1);
                let mut spans = vec![
                    Span::raw("  "),
                    Span::styled(keys, theme.key),
                    Span::raw(" ".repeat(pad)),
                    Span::raw(b.help.to_string()),
                ];
                if b.mutating && state.read_only {
                    spans.push(Span::styled("  (off: read-only)", theme.status_warn));
                }
                Line::from(spans)
            }
        })
        .collect()
}

/// A box as tall as the rows need, at most `State::help_height` rows of text.
pub fn render(buf: &mut Buffer, area: Rect, state: &State, scroll: usize, theme: &Theme) {
    let lines = lines(state, theme);
    let widest = lines.iter().map(Line::width).max().unwrap_or(0);
    let w = u16::try_from(widest + 4)
        .unwrap_or(u16::MAX)
        .min(area.width.saturating_sub(2));
    let visible = lines.len().min(state.help_height());
    let h = u16::try_from(visible + 2).unwrap_or(u16::MAX);
    let scroll = scroll.min(lines.len() - visible);
    let inner = boxed(
        buf,
        area,
        w,
        h,
        Line::raw(" Help — every key "),
        theme.border,
        theme,
    );
    let text = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(1),
        inner.height,
    );
    let shown = visible.min(usize::from(inner.height));
    for (r, line) in lines.iter().skip(scroll).take(shown).enumerate() {
        put(buf, row(text, u16::try_from(r).unwrap_or(u16::MAX)), line);
    }
    if lines.len() > visible && inner.height > 0 {
        // Where we are, on the bottom border, since the list is cut.
        let end = scroll + visible;
        let more = if end < lines.len() { " ↓ more" } else { "" };
        let label = Line::styled(
            format!(" {}-{end} of {}{more} ", scroll + 1, lines.len()),
            theme.muted,
        );
        let lw = u16::try_from(label.width()).unwrap_or(0).min(inner.width);
        let y = inner.y + inner.height;
        put(buf, Rect::new(inner.right() - lw, y, lw, 1), &label);
    }
}
