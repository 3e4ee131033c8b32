//! Keys in a log viewer: scrolling from the bottom, following, search,
//! what is shown (a member, a level, only the matches), jumping to a time,
//! and marking lines to copy.

use crossterm::event::KeyEvent;

use super::keymap::Action;
use super::line_editor::{Edit, LineEditor};
use super::state::{Level, State};
use super::text_flow::FlowChange;
use super::views::{LogFilter, LogInput, LogInputFor, LogView, Overlay, TimeJump};
use crate::model::log_level::LogLevel;
use crate::model::log_time::{clock_of, parse_jump_time};

/// Raw keys while a search or a time is typed.
pub(super) fn on_input_key(state: &mut State, key: KeyEvent) {
    let rows = state.viewer_height();
    let now = i128::from(state.now) * 1_000_000_000;
    let Some(Overlay::Logs(view)) = state.overlays.last_mut() else {
        return;
    };
    let Some(input) = view.input.as_mut() else {
        return;
    };
    match input.editor.on_key(&key) {
        Edit::Submit => {
            let LogInput {
                purpose,
                mut editor,
            } = view.input.take().expect("checked above");
            let text = editor.take();
            let said = match purpose {
                LogInputFor::Search => {
                    state.log_searches.remember(&text);
                    view.set_search(Some(text));
                    jump_to_match(view, false, rows);
                    None
                }
                LogInputFor::JumpToTime => Some(jump_to_time(view, &text, rows, now)),
            };
            if let Some((level, text)) = said {
                state.set_status(level, text);
            }
        }
        Edit::Cancel => view.input = None,
        Edit::Changed | Edit::Ignored => {}
    }
}

fn jump_to_time(view: &mut LogView, spec: &str, rows: usize, now: i128) -> (Level, String) {
    let newest = view
        .merged
        .as_ref()
        .and_then(|m| m.log.lines.back())
        .map(|l| l.at);
    let Some(newest) = newest else {
        return (Level::Warn, "no lines yet to jump among".into());
    };
    let Some(at) = parse_jump_time(spec, newest, now) else {
        return (
            Level::Warn,
            format!("`{spec}` is not a time: give HH:MM[:SS[.mmm]] as the lines show it, or an age like 5m"),
        );
    };
    match view.jump_to_time(at, rows) {
        TimeJump::Jumped(t) => (Level::Info, format!("at {}", clock_of(t))),
        TimeJump::OldestKept(t) => (
            Level::Warn,
            format!(
                "{} is older than every line kept: the oldest is at {}",
                clock_of(at),
                clock_of(t)
            ),
        ),
        TimeJump::AfterNewest => (
            Level::Warn,
            format!(
                "no line shown at or after {}: the newest is at {}",
                clock_of(at),
                clock_of(newest)
            ),
        ),
        TimeJump::NoTimes => (Level::Warn, "this view's lines carry no times".into()),
    }
}

/// Make the next (or previous) match the current line.
fn jump_to_match(view: &mut LogView, forward: bool, rows: usize) -> bool {
    let Some(from) = view.current_index() else {
        return false;
    };
    // Backwards from the newest line while following: it counts too.
    let from = if !forward && view.follow {
        from + 1
    } else {
        from
    };
    match view.find(forward, from) {
        Some(i) => {
            view.scroll_to(i, rows);
            true
        }
        None => false,
    }
}

/// A viewer action on the log view on top, in a window of `page` rows.
pub(super) fn on_action(state: &mut State, action: Action, page: usize) {
    let Some(Overlay::Logs(view)) = state.overlays.last_mut() else {
        return;
    };
    if action == Action::Filter {
        // ↑ recalls the searches typed in any log view.
        let editor = LineEditor::new().with_history(&state.log_searches);
        view.input = Some(input(LogInputFor::Search, editor));
        return;
    }
    if let Some((level, text)) = log_action(view, action, page) {
        state.set_status(level, text);
    }
}

