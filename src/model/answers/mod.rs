//! What the probed services answered, as typed data, or why there is no
//! answer. The parsers that read these from a service's text, and the
//! running of probes, stay in `probes`: the model only holds the answers,
//! so the views built on them (ensembles, balancers, replication) need no
//! layer above.

pub mod haproxy;
pub mod mysql;
pub mod nginx;
pub mod zookeeper;

use serde::Serialize;

use super::SafeText;

/// Why a probe got no usable answer: what the service, the container or
/// the engine said, sanitized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(transparent)]
#[error("{0}")]
pub struct ProbeError(SafeText);

impl ProbeError {
    /// Text from the container or the engine (sanitized here).
    pub fn foreign(text: &str) -> Self {
        Self(SafeText::from_foreign(text))
    }

    pub fn text(&self) -> &SafeText {
        &self.0
    }
}

/// Same as [`ProbeError::foreign`].
impl From<&str> for ProbeError {
    fn from(text: &str) -> Self {
        Self::foreign(text)
    }
}

impl From<SafeText> for ProbeError {
    fn from(text: SafeText) -> Self {
        Self(text)
    }
}

/// A probe's answer, or why there is none.
pub type ProbeOutcome<T> = Result<T, ProbeError>;
