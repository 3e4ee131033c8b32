//! Full-body viewers: container logs and inspect output.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::dialog::viewer;
use super::text::{highlight, put, row};
use crate::app::views::{InspectView, LogView};
use crate::app::State;
use crate::config::Theme;

fn at(area: Rect, r: usize) -> Rect {
    row(area, u16::try_from(r).unwrap_or(u16::MAX))
}

/// Bottom-anchored: the last line shown is `len - 1 - scroll_from_bottom`.
/// Lines are cut, never wrapped, so one log line is one row and scrolling
/// by lines stays predictable.
pub fn logs(buf: &mut Buffer, area: Rect, view: &LogView, theme: &Theme) {
    let mut title = vec![Span::raw(match &view.merged {
        Some(m) => format!(
            " Logs — {}, {} members, in time order ",
            view.container,
            m.names.len()
        ),
        None => format!(" Logs — {} on {} ", view.container, view.host),
    })];
    if view.follow && view.scroll_from_bottom == 0 {
        title.push(Span::styled("[following] ", theme.status_ok));
    } else {
        let below = view.scroll_from_bottom;
        title.push(Span::styled(
            format!("[paused, {below} lines below] "),
            theme.status_warn,
        ));
    }
    if let Some(search) = &view.search {
        title.push(Span::styled(format!("search: {search}"), theme.filter));
        title.push(Span::raw(" "));
    }
    let title = Line::from(title);
    // The counts yield to the title (whether it follows must stay
    // readable): both if they fit beside it, else the one that does.
    let skipped = (view.skipped > 0).then(|| format!("{} lines skipped", view.skipped));
    let dropped = (view.dropped > 0).then(|| format!("{} older lines dropped", view.dropped));
    let room = usize::from(area.width).saturating_sub(title.width() + 2);
    let right = [
        skipped.iter().chain(&dropped).cloned().collect::<Vec<_>>(),
        skipped.iter().cloned().collect(),
        dropped.iter().cloned().collect(),
    ]
    .into_iter()
    .filter(|notes| !notes.is_empty())
    .map(|notes| format!(" {} ", notes.join(" · ")))
    .find(|r| r.chars().count() <= room)
    .unwrap_or_default();
    let inner = viewer(buf, area, title, Line::raw(right), theme);
    let rows = usize::from(inner.height);
    if rows == 0 {
        return;
    }

    let len = view.lines.len();
    let at_bottom = view.scroll_from_bottom == 0;
    // The end-of-stream note belongs after the last line, so only at the bottom.
    let ended = view.ended.as_ref().filter(|_| at_bottom);
    let text_rows = rows - usize::from(ended.is_some());
    let end = len.saturating_sub(view.scroll_from_bottom.min(len));
    let start = end.saturating_sub(text_rows);
    let needle = view.search.as_deref().unwrap_or("");
    let mut r = 0;
    for (i, line) in view.lines.range(start..end).enumerate() {
        let styled = if !needle.is_empty() && super::text::find_ci(line, needle).is_some() {
            highlight(line, needle, theme.accent, theme.filter)
        } else if let Some(merged) = &view.merged {
            merged_line(line, merged.member_of(start + i), theme)
        } else {
            Line::styled(line.as_str(), theme.base)
        };
        put(buf, at(inner, r), &styled);
        r += 1;
    }
    if len == 0 && ended.is_none() {
        put(
            buf,
            at(inner, 0),
            &Line::styled("waiting for log lines…", theme.muted),
        );
    }
    if let Some(reason) = ended {
        put(
            buf,
            at(inner, r),
            &Line::styled(format!("— stream ended: {reason} —"), theme.muted),
        );
    }
}

/// A merged line (`HH:MM:SS.mmm member | text`) with its time muted and
/// its member in the member's own colour (the name alone tells them apart
/// without colour).
fn merged_line<'a>(line: &'a str, member: Option<usize>, theme: &Theme) -> Line<'a> {
    let palette = [
        theme.accent,
        theme.status_ok,
        theme.status_warn,
        theme.key,
        theme.title,
        theme.filter,
    ];
    let (Some(member), Some(bar)) = (member, line.find(" | ")) else {
        return Line::styled(line, theme.base);
    };
    let (head, text) = line.split_at(bar);
    let (time, name) = head.split_once(' ').unwrap_or(("", head));
    Line::from(vec![
        Span::styled(time, theme.muted),
        Span::raw(" "),
        Span::styled(name, palette[member % palette.len()]),
        Span::styled(text, theme.base),
    ])
}

/// Sections as the inspect view flattens them, `State::viewer_height` rows
/// from `view.scroll` (which `update` keeps within the content).
pub fn inspect(buf: &mut Buffer, area: Rect, state: &State, view: &InspectView, theme: &Theme) {
    let lines = view.lines();
    let title = Line::raw(format!(" Inspect — {} ", view.name));
    let rows = state.viewer_height();
    let scroll = view.scroll.min(lines.len());
    let end = (scroll + rows).min(lines.len());
    let inner = viewer(
        buf,
        area,
        title,
        Line::raw(position(scroll, rows, lines.len())),
        theme,
    );
    for (r, line) in lines[scroll..end]
        .iter()
        .take(usize::from(inner.height))
        .enumerate()
    {
        let style = match &view.sections {
            None => theme.muted,
            Some(Err(_)) => theme.status_bad,
            // Section titles are the unindented lines.
            Some(Ok(_)) if !line.starts_with(' ') => theme.header,
            Some(Ok(_)) => theme.base,
        };
        put(buf, at(inner, r), &Line::styled(line.as_str(), style));
    }
}

/// ` 14-33 of 33 ` on the title rule when the content is longer than the
/// `rows` shown from `scroll`; nothing when it all fits.
pub fn position(scroll: usize, rows: usize, len: usize) -> String {
    if len > rows {
        let end = (scroll + rows).min(len);
        format!(" {}-{end} of {len} ", scroll + 1)
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn top_row(view: &LogView, width: u16) -> String {
        let area = Rect::new(0, 0, width, 5);
        let mut buf = Buffer::empty(area);
        logs(&mut buf, area, view, &Theme::builtin_default());
        (0..width).map(|x| buf[(x, 0)].symbol()).collect()
    }

    #[test]
    fn the_flood_counts_never_hide_whether_the_view_follows() {
        let mut view = LogView {
            host: "local".into(),
            container: "flood-12345-0-yes".into(),
            follow: true,
            skipped: 10_401,
            dropped: 579_181,
            ..Default::default()
        };
        let narrow = top_row(&view, 80);
        assert!(narrow.contains("[following]"), "{narrow}");
        assert!(narrow.contains("10401 lines skipped"), "{narrow}");
        let wide = top_row(&view, 120);
        assert!(wide.contains("10401 lines skipped · 579181 older lines dropped"));
        view.skipped = 0;
        let narrow = top_row(&view, 80);
        assert!(narrow.contains("579181 older lines dropped"), "{narrow}");
    }
}
