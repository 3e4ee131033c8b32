//! The keys that really trigger an action, read from the keymap table.
//! Below the footer hints, the tab bar and the dialogs, which all name keys
//! with them.

use crossterm::event::KeyEvent;

use crate::app::keymap::{key_label, lookup, Action, Context, KEYMAP};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
