//! What is under the mouse, read from the layout `render` draws: the tab
//! bar's tabs and the table's body rows. The runtime hands `spot_at` to
//! the state (`State::spot_at`), so a click means what the screen shows.

use ratatui::layout::Rect;

use super::chrome;
use crate::app::mouse_spot::Spot;
use crate::app::{Pane, State};

/// Rows above a table's first body row: the tab bar, the pane's top
/// border and its header.
const ABOVE_ROWS: u16 = 3;

/// The spot at `column`, `row` of a screen of `state.width` x
/// `state.height` cells.
pub fn spot_at(state: &State, column: u16, row: u16) -> Spot {
    let screen = Rect::new(0, 0, state.width, state.height);
    if row == 0 {
        return chrome::tab_at(state, screen, column).map_or(Spot::Other, Spot::Tab);
    }
    let table = table_area(state, screen);
    let inside = column > table.x && column + 1 < table.right();
    let body = usize::from(row.saturating_sub(ABOVE_ROWS));
    if !state.overlays.is_empty() || !inside || row < ABOVE_ROWS || body >= state.table_height() {
        return Spot::Other;
    }
    Spot::Row(body)
}

/// The bordered table of the pane on screen: the body between the tab
/// bar and the status line, less the side panel of a wide screen.
fn table_area(state: &State, screen: Rect) -> Rect {
    let body = Rect::new(0, 1, screen.width, screen.height.saturating_sub(3));
    match state.pane {
        Pane::Nodes | Pane::Zookeeper | Pane::Balancer => super::side_panel::split(body).0,
        Pane::Volumes | Pane::Jobs | Pane::Timeline | Pane::Services => body,
    }
}
