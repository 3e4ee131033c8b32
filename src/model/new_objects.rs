//! Objects a create makes, described before they exist: plain data that
//! the planner builds and the engine layer turns into API calls.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Set on everything a `tugboat create` made, so `destroy` removes only that.
pub const LABEL_TUGBOAT_CREATED: &str = "io.tugboat.created-by";
/// The member number within its cluster (1-based).
pub const LABEL_TUGBOAT_MEMBER: &str = "io.tugboat.member";

/// The kinds of object a create makes and a destroy removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ObjectKind {
    Network,
    Volume,
    Container,
}

impl ObjectKind {
    pub fn word(self) -> &'static str {
        match self {
            Self::Network => "network",
            Self::Volume => "volume",
            Self::Container => "container",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Publish {
    pub host_port: u16,
    pub container_port: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewContainer {
    pub host: String,
    pub name: String,
    pub image: String,
    /// `NAME=value`; may hold generated secrets (shown masked).
    pub env: Vec<String>,
    /// Arguments after the image's entrypoint (empty: the image's default).
    pub cmd: Vec<String>,
    pub labels: BTreeMap<String, String>,
    pub network: Option<String>,
    pub aliases: Vec<String>,
    pub ports: Vec<Publish>,
    /// (volume, path in the container)
    pub mounts: Vec<(String, String)>,
    /// Files written into the container before it starts: (path, content).
    pub files: Vec<(String, String)>,
}

/// Set on everything a create made: the token of the job that made it, so
/// `recover` removes only what the cut-off job made, never a cluster made
/// again since under the same names.
pub const LABEL_TUGBOAT_JOB: &str = "io.tugboat.job";

/// A job's own random token (128 bits, lower-case hex): written in its
/// journal entry and on what it makes, so a leftover is known for the
/// job's own and not taken for another's by its name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct JobToken(String);

/// Text that is not a job token (32 lower-case hex digits).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a job token (32 lower-case hex digits)")]
pub struct NotAToken;

impl JobToken {
    /// The token of 16 random bytes (the caller reads them).
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    pub fn parse(text: &str) -> Result<Self, NotAToken> {
        let hex = |c: char| c.is_ascii_digit() || ('a'..='f').contains(&c);
        if text.len() == 32 && text.chars().all(hex) {
            Ok(Self(text.to_string()))
        } else {
            Err(NotAToken)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first characters, enough to tell two apart in a message.
    pub fn short(&self) -> &str {
        // ASCII by construction.
        &self.0[..12]
    }
}

impl TryFrom<String> for JobToken {
    type Error = NotAToken;
    fn try_from(text: String) -> Result<Self, NotAToken> {
        Self::parse(&text)
    }
}

impl From<JobToken> for String {
    fn from(t: JobToken) -> String {
        t.0
    }
}

impl std::fmt::Display for JobToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What an object found by name says of the job that made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobLabel {
    /// No `io.tugboat.job` label: not made by a tugboat that labels them.
    Missing,
    Token(JobToken),
    /// A label that is no token (the engine's text, made inert).
    Other(crate::model::SafeText),
}

impl JobLabel {
    /// The job label among an object's labels.
    pub fn of<'a>(mut labels: impl Iterator<Item = (&'a String, &'a String)>) -> Self {
        match labels.find(|(k, _)| *k == LABEL_TUGBOAT_JOB) {
            None => Self::Missing,
            Some((_, v)) => match JobToken::parse(v) {
                Ok(t) => Self::Token(t),
                Err(NotAToken) => Self::Other(crate::model::SafeText::from_foreign(v)),
            },
        }
    }
}

/// An object that exists, found by its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundObject {
    /// The engine's id (a volume's is its name).
    pub id: String,
    pub job: JobLabel,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_32_hex_digits_and_nothing_else_parses() {
        let t = JobToken::from_bytes([0xab; 16]);
        assert_eq!(t.as_str(), "ab".repeat(16));
        assert_eq!(JobToken::parse(t.as_str()), Ok(t.clone()));
        assert_eq!(t.short(), "abababababab");
        for bad in [
            "",
            "AB".repeat(16).as_str(),
            &"a".repeat(31),
            "é".repeat(16).as_str(),
        ] {
            assert_eq!(JobToken::parse(bad), Err(NotAToken), "{bad}");
        }
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(serde_json::from_str::<JobToken>(&json).unwrap(), t);
        assert!(serde_json::from_str::<JobToken>("\"zz\"").is_err());
    }
}
