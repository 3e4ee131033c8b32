//! Column layout and the bordered frame every table shares.
//!
//! Cells are drawn straight into the buffer rather than through `Table`, so
//! that host and cluster rows can span the full width while container rows
//! keep their columns.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::Block;

use super::text::{put, put_right, row};
use crate::app::TableView;
use crate::config::Theme;

/// One column of a table, and what it asks of the width. Every table
/// lays its columns out by one rule (`layout`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub title: &'static str,
    /// Numbers read best right-aligned.
    pub right: bool,
    /// 0 for the column that says which row this is (a name), which is
    /// never dropped; the higher, the sooner the column goes.
    pub priority: u8,
    /// Never shown narrower than this.
    pub min: u16,
    /// All its cells need: their widest (or a fixed width for figures
    /// that change as they are watched, so columns don't jump).
    pub ideal: u16,
    /// Text that reads cut (a list, a sentence): it claims a share of
    /// the row before less important columns come in.
    pub text: bool,
}

/// A fixed-width column of text.
pub const fn col(title: &'static str, width: u16) -> Column {
    Column {
        title,
        right: false,
        priority: u8::MAX,
        min: width,
        ideal: width,
        text: false,
    }
}

/// A fixed-width column of figures, right-aligned.
pub const fn num(title: &'static str, width: u16) -> Column {
    Column {
        right: true,
        ..col(title, width)
    }
}

impl Column {
    pub const fn priority(self, priority: u8) -> Self {
        Self { priority, ..self }
    }

    /// The row's identity: never dropped, first to get room.
    pub const fn identity(self) -> Self {
        self.priority(0)
    }

    /// Text sized by its cells: `widest` of them, cut down to `min`
    /// when the row is short of room.
    pub fn fit(self, min: u16, widest: usize) -> Self {
        let ideal = u16::try_from(widest).unwrap_or(u16::MAX);
        Self {
            min,
            ideal,
            text: true,
            ..self
        }
    }

    /// Sized by its cells, shown whole or not at all: a host, an
    /// address, a mountpoint read wrong when cut.
    pub fn whole(self, widest: usize) -> Self {
        Self {
            // No less than the ideal (with the title), see `sized`.
            min: u16::MAX,
            ideal: u16::try_from(widest).unwrap_or(u16::MAX),
            ..self
        }
    }

    /// Its width, or up to `ideal` when there is room to spare (a time
    /// with its milliseconds).
    pub const fn upto(self, ideal: u16) -> Self {
        Self { ideal, ..self }
    }

    /// At least the title (text may cut it), and never a minimum past
    /// the ideal.
    fn sized(self) -> Self {
        let title = u16::try_from(super::text::width(self.title)).unwrap_or(u16::MAX);
        let ideal = self.ideal.max(title);
        let min = if self.text {
            self.min
        } else {
            self.min.max(title)
        };
        Self {
            ideal,
            min: min.min(ideal),
            ..self
        }
    }
}

/// The width of each column on a row of `room` cells, `None` for those
/// that don't fit; one cell between shown columns. The rule:
/// 1. the identity (priority 0) gets its ideal width, but at most half
///    the row (and at least its minimum) while the rest is placed;
/// 2. the other columns, most important first, get their width while it
///    fits: their minimum, but text (USED BY, LABELS, WHAT) a third of
///    the row within its minimum and ideal (or its minimum when that is
///    all there is), and only while the text columns before it can still
///    get their ideal width (labels never take the room the list of a
///    volume's users needs); the first that doesn't fit goes, and every
///    less important one with it;
/// 3. what is left widens the identity up to its ideal first,
/// 4. then the other columns up to theirs, most important first (text
///    like USED BY or LABELS; fixed columns are there already).
pub fn layout(cols: &[Column], room: u16) -> Vec<Option<u16>> {
    let cols: Vec<Column> = cols.iter().map(|c| c.sized()).collect();
    let mut order: Vec<usize> = (0..cols.len()).collect();
    order.sort_by_key(|&i| cols[i].priority);
    let mut widths: Vec<Option<u16>> = vec![None; cols.len()];
    let mut left = room;
    let Some((&first, rest)) = order.split_first() else {
        return widths;
    };
    let id = cols[first];
    let share = id.ideal.min((room / 2).max(id.min)).min(room);
    widths[first] = Some(share);
    left -= share;
    // What the text columns in so far lack of their ideal width.
    let mut owed = 0;
    for &i in rest {
        let c = cols[i];
        let keep = if c.text { owed } else { 0 };
        let share = if c.text {
            (room / 3).clamp(c.min, c.ideal)
        } else {
            c.min
        };
        // The share when it fits, else what it can do with.
        let fits = |w: &u16| left > w.saturating_add(keep);
        let Some(want) = [share, c.min].into_iter().find(fits) else {
            break;
        };
        widths[i] = Some(want);
        left -= want + 1;
        if c.text {
            owed = owed.saturating_add(c.ideal - want);
        }
    }
    for &i in &order {
        if let Some(w) = widths[i].as_mut() {
            let more = cols[i].ideal.saturating_sub(*w).min(left);
            *w += more;
            left -= more;
        }
    }
    widths
}

