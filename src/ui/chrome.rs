//! The frame around the panes: tab bar, status line and footer hints.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::line_input::editor_spans;
use super::text::{clock, put, put_right, width, wrap};
use super::{hints, key_labels};
use crate::app::keymap::{Action, Context};
use crate::app::line_editor::LineEditor;
use crate::app::views::{LogInputFor, Overlay};
use crate::app::{Level, Pane, State};
use crate::config::Theme;

/// ` 1 Nodes │ 2 Volumes ` on the left; sort, filter and READ-ONLY on the right.
pub fn tab_bar(buf: &mut Buffer, area: Rect, state: &State, theme: &Theme) {
    let left = tab_titles(state, theme, area.width);
    put(buf, area, &left);
    let free = usize::from(area.width).saturating_sub(left.width() + 1);
    let right = tab_bar_right(state, theme, free);
    if right.width() > 0 && free > 0 {
        let w = u16::try_from(right.width().min(free)).unwrap_or(0);
        let rect = Rect::new(area.right() - w, area.y, w, 1);
        put_right(buf, rect, &right);
    }
}

/// The index of the pane whose tab is at `column` of the tab bar drawn
/// on `screen`'s first row, as `tab_bar` lays it out.
pub fn tab_at(state: &State, screen: Rect, column: u16) -> Option<usize> {
    // Widths only: any theme lays the bar out alike.
    let line = tab_titles(state, &Theme::builtin_default(), screen.width);
    // Spans: a tab, then `│` and a tab for each pane after the first.
    let mut x = 0usize;
    for (i, span) in line.spans.iter().enumerate() {
        let end = x + span.width();
        if usize::from(column) < end {
            return (i % 2 == 0).then_some(i / 2);
        }
        x = end;
    }
    None
}

/// The tabs on a bar `width` cells wide: full titles where they leave
/// room for what the right side says; else the last tabs get short ones,
/// as few as make room (80 columns: only the last; with a filter or the
/// read-only badge, more).
fn tab_titles<'a>(state: &State, theme: &Theme, width: u16) -> Line<'a> {
    let whole = tab_bar_right(state, theme, usize::MAX).width();
    let n = Pane::ALL.len();
    let shortened = |short_from: usize| {
        tabs(state, theme, |i, pane| {
            if i >= short_from {
                pane.short_title()
            } else {
                pane.title()
            }
        })
    };
    (0..=n)
        .rev()
        .map(shortened)
        .find(|line| line.width() + whole < usize::from(width))
        .unwrap_or_else(|| shortened(0))
}

/// The panes, each with its key, titled by `title` (given the tab's index).
fn tabs<'a>(state: &State, theme: &Theme, title: impl Fn(usize, Pane) -> &'static str) -> Line<'a> {
    let mut spans = Vec::new();
    for (i, pane) in Pane::ALL.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("│", theme.border));
        }
        let key = key_labels::keys_of(&state.keymap, Action::GotoPane(i), &[Context::Global])
            .into_iter()
            .next()
            .unwrap_or_default();
        let style = if *pane == state.pane {
            theme.selected
        } else {
            theme.base
        };
        spans.push(Span::styled(format!(" {key} {} ", title(i, *pane)), style));
    }
    Line::from(spans)
}

/// Sort, filter and the read-only badge, right of the tabs, in `room`
/// cells. Short of room, the badge and the filter (it is what hides rows)
/// win: the sort label goes first, then the filter is cut with `…`.
fn tab_bar_right<'a>(state: &State, theme: &Theme, room: usize) -> Line<'a> {
    let table = state.table();
    let mut badge: Vec<Span> = Vec::new();
    if state.read_only {
        badge.push(Span::styled(" READ-ONLY ", theme.status_warn));
        badge.push(Span::raw(" "));
    }
    let total = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>();
    let mut left = room.saturating_sub(total(&badge));
    let mut filter_spans: Vec<Span> = Vec::new();
    let filter = table.active_filter();
    if !filter.is_empty() {
        // Short of room, `/` (the key that typed it) stands for "filter: ".
        let long = format!("filter: {filter}");
        let short = format!("/{filter}");
        let room = left.saturating_sub(2);
        let label = if width(&long) <= room || room >= 16 {
            long
        } else {
            short
        };
        let text = cut(&label, room);
        if !text.is_empty() {
            filter_spans.push(Span::styled(text, theme.filter));
            filter_spans.push(Span::raw("  "));
        }
    }
    left = left.saturating_sub(total(&filter_spans));
    let mut right: Vec<Span> = Vec::new();
    if table.sort != Default::default() {
        let arrow = if table.sort.reverse { " ↑" } else { "" };
        let label = format!("sort: {}{arrow}", table.sort.key.label());
        if width(&label) + 2 <= left {
            right.push(Span::styled(label, theme.muted));
            right.push(Span::raw("  "));
        }
    }
    right.extend(filter_spans);
    right.extend(badge);
    Line::from(right)
}

