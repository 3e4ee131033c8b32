//! Footer hints derived from the keymap in effect (through `keys_of`), so
//! what the footer says is always what the keys do.

use super::key_labels::keys_of;
use crate::app::keymap::Action;
use crate::app::views::{LogInputFor, Overlay, Target};
use crate::app::{Pane, State};

/// Footer hints for the current screen: (key, what it does).
pub fn footer(state: &State) -> Vec<(String, &'static str)> {
    use Action::*;
    if let Some(raw) = text_input_hints(state) {
        return raw;
    }
    let wanted: &[(Action, &str)] = match state.top_overlay() {
        Some(Overlay::Confirm(_)) if state.asks_to_quit() => &[
            (Confirm, "stop them safely, quit"),
            (QuitWhenDone, "quit when done"),
            (Cancel, "keep working"),
        ],
        // Prompt, Wizard and Palette: answered by `text_input_hints`.
        Some(
            Overlay::Confirm(_) | Overlay::Prompt(_) | Overlay::Wizard(_) | Overlay::Palette(_),
        ) => &[(Confirm, "yes"), (Cancel, "no")],
        Some(Overlay::Logs(view)) if view.merged.is_some() => &[
            (Back, "back"),
            (Follow, "follow"),
            (Filter, "search"),
            (LevelFilter, "level"),
            (MemberFilter, "member"),
            (JumpToTime, "time"),
            (Mark, "mark"),
            (Copy, "copy"),
            (SearchNext, "next"),
            (Help, "help"),
        ],
        Some(Overlay::Logs(_)) => &[
            (Back, "back"),
            (Follow, "follow"),
            (Filter, "search"),
            (LevelFilter, "level"),
            (Mark, "mark"),
            (Copy, "copy"),
            (SearchNext, "next"),
            (SearchPrev, "prev"),
            (Up, "up"),
            (Wrap, "wrap"),
            (Help, "help"),
        ],
        Some(detail @ Overlay::Detail { target, .. }) => {
            return hints(state, &detail_actions(state, detail, target));
        }
        Some(Overlay::Inspect(_)) => &[
            (Back, "close"),
            (Filter, "search"),
            (SearchNext, "next"),
            (Wrap, "wrap"),
            (Down, "down"),
            (PageDown, "page"),
            (Bottom, "bottom"),
            (Quit, "quit"),
        ],
        Some(Overlay::Help { .. }) => &[
            (Back, "close"),
            (Up, "up"),
            (Down, "down"),
            (PageDown, "page"),
            (Top, "top"),
            (Bottom, "bottom"),
            (Quit, "quit"),
        ],
        None => pane_actions(state.pane),
    };
    hints(state, wanted)
}

/// Hints while something takes raw keys: text input (outside the keymap,
/// see update::on_filter_key) and the wizard, which has its own.
fn text_input_hints(state: &State) -> Option<Vec<(String, &'static str)>> {
    let log_input = match state.top_overlay() {
        Some(Overlay::Logs(view)) => view.input.as_ref(),
        _ => None,
    };
    if let Some(input) = log_input {
        let enter = match input.purpose {
            LogInputFor::Search => "search",
            LogInputFor::JumpToTime => "go",
        };
        return Some(vec![("Enter".into(), enter), ("Esc".into(), "cancel")]);
    }
    if let Some(Overlay::Inspect(view)) = state.top_overlay() {
        if view.input.is_some() {
            return Some(vec![("Enter".into(), "search"), ("Esc".into(), "cancel")]);
        }
    }
    if matches!(state.top_overlay(), Some(Overlay::Palette(_))) {
        return Some(vec![
            ("Enter".into(), "run"),
            ("↑↓".into(), "choose"),
            ("Esc".into(), "close"),
        ]);
    }
    if matches!(state.top_overlay(), Some(Overlay::Prompt(_))) {
        return Some(vec![("Enter".into(), "next"), ("Esc".into(), "cancel")]);
    }
    if let Some(Overlay::Wizard(w)) = state.top_overlay() {
        return Some(super::wizard::hints(w));
    }
    if state.top_overlay().is_none() && state.table().filter_input.is_some() {
        return Some(vec![
            ("Enter".into(), "apply"),
            ("Esc".into(), "clear filter"),
        ]);
    }
    None
}

