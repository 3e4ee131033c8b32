//! Small text and geometry helpers shared by the panes and overlays.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::app::detail::Tone;
use crate::config::Theme;

/// Marks text that was cut to fit, so a cut name is never mistaken for a whole one.
pub const ELLIPSIS: &str = "…";

pub use crate::app::detail::{clock, clock_since};

/// The theme's style for what a piece of text means.
pub fn tone(tone: Tone, theme: &Theme) -> Style {
    match tone {
        Tone::Value => theme.base,
        Tone::Label | Tone::Muted => theme.muted,
        Tone::Heading => theme.header,
        Tone::Ok => theme.status_ok,
        Tone::Warn => theme.status_warn,
        Tone::Bad => theme.status_bad,
        Tone::Accent => theme.accent,
    }
}

/// Draw `line` on one row of `area`, cut with an ellipsis when too wide.
pub fn put(buf: &mut Buffer, area: Rect, line: &Line<'_>) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let width = line.width();
    if width <= usize::from(area.width) {
        buf.set_line(area.x, area.y, line, area.width);
        return;
    }
    let (end, _) = buf.set_line(area.x, area.y, line, area.width - 1);
    let style = line
        .spans
        .last()
        .map_or(line.style, |s| line.style.patch(s.style));
    buf.set_string(end.min(area.right() - 1), area.y, ELLIPSIS, style);
}

/// Draw `line` right-aligned on one row of `area` (cut on the left side's
/// behalf: the end of a right-aligned value is what matters, e.g. numbers).
pub fn put_right(buf: &mut Buffer, area: Rect, line: &Line<'_>) {
    let width = u16::try_from(line.width()).unwrap_or(u16::MAX);
    if width >= area.width {
        put(buf, area, line);
    } else {
        let x = area.x + area.width - width;
        buf.set_line(x, area.y, line, width);
    }
}

/// Width of a string in terminal cells.
pub fn width(s: &str) -> usize {
    Span::raw(s).width()
}

/// Word-wrap `text` into lines of at most `max` cells; words longer than a
/// line are split, so nothing is ever lost (dialogs must show all they say).
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split(' ') {
        let sep = usize::from(!current.is_empty());
        if width(&current) + sep + width(word) <= max {
            if sep == 1 {
                current.push(' ');
            }
            current.push_str(word);
            continue;
        }
        if !current.is_empty() {
            lines.push(std::mem::take(&mut current));
        }
        for ch in word.chars() {
            if width(&current) + width(&ch.to_string()) > max {
                lines.push(std::mem::take(&mut current));
            }
            current.push(ch);
        }
    }
    lines.push(current);
    lines
}

/// Byte range of the first case-insensitive occurrence of `needle` in
/// `hay`, at char boundaries (lower-casing can change byte lengths, so the
/// lowered string's offsets can't be reused).
pub fn find_ci(hay: &str, needle: &str) -> Option<(usize, usize)> {
    let needle: Vec<char> = needle.chars().flat_map(char::to_lowercase).collect();
    if needle.is_empty() {
        return None;
    }
    hay.char_indices().find_map(|(start, _)| {
        let mut want = needle.iter();
        let mut pending = want.next();
        for (i, c) in hay[start..].char_indices() {
            for lc in c.to_lowercase() {
                match pending {
                    Some(w) if *w == lc => pending = want.next(),
                    Some(_) => return None,
                    None => break,
                }
            }
            if pending.is_none() {
                return Some((start, start + i + c.len_utf8()));
            }
        }
        None
    })
}

/// `line` with every case-insensitive match of `needle` patched with `hit`.
pub fn highlight<'a>(text: &'a str, needle: &str, base: Style, hit: Style) -> Line<'a> {
    let mut spans = Vec::new();
    let mut rest = text;
    while let Some((a, b)) = find_ci(rest, needle) {
        spans.push(Span::styled(&rest[..a], base));
        spans.push(Span::styled(&rest[a..b], base.patch(hit)));
        rest = &rest[b..];
    }
    spans.push(Span::styled(rest, base));
    Line::from(spans)
}

/// A `width` x `height` box centred in `area`, shrunk to fit it.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The one-row rect `row` rows below the top of `area`.
pub fn row(area: Rect, row: u16) -> Rect {
    Rect::new(area.x, area.y + row, area.width, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_every_character() {
        assert_eq!(
            wrap("restart db-1 on host local?", 12),
            ["restart db-1", "on host", "local?"]
        );
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
    }

    #[test]
    fn find_ci_handles_case_and_multibyte() {
        assert_eq!(find_ci("an ERROR here", "error"), Some((3, 8)));
        assert_eq!(find_ci("é ERROR", "error"), Some((3, 8)));
        assert_eq!(find_ci("nothing", "error"), None);
        let line = highlight("err x ERR", "err", Style::default(), Style::default());
        assert_eq!(line.spans.len(), 5);
    }
}