/// `text` in at most `room` cells, its end replaced by `…` when cut (and
/// nothing at all where not even a character and the `…` fit).
fn cut(text: &str, room: usize) -> String {
    if width(text) <= room {
        return text.to_string();
    }
    if room < 2 {
        return String::new();
    }
    let mut out = String::new();
    for c in text.chars() {
        if width(&out) + width(&c.to_string()) + 1 > room {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// Hosts up, last event and the status message; or the text being typed.
/// A warning or error too long for the line goes on in `overflow` (the
/// footer's row), so a refusal's reason is read whole at 80 columns; the
/// footer returns with the next message or Esc.
pub fn status_line(buf: &mut Buffer, area: Rect, overflow: Rect, state: &State, theme: &Theme) {
    if let Some((prompt, input)) = typed_input(state) {
        let room = usize::from(area.width).saturating_sub(width(prompt));
        let mut spans = vec![Span::styled(prompt, theme.key)];
        // In the filter's style, the cursor's own on top.
        spans.extend(
            editor_spans(input, room, theme)
                .into_iter()
                .map(|s| Span::styled(s.content, theme.filter.patch(s.style))),
        );
        put(buf, area, &Line::from(spans));
        footer(buf, overflow, state, theme);
        return;
    }
    let inv = &state.inventory;
    let (up, total) = (inv.hosts_up(), inv.hosts.len());
    let hosts_style = if up == total {
        theme.status_ok
    } else {
        theme.status_bad
    };
    let mut spans = vec![
        Span::styled(" hosts ", theme.base),
        Span::styled(format!("{up}/{total} up"), hosts_style),
    ];
    let spans_width = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>();
    let room = usize::from(area.width);
    let last_event = inv
        .last_event()
        .map(|at| Span::styled(format!(" · last event {}", clock(at)), theme.muted));
    let Some(msg) = &state.status else {
        spans.extend(last_event);
        put(buf, area, &Line::from(spans));
        footer(buf, overflow, state, theme);
        return;
    };
    let style = match msg.level {
        Level::Info => theme.base,
        Level::Ok => theme.status_ok,
        Level::Warn => theme.status_warn,
        Level::Error => theme.status_bad,
    };
    // A fresh warning too long for the line: the whole message without
    // the hosts (their rows show them), on the footer's row too if needed.
    let long = msg.fresh
        && matches!(msg.level, Level::Warn | Level::Error)
        && spans_width(&spans) + 3 + width(&msg.text) > room;
    if long {
        let lines = wrap(&msg.text, room.saturating_sub(1));
        let (head, rest) = lines.split_first().unwrap_or((&msg.text, &[]));
        put(buf, area, &Line::styled(format!(" {head}"), style));
        if rest.is_empty() {
            footer(buf, overflow, state, theme);
        } else {
            put(
                buf,
                overflow,
                &Line::styled(format!(" {}", rest.join(" ")), style),
            );
        }
        return;
    }
    // The message says what just happened; the event time can wait.
    if let Some(last) = last_event {
        if spans_width(&spans) + last.width() + 3 + width(&msg.text) <= room {
            spans.push(last);
        }
    }
    spans.push(Span::styled(" · ", theme.muted));
    spans.push(Span::styled(msg.text.as_str(), style));
    put(buf, area, &Line::from(spans));
    footer(buf, overflow, state, theme);
}

/// The text the user is typing, if any, after its prompt: a log search,
/// a time to jump to, or a table filter.
fn typed_input(state: &State) -> Option<(&'static str, &LineEditor)> {
    match state.top_overlay() {
        Some(Overlay::Logs(view)) => view.input.as_ref().map(|i| match i.purpose {
            LogInputFor::Search => ("/", &i.editor),
            LogInputFor::JumpToTime => ("go to time (14:03:27 or 5m): ", &i.editor),
        }),
        Some(Overlay::Inspect(view)) => view.input.as_ref().map(|e| ("/", e)),
        Some(_) => None,
        None => Some(("/", state.table().filter_input.as_ref()?)),
    }
}

/// `key:what` pairs; whole hints are dropped at the right rather than cut.
pub fn footer(buf: &mut Buffer, area: Rect, state: &State, theme: &Theme) {
    buf.set_style(area, theme.footer);
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for (i, (key, label)) in hints::footer(state).into_iter().enumerate() {
        let sep = if i == 0 { "" } else { "  " };
        let w = width(sep) + width(&key) + 1 + width(label);
        if used + w > usize::from(area.width) {
            break;
        }
        used += w;
        spans.push(Span::raw(sep));
        spans.push(Span::styled(key, theme.key));
        spans.push(Span::raw(format!(":{label}")));
    }
    put(buf, area, &Line::from(spans).style(theme.footer));
}
