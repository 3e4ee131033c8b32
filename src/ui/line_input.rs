//! How every line being typed is drawn: its text (a password as `*`s),
//! the cursor's cell reversed, scrolled sideways so the cursor stays in
//! view, a cut side marked `…`.

use ratatui::style::Modifier;
use ratatui::text::Span;

use super::text::{width as text_width, ELLIPSIS};
use crate::app::line_editor::LineEditor;
use crate::config::Theme;
use crate::model::sanitize::is_dangerous;

/// Narrower than this, a cut line shows the cursor's cell alone: no room
/// for a `…` each side and a cell between.
const MIN_CUT: usize = 3;

/// The editor's line in at most `width` cells. The text spans are left
/// unstyled, so they take the style of what they are drawn on or in.
pub fn editor_spans(editor: &LineEditor, width: usize, theme: &Theme) -> Vec<Span<'static>> {
    // The editor refuses control chars; text it was made with is checked
    // here too, since a terminal must never be sent one.
    let mut cells: Vec<char> = editor
        .shown()
        .chars()
        .map(|c| if is_dangerous(c) { '?' } else { c })
        .collect();
    let cursor = editor.cursor().min(cells.len());
    // At the end the cursor is a reversed space.
    if cursor == cells.len() {
        cells.push(' ');
    }
    let widths: Vec<usize> = cells
        .iter()
        .map(|c| text_width(c.encode_utf8(&mut [0; 4])))
        .collect();
    let (from, to) = window(&widths, cursor, width);
    let text = |range: &[char]| Span::raw(range.iter().collect::<String>());
    let mut spans = Vec::new();
    let marks = width >= MIN_CUT;
    if from > 0 && marks {
        spans.push(Span::styled(ELLIPSIS, theme.muted));
    }
    if from < cursor {
        spans.push(text(&cells[from..cursor]));
    }
    spans.push(Span::styled(
        cells[cursor].to_string(),
        theme.key.add_modifier(Modifier::REVERSED),
    ));
    if cursor + 1 < to {
        spans.push(text(&cells[cursor + 1..to]));
    }
    if to < cells.len() && marks {
        spans.push(Span::styled(ELLIPSIS, theme.muted));
    }
    spans
}

/// The cells `from..to` shown in `room` columns with the cursor's among
/// them: from the start while the cursor fits there, else ending at the
/// cursor (typing at the end shows the end). A cut side costs a column.
fn window(widths: &[usize], cursor: usize, room: usize) -> (usize, usize) {
    if widths.iter().sum::<usize>() <= room {
        return (0, widths.len());
    }
    if room < MIN_CUT {
        return (cursor, cursor + 1);
    }
    // From the start: the right side is cut.
    let mut used = 0;
    let mut to = 0;
    while to < widths.len() && used + widths[to] < room {
        used += widths[to];
        to += 1;
    }
    if cursor < to {
        return (0, to);
    }
    // Ending at the cursor: the left side is cut, the right one unless the
    // cursor is on the last cell.
    let to = cursor + 1;
    let budget = room.saturating_sub(1 + usize::from(to < widths.len()));
    let mut used = widths[cursor];
    let mut from = cursor;
    while from > 0 && used + widths[from - 1] <= budget {
        from -= 1;
        used += widths[from];
    }
    (from, to)
}

#[cfg(test)]
#[path = "line_input_tests.rs"]
mod tests;
