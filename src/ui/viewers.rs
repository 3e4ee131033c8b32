//! Full-body viewers: container logs and inspect output.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::dialog::viewer;
use super::flow;
use super::text::{highlight, put, row};
use crate::app::log_view::line_matches;
use crate::app::views::{InspectView, LogView};
use crate::app::State;
use crate::config::Theme;
use crate::model::log_level::LogLevel;

fn at(area: Rect, r: usize) -> Rect {
    row(area, u16::try_from(r).unwrap_or(u16::MAX))
}

/// Bottom-anchored: the last line shown is `len - 1 - scroll_from_bottom`.
/// Lines are cut (and shifted sideways), or wrapped: then the window's
/// lines take more rows, and its top line may be cut at the top.
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
    if let Some(badge) = view.flow.badge() {
        title.push(Span::styled(format!("{badge} "), theme.accent));
    }
    if let Some(search) = &view.search {
        title.push(Span::styled(format!("search: {search}"), theme.filter));
        title.push(Span::raw(" "));
    }
    if let Some(shows) = filter_badge(view) {
        title.push(Span::styled(shows, theme.filter));
        title.push(Span::raw(" "));
    }
    let marked = view.marked_count();
    if marked > 0 {
        title.push(Span::styled(format!("{marked} marked "), theme.accent));
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

    let at_bottom = view.scroll_from_bottom == 0;
    // The end-of-stream note belongs after the last line, so only at the bottom.
    let ended = view.ended.as_ref().filter(|_| at_bottom);
    let text_rows = rows - usize::from(ended.is_some());
    let needle = view.search.as_deref().unwrap_or("");
    // A mark is a `*` in a gutter that is there while any line is marked,
    // so it shows without colour and the texts stay aligned.
    let gutter = marked > 0;
    let window = view.window(text_rows);
    // While reading (not following) the current line is drawn selected:
    // it is what Space marks and `c` copies.
    let current = (!view.follow)
        .then(|| window.len().checked_sub(1 + view.cursor))
        .flatten();
    let cols = usize::from(inner.width).saturating_sub(if gutter { 2 } else { 0 });
    let mut drawn = Vec::new();
    for (row, &i) in window.iter().enumerate() {
        let (line, meta) = (&view.lines[i], view.meta[i]);
        let styled = if meta.hit && !needle.is_empty() {
            highlight(line, needle, theme.accent, theme.filter)
        } else if view.merged.is_some() {
            merged_line(line, meta.member, theme)
        } else {
            Line::styled(line.as_str(), theme.base)
        };
        for (part, mut styled) in flow::rows(&styled, view.flow, cols).into_iter().enumerate() {
            if gutter {
                let mark = if meta.marked && part == 0 {
                    Span::styled("* ", theme.accent)
                } else {
                    Span::raw("  ")
                };
                styled.spans.insert(0, mark);
            }
            if current == Some(row) {
                styled = styled.patch_style(theme.selected);
            }
            drawn.push(styled);
        }
    }
    // Bottom-anchored: a tall line on top shows its last rows.
    let skip = drawn.len().saturating_sub(text_rows);
    let mut r = 0;
    for styled in drawn.iter().skip(skip) {
        put(buf, at(inner, r), styled);
        r += 1;
    }
    if view.lines.is_empty() && ended.is_none() {
        put(
            buf,
            at(inner, 0),
            &Line::styled("waiting for log lines…", theme.muted),
        );
    } else if r == 0 && view.filter.is_active() {
        put(
            buf,
            at(inner, 0),
            &Line::styled(
                "no line matches what is shown (l, m, & change it)",
                theme.muted,
            ),
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
fn merged_line<'a>(line: &'a str, member: usize, theme: &Theme) -> Line<'a> {
    let palette = [
        theme.accent,
        theme.status_ok,
        theme.status_warn,
        theme.key,
        theme.title,
        theme.filter,
    ];
    let Some(bar) = line.find(" | ") else {
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

/// What the filter keeps, short enough for the title at 80 columns:
/// `[warn+ zk-2 matches]`.
fn filter_badge(view: &LogView) -> Option<String> {
    let f = &view.filter;
    if !f.is_active() {
        return None;
    }
    let mut parts = Vec::new();
    if let Some(level) = f.level {
        parts.push(match level {
            LogLevel::Error => "errors".to_string(),
            other => format!("{}+", other.as_str()),
        });
    }
    if let Some(name) = f.member.and_then(|m| view.merged.as_ref()?.names.get(m)) {
        parts.push(name.clone());
    }
    if f.matches_only {
        parts.push("matches".into());
    }
    Some(format!("[{}]", parts.join(" ")))
}

/// Sections as the inspect view flattens them, `State::viewer_height` rows
/// from `view.scroll` (which `update` keeps within the content): rows, as
/// a wrapped line takes several.
pub fn inspect(buf: &mut Buffer, area: Rect, state: &State, view: &InspectView, theme: &Theme) {
    let lines = view.lines();
    let mut title = vec![Span::raw(format!(" Inspect — {} ", view.name))];
    if let Some(badge) = view.flow.badge() {
        title.push(Span::styled(format!("{badge} "), theme.accent));
    }
    if let Some(search) = &view.search {
        title.push(Span::styled(format!("search: {search} "), theme.filter));
    }
    let rows = state.viewer_height();
    let cols = usize::from(area.width);
    let needle = view.search.as_deref().unwrap_or("");
    let lowered = needle.to_lowercase();
    let mut drawn = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let style = match &view.sections {
            None => theme.muted,
            Some(Err(_)) => theme.status_bad,
            // Section titles are the unindented lines.
            Some(Ok(_)) if !line.starts_with(' ') => theme.header,
            Some(Ok(_)) => theme.base,
        };
        let mut styled = if !needle.is_empty() && line_matches(line, &lowered) {
            highlight(line, needle, style, theme.filter)
        } else {
            Line::styled(line.as_str(), style)
        };
        if view.found == Some(i) {
            styled = styled.patch_style(theme.selected);
        }
        drawn.extend(flow::rows(&styled, view.flow, cols));
    }
    let scroll = view.scroll.min(drawn.len());
    let inner = viewer(
        buf,
        area,
        Line::from(title),
        Line::raw(position(scroll, rows, drawn.len())),
        theme,
    );
    let shown = rows.min(usize::from(inner.height));
    for (r, line) in drawn.iter().skip(scroll).take(shown).enumerate() {
        put(buf, at(inner, r), line);
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
