//! The keys that really trigger an action, read from the keymap in effect
//! (the user's keys included). Below the footer hints, the tab bar and the
//! dialogs, which all name keys with them.

use crossterm::event::KeyEvent;

use crate::app::keymap::{key_label, Action, Context, Keymap};

/// Labels of the keys that really trigger `action` under `contexts`: a key
/// shadowed by an earlier context (`q` closes a viewer, it doesn't quit) is
/// left out, so a hint can never promise what a key won't do.
pub fn keys_of(keymap: &Keymap, action: Action, contexts: &[Context]) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    for binding in keymap
        .bindings()
        .iter()
        .filter(|b| b.action == action && contexts.contains(&b.context))
    {
        for key in &binding.keys {
            let event = KeyEvent::new(key.code, key.mods);
            let label = key_label(key);
            if keymap.lookup(&event, contexts) == Some(action) && !keys.contains(&label) {
                keys.push(label);
            }
        }
    }
    keys
}

/// `keys_of` without upper-case twins of bound lower-case letters
/// (`n / Esc` rather than `n / N / Esc`): shorter, and says the same.
pub fn keys_short(keymap: &Keymap, action: Action, contexts: &[Context]) -> Vec<String> {
    let keys = keys_of(keymap, action, contexts);
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
    use crate::app::keymap_load::{build, default_keymap};
    use crate::config::parse_config;

    #[test]
    fn shadowed_keys_are_not_offered() {
        let km = default_keymap();
        let viewer = [Context::Viewer, Context::Global];
        assert_eq!(keys_of(&km, Action::Quit, &viewer), ["Ctrl-c"]);
        assert_eq!(keys_of(&km, Action::Back, &viewer), ["Esc", "q"]);
        assert_eq!(
            keys_short(&km, Action::Cancel, &[Context::Confirm]),
            ["n", "Esc"]
        );
    }

    #[test]
    fn remapped_keys_are_the_ones_shown() {
        let src = "[keys.nodes]\nrestart = \"X\"\n[keys.confirm]\nconfirm = [\"Enter\"]\n";
        let file = parse_config(std::path::Path::new("c.toml"), src).unwrap();
        let built = build(&file.keys);
        assert_eq!(built.errors, []);
        let km = built.keymap;
        let nodes = [Context::Nodes, Context::Table, Context::Global];
        assert_eq!(keys_of(&km, Action::Restart, &nodes), ["X"]);
        assert_eq!(
            keys_short(&km, Action::Confirm, &[Context::Confirm]),
            ["Enter"]
        );
    }
}
