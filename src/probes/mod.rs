//! Services probed through `docker exec`: pure parsers of their answers,
//! and the probe loop that asks them. Everything a service says is foreign:
//! the parsers keep it as `SafeText`, sanitized once as it is read.

pub mod haproxy;
pub mod limit;
pub mod mysql;
pub mod nginx;
pub mod run;
pub mod zookeeper;

use serde::Serialize;

use crate::docker::HostError;
use crate::model::SafeText;

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

/// An exec that failed: the engine's text may quote the container.
impl From<HostError> for ProbeError {
    fn from(e: HostError) -> Self {
        Self::foreign(&e.to_string())
    }
}

/// A probe's answer, or why there is none.
pub type ProbeOutcome<T> = Result<T, ProbeError>;
