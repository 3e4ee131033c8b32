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
