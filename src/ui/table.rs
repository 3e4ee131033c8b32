//! Column layout and the bordered frame the Nodes and Volumes tables share.
//!
//! Cells are drawn straight into the buffer rather than through `Table`, so
//! that host and cluster rows can span the full width while container rows
//! keep their columns.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Block;

use super::text::{put, put_right, row};
use crate::app::TableView;
use crate::config::Theme;

#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub title: &'static str,
    pub width: Constraint,
    /// Numbers read best right-aligned.
    pub right: bool,
}

pub const fn col(title: &'static str, width: Constraint) -> Column {
    Column {
        title,
        width,
        right: false,
    }
}

pub const fn num(title: &'static str, width: Constraint) -> Column {
    Column {
        title,
        width,
        right: true,
    }
}

/// Columns laid out once for a table's inner width.
pub struct Grid {
    cols: Vec<Column>,
    /// (x, width) of each column.
    spans: Vec<(u16, u16)>,
}

impl Grid {
    pub fn new(cols: Vec<Column>, area: Rect) -> Self {
        let line = Rect::new(area.x, area.y, area.width, 1);
        let rects = Layout::horizontal(cols.iter().map(|c| c.width))
            .spacing(1)
            .split(line);
        let spans = rects.iter().map(|r| (r.x, r.width)).collect();
        Self { cols, spans }
    }

    pub fn header(&self, buf: &mut Buffer, y: u16, style: Style) {
        let cells: Vec<Line> = self.cols.iter().map(|c| Line::raw(c.title)).collect();
        self.row(buf, y, &cells);
        if let (Some(first), Some(last)) = (self.spans.first(), self.spans.last()) {
            let right = last.0 + last.1;
            buf.set_style(Rect::new(first.0, y, right - first.0, 1), style);
        }
    }

    /// One row of cells; missing cells stay blank.
    pub fn row(&self, buf: &mut Buffer, y: u16, cells: &[Line<'_>]) {
        for ((col, (x, w)), cell) in self.cols.iter().zip(&self.spans).zip(cells) {
            let rect = Rect::new(*x, y, *w, 1);
            if col.right {
                put_right(buf, rect, cell);
            } else {
                put(buf, rect, cell);
            }
        }
    }
}

/// Draws the pane's border and title; returns the rect for the header
/// row and the body rows under it.
pub fn frame(
    buf: &mut Buffer,
    area: Rect,
    title: Line<'_>,
    position: String,
    theme: &Theme,
) -> Rect {
    use ratatui::widgets::Widget;
    let block = Block::bordered()
        .border_style(theme.border)
        .title_style(theme.title)
        .title_top(title)
        .title_top(Line::raw(position).style(theme.muted).right_aligned());
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

/// `12/40`: where the selection is, since the table may scroll.
pub fn position(view: &TableView, len: usize) -> String {
    if len == 0 {
        String::new()
    } else {
        format!(" {}/{len} ", view.selected + 1)
    }
}

/// The visible body rows `offset..offset+height`: calls `draw` with each
/// row's index and rect, then marks the selected one.
pub fn body(
    buf: &mut Buffer,
    inner: Rect,
    view: &TableView,
    len: usize,
    height: usize,
    theme: &Theme,
    mut draw: impl FnMut(&mut Buffer, usize, Rect),
) {
    let rows = height.min(usize::from(inner.height.saturating_sub(1)));
    for (r, index) in (view.offset..len).take(rows).enumerate() {
        let rect = row(inner, 1 + u16::try_from(r).unwrap_or(u16::MAX));
        draw(buf, index, rect);
        if index == view.selected {
            // Patch, not replace: the selection colour wins, modifiers add up.
            buf.set_style(rect, theme.selected);
        }
    }
}

/// What a service pane (ZooKeeper, Balancer) is called and says when empty.
pub struct PaneText<'a> {
    pub name: &'a str,
    /// Singular and plural of what it counts: ("ensemble", "ensembles").
    pub noun: (&'a str, &'a str),
    /// Shown centred when there is nothing at all (no filter).
    pub empty: &'a str,
}

/// The bordered frame of a service pane titled `Name · N things`, or its
/// centred empty-state line. Returns the inner area when there are rows.
pub fn pane_frame(
    buf: &mut Buffer,
    area: Rect,
    view: &TableView,
    text: PaneText<'_>,
    count: usize,
    rows: usize,
    theme: &Theme,
) -> Option<Rect> {
    let noun = if count == 1 { text.noun.0 } else { text.noun.1 };
    let title = Line::from(vec![
        ratatui::text::Span::raw(format!(" {} ", text.name)),
        ratatui::text::Span::styled(format!("· {count} {noun} "), theme.muted),
    ]);
    let inner = frame(buf, area, title, position(view, rows), theme);
    if inner.height == 0 {
        return None;
    }
    if rows == 0 {
        let message = match view.active_filter() {
            "" => text.empty.to_string(),
            f => format!("no {} match `{f}`", text.noun.1),
        };
        let w = u16::try_from(super::text::width(&message)).unwrap_or(u16::MAX);
        put(
            buf,
            super::text::centered(inner, w, 1),
            &Line::styled(message, theme.muted),
        );
        return None;
    }
    Some(inner)
}

/// The cells a fixed-width column takes (0 for flexible ones).
pub fn length(c: Constraint) -> u16 {
    match c {
        Constraint::Length(n) => n,
        _ => 0,
    }
}
