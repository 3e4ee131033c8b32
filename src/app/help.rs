//! What the help overlay lists, as plain rows: every binding of the keymap
//! in effect, grouped by where it applies. Generated from the keymap (the
//! user's keys included), so it cannot fall out of step with the keys;
//! `update` scrolls by its length and the UI only styles and draws it.

use super::keymap::{context_title, Binding, Keymap};
use super::keymap_spec::contexts_in_spec_order;

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
