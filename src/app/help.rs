//! What the help overlay lists, as plain rows: every binding of the keymap
//! table, grouped by where it applies. Generated from `KEYMAP`, so it cannot
//! fall out of step with the keys; `update` scrolls by its length and the
//! UI only styles and draws it.

use super::keymap::{context_title, Binding, Context, KEYMAP};

/// One row of the help overlay.
#[derive(Debug, Clone, Copy)]
pub enum HelpRow {
    /// The title of a context's group (`Everywhere`, `Logs`, …).
    Section(&'static str),
    /// One binding: its keys, help text and whether it changes anything.
    Binding(&'static Binding),
    /// Space between groups.
    Blank,
}

/// Contexts in the order the keymap table first names them.
pub fn contexts_in_keymap_order() -> Vec<Context> {
    let mut seen = Vec::new();
    for b in KEYMAP {
        if !seen.contains(&b.context) {
            seen.push(b.context);
        }
    }
    seen
}

/// Every row of the help overlay, top to bottom: for each context a title
/// and its bindings in table order, with a blank row between groups.
pub fn help_rows() -> Vec<HelpRow> {
    let mut rows = Vec::new();
    for (i, context) in contexts_in_keymap_order().into_iter().enumerate() {
        if i > 0 {
            rows.push(HelpRow::Blank);
        }
        rows.push(HelpRow::Section(context_title(context)));
        rows.extend(
            KEYMAP
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

    #[test]
    fn help_rows_list_every_binding_exactly_once() {
        let rows = help_rows();
        for binding in KEYMAP {
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
        assert_eq!(bindings, KEYMAP.len());
    }

    #[test]
    fn each_binding_sits_under_its_context_title() {
        let mut section = "";
        for row in help_rows() {
            match row {
                HelpRow::Section(title) => section = title,
                HelpRow::Binding(b) => assert_eq!(section, context_title(b.context)),
                HelpRow::Blank => {}
            }
        }
        assert!(matches!(help_rows().first(), Some(HelpRow::Section(_))));
    }
}
