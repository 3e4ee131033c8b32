//! The keymap in effect: every action in every context it works in, with
//! the keys that trigger it there. It is built from the defaults the
//! binary embeds and the user's `[keys]` (`keymap_load`); key lookup, help,
//! footer hints, the palette and read-only refusal all read it, so they
//! show the keys in effect.

use std::borrow::Cow;

use crossterm::event::KeyEvent;

pub use super::key_syntax::{key_label, key_text, parse_key, Key};
pub use super::keymap_names::{aliases, context_title};
use super::keymap_spec::SPEC;
pub use super::keymap_spec::{is_mutating, is_navigation, live, Action, Context, Spec, LIVE_SETS};
use crate::config::Place;

/// One action in one context, with its keys there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub action: Action,
    /// The action's name (`restart`; a user action's own).
    pub name: Cow<'static, str>,
    pub context: Context,
    /// None at all: unbound (the palette still runs it).
    pub keys: Vec<Key>,
    pub help: Cow<'static, str>,
    /// Changes something on a host: confirmed in the UI, refused read-only.
    pub mutating: bool,
    /// Where the keys were written: the built-in defaults or the user's
    /// `[keys]`; None while unbound from the start.
    pub written: Option<Place>,
}

impl Binding {
    pub fn has(&self, event: &KeyEvent) -> bool {
        self.keys.iter().any(|key| key.matches(event))
    }
}

/// Every binding, in the spec's order (help's order).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Keymap {
    /// Every action of the spec in each of its contexts, with no key.
    pub fn unbound() -> Keymap {
        let bindings = SPEC
            .iter()
            .map(|s| Binding {
                action: s.action,
                name: Cow::Borrowed(s.action.name()),
                context: s.context,
                keys: Vec::new(),
                help: Cow::Borrowed(s.help),
                mutating: s.mutating,
                written: None,
            })
            .collect();
        Keymap { bindings }
    }

    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// A binding of an action the spec does not know: a user action.
    pub fn add(&mut self, binding: Binding) {
        self.bindings.push(binding);
    }

    /// The binding of `action` in `context`, if it works there.
    pub fn binding(&self, action: Action, context: Context) -> Option<&Binding> {
        self.bindings
            .iter()
            .find(|b| b.action == action && b.context == context)
    }

    /// Gives `action` in `context` these keys (none: unbound), written at
    /// `written`. False when the action does not work in that context.
    pub fn set_keys(
        &mut self,
        action: Action,
        context: Context,
        keys: Vec<Key>,
        written: Place,
    ) -> bool {
        let Some(b) = self
            .bindings
            .iter_mut()
            .find(|b| b.action == action && b.context == context)
        else {
            return false;
        };
        b.keys.clear();
        for key in keys {
            if !b.keys.contains(&key) {
                b.keys.push(key);
            }
        }
        b.written = Some(written);
        true
    }

    /// The action bound to `event` in the first of `contexts` that has one.
    pub fn lookup(&self, event: &KeyEvent, contexts: &[Context]) -> Option<Action> {
        contexts.iter().find_map(|ctx| {
            self.bindings
                .iter()
                .find(|b| b.context == *ctx && b.has(event))
                .map(|b| b.action)
        })
    }

    /// A binding of `event` in a context other than `contexts`, to say
    /// where a key that does nothing here works.
    pub fn bound_elsewhere(&self, event: &KeyEvent, contexts: &[Context]) -> Option<&Binding> {
        self.bindings
            .iter()
            .find(|b| !contexts.contains(&b.context) && b.has(event))
    }

    /// The name of `action` (a user action's own), as the audit log says it.
    pub fn name_of(&self, action: Action) -> String {
        self.bindings
            .iter()
            .find(|b| b.action == action)
            .map_or_else(|| action.name().to_string(), |b| b.name.to_string())
    }

    /// Whether `action` changes something (per action, wherever its key).
    pub fn is_mutating(&self, action: Action) -> bool {
        self.bindings
            .iter()
            .any(|b| b.action == action && b.mutating)
    }

    /// The first key of `action` in `context`, as shown.
    pub fn keys_for(&self, action: Action, context: Context) -> Option<String> {
        self.binding(action, context)
            .and_then(|b| b.keys.first())
            .map(key_label)
    }

    /// ` (? lists every key)`, with help's key in effect; nothing when
    /// help has no key.
    pub fn help_hint(&self) -> String {
        self.keys_for(Action::Help, Context::Global)
            .map(|key| format!(" ({key} lists every key)"))
            .unwrap_or_default()
    }
}

#[cfg(test)]
#[path = "keymap_tests.rs"]
mod tests;
