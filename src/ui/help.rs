//! The help overlay: every binding of the keymap table, grouped by where it
//! applies. Generated, so it cannot fall out of step with the keys.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::dialog::boxed;
use super::hints::contexts_in_keymap_order;
use super::text::{put, row, width};
use crate::app::keymap::{context_title, key_label, KEYMAP};
use crate::app::State;
use crate::config::Theme;

/// Key column width; longer key lists push their text right rather than cut.
const KEYS_WIDTH: usize = 12;

/// The help text, one `Line` per row.
pub fn lines(state: &State, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for (i, context) in contexts_in_keymap_order().into_iter().enumerate() {
        if i > 0 {
            out.push(Line::raw(""));
        }
        out.push(Line::styled(context_title(context), theme.header));
        for b in KEYMAP.iter().filter(|b| b.context == context) {
            let keys: Vec<String> = b.keys.iter().map(key_label).collect();
            let keys = keys.join("/");
            let pad = KEYS_WIDTH.saturating_sub(width(&keys)).max(1);
            let mut spans = vec![
                Span::raw("  "),
                Span::styled(keys, theme.key),
                Span::raw(" ".repeat(pad)),
                Span::raw(b.help),
            ];
            if b.mutating && state.read_only {
                spans.push(Span::styled("  (off: read-only)", theme.status_warn));
            }
            out.push(Line::from(spans));
        }
    }
    out
}

pub fn render(buf: &mut Buffer, area: Rect, state: &State, scroll: usize, theme: &Theme) {
    let lines = lines(state, theme);
    let widest = lines.iter().map(Line::width).max().unwrap_or(0);
    let w = u16::try_from(widest + 4)
        .unwrap_or(u16::MAX)
        .min(area.width.saturating_sub(2));
    let h = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height);
    let visible = usize::from(h.saturating_sub(2));
    // update lets scroll run past the end (Bottom is a huge number): clamp.
    let scroll = scroll.min(lines.len().saturating_sub(visible));
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
    for (r, line) in lines.iter().skip(scroll).take(visible).enumerate() {
        put(buf, row(text, u16::try_from(r).unwrap_or(u16::MAX)), line);
    }
    if lines.len() > visible && inner.height > 0 {
        // Where we are, on the bottom border, since the list is cut.
        let end = (scroll + visible).min(lines.len());
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
