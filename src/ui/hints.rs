//! Key hints derived from the keymap table, so what the footer, the help
//! overlay and dialogs say is always what the keys do.

use crossterm::event::KeyEvent;

use crate::app::keymap::{is_mutating, key_label, lookup, Action, Context, KEYMAP};
use crate::app::views::{Overlay, Target};
use crate::app::{Pane, State};

/// The contexts keys are looked up in, in order, for the current screen.
/// Mirrors `app::update::on_key`; kept here because update does not export it.
pub fn active_contexts(state: &State) -> &'static [Context] {
    match state.top_overlay() {
        Some(Overlay::Confirm(_)) => &[Context::Confirm],
        Some(Overlay::Logs(_)) => &[Context::Logs, Context::Viewer, Context::Global],
        Some(Overlay::Detail(Target::Container { .. })) => {
            &[Context::Viewer, Context::Nodes, Context::Global]
        }
        Some(_) => &[Context::Viewer, Context::Global],
        None => match state.pane {
            Pane::Nodes => &[Context::Nodes, Context::Table, Context::Global],
            Pane::Volumes => &[Context::Table, Context::Global],
        },
    }
}

/// Labels of the keys that really trigger `action` under `contexts`: a key
/// shadowed by an earlier context (`q` closes a viewer, it doesn't quit) is
/// left out, so a hint can never promise what a key won't do.
pub fn keys_of(action: Action, contexts: &[Context]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for binding in KEYMAP
        .iter()
        .filter(|b| b.action == action && contexts.contains(&b.context))
    {
        for key in binding.keys {
            let event = KeyEvent::new(key.code, key.mods);
            let label = key_label(key);
            if lookup(&event, contexts) == Some(action) && !keys.contains(&label) {
                keys.push(label);
            }
        }
    }
    keys
}

/// `keys_of` without upper-case twins of bound lower-case letters
/// (`n / Esc` rather than `n / N / Esc`): shorter, and says the same.
pub fn keys_short(action: Action, contexts: &[Context]) -> Vec<String> {
    let keys = keys_of(action, contexts);
    keys.iter()
        .filter(|k| {
            let lower = k.to_lowercase();
            *k == &lower || !keys.contains(&lower)
        })
        .cloned()
        .collect()
}

/// Footer hints for the current screen: (key, what it does).
pub fn footer(state: &State) -> Vec<(String, &'static str)> {
    use Action::*;
    // Text input takes raw keys outside the keymap (see update::on_filter_key).
    let typing_search =
        matches!(state.top_overlay(), Some(Overlay::Logs(v)) if v.search_input.is_some());
    if typing_search {
        return vec![("Enter".into(), "search"), ("Esc".into(), "cancel")];
    }
    if state.top_overlay().is_none() && state.table().filter_input.is_some() {
        return vec![("Enter".into(), "apply"), ("Esc".into(), "clear filter")];
    }
    let wanted: &[(Action, &str)] = match state.top_overlay() {
        Some(Overlay::Confirm(_)) => &[(Confirm, "yes"), (Cancel, "no")],
        Some(Overlay::Logs(_)) => &[
            (Back, "back"),
            (Follow, "follow"),
            (Filter, "search"),
            (SearchNext, "next"),
            (SearchPrev, "prev"),
            (Up, "up"),
            (PageUp, "page up"),
            (Help, "help"),
        ],
        Some(Overlay::Detail(Target::Container { .. })) => &[
            (Back, "back"),
            (Restart, "restart"),
            (Logs, "logs"),
            (Inspect, "inspect"),
            (Help, "help"),
        ],
        // Details of hosts and volumes do not scroll.
        Some(Overlay::Detail(_)) => &[(Back, "back"), (Help, "help"), (Quit, "quit")],
        Some(Overlay::Help { .. } | Overlay::Inspect(_)) => &[
            (Back, "close"),
            (Up, "up"),
            (Down, "down"),
            (PageDown, "page"),
            (Top, "top"),
            (Bottom, "bottom"),
            (Quit, "quit"),
        ],
        None => match state.pane {
            Pane::Nodes => &[
                (Help, "help"),
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
                (Filter, "filter"),
                (Open, "detail"),
                (Sort, "sort"),
                (Quit, "quit"),
                (NextPane, "next pane"),
            ],
        },
    };
    let contexts = active_contexts(state);
    wanted
        .iter()
        // Read-only refuses changes, so don't offer them.
        .filter(|(action, _)| !(state.read_only && is_mutating(*action)))
        .filter_map(|(action, label)| {
            let key = keys_of(*action, contexts).into_iter().next()?;
            Some((key, *label))
        })
        .collect()
}

/// Contexts in the order the keymap table first names them, for help.
pub fn contexts_in_keymap_order() -> Vec<Context> {
    let mut seen = Vec::new();
    for b in KEYMAP {
        if !seen.contains(&b.context) {
            seen.push(b.context);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Inventory;

    #[test]
    fn shadowed_keys_are_not_offered() {
        let viewer = [Context::Viewer, Context::Global];
        assert_eq!(keys_of(Action::Quit, &viewer), ["Ctrl-c"]);
        assert_eq!(keys_of(Action::Back, &viewer), ["Esc", "q"]);
        assert_eq!(
            keys_short(Action::Cancel, &[Context::Confirm]),
            ["n", "Esc"]
        );
    }

    #[test]
    fn read_only_hides_restart() {
        let mut state = State::new(Inventory::default(), false, 0);
        assert!(footer(&state).iter().any(|(_, l)| *l == "restart"));
        state.read_only = true;
        assert!(!footer(&state).iter().any(|(_, l)| *l == "restart"));
    }
}
