//! Frames for overlays (centred boxes and full-body viewers) and the
//! confirmation dialog.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};

use super::key_labels::keys_short;
use super::line_input::editor_spans;
use super::text::{centered, put, row, width, wrap};
use crate::app::keymap::{Action, Context, Keymap};
use crate::app::views::{Confirm, Prompt};
use crate::config::Theme;

/// A bordered box of `w` x `h` centred over `area`, cleared beneath so the
/// pane doesn't show through. Returns the inside.
pub fn boxed(
    buf: &mut Buffer,
    area: Rect,
    w: u16,
    h: u16,
    title: Line<'_>,
    border: Style,
    theme: &Theme,
) -> Rect {
    // A box within two cells of the edge takes the edge too: the
    // gutter would show the pane's border beside the box's (`└└`, `│M│`).
    let w = if w.saturating_add(4) >= area.width {
        area.width
    } else {
        w
    };
    let h = if h.saturating_add(4) >= area.height {
        area.height
    } else {
        h
    };
    let rect = centered(area, w, h);
    Clear.render(rect, buf);
    let block = Block::bordered()
        .style(theme.dialog)
        .border_style(theme.dialog.patch(border))
        .title_style(theme.dialog.patch(theme.title))
        .title_top(title);
    let inner = block.inner(rect);
    block.render(rect, buf);
    inner
}

