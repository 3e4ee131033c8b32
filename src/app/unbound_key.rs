//! A key bound nowhere (not here, not in another context) still gets an
//! answer on the status line, so a typo never reads as a hung screen.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::keymap::{key_label, Key};
use super::state::{Level, State};

/// `z does nothing here (? lists every key)`, at Info level, for a key a
/// person types on purpose: a character or a function key, with or
/// without modifiers. Modifiers alone, media keys and the like say
/// nothing.
pub fn say_it_does_nothing(state: &mut State, event: &KeyEvent) {
    let Some(label) = label_of(event) else {
        return;
    };
    let text = format!("{label} does nothing here{}", state.keymap.help_hint());
    state.set_status(Level::Info, text);
}

/// How help would write the key; None for those not worth a word.
fn label_of(event: &KeyEvent) -> Option<String> {
    let typed = match event.code {
        KeyCode::Char(c) => !c.is_control(),
        KeyCode::F(_) => true,
        KeyCode::Backspace
        | KeyCode::Enter
        | KeyCode::Left
        | KeyCode::Right
        | KeyCode::Up
        | KeyCode::Down
        | KeyCode::Home
        | KeyCode::End
        | KeyCode::PageUp
        | KeyCode::PageDown
        | KeyCode::Tab
        | KeyCode::BackTab
        | KeyCode::Delete
        | KeyCode::Insert
        | KeyCode::Null
        | KeyCode::Esc
        | KeyCode::CapsLock
        | KeyCode::ScrollLock
        | KeyCode::NumLock
        | KeyCode::PrintScreen
        | KeyCode::Pause
        | KeyCode::Menu
        | KeyCode::KeypadBegin
        | KeyCode::Media(_)
        | KeyCode::Modifier(_) => false,
    };
    typed.then(|| {
        key_label(&Key {
            code: event.code,
            // Shifted letters arrive upper-case: `Z`, not `Shift-Z`.
            mods: event.modifiers - KeyModifiers::SHIFT,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::{update, Msg, Pane};
    use crate::model::{Host, Inventory};
    use crossterm::event::ModifierKeyCode;

    fn fresh(pane: Pane) -> State {
        let inv = Inventory::new(vec![Host::new("local", "unix:///sock", "flag")]);
        let mut s = State::new(inv, false, 1_700_000_000);
        s.pane = pane;
        s
    }

    fn said(s: &mut State, code: KeyCode, mods: KeyModifiers) -> Option<(Level, String)> {
        s.status = None;
        update(s, Msg::Key(KeyEvent::new(code, mods)));
        s.status.as_ref().map(|m| (m.level, m.text.clone()))
    }

    #[test]
    fn a_key_bound_nowhere_says_it_does_nothing_with_helps_key() {
        let mut s = fresh(Pane::Nodes);
        let z = said(&mut s, KeyCode::Char('z'), KeyModifiers::NONE);
        assert_eq!(
            z,
            Some((
                Level::Info,
                "z does nothing here (? lists every key)".into()
            ))
        );
        let upper = said(&mut s, KeyCode::Char('Z'), KeyModifiers::SHIFT);
        assert_eq!(upper.unwrap().1, "Z does nothing here (? lists every key)");
        let ctrl = said(&mut s, KeyCode::Char('y'), KeyModifiers::CONTROL);
        assert_eq!(
            ctrl.unwrap().1,
            "Ctrl-y does nothing here (? lists every key)"
        );
        let f9 = said(&mut s, KeyCode::F(9), KeyModifiers::NONE);
        assert_eq!(f9.unwrap().1, "F9 does nothing here (? lists every key)");
    }

    #[test]
    fn modifiers_alone_say_nothing() {
        let mut s = fresh(Pane::Nodes);
        let shift = KeyCode::Modifier(ModifierKeyCode::LeftShift);
        assert_eq!(said(&mut s, shift, KeyModifiers::SHIFT), None);
        assert_eq!(said(&mut s, KeyCode::CapsLock, KeyModifiers::NONE), None);
    }

    #[test]
    fn every_key_the_issue_named_says_something_on_its_pane() {
        let cases = [
            // `m` (promote a swarm node) has a key since.
            (Pane::Nodes, "zwx"),
            (Pane::Zookeeper, "lriRx"),
            (Pane::Balancer, "lriRx"),
        ];
        for (pane, keys) in cases {
            let mut s = fresh(pane);
            for c in keys.chars() {
                let text = said(&mut s, KeyCode::Char(c), KeyModifiers::NONE)
                    .map(|(_, t)| t)
                    .unwrap_or_default();
                assert!(
                    text.starts_with(&format!("{c} does nothing here")),
                    "{pane:?} {c}: {text:?}"
                );
                assert!(text.ends_with("(? lists every key)"), "{text}");
            }
        }
    }

    #[test]
    fn the_hint_names_helps_key_in_effect() {
        let mut s = fresh(Pane::Nodes);
        let mut keymap = (*s.keymap).clone();
        let f1 = crate::app::keymap::parse_key("F1").unwrap();
        let place = crate::config::Place {
            path: "config.toml".into(),
            line: 1,
            column: 1,
        };
        keymap.set_keys(
            crate::app::keymap::Action::Help,
            crate::app::keymap::Context::Global,
            vec![f1],
            place,
        );
        s.keymap = std::sync::Arc::new(keymap);
        let text = said(&mut s, KeyCode::Char('z'), KeyModifiers::NONE)
            .unwrap()
            .1;
        assert_eq!(text, "z does nothing here (F1 lists every key)");
    }
}
