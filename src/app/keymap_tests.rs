//! The keymap: lookup by context order, shifted letters, which actions
//! mutate, no key bound twice in one context, names that round-trip.

use std::collections::HashSet;

use crossterm::event::{KeyCode, KeyModifiers};

use super::*;
use crate::app::keymap_load::default_keymap;
use crate::app::keymap_spec::SPEC;

fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
    KeyEvent::new(code, mods)
}

#[test]
fn contexts_are_searched_in_order() {
    let km = default_keymap();
    let j = ev(KeyCode::Char('j'), KeyModifiers::NONE);
    assert_eq!(
        km.lookup(&j, &[Context::Viewer, Context::Global]),
        Some(Action::Down)
    );
    let q = ev(KeyCode::Char('q'), KeyModifiers::NONE);
    assert_eq!(
        km.lookup(&q, &[Context::Viewer, Context::Global]),
        Some(Action::Back)
    );
    assert_eq!(
        km.lookup(&q, &[Context::Table, Context::Global]),
        Some(Action::Quit)
    );
    let ctrl_c = ev(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(km.lookup(&ctrl_c, &[Context::Global]), Some(Action::Quit));
}

#[test]
fn shifted_letters_match_with_or_without_the_shift_flag() {
    let km = default_keymap();
    let g = ev(KeyCode::Char('G'), KeyModifiers::SHIFT);
    assert_eq!(km.lookup(&g, &[Context::Table]), Some(Action::Bottom));
    let back_tab = ev(KeyCode::BackTab, KeyModifiers::SHIFT);
    assert_eq!(
        km.lookup(&back_tab, &[Context::Global]),
        Some(Action::PrevPane)
    );
}

#[test]
fn restart_is_the_mutating_action() {
    let km = default_keymap();
    assert!(km.is_mutating(Action::Restart));
    assert!(!km.is_mutating(Action::Logs));
    assert!(is_mutating(Action::Restart));
    assert_eq!(
        km.keys_for(Action::Restart, Context::Nodes).as_deref(),
        Some("r")
    );
    assert_eq!(km.keys_for(Action::Restart, Context::Jobs), None);
}

#[test]
fn no_key_is_bound_twice_in_one_context() {
    let km = default_keymap();
    let mut seen = HashSet::new();
    for b in km.bindings() {
        for key in &b.keys {
            assert!(
                seen.insert((b.context, *key)),
                "{} bound twice in {:?}",
                key_label(key),
                b.context
            );
        }
    }
}

#[test]
fn every_action_is_bound_by_default_and_its_name_round_trips() {
    let km = default_keymap();
    assert_eq!(km.bindings().len(), SPEC.len());
    for b in km.bindings() {
        assert!(
            !b.keys.is_empty(),
            "{:?} in {:?} has no key",
            b.action,
            b.context
        );
        let name = b.action.name();
        assert_eq!(Action::from_name(name), Some(b.action), "{name}");
        assert!(
            name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{name} is kebab-case"
        );
        assert_eq!(Context::from_name(b.context.name()), Some(b.context));
    }
    assert_eq!(
        Action::from_name("pane-timeline"),
        Some(Action::GotoPane(5))
    );
    assert_eq!(Action::from_name("nope"), None);
    assert_eq!(Context::from_name("table"), None);
}

#[test]
fn names_are_unique() {
    let names: HashSet<&str> = SPEC.iter().map(|s| s.action.name()).collect();
    let actions: HashSet<Action> = SPEC.iter().map(|s| s.action).collect();
    assert_eq!(names.len(), actions.len());
    let contexts: HashSet<&str> = Context::ALL.iter().map(|c| c.name()).collect();
    assert_eq!(contexts.len(), Context::ALL.len());
}
