//! `[keys]` as written: context → action → keys, each with the file, line
//! and column it was written at. Only the shape is checked here (tables
//! of strings or lists of strings); which contexts, actions and keys exist
//! is the keymap's business (`app::keymap_load`), a layer above.
//!
//! ```toml
//! [keys.nodes]
//! restart = "X"            # one key
//! kill = ["K", "Ctrl-k"]   # or several
//! logs = []                # or none: unbound
//! ```

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use toml::Spanned;

use super::error::{line_col, ConfigError};

/// Where something was written: `path:line:column`, 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

/// `[keys]`: one table per context, in the order written, each entry too.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct KeysTable {
    pub contexts: Vec<KeysContext>,
}

/// `[keys.CONTEXT]`: its name as written and its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysContext {
    pub name: String,
    pub at: Place,
    pub entries: Vec<KeysEntry>,
}

/// `action = "key"` or `action = ["key", …]`: the keys as written, each
/// with its own place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeysEntry {
    pub action: String,
    pub at: Place,
    pub keys: Vec<(String, Place)>,
}

impl KeysTable {
    /// No entry at all (no `[keys]`, or only empty tables).
    pub fn is_empty(&self) -> bool {
        self.contexts.iter().all(|c| c.entries.is_empty())
    }
}

/// A document whose top-level tables are the contexts, like the builtin
/// `keys/default.toml` (in config.toml they sit under `[keys]`).
pub fn parse_keys_document(path: &Path, src: &str) -> Result<KeysTable, ConfigError> {
    let raw: RawKeys = toml::from_str(src).map_err(|e| ConfigError::from_toml(path, src, &e))?;
    Ok(raw.placed(path, src))
}

/// `[keys]` as deserialized, with byte spans.
#[derive(Default)]
pub(super) struct RawKeys(Vec<(Spanned<String>, RawContext)>);

struct RawContext(Vec<(Spanned<String>, Spanned<RawKeyList>)>);

/// One string or a list of them.
enum RawKeyList {
    One(String),
    Many(Vec<Spanned<String>>),
}

impl RawKeys {
    /// Spans turned into places in `path`, whose text is `src`.
    pub(super) fn placed(mut self, path: &Path, src: &str) -> KeysTable {
        // The order written (a TOML table comes back sorted by name).
        self.0.sort_by_key(|(name, _)| name.span().start);
        for (_, RawContext(entries)) in &mut self.0 {
            entries.sort_by_key(|(action, _)| action.span().start);
        }
        let at = |span: Range<usize>| {
            let (line, column) = line_col(src, span.start);
            Place {
                path: path.to_path_buf(),
                line,
                column,
            }
        };
        let contexts = self
            .0
            .into_iter()
            .map(|(name, RawContext(entries))| KeysContext {
                at: at(name.span()),
                name: name.into_inner(),
                entries: entries
                    .into_iter()
                    .map(|(action, list)| {
                        let list_at = list.span();
                        let keys = match list.into_inner() {
                            RawKeyList::One(key) => vec![(key, at(list_at.clone()))],
                            RawKeyList::Many(keys) => keys
                                .into_iter()
                                .map(|k| (k.get_ref().clone(), at(k.span())))
                                .collect(),
                        };
                        KeysEntry {
                            at: at(action.span()),
                            action: action.into_inner(),
                            keys,
                        }
                    })
                    .collect(),
            })
            .collect();
        KeysTable { contexts }
    }
}

/// A map's entries, keys with their spans.
fn ordered_map<'de, A: MapAccess<'de>, V: Deserialize<'de>>(
    mut map: A,
) -> Result<Vec<(Spanned<String>, V)>, A::Error> {
    let mut out = Vec::new();
    while let Some(entry) = map.next_entry::<Spanned<String>, V>()? {
        out.push(entry);
    }
    Ok(out)
}

impl<'de> Deserialize<'de> for RawKeys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawKeys;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("tables of keys by context, as in [keys.nodes]")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawKeys, A::Error> {
                ordered_map(map).map(RawKeys)
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for RawContext {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawContext;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table of actions and their keys, as in [keys.nodes]")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawContext, A::Error> {
                ordered_map(map).map(RawContext)
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for RawKeyList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawKeyList;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key (\"r\", \"Ctrl-x\") or a list of keys")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawKeyList, E> {
                Ok(RawKeyList::One(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawKeyList, A::Error> {
                let mut keys = Vec::new();
                while let Some(key) = seq.next_element::<Spanned<String>>()? {
                    keys.push(key);
                }
                Ok(RawKeyList::Many(keys))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<KeysTable, String> {
        parse_keys_document(Path::new("k.toml"), src).map_err(|e| e.to_string())
    }

    #[test]
    fn contexts_and_entries_keep_their_order_and_places() {
        let t =
            parse("[nodes]\nrestart = \"X\"\nkill = [\"K\", \"Ctrl-k\"]\n\n[global]\nquit = []\n")
                .unwrap();
        let names: Vec<&str> = t.contexts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["nodes", "global"]);
        let nodes = &t.contexts[0];
        assert_eq!((nodes.at.line, nodes.at.column), (1, 2));
        assert_eq!(nodes.entries[0].action, "restart");
        assert_eq!(nodes.entries[0].at.to_string(), "k.toml:2:1");
        assert_eq!(nodes.entries[0].keys[0].0, "X");
        assert_eq!(nodes.entries[0].keys[0].1.to_string(), "k.toml:2:11");
        let kill: Vec<(&str, usize)> = nodes.entries[1]
            .keys
            .iter()
            .map(|(k, at)| (k.as_str(), at.column))
            .collect();
        assert_eq!(kill, [("K", 9), ("Ctrl-k", 14)]);
        assert!(t.contexts[1].entries[0].keys.is_empty());
        assert!(!t.is_empty());
        assert!(parse("[nodes]\n").unwrap().is_empty());
    }

    #[test]
    fn a_wrong_shape_is_an_error_at_its_line() {
        let e = parse("[nodes]\nrestart = 3\n").unwrap_err();
        assert!(e.starts_with("k.toml:2:11: "), "{e}");
        assert!(e.contains("`restart`"), "{e}");
        let e = parse("nodes = \"x\"\n").unwrap_err();
        assert!(e.starts_with("k.toml:1:9: "), "{e}");
        assert!(e.contains("a table of actions"), "{e}");
        let e = parse("[nodes]\nkill = [\"K\", 1]\n").unwrap_err();
        assert!(e.starts_with("k.toml:2:"), "{e}");
    }
}