fn log_action(view: &mut LogView, action: Action, page: usize) -> Option<(Level, String)> {
    // At the bottom of an ended stream its last row is the end note, so
    // one row fewer of text is on screen.
    let rows = if view.scroll_from_bottom == 0 && view.ended.is_some() {
        page.saturating_sub(1).max(1)
    } else {
        page
    };
    // A page is the lines on screen: fewer than rows when they wrap.
    let page_lines = if view.flow.wrap {
        view.window(rows).len().max(1)
    } else {
        rows
    };
    let step = isize::try_from(page_lines).unwrap_or(isize::MAX);
    match action {
        Action::Up => view.move_current(1, rows),
        Action::Down => view.move_current(-1, rows),
        Action::PageUp => view.move_current(step, rows),
        Action::PageDown => view.move_current(-step, rows),
        Action::Top => view.move_current(isize::MAX, rows),
        Action::Bottom => view.move_current(isize::MIN, rows),
        Action::Follow => {
            view.follow = !view.follow;
            if view.follow {
                (view.scroll_from_bottom, view.cursor) = (0, 0);
            }
        }
        Action::JumpToTime if view.merged.is_some() => {
            view.input = Some(input(LogInputFor::JumpToTime, LineEditor::new()));
        }
        Action::JumpToTime => {
            return Some((
                Level::Warn,
                "one container's lines carry no times here: open its cluster's logs (L) to jump to a time".into(),
            ))
        }
        Action::SearchNext | Action::SearchPrev => return search_again(view, action, rows),
        Action::LevelFilter => {
            view.change_filter(rows, |f| f.level = next_level(f.level));
            return Some((Level::Info, filter_note(view)));
        }
        Action::MemberFilter => return next_member(view, rows),
        Action::MatchesOnly if view.search.is_none() => {
            return Some((Level::Warn, "search first (/): & then shows only its matches".into()))
        }
        Action::MatchesOnly => {
            view.change_filter(rows, |f| f.matches_only = !f.matches_only);
            return Some((Level::Info, filter_note(view)));
        }
        Action::Mark if view.toggle_mark(rows) => {
            let n = view.marked_count();
            return Some((Level::Info, format!("{n} lines marked: c copies them")));
        }
        Action::ClearMarks => view.clear_marks(),
        Action::Wrap | Action::ScrollLeft | Action::ScrollRight => {
            return reflow(view, action, rows)
        }
        _ => {}
    }
    None
}

/// Wrap or cut the lines, or scroll sideways, keeping the current line
/// on screen (at the bottom when reading older lines).
fn reflow(view: &mut LogView, action: Action, rows: usize) -> Option<(Level, String)> {
    let current = view.current_index();
    let change = view.flow.act(action, view.widest(), view.text_cols())?;
    if let Some(i) = current.filter(|_| !view.follow) {
        view.scroll_to(i, rows);
    }
    flow_note(change)
}

/// A wrap or sideways key's note for the status line.
pub(super) fn flow_note(change: FlowChange) -> Option<(Level, String)> {
    let level = match change {
        FlowChange::WrapsAlready => Level::Warn,
        FlowChange::Wrapped | FlowChange::Cut | FlowChange::Shifted => Level::Info,
    };
    change.note().map(|n| (level, n.to_string()))
}

fn input(purpose: LogInputFor, editor: LineEditor) -> LogInput {
    LogInput { purpose, editor }
}

fn search_again(view: &mut LogView, action: Action, rows: usize) -> Option<(Level, String)> {
    let search = view.search.clone()?;
    (!jump_to_match(view, action == Action::SearchNext, rows))
        .then(|| (Level::Warn, format!("no more matches for `{search}`")))
}

/// All → warnings and errors → errors → all.
fn next_level(level: Option<LogLevel>) -> Option<LogLevel> {
    match level {
        None => Some(LogLevel::Warn),
        Some(LogLevel::Warn) => Some(LogLevel::Error),
        Some(LogLevel::Error | LogLevel::Info | LogLevel::Debug) => None,
    }
}

/// All members → each in turn → all.
fn next_member(view: &mut LogView, rows: usize) -> Option<(Level, String)> {
    let Some(count) = view.merged.as_ref().map(|m| m.names.len()) else {
        return Some((
            Level::Warn,
            "one container's log: no members to choose".into(),
        ));
    };
    view.change_filter(rows, |f| {
        f.member = match f.member {
            None if count > 0 => Some(0),
            Some(m) if m + 1 < count => Some(m + 1),
            _ => None,
        }
    });
    Some((Level::Info, filter_note(view)))
}

/// What the view shows now, for the status line.
pub fn filter_note(view: &LogView) -> String {
    let LogFilter {
        member,
        level,
        matches_only,
    } = &view.filter;
    if !view.filter.is_active() {
        return "showing every line".into();
    }
    let mut parts = Vec::new();
    if let Some(name) = member.and_then(|m| view.merged.as_ref()?.names.get(m)) {
        parts.push(format!("only {name}"));
    }
    match level {
        Some(LogLevel::Error) => parts.push("errors only".into()),
        Some(l) => parts.push(format!("{} and worse", l.as_str())),
        None => {}
    }
    if *matches_only {
        parts.push(format!(
            "matching `{}`",
            view.search.as_deref().unwrap_or_default()
        ));
    }
    format!(
        "showing {}: {} of {} lines",
        parts.join(", "),
        view.shown_len(),
        view.lines.len()
    )
}
