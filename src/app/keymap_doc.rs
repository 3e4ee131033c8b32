//! The README's key table: every binding of a keymap as a Markdown table,
//! in help's order, with its keys as `[keys]` writes them, where it works
//! and its help text. Written from the keymap, so it cannot drift;
//! `tests/readme_docs.rs` holds the README's copy equal to the default
//! keymap's.

use super::keymap::{context_title, key_text, Binding, Keymap};
use super::keymap_spec::contexts_in_spec_order;

/// The table's head: a key, where it works (with its `[keys.CONTEXT]`),
/// the action's name in `[keys]`, and what it does.
const HEAD: &str = "| key | where | action | what |\n|---|---|---|---|\n";

/// Every binding of `keymap` as one Markdown table, grouped by context in
/// help's order.
pub fn keys_markdown(keymap: &Keymap) -> String {
    let mut text = String::from(HEAD);
    for context in contexts_in_spec_order() {
        let place = format!("{} (`{}`)", context_title(context), context.name());
        for b in keymap.bindings().iter().filter(|b| b.context == context) {
            text.push_str(&format!(
                "| {} | {} | `{}` | {} |\n",
                keys_cell(b),
                cell(&place),
                b.action.name(),
                cell(&b.help),
            ));
        }
    }
    text
}

/// `` `q`, `Ctrl-c` ``, or `(none)` for an unbound action.
fn keys_cell(b: &Binding) -> String {
    if b.keys.is_empty() {
        return "(none)".into();
    }
    let keys: Vec<String> = b.keys.iter().map(|k| code(&key_text(k))).collect();
    cell(&keys.join(", "))
}

/// `text` as inline code, even when it holds a backtick.
fn code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// `text` safe in a table cell: a `|` would end the cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap::{parse_key, Action, Context};
    use crate::app::keymap_load::default_keymap;
    use crate::config::Place;

    #[test]
    fn every_binding_is_one_row() {
        let keymap = default_keymap();
        let table = keys_markdown(&keymap);
        let rows = table.lines().count() - 2;
        assert_eq!(rows, keymap.bindings().len());
        assert!(table.starts_with(HEAD));
        assert!(
            table.contains(
                "| `r` | Nodes pane (`nodes`) | `restart` | restart the container (asks first) |\n"
            ),
            "{table}"
        );
        assert!(table.contains("| `q`, `Ctrl-c` | Everywhere (`global`) | `quit` | quit |\n"));
    }

    #[test]
    fn odd_keys_stay_inside_their_cell() {
        let mut keymap = default_keymap().as_ref().clone();
        let keys = vec![parse_key("|").unwrap(), parse_key("`").unwrap()];
        let place = Place {
            path: "c.toml".into(),
            line: 1,
            column: 1,
        };
        assert!(keymap.set_keys(Action::Restart, Context::Nodes, keys, place.clone()));
        assert!(keymap.set_keys(Action::Logs, Context::Nodes, Vec::new(), place));
        let table = keys_markdown(&keymap);
        assert!(table.contains("| `\\|`, `` ` `` | Nodes pane"), "{table}");
        assert!(table.contains("| (none) | Nodes pane (`nodes`) | `logs` |"));
    }
}