/// The detail view's actions: they depend on its size and on what it shows.
fn detail_actions(state: &State, detail: &Overlay, target: &Target) -> Vec<(Action, &'static str)> {
    use Action::*;
    let mut wanted = vec![(Back, "back")];
    // Offer scrolling only when there is more than fits.
    if state.max_scroll(detail) > 0 {
        wanted.extend([(Down, "down"), (Up, "up")]);
    }
    if matches!(target, Target::Container { .. }) {
        wanted.extend([
            (Restart, "restart"),
            (Logs, "logs"),
            (Inspect, "inspect"),
            (Help, "help"),
        ]);
    } else if matches!(target, Target::Job(_)) {
        wanted.extend([(Copy, "copy outcome"), (Help, "help"), (Quit, "quit")]);
    } else {
        wanted.extend([(Help, "help"), (Quit, "quit")]);
    }
    wanted
}

/// The actions worth a hint on each table pane, most useful first.
fn pane_actions(pane: Pane) -> &'static [(Action, &'static str)] {
    use Action::*;
    match pane {
        Pane::Nodes => &[
            (Help, "help"),
            (Palette, "commands"),
            (Filter, "filter"),
            (Open, "detail"),
            (Restart, "restart"),
            (Logs, "logs"),
            (Inspect, "inspect"),
            (Quit, "quit"),
            (Sort, "sort"),
            (NextPane, "next pane"),
        ],
        Pane::Volumes => &[
            (Help, "help"),
            (Palette, "commands"),
            (Filter, "filter"),
            (Open, "detail"),
            (Sort, "sort"),
            (Quit, "quit"),
            (NextPane, "next pane"),
        ],
        // Enter on a member opens its container's detail.
        Pane::Zookeeper => &[
            (Help, "help"),
            (Palette, "commands"),
            (Open, "detail"),
            (MoveLeader, "move leader"),
            (Filter, "filter"),
            (Quit, "quit"),
            (NextPane, "next pane"),
        ],
        // Enter on a server jumps to its container in the Nodes pane.
        Pane::Balancer => &[
            (Help, "help"),
            (Palette, "commands"),
            (Open, "go to node"),
            (DrainServer, "drain"),
            (ReadyServer, "ready"),
            (MaintServer, "maint"),
            (Filter, "filter"),
            (Quit, "quit"),
            (NextPane, "next pane"),
        ],
        // Enter on a service or a task shows the service's task history.
        Pane::Services => &[
            (Help, "help"),
            (Palette, "commands"),
            (Open, "detail"),
            (ScaleTo, "scale"),
            (Filter, "filter"),
            (Quit, "quit"),
            (NextPane, "next pane"),
        ],
        Pane::Jobs => &[
            (Help, "help"),
            (Palette, "commands"),
            (Open, "detail"),
            (CancelJob, "cancel job"),
            (PauseJob, "pause"),
            (Quit, "quit"),
            (NextPane, "next pane"),
        ],
        // Enter on a container's entry jumps to it in the Nodes pane.
        Pane::Timeline => &[
            (Help, "help"),
            (Palette, "commands"),
            (Open, "go to node"),
            (Filter, "filter"),
            (Copy, "copy"),
            (Quit, "quit"),
            (NextPane, "next pane"),
        ],
    }
}

/// The first key of each wanted action that really triggers it here.
fn hints(state: &State, wanted: &[(Action, &'static str)]) -> Vec<(String, &'static str)> {
    let contexts = state.key_contexts();
    wanted
        .iter()
        // Read-only refuses changes, so don't offer them.
        .filter(|(action, _)| !(state.read_only && state.keymap.is_mutating(*action)))
        .filter_map(|(action, label)| {
            let key = keys_of(&state.keymap, *action, contexts)
                .into_iter()
                .next()?;
            Some((key, *label))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Inventory;

    #[test]
    fn read_only_hides_restart() {
        let mut state = State::new(Inventory::default(), false, 0);
        assert!(footer(&state).iter().any(|(_, l)| *l == "restart"));
        state.read_only = true;
        assert!(!footer(&state).iter().any(|(_, l)| *l == "restart"));
    }
}
