//! Building the keymap: the defaults the binary embeds
//! (`keys/default.toml`), then the user's `[keys]` over them, an entry
//! replacing that action's keys in that context. Every mistake and every
//! clash is reported with the file, line and column it was written at.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use crossterm::event::{KeyCode, KeyModifiers};

use super::keymap::{key_text, parse_key, Action, Binding, Context, Key, Keymap};
use super::keymap_spec::{is_navigation, spec_of, LIVE_SETS, MEANT_SHADOWS, SPEC};
use crate::config::{parse_keys_document, KeysEntry, KeysTable, Place};

/// What the embedded defaults are called in messages.
pub const DEFAULT_KEYS_PATH: &str = "keys/default.toml";
/// The default keys: one table per context, `action = ["key", …]`.
pub const DEFAULT_KEYS: &str = include_str!("../../keys/default.toml");

/// Ctrl-c quits whatever is on top (before any lookup), so it can be no
/// other action's key.
pub(super) const CTRL_C: Key = Key {
    code: KeyCode::Char('c'),
    mods: KeyModifiers::CONTROL,
};

/// A mistake in `[keys]`, or two actions on one key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    #[error(
        "{at}: [keys.{context}]: no such context (there are: {})",
        context_names()
    )]
    UnknownContext { at: Place, context: String },
    #[error("{at}: [keys.{context}] {action}: no such action in {context} (there are: {known})")]
    UnknownAction {
        at: Place,
        context: &'static str,
        action: String,
        known: String,
    },
    #[error("{at}: [keys.{context}] {action}: does nothing in {context}; it works in [keys.{}]", works_in.join("], [keys."))]
    NotInContext {
        at: Place,
        context: &'static str,
        action: &'static str,
        works_in: Vec<&'static str>,
    },
    #[error("{at}: [keys.{context}] {action}: bad key: {reason}")]
    BadKey {
        at: Place,
        context: &'static str,
        action: &'static str,
        reason: String,
    },
    #[error(
        "{at}: [keys.{context}] {action}: Ctrl-c always quits; it cannot be another action's key"
    )]
    Reserved {
        at: Place,
        context: &'static str,
        action: &'static str,
    },
    #[error(
        "{at}: key {key}: \"{first}\" ({first_context}) and \"{second}\" ({second_context}) \
         where both work; {key} does \"{first}\" there"
    )]
    Conflict {
        at: Place,
        key: String,
        first: String,
        first_context: &'static str,
        second: String,
        second_context: &'static str,
    },
    #[error(
        "{at}: key {key}: \"{dangerous}\" ({dangerous_context}) changes things and must not \
         share a key with \"{navigation}\" ({navigation_context}), which moves; give it another key"
    )]
    Dangerous {
        at: Place,
        key: String,
        dangerous: String,
        dangerous_context: &'static str,
        navigation: String,
        navigation_context: &'static str,
    },
    /// A mistake in an `[[actions]]` entry's key or roles.
    #[error("{at}: [[actions]] {name}: {reason}")]
    UserAction {
        at: Place,
        name: String,
        reason: String,
    },
}

impl KeymapError {
    /// Whether tugboat refuses to start with it. Two actions on one key
    /// only make the first win (said on the status line); every other
    /// mistake, and a key that could change things where one moves, stop it.
    pub fn stops_start(&self) -> bool {
        !matches!(self, KeymapError::Conflict { .. })
    }

    /// Where it was written.
    pub fn place(&self) -> &Place {
        match self {
            KeymapError::UnknownContext { at, .. }
            | KeymapError::UnknownAction { at, .. }
            | KeymapError::NotInContext { at, .. }
            | KeymapError::BadKey { at, .. }
            | KeymapError::Reserved { at, .. }
            | KeymapError::Conflict { at, .. }
            | KeymapError::Dangerous { at, .. }
            | KeymapError::UserAction { at, .. } => at,
        }
    }
}

fn context_names() -> String {
    let names: Vec<&str> = Context::ALL.iter().map(|c| c.name()).collect();
    names.join(", ")
}

/// A keymap and what was wrong on the way (its bad entries left out).
#[derive(Debug, Clone)]
pub struct Built {
    pub keymap: Keymap,
    pub errors: Vec<KeymapError>,
}

/// The embedded defaults, built once.
pub fn default_keymap() -> Arc<Keymap> {
    static DEFAULT: OnceLock<Arc<Keymap>> = OnceLock::new();
    DEFAULT
        .get_or_init(|| Arc::new(build_defaults().keymap))
        .clone()
}

/// The defaults, with what is wrong with them (a test keeps that empty).
pub fn build_defaults() -> Built {
    let table = parse_keys_document(Path::new(DEFAULT_KEYS_PATH), DEFAULT_KEYS)
        .expect("keys/default.toml is valid TOML (tested)");
    let mut keymap = Keymap::unbound();
    let mut errors = Vec::new();
    overlay(&mut keymap, &table, &mut errors);
    errors.extend(clashes(&keymap));
    by_place(&mut errors);
    Built { keymap, errors }
}

/// The defaults with `user` (the `[keys]` of config.toml) over them.
pub fn build(user: &KeysTable) -> Built {
    build_then(user, |_, _| {})
}