/// Columns laid out once for a table's inner width.
pub struct Grid {
    cols: Vec<Column>,
    /// (x, width) of each column shown.
    spans: Vec<Option<(u16, u16)>>,
}

impl Grid {
    /// `cols` in the order they read, left to right.
    pub fn new(cols: Vec<Column>, area: Rect) -> Self {
        let mut x = area.x;
        let spans = layout(&cols, area.width)
            .into_iter()
            .map(|w| {
                w.map(|w| {
                    let span = (x, w);
                    x += w + 1;
                    span
                })
            })
            .collect();
        Self { cols, spans }
    }

    /// (x, width) of the column titled `title`, when shown.
    pub fn span(&self, title: &str) -> Option<(u16, u16)> {
        let i = self.cols.iter().position(|c| c.title == title)?;
        self.spans[i]
    }

    pub fn header(&self, buf: &mut Buffer, y: u16, style: Style) {
        let cells: Vec<Line> = self.cols.iter().map(|c| Line::raw(c.title)).collect();
        self.row(buf, y, &cells);
        let shown = || self.spans.iter().flatten();
        if let (Some(first), Some(last)) = (shown().next(), shown().last()) {
            let right = last.0 + last.1;
            buf.set_style(Rect::new(first.0, y, right - first.0, 1), style);
        }
    }

    /// One row: a cell for every column, in the columns' order (those of
    /// columns not shown are skipped); missing cells stay blank.
    pub fn row(&self, buf: &mut Buffer, y: u16, cells: &[Line<'_>]) {
        for ((col, span), cell) in self.cols.iter().zip(&self.spans).zip(cells) {
            let Some((x, w)) = *span else {
                continue;
            };
            let rect = Rect::new(x, y, w, 1);
            if col.right {
                put_right(buf, rect, cell);
            } else {
                put(buf, rect, cell);
            }
        }
    }
}

/// The widest of `texts`, in cells.
pub fn widest<S: AsRef<str>>(texts: impl IntoIterator<Item = S>) -> usize {
    texts
        .into_iter()
        .map(|t| super::text::width(t.as_ref()))
        .max()
        .unwrap_or(0)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(cols: &[Column], room: u16) -> Vec<(&'static str, u16)> {
        cols.iter()
            .zip(layout(cols, room))
            .filter_map(|(c, w)| Some((c.title, w?)))
            .collect()
    }

    /// NAME (identity, names up to 20), STATE, then CPU, then USED BY (text).
    fn table(name: usize) -> Vec<Column> {
        vec![
            col("NAME", 0).identity().fit(8, name),
            col("STATE", 10).priority(1),
            num("CPU", 6).priority(3),
            col("USED BY", 0).priority(2).fit(8, 30),
        ]
    }

    #[test]
    fn the_identity_gets_its_width_before_any_other_column() {
        // 20 + 10 + 8 and two gaps: CPU, the least important, goes first.
        assert_eq!(
            shown(&table(20), 40),
            [("NAME", 20), ("STATE", 10), ("USED BY", 8)]
        );
        assert_eq!(shown(&table(20), 20), [("NAME", 20)]);
        // Tiny: the identity alone, cut.
        assert_eq!(shown(&table(20), 5), [("NAME", 5)]);
    }

    #[test]
    fn a_long_identity_takes_half_the_row_then_what_is_left() {
        // Half of 40 is 20: STATE and USED BY at its minimum fit beside it.
        assert_eq!(
            shown(&table(60), 40),
            [("NAME", 20), ("STATE", 10), ("USED BY", 8)]
        );
        // With two cells more, they go to the name.
        assert_eq!(
            shown(&table(60), 42),
            [("NAME", 22), ("STATE", 10), ("USED BY", 8)]
        );
    }

    #[test]
    fn spare_room_goes_to_the_identity_then_to_text_by_priority() {
        let wide = shown(&table(20), 100);
        assert_eq!(
            wide,
            [("NAME", 20), ("STATE", 10), ("CPU", 6), ("USED BY", 30)]
        );
        // Wider still, nothing grows past what its cells need.
        assert_eq!(shown(&table(20), 200), wide);
        // Once it fits whole beside every other column, more room never
        // narrows the identity (as MOUNTPOINT and LABELS once did).
        let name = |room| layout(&table(30), room)[0].unwrap_or(0);
        assert!((60..300).all(|room| name(room) == 30));
    }

    #[test]
    fn titles_count_and_a_grid_skips_the_cells_of_dropped_columns() {
        let cols = vec![
            col("NAME", 0).identity().fit(4, 3),
            num("TOTAL SIZE", 4).priority(1),
            col("X", 1).priority(2),
        ];
        assert_eq!(shown(&cols, 15), [("NAME", 4), ("TOTAL SIZE", 10)]);
        let area = Rect::new(0, 0, 15, 1);
        let grid = Grid::new(cols, area);
        assert_eq!(grid.span("TOTAL SIZE"), Some((5, 10)));
        assert_eq!(grid.span("X"), None);
        let mut buf = Buffer::empty(area);
        let cells = [Line::raw("abc"), Line::raw("12"), Line::raw("x")];
        grid.row(&mut buf, 0, &cells);
        let text: String = (0..15).map(|x| buf[(x, 0)].symbol()).collect();
        assert_eq!(text, "abc          12");
    }
}
