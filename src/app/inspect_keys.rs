//! Keys in the inspect view: scrolling by rows (a wrapped line takes
//! several), wrapping or scrolling sideways, and a search as the log
//! viewer's (the same history, the same case-blind match; n/N go to the
//! next or previous line that matches, on top of the view).

use crossterm::event::KeyEvent;

use super::keymap::Action;
use super::line_editor::{Edit, LineEditor};
use super::log_keys::flow_note;
use super::log_view::line_matches;
use super::scroll::scrolled;
use super::state::{Level, State};
use super::views::{InspectView, Overlay};

/// Raw keys while a search is typed.
pub(super) fn on_input_key(state: &mut State, key: KeyEvent) {
    let (rows, cols) = (state.viewer_height(), state.viewer_width());
    let Some(Overlay::Inspect(view)) = state.overlays.last_mut() else {
        return;
    };
    let Some(editor) = view.input.as_mut() else {
        return;
    };
    match editor.on_key(&key) {
        Edit::Submit => {
            let text = editor.take();
            view.input = None;
            state.log_searches.remember(&text);
            view.search = Some(text).filter(|t| !t.is_empty());
            view.found = None;
            let top = top_line(view, cols);
            let said = view
                .search
                .clone()
                .and_then(|s| go_to_match(view, Some(top), true, rows, cols, &s));
            if let Some((level, text)) = said {
                state.set_status(level, text);
            }
        }
        Edit::Cancel => view.input = None,
        Edit::Changed | Edit::Ignored => {}
    }
}

/// A viewer action on the inspect view on top, in a window of `page` rows.
pub(super) fn on_action(state: &mut State, action: Action, page: usize, max: usize) {
    let cols = state.viewer_width();
    let Some(Overlay::Inspect(view)) = state.overlays.last_mut() else {
        return;
    };
    let said = match action {
        Action::Filter => {
            // ↑ recalls the searches typed here and in the log views.
            view.input = Some(LineEditor::new().with_history(&state.log_searches));
            None
        }
        Action::SearchNext | Action::SearchPrev => view.search.clone().and_then(|s| {
            let forward = action == Action::SearchNext;
            let from = view.found.map(|f| if forward { f + 1 } else { f });
            let from = from.or_else(|| Some(top_line(view, cols)));
            go_to_match(view, from, forward, page, cols, &s)
        }),
        Action::Wrap | Action::ScrollLeft | Action::ScrollRight => {
            // The line on top stays on top.
            let top = top_line(view, cols);
            let widest = view
                .lines()
                .iter()
                .map(|l| super::text_flow::cells(l))
                .max();
            let change = view.flow.act(action, widest.unwrap_or(0), cols);
            view.scroll = row_of(view, top, cols);
            change.and_then(flow_note)
        }
        _ => {
            view.found = None;
            view.scroll = scrolled(view.scroll, action, page, max);
            None
        }
    };
    if let Some((level, text)) = said {
        state.set_status(level, text);
    }
}

/// Put the next (or previous) line matching `search` from line `from`
/// (forward: it or after; backward: before it) on top of the view.
fn go_to_match(
    view: &mut InspectView,
    from: Option<usize>,
    forward: bool,
    rows: usize,
    cols: usize,
    search: &str,
) -> Option<(Level, String)> {
    let lines = view.lines();
    let needle = search.to_lowercase();
    let hit = |i: &usize| line_matches(&lines[*i], &needle);
    let from = from.unwrap_or(0).min(lines.len());
    let found = if forward {
        (from..lines.len()).find(hit)
    } else {
        (0..from).rev().find(hit)
    };
    let Some(i) = found else {
        let what = if view.found.is_some() {
            "no more matches"
        } else {
            "no match"
        };
        return Some((Level::Warn, format!("{what} for `{search}`")));
    };
    view.found = Some(i);
    let max = view.row_count(cols).saturating_sub(rows);
    view.scroll = row_of(view, i, cols).min(max);
    None
}

/// The row line `i` starts at.
fn row_of(view: &InspectView, i: usize, cols: usize) -> usize {
    view.lines()
        .iter()
        .take(i)
        .map(|l| view.flow.rows_of(l, cols))
        .sum()
}

/// The line on the top row.
fn top_line(view: &InspectView, cols: usize) -> usize {
    let mut row = 0;
    for (i, l) in view.lines().iter().enumerate() {
        row += view.flow.rows_of(l, cols);
        if row > view.scroll {
            return i;
        }
    }
    0
}

#[cfg(test)]
#[path = "viewer_flow_tests.rs"]
mod tests;
