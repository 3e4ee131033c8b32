//! The keymap table: lookup by context order, shifted letters, which
//! actions mutate, no key bound twice in one context.

use super::*;

fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, mods)
}

#[test]
fn contexts_are_searched_in_order() {
    let j = ev(KeyCode::Char('j'), KeyModifiers::NONE);
    assert_eq!(
        lookup(&j, &[Context::Viewer, Context::Global]),
        Some(Action::Down)
    );
    let q = ev(KeyCode::Char('q'), KeyModifiers::NONE);
    assert_eq!(
        lookup(&q, &[Context::Viewer, Context::Global]),
        Some(Action::Back)
    );
    assert_eq!(
        lookup(&q, &[Context::Table, Context::Global]),
        Some(Action::Quit)
    );
    let ctrl_c = ev(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(lookup(&ctrl_c, &[Context::Global]), Some(Action::Quit));
}

#[test]
fn shifted_letters_match_with_or_without_the_shift_flag() {
    let g = ev(KeyCode::Char('G'), KeyModifiers::SHIFT);
    assert_eq!(lookup(&g, &[Context::Table]), Some(Action::Bottom));
    let back_tab = ev(KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(
        lookup(&back_tab, &[Context::Global]),
        Some(Action::PrevPane)
    );
}

#[test]
fn restart_is_the_mutating_action() {
    assert!(is_mutating(Action::Restart));
    assert!(!is_mutating(Action::Logs));
}

#[test]
fn no_key_is_bound_twice_in_one_context() {
    for (i, a) in KEYMAP.iter().enumerate() {
        for b in &KEYMAP[i + 1..] {
            if a.context != b.context {
                continue;
            }
            for ka in a.keys {
                assert!(
                    !b.keys
                        .iter()
                        .any(|kb| kb.code == ka.code && kb.mods == ka.mods),
                    "{} bound twice in {:?}",
                    key_label(ka),
                    a.context
                );
            }
        }
    }
}
