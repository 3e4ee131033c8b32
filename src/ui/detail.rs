//! The detail view of a host, a container or a volume, over the body:
//! draws `app::detail::detail_lines` in the columns `Detail::columns` lays
//! out, from the scroll `update` keeps within them (rows, as a wrapped
//! line takes several), mapping each text's tone to a theme style.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::dialog::viewer;
use super::flow;
use super::text::{put, row, tone};
use super::viewers::position;
use crate::app::detail::{detail_lines, DetailColumn, DetailLine};
use crate::app::text_flow::Flow;
use crate::app::views::Target;
use crate::app::State;
use crate::config::Theme;

pub fn render(
    buf: &mut Buffer,
    area: Rect,
    state: &State,
    target: &Target,
    scroll: usize,
    flow: Flow,
    theme: &Theme,
) {
    let d = detail_lines(state, target);
    let rows = state.viewer_height();
    let columns = d.columns(state.width, rows, flow);
    let total = columns.iter().map(|c| c.rows(flow)).max().unwrap_or(0);
    let scroll = scroll.min(total);
    let mut title = vec![Span::raw(format!(" {} ", d.title))];
    if let Some(badge) = flow.badge() {
        title.push(Span::styled(format!("{badge} "), theme.accent));
    }
    let inner = viewer(
        buf,
        area,
        Line::from(title),
        Line::raw(position(scroll, rows, total)),
        theme,
    );
    let inner = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(1),
        inner.height.min(u16::try_from(rows).unwrap_or(u16::MAX)),
    );
    for c in &columns {
        column(buf, inner, c, scroll, flow, theme);
    }
}

pub(super) fn to_line(line: &DetailLine, theme: &Theme) -> Line<'static> {
    Line::from(
        line.segments
            .iter()
            .map(|s| Span::styled(s.text.clone(), tone(s.tone, theme)))
            .collect::<Vec<_>>(),
    )
}

/// As many rows of column `c` as fit, from row `scroll`, in its part of
/// `text` (the view's text area).
fn column(
    buf: &mut Buffer,
    text: Rect,
    c: &DetailColumn,
    scroll: usize,
    flow: Flow,
    theme: &Theme,
) {
    let x = u16::try_from(c.x).unwrap_or(u16::MAX).min(text.width);
    let w = u16::try_from(c.cols)
        .unwrap_or(u16::MAX)
        .min(text.width - x);
    let area = Rect::new(text.x + x, text.y, w, text.height);
    let flow = c.flow(flow);
    let drawn = c
        .lines
        .iter()
        .flat_map(|l| flow::rows(&to_line(l, theme), flow, c.cols))
        .skip(scroll)
        .take(usize::from(area.height));
    for (r, line) in drawn.enumerate() {
        put(buf, row(area, u16::try_from(r).unwrap_or(u16::MAX)), &line);
    }
}
