//! The command palette: the typed text on top, the matching entries
//! below with the key that does the same on the right.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::dialog::boxed;
use super::text::{put, put_right, row};
use crate::app::palette::{Palette, PaletteEntry};
use crate::config::Theme;

/// Widest the box gets: wide enough for a help text and its key.
const MAX_WIDTH: u16 = 78;
/// Entries shown at most; the list scrolls past them.
const MAX_ROWS: u16 = 14;

pub fn render(buf: &mut Buffer, area: Rect, palette: &Palette, theme: &Theme) {
    let rows = MAX_ROWS.min(area.height.saturating_sub(4)).max(1);
    let w = MAX_WIDTH.min(area.width);
    let title = Line::from(format!(
        " Commands: {} of {} ",
        palette.shown.len(),
        palette.entries.len()
    ));
    let inner = boxed(buf, area, w, rows + 3, title, theme.border, theme);
    if inner.height == 0 {
        return;
    }
    let mut input = vec![Span::styled(": ", theme.key)];
    input.extend(super::line_input::editor_spans(
        &palette.input,
        usize::from(inner.width.saturating_sub(2)),
        theme,
    ));
    put(buf, row(inner, 0), &Line::from(input));
    let list = Rect::new(
        inner.x,
        inner.y + 1,
        inner.width,
        inner.height.saturating_sub(1),
    );
    if palette.shown.is_empty() {
        let none = Line::styled(" nothing matches: Esc closes, Ctrl-U clears", theme.muted);
        put(buf, row(list, 0), &none);
        return;
    }
    let visible = usize::from(list.height);
    let first = (palette.selected + 1).saturating_sub(visible);
    for (i, &entry) in palette.shown.iter().enumerate().skip(first).take(visible) {
        let at = row(list, u16::try_from(i - first).unwrap_or(0));
        let selected = i == palette.selected;
        entry_row(buf, at, &palette.entries[entry], selected, theme);
    }
}

/// One entry: what it does on the left; where it works and its key on
/// the right.
fn entry_row(buf: &mut Buffer, at: Rect, entry: &PaletteEntry, selected: bool, theme: &Theme) {
    let base = if selected {
        theme.selected
    } else {
        theme.dialog
    };
    buf.set_style(at, base);
    let mut right = Vec::new();
    if let Some(place) = entry.place {
        right.push(Span::styled(format!("{place} "), base.patch(theme.muted)));
    }
    if let Some(key) = &entry.key {
        right.push(Span::styled(format!("{key:>5} "), base.patch(theme.key)));
    }
    let right = Line::from(right);
    let right_w = u16::try_from(right.width()).unwrap_or(0);
    let left_w = at.width.saturating_sub(right_w + 1);
    let left = Rect::new(at.x, at.y, left_w, 1);
    let marker = if selected { "› " } else { "  " };
    let name = Line::from(vec![
        Span::styled(marker, base),
        Span::styled(entry.name.as_str(), base),
    ]);
    put(buf, left, &name);
    put_right(buf, at, &right);
}