/// A viewer over the whole body: a title rule on top and no other border,
/// so its rows match `State::viewer_height` (height - 4), which the update
/// code pages by, and long lines keep every column.
pub fn viewer(
    buf: &mut Buffer,
    area: Rect,
    title: Line<'_>,
    right: Line<'_>,
    theme: &Theme,
) -> Rect {
    Clear.render(area, buf);
    let room = usize::from(area.width).saturating_sub(right.width() + 1);
    let title = fit_title(title, room);
    let block = Block::new()
        .borders(Borders::TOP)
        .style(theme.base)
        .border_style(theme.border)
        .title_style(theme.title)
        .title_top(title)
        .title_top(right.style(theme.muted).right_aligned());
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

/// `title` in `room` cells: the badges after its first span (`[wrap]`,
/// `search: x`, `[following]`) that do not fit are left out whole, rather
/// than cut mid-word under the right-hand title.
fn fit_title(mut title: Line<'_>, room: usize) -> Line<'_> {
    while title.spans.len() > 1 && title.width() > room {
        title.spans.pop();
    }
    title
}

/// The y/n dialog for a mutating action. Body lines wrap rather than cut:
/// the user must see the whole of what they agree to.
pub fn confirm(buf: &mut Buffer, area: Rect, confirm: &Confirm, keymap: &Keymap, theme: &Theme) {
    let ctx = [Context::Confirm];
    let yes = keys_short(keymap, Action::Confirm, &ctx).join(" / ");
    let no = keys_short(keymap, Action::Cancel, &ctx).join(" / ");
    let answer = Line::from(vec![
        Span::styled(yes, theme.key),
        Span::raw(": yes    "),
        Span::styled(no, theme.key),
        Span::raw(": no"),
    ]);
    let max_w = area.width.saturating_sub(4).max(1);
    let widest = confirm
        .body
        .iter()
        .map(|l| width(l))
        .chain([answer.width(), width(&confirm.title) + 4])
        .max()
        .unwrap_or(0);
    let text_w = u16::try_from(widest)
        .unwrap_or(u16::MAX)
        .min(max_w.saturating_sub(4))
        .max(1);
    let mut body = Vec::new();
    let mut starts = Vec::new();
    for l in &confirm.body {
        starts.push(body.len());
        body.extend(wrap(l, usize::from(text_w)));
    }
    // Taller than the screen: a window from the scrolled-to line, and a row
    // that says where it is, so no step is confirmed unseen.
    let visible = usize::from(area.height.saturating_sub(4));
    if body.len() > visible && visible >= 2 {
        let shown = visible - 1;
        let first = starts
            .get(confirm.scroll)
            .copied()
            .unwrap_or(0)
            .min(body.len() - shown);
        let end = first + shown;
        let total = body.len();
        let mut window = body[first..end].to_vec();
        window.push(format!(
            "── lines {}–{end} of {total} · j/k PgDn/PgUp scroll ──",
            first + 1
        ));
        body = window;
    }
    lines_then_last(buf, area, &confirm.title, &body, text_w, &answer, theme);
}

/// A warning-bordered box titled `title`: `lines`, a blank row, then `last`
/// on the bottom row (the answer keys, or the typed input).
fn lines_then_last(
    buf: &mut Buffer,
    area: Rect,
    title: &str,
    lines: &[String],
    text_w: u16,
    last: &Line<'_>,
    theme: &Theme,
) {
    let h = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(4);
    let title = Line::from(format!(" {title} "));
    let inner = boxed(buf, area, text_w + 4, h, title, theme.status_warn, theme);
    let text = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    let rows = usize::from(text.height.saturating_sub(2));
    for (y, line) in lines.iter().take(rows).enumerate() {
        let y = u16::try_from(y).unwrap_or(u16::MAX);
        put(buf, row(text, y), &Line::raw(line.as_str()));
    }
    if text.height >= 1 {
        put(buf, row(text, text.height - 1), last);
    }
}

/// A question answered by typing: the question, then the input with its
/// cursor (a password as `*`s). Keys are in the footer.
pub fn prompt(buf: &mut Buffer, area: Rect, prompt: &Prompt, theme: &Theme) {
    let max_w = usize::from(area.width.saturating_sub(8).max(1));
    let question = wrap(&prompt.question, max_w.min(width(&prompt.question).max(20)));
    let text_w = question
        .iter()
        .map(|l| width(l))
        .max()
        .unwrap_or(20)
        .max(20);
    // "> " then the line, in the box's text width (a narrow screen shrinks it).
    let room = text_w.min(usize::from(area.width).saturating_sub(4));
    // A secret is drawn as `*`s whatever its editor was made as.
    let secret;
    let editor = if prompt.about.is_secret() && !prompt.input.masked {
        secret = prompt.input.clone().masked();
        &secret
    } else {
        &prompt.input
    };
    let mut input = vec![Span::styled("> ", theme.key)];
    input.extend(editor_spans(editor, room.saturating_sub(2), theme));
    let input = Line::from(input);
    let text_w = u16::try_from(text_w).unwrap_or(u16::MAX);
    lines_then_last(buf, area, &prompt.title, &question, text_w, &input, theme);
}

#[cfg(test)]
mod title_tests {
    use super::*;

    fn top_row(title: Line<'_>, right: &str, width: u16) -> String {
        let area = Rect::new(0, 0, width, 3);
        let mut buf = Buffer::empty(area);
        viewer(
            &mut buf,
            area,
            title,
            Line::raw(right.to_string()),
            &Theme::builtin_default(),
        );
        (0..width).map(|x| buf[(x, 0)].symbol()).collect()
    }

    /// At 40 columns the search badge left `… demo-app-app1 se 11-16 of
    /// 25`: badges that do not fit go whole; those that fit stay.
    #[test]
    fn badges_that_do_not_fit_are_left_out_whole() {
        let title = || {
            Line::from(vec![
                Span::raw(" Inspect — demo-app-app1 "),
                Span::raw("[wrap] "),
                Span::raw("search: Env "),
            ])
        };
        let narrow = top_row(title(), "11-16 of 25", 40);
        assert!(narrow.starts_with(" Inspect — demo-app-app1 "), "{narrow}");
        assert!(!narrow.contains("se"), "{narrow}");
        assert!(!narrow.contains("[wr"), "{narrow}");
        assert!(narrow.ends_with("11-16 of 25"), "{narrow}");
        let wide = top_row(title(), "11-16 of 25", 80);
        assert!(wide.contains("[wrap] search: Env "), "{wide}");
        let middle = top_row(title(), "11-16 of 25", 45);
        assert!(
            middle.contains("[wrap] ") && !middle.contains("search"),
            "{middle}"
        );
    }
}
