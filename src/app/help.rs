//! What the help overlay lists, as plain rows: every binding of the keymap
//! in effect, grouped by where it applies. Generated from the keymap (the
//! user's keys included), so it cannot fall out of step with the keys;
//! `update` scrolls by its length and the UI only styles and draws it.

use super::keymap::{context_title, key_label, Binding, Keymap};
use super::keymap_spec::contexts_in_spec_order;
use super::text_flow::cells;

/// Key column width; longer key lists push their text right rather than cut.
pub const KEYS_WIDTH: usize = 12;

/// After a binding's help while read-only refuses what it does.
pub const READ_ONLY_NOTE: &str = "  (off: read-only)";

/// One row of the help overlay.
#[derive(Debug, Clone, Copy)]
pub enum HelpRow<'a> {
    /// The title of a context's group (`Everywhere`, `Logs`, …).
    Section(&'static str),
    /// One binding: its keys, help text and whether it changes anything.
    Binding(&'a Binding),
    /// Space between groups.
    Blank,
}

/// Every row of the help overlay, top to bottom: for each context a title
/// and its bindings in table order, with a blank row between groups.
pub fn help_rows(keymap: &Keymap) -> Vec<HelpRow<'_>> {
    let mut rows = Vec::new();
    for (i, context) in contexts_in_spec_order().into_iter().enumerate() {
        if i > 0 {
            rows.push(HelpRow::Blank);
        }
        rows.push(HelpRow::Section(context_title(context)));
        rows.extend(
            keymap
                .bindings()
                .iter()
                .filter(|b| b.context == context)
                .map(HelpRow::Binding),
        );
    }
    rows
}

/// A binding's keys as the help lists them (`j/Down`), or `—` for an
/// action the user unbound: it is listed still, as the palette runs it.
pub fn keys_text(binding: &Binding) -> String {
    let keys: Vec<String> = binding.keys.iter().map(key_label).collect();
    if keys.is_empty() {
        "—".to_string()
    } else {
        keys.join("/")
    }
}

/// The spaces between a binding's keys and its help, at least one.
pub fn keys_pad(keys: &str) -> String {
    " ".repeat(KEYS_WIDTH.saturating_sub(cells(keys)).max(1))
}

/// The text of each row as the help draws it (`  j/Down      down`), so
/// `update` counts the rows a wrapped one takes.
pub fn help_texts(keymap: &Keymap, read_only: bool) -> Vec<String> {
    help_rows(keymap)
        .into_iter()
        .map(|row| match row {
            HelpRow::Blank => String::new(),
            HelpRow::Section(title) => title.to_string(),
            HelpRow::Binding(b) => {
                let keys = keys_text(b);
                let off = if b.mutating && read_only {
                    READ_ONLY_NOTE
                } else {
                    ""
                };
                format!("  {keys}{}{}{off}", keys_pad(&keys), b.help)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::keymap_load::default_keymap;

    #[test]
    fn help_rows_list_every_binding_exactly_once() {
        let keymap = default_keymap();
        let rows = help_rows(&keymap);
        for binding in keymap.bindings() {
            let count = rows
                .iter()
                .filter(|r| matches!(r, HelpRow::Binding(b) if std::ptr::eq(*b, binding)))
                .count();
            assert_eq!(count, 1, "{:?} in {:?}", binding.action, binding.context);
        }
        let bindings = rows
            .iter()
            .filter(|r| matches!(r, HelpRow::Binding(_)))
            .count();
        assert_eq!(bindings, keymap.bindings().len());
    }

    #[test]
    fn each_binding_sits_under_its_context_title() {
        let keymap = default_keymap();
        let mut section = "";
        for row in help_rows(&keymap) {
            match row {
                HelpRow::Section(title) => section = title,
                HelpRow::Binding(b) => assert_eq!(section, context_title(b.context)),
                HelpRow::Blank => {}
            }
        }
        assert!(matches!(
            help_rows(&keymap).first(),
            Some(HelpRow::Section(_))
        ));
    }
}
