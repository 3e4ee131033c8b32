//! Foreign text that has been made safe to show: the type says so, so a
//! field that holds what a container said cannot be printed raw by mistake.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize};

use super::sanitize::{sanitize, sanitize_multiline};

/// Text from a container, an engine or a file, sanitized. Only the
/// `from_foreign*` constructors make one, so holding a `SafeText` means the
/// text went through [`sanitize`].
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct SafeText(String);

impl SafeText {
    /// One line: newlines become `?` like every other control.
    pub fn from_foreign(text: &str) -> Self {
        Self(sanitize(text))
    }

    /// Keeps `\n` (rows of an answer, a multi-line inspect value).
    pub fn from_foreign_multiline(text: &str) -> Self {
        Self(sanitize_multiline(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl Deref for SafeText {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SafeText {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Lets a `SafeText`-keyed map be looked up by `&str`.
impl Borrow<str> for SafeText {
    fn borrow(&self) -> &str {
        &self.0
    }
}

/// Honours width and alignment (`{:<10}`) like `str` does.
impl fmt::Display for SafeText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// Same as [`SafeText::from_foreign`]: converting sanitizes too.
impl From<&str> for SafeText {
    fn from(text: &str) -> Self {
        Self::from_foreign(text)
    }
}

impl From<String> for SafeText {
    fn from(text: String) -> Self {
        Self::from_foreign(&text)
    }
}

impl From<SafeText> for String {
    fn from(text: SafeText) -> Self {
        text.0
    }
}

impl From<&SafeText> for String {
    fn from(text: &SafeText) -> Self {
        text.0.clone()
    }
}

/// Read back from disk (the audit log, a journal) it is foreign again:
/// sanitized anew. Newlines are kept so a multi-line text round-trips;
/// sanitizing is idempotent, so a one-line text does too.
impl<'de> Deserialize<'de> for SafeText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Ok(Self::from_foreign_multiline(&raw))
    }
}

impl PartialEq<str> for SafeText {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for SafeText {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for SafeText {
    fn eq(&self, other: &String) -> bool {
        self.0 == *other
    }
}

impl PartialEq<SafeText> for str {
    fn eq(&self, other: &SafeText) -> bool {
        self == other.0
    }
}

impl PartialEq<SafeText> for &str {
    fn eq(&self, other: &SafeText) -> bool {
        *self == other.0
    }
}

impl PartialEq<SafeText> for String {
    fn eq(&self, other: &SafeText) -> bool {
        *self == other.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_only_by_sanitizing() {
        let t = SafeText::from_foreign("db\u{1b}]0;x\u{7}1\u{202e}\n");
        assert_eq!(t, "db1??");
        assert_eq!(t.to_string(), "db1??");
        assert_eq!(format!("[{t:<7}]"), "[db1??  ]");
        assert_eq!(
            SafeText::from_foreign_multiline("a\u{9b}2Jb\nc").as_str(),
            "ab\nc"
        );
        assert!(SafeText::default().is_empty());
    }

    #[test]
    fn deserializing_sanitizes_again() {
        let t: SafeText = serde_json::from_str("\"a\\u001b[2Jb\\u009bc\\u200bd\\ne\"").unwrap();
        assert_eq!(t, "ab?d\ne");
        let round: SafeText = serde_json::from_str(&serde_json::to_string(&t).unwrap()).unwrap();
        assert_eq!(round, t);
    }

    #[test]
    fn compares_and_looks_up_as_str() {
        let t = SafeText::from_foreign("zk1");
        assert_eq!(t, "zk1");
        assert_eq!("zk1", t);
        let owned = String::from("zk1");
        assert_eq!(owned, t);
        let map = std::collections::BTreeMap::from([(t.clone(), 1)]);
        assert_eq!(map.get("zk1"), Some(&1));
        assert_eq!(&*t, "zk1");
    }
}