/// The defaults with `user` over them, then what `more` binds (the
/// `[[actions]]`: app::user_actions): their keys clash like any other.
pub fn build_then(
    user: &KeysTable,
    more: impl FnOnce(&mut Keymap, &mut Vec<KeymapError>),
) -> Built {
    let mut keymap = (*default_keymap()).clone();
    let mut errors = Vec::new();
    overlay(&mut keymap, user, &mut errors);
    more(&mut keymap, &mut errors);
    errors.extend(clashes(&keymap));
    by_place(&mut errors);
    Built { keymap, errors }
}

/// In the order of the file (stable: one place's errors as found).
fn by_place(errors: &mut [KeymapError]) {
    errors.sort_by(|a, b| {
        let (a, b) = (a.place(), b.place());
        (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column))
    });
}

/// Each entry of `table` replaces its action's keys in its context; a bad
/// entry is reported and leaves the keys as they were.
fn overlay(keymap: &mut Keymap, table: &KeysTable, errors: &mut Vec<KeymapError>) {
    for ctx in &table.contexts {
        let Some(context) = Context::from_name(&ctx.name) else {
            errors.push(KeymapError::UnknownContext {
                at: ctx.at.clone(),
                context: ctx.name.clone(),
            });
            continue;
        };
        for entry in &ctx.entries {
            if let Some((action, keys)) = checked_entry(context, entry, errors) {
                keymap.set_keys(action, context, keys, entry.at.clone());
            }
        }
    }
}

/// The action and keys of one entry, or None (and why, in `errors`).
fn checked_entry(
    context: Context,
    entry: &KeysEntry,
    errors: &mut Vec<KeymapError>,
) -> Option<(Action, Vec<Key>)> {
    let Some(action) = Action::from_name(&entry.action) else {
        let known: Vec<&str> = SPEC
            .iter()
            .filter(|s| s.context == context)
            .map(|s| s.action.name())
            .collect();
        errors.push(KeymapError::UnknownAction {
            at: entry.at.clone(),
            context: context.name(),
            action: entry.action.clone(),
            known: known.join(", "),
        });
        return None;
    };
    if spec_of(action, context).is_none() {
        errors.push(KeymapError::NotInContext {
            at: entry.at.clone(),
            context: context.name(),
            action: action.name(),
            works_in: SPEC
                .iter()
                .filter(|s| s.action == action)
                .map(|s| s.context.name())
                .collect(),
        });
        return None;
    }
    let before = errors.len();
    let mut keys = Vec::new();
    for (text, at) in &entry.keys {
        match parse_key(text) {
            Ok(key) if key == CTRL_C && action != Action::Quit => {
                errors.push(KeymapError::Reserved {
                    at: at.clone(),
                    context: context.name(),
                    action: action.name(),
                });
            }
            Ok(key) => keys.push(key),
            Err(reason) => errors.push(KeymapError::BadKey {
                at: at.clone(),
                context: context.name(),
                action: action.name(),
                reason,
            }),
        }
    }
    (errors.len() == before).then_some((action, keys))
}

/// Every key two actions share where their contexts work together (the
/// first one wins there), in the order written; an action that changes
/// things sharing one with an action that moves is `Dangerous`.
pub fn clashes(keymap: &Keymap) -> Vec<KeymapError> {
    let bindings = keymap.bindings();
    let mut seen: HashSet<(usize, usize, Key)> = HashSet::new();
    let mut found = Vec::new();
    for set in LIVE_SETS {
        // In lookup order: by the set's contexts, then as listed.
        let live: Vec<(usize, &Binding)> = set
            .iter()
            .flat_map(|c| {
                bindings
                    .iter()
                    .enumerate()
                    .filter(move |(_, b)| b.context == *c)
            })
            .collect();
        for (n, (i, first)) in live.iter().enumerate() {
            for (j, second) in &live[n + 1..] {
                if first.action == second.action || meant(first, second) {
                    continue;
                }
                for key in first.keys.iter().filter(|k| second.keys.contains(k)) {
                    if seen.insert((*i, *j, *key)) {
                        found.push(clash(first, second, key));
                    }
                }
            }
        }
    }
    by_place(&mut found);
    found
}

fn meant(first: &Binding, second: &Binding) -> bool {
    MEANT_SHADOWS.contains(&(first.action, first.context, second.action, second.context))
}

/// Two bindings on `key`, `first` winning: reported at the user's entry
/// when one of them is the user's.
fn clash(first: &Binding, second: &Binding, key: &Key) -> KeymapError {
    let user = |b: &Binding| {
        b.written
            .clone()
            .filter(|p| p.path != Path::new(DEFAULT_KEYS_PATH))
    };
    let at = user(second)
        .or_else(|| user(first))
        .or_else(|| second.written.clone())
        .unwrap_or_else(|| Place {
            path: DEFAULT_KEYS_PATH.into(),
            line: 1,
            column: 1,
        });
    let key = key_text(key);
    let dangerous = [(first, second), (second, first)]
        .into_iter()
        .find(|(d, n)| d.mutating && is_navigation(n.action));
    match dangerous {
        Some((d, n)) => KeymapError::Dangerous {
            at,
            key,
            dangerous: d.name.to_string(),
            dangerous_context: d.context.name(),
            navigation: n.name.to_string(),
            navigation_context: n.context.name(),
        },
        None => KeymapError::Conflict {
            at,
            key,
            first: first.name.to_string(),
            first_context: first.context.name(),
            second: second.name.to_string(),
            second_context: second.context.name(),
        },
    }
}

#[cfg(test)]
#[path = "keymap_load_tests.rs"]
mod tests;
