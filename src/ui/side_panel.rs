//! The side panel of a wide screen: on the right of the Nodes and
//! ZooKeeper panes, what `app::side_panel` says about the selected row.
//! Below `MIN_WIDTH` columns (or `MIN_ROWS` rows of body) there is none
//! and the pane keeps the whole width, as it always had.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::detail::to_line;
use super::text::{put, row};
use crate::app::side_panel::{self, Panel};
use crate::app::State;
use crate::config::Theme;

/// Columns from which a pane has a side panel.
pub const MIN_WIDTH: u16 = 160;
/// Rows of body the panel needs to be worth its room.
pub const MIN_ROWS: u16 = 20;

/// The pane's area and, on a wide screen, the panel's on its right: a
/// third of the width, between 50 and 72 columns, so the table keeps
/// over a hundred (every Nodes column at its width, the names whole).
pub fn split(area: Rect) -> (Rect, Option<Rect>) {
    if area.width < MIN_WIDTH || area.height < MIN_ROWS {
        return (area, None);
    }
    let side = (area.width / 3).clamp(50, 72);
    let table = Rect::new(area.x, area.y, area.width - side, area.height);
    let panel = Rect::new(area.x + table.width, area.y, side, area.height);
    (table, Some(panel))
}

/// Text width inside a panel of `area`: borders and a margin each side.
pub fn text_width(area: Rect) -> usize {
    usize::from(area.width.saturating_sub(4))
}

/// The panel's frame titled by `panel`, its lines from the top (as many
/// as fit); an empty frame when nothing is selected.
pub fn draw(buf: &mut Buffer, area: Rect, panel: Option<Panel>, theme: &Theme) {
    let title = panel
        .as_ref()
        .map_or_else(String::new, |p| format!(" {} ", p.title));
    let inner = super::table::frame(buf, area, Line::raw(title), String::new(), theme);
    let inner = Rect::new(
        inner.x + 1,
        inner.y,
        inner.width.saturating_sub(2),
        inner.height,
    );
    let Some(panel) = panel else {
        return;
    };
    for (r, l) in panel
        .lines
        .iter()
        .take(usize::from(inner.height))
        .enumerate()
    {
        let y = u16::try_from(r).unwrap_or(u16::MAX);
        put(buf, row(inner, y), &to_line(l, theme));
    }
}

/// The Nodes pane's panel, when the screen is wide: drawn on the right;
/// returns the area left for the table.
pub fn nodes(buf: &mut Buffer, area: Rect, state: &State, theme: &Theme) -> Rect {
    let (table, side) = split(area);
    if let Some(side) = side {
        let panel = state
            .selected_node()
            .and_then(|r| side_panel::nodes(state, &r, text_width(side)));
        draw(buf, side, panel, theme);
    }
    table
}

/// The ZooKeeper pane's panel: the selected ensemble's picture.
pub fn zookeeper(buf: &mut Buffer, area: Rect, state: &State, theme: &Theme) -> Rect {
    let rows = state.zookeeper_rows();
    // An empty pane keeps its whole width for what it says instead.
    if rows.is_empty() {
        return area;
    }
    let (table, side) = split(area);
    if let Some(side) = side {
        let panel = rows
            .get(state.zookeeper.selected)
            .and_then(|r| side_panel::zookeeper(state, r));
        draw(buf, side, panel, theme);
    }
    table
}
