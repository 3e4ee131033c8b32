//! A keymap written out as TOML: one table per context, each action with
//! its help as a comment above its keys. The same text is the body of
//! `keys/default.toml` (a test holds them equal) and the `[keys]` part of
//! what `tugboat config --print-default` prints.

use super::keymap::{context_title, key_text, Binding, Keymap};
use super::keymap_spec::contexts_in_spec_order;
use crate::config::toml_string;

/// What `[keys]` is, for the top of a config file.
const CONFIG_HEADER: &str = "\
# Keys: [keys.CONTEXT] action = \"key\", or a list [\"key\", \"key\"]; [] unbinds it.
# An entry replaces that action's keys in that context; what is left out keeps
# its default. Contexts: global, tables, nodes, viewers, logs, confirm,
# zookeeper, balancer, jobs.
# A key is one character (r, R, ?, :), a name (Space, Enter, Esc, Tab,
# Shift-Tab, Up, Down, Left, Right, PageUp, PageDown, Home, End, Delete,
# Backspace, Insert, F1..F12), or Ctrl- or Alt- and one of those (Ctrl-f).
# Ctrl-c always quits. Two actions on one key where both work are reported
# (the first wins), and an action that changes things may never share a key
# with one that moves (up, down, page-up, page-down, top, bottom, back,
# next-pane, prev-pane, pane-*): tugboat config --check FILE says where.
";

/// The tables of `keymap`, their names after `prefix` (`keys.` in
/// config.toml, nothing in `keys/default.toml`).
pub fn keys_toml(keymap: &Keymap, prefix: &str) -> String {
    let mut text = String::new();
    for (i, context) in contexts_in_spec_order().into_iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        text.push_str(&format!(
            "# {}\n[{prefix}{}]\n",
            context_title(context),
            context.name()
        ));
        for b in keymap.bindings().iter().filter(|b| b.context == context) {
            text.push_str(&format!(
                "# {}\n{} = {}\n",
                b.help,
                b.action.name(),
                keys_value(b)
            ));
        }
    }
    text
}

/// `"r"`, `["q", "Ctrl-c"]` or `[]`.
fn keys_value(b: &Binding) -> String {
    let keys: Vec<String> = b.keys.iter().map(|k| toml_string(&key_text(k))).collect();
    match keys.as_slice() {
        [one] => one.clone(),
        _ => format!("[{}]", keys.join(", ")),
    }
}

/// `[keys]` for a config file: what it is, then every table of `keymap`.
pub fn keys_config_text(keymap: &Keymap) -> String {
    format!("{CONFIG_HEADER}\n{}", keys_toml(keymap, "keys."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap_load::{build, build_defaults, default_keymap, DEFAULT_KEYS};
    use crate::config::parse_config;

    /// Keys are edited in the file, help in the code: the file's comments
    /// and layout must follow the code.
    #[test]
    fn the_default_file_is_the_default_keymap_written_out() {
        let written = keys_toml(&default_keymap(), "");
        assert!(
            DEFAULT_KEYS.ends_with(&written),
            "keys/default.toml must end with exactly this (its keys kept):\n{written}"
        );
        assert!(build_defaults().errors.is_empty());
    }

    #[test]
    fn the_config_text_reads_back_as_the_defaults() {
        let text = keys_config_text(&default_keymap());
        let file = parse_config(std::path::Path::new("c.toml"), &text).unwrap();
        let built = build(&file.keys);
        assert_eq!(built.errors, []);
        let keys = |k: &Keymap| -> Vec<_> { k.bindings().iter().map(|b| b.keys.clone()).collect() };
        assert_eq!(keys(&built.keymap), keys(&default_keymap()));
        assert!(text.contains("[keys.nodes]\n"), "{text}");
        assert!(text.contains("# restart the container (asks first)\nrestart = \"r\"\n"));
    }
}
