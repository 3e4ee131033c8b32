//! Wrapping (`w`) and scrolling sideways (←/→) in the help overlay and the
//! detail view, as in the log and inspect viewers: the line on top stays
//! on top, and a detail's two columns each wrap (or shift, no further than
//! their own widest line) within themselves.

use super::flow_layout::scroll_and_flow;
use super::keymap::Action;
use super::log_keys::flow_note;
use super::state::State;
use super::views::Overlay;

/// A wrap or sideways `action` on the help or detail view on top.
pub(super) fn on_action(state: &mut State, action: Action) {
    let Some(top) = state.overlays.last() else {
        return;
    };
    let Some((scroll, flow)) = scroll_and_flow(top) else {
        return;
    };
    let before = state.text_columns(top, flow);
    // The longest column sets the rows: its line on top stays on top.
    let longest = before.iter().enumerate().max_by_key(|(_, c)| c.rows(flow));
    let Some((anchor, column)) = longest else {
        return;
    };
    let line = column.line_at(scroll, flow);
    let overflow = before.iter().map(|c| c.overflow()).max().unwrap_or(0);
    let mut moved = flow;
    // Sideways no further than the column cut the most shows its end.
    let change = moved.act(action, overflow, 0);
    let after = state.text_columns(top, moved);
    let row = after.get(anchor).map_or(0, |c| c.row_of(line, moved));
    if let Some(Overlay::Help { scroll, flow } | Overlay::Detail { scroll, flow, .. }) =
        state.overlays.last_mut()
    {
        *flow = moved;
        *scroll = row;
    }
    state.clamp_scrolls();
    if let Some((level, text)) = change.and_then(flow_note) {
        state.set_status(level, text);
    }
}

#[cfg(test)]
#[path = "flow_keys_tests.rs"]
mod tests;
