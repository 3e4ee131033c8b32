//! The detail view of a host, a container or a volume, over the body:
//! draws `app::detail::detail_lines` from the scroll `update` keeps within
//! them, mapping each text's tone to a theme style.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::dialog::viewer;
use super::text::{put, row, tone};
use super::viewers::position;
use crate::app::detail::{detail_lines, DetailLine};
use crate::app::views::Target;
use crate::app::State;
use crate::config::Theme;

pub fn render(
    buf: &mut Buffer,
    area: Rect,
    state: &State,
    target: &Target,
    scroll: usize,
    theme: &Theme,
) {
    let d = detail_lines(state, target);
    let rows = state.viewer_height();
    let total = d.row_count(state.width, rows);
    let scroll = scroll.min(total);
    let inner = viewer(
        buf,
        area,
        Line::raw(format!(" {} ", d.title)),
        Line::raw(position(scroll, rows, total)),
        theme,
    );
    let inner = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(1),
        inner.height.min(u16::try_from(rows).unwrap_or(u16::MAX)),
    );
    let styled = |lines: &[DetailLine]| -> Vec<Line<'static>> {
        lines
            .iter()
            .skip(scroll)
            .map(|l| to_line(l, theme))
            .collect()
    };
    if d.two_columns(state.width) {
        // As wide as the fields need, so the sections sit close by.
        let fields_w = d.fields.iter().map(|l| to_line(l, theme).width()).max();
        let left_w = u16::try_from(fields_w.unwrap_or(0) + 4)
            .unwrap_or(u16::MAX)
            .max(30)
            .min(inner.width / 2);
        let left = Rect::new(inner.x, inner.y, left_w.saturating_sub(1), inner.height);
        let right = Rect::new(
            inner.x + left_w,
            inner.y,
            inner.width - left_w,
            inner.height,
        );
        column(buf, left, &styled(&d.fields));
        column(buf, right, &styled(&d.sections));
    } else {
        column(buf, inner, &styled(&d.stacked(rows)));
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

/// As many lines as fit, from the top of `area`.
fn column(buf: &mut Buffer, area: Rect, lines: &[Line<'_>]) {
    for (r, line) in lines.iter().take(usize::from(area.height)).enumerate() {
        put(buf, row(area, u16::try_from(r).unwrap_or(u16::MAX)), line);
    }
}
