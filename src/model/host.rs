//! Docker hosts and what tugboat knows of each connection.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum HostState {
    Connecting,
    Up,
    Unreachable {
        /// Unix seconds of the first failure in this outage.
        since: i64,
        error: String,
    },
}

impl HostState {
    pub fn label(&self) -> &'static str {
        match self {
            Self::Connecting => "connecting",
            Self::Up => "up",
            Self::Unreachable { .. } => "unreachable",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EngineInfo {
    pub engine_version: String,
    pub api_version: String,
    pub os: String,
    /// "manager", "worker", or None outside a swarm.
    pub swarm_role: Option<String>,
    /// The swarm's own id: managers of one swarm show it once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub swarm_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Host {
    pub name: String,
    pub url: String,
    /// Where the host was configured ("flag", "config", "context: prod", …).
    pub source: String,
    /// How the engine is reached: "unix", "ssh", "plain" (TCP), "tls", or
    /// "tls (unverified)" for a context's `SkipTLSVerify`.
    pub transport: &'static str,
    pub state: HostState,
    pub engine: Option<EngineInfo>,
    /// Unix seconds of the last engine event seen.
    pub last_event: Option<i64>,
    /// The swarm's nodes, when this host is a manager.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub swarm_nodes: Vec<super::swarm::SwarmNode>,
    /// The swarm's services and their tasks, when this host is a manager.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub swarm_services: Vec<super::swarm_service::SwarmService>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub swarm_tasks: Vec<super::swarm_service::SwarmTask>,
    /// Why this manager cannot answer for its swarm now (no leader).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub swarm_trouble: Option<super::SafeText>,
    /// The leases tugboat jobs (this one's or others') hold on this engine.
    #[serde(skip)]
    pub leases: Vec<super::lease::LeaseRecord>,
}

impl Host {
    pub fn new(name: &str, url: &str, source: &str) -> Self {
        Self {
            name: name.into(),
            url: url.into(),
            source: source.into(),
            transport: "",
            state: HostState::Connecting,
            engine: None,
            last_event: None,
            swarm_nodes: Vec::new(),
            swarm_services: Vec::new(),
            swarm_tasks: Vec::new(),
            swarm_trouble: None,
            leases: Vec::new(),
        }
    }

    /// `transport`, as `HostSpec::transport` words it.
    pub fn with_transport(mut self, transport: &'static str) -> Self {
        self.transport = transport;
        self
    }

    pub fn is_up(&self) -> bool {
        self.state == HostState::Up
    }

    /// Equal to `other` in all but when an event was last seen: what rows
    /// built from hosts depend on (every exec of a probe is an event).
    pub fn same_but_last_event(&self, other: &Host) -> bool {
        let Host {
            name,
            url,
            source,
            transport,
            state,
            engine,
            last_event: _,
            swarm_nodes,
            swarm_services,
            swarm_tasks,
            swarm_trouble,
            leases,
        } = self;
        *name == other.name
            && *url == other.url
            && *source == other.source
            && *transport == other.transport
            && *state == other.state
            && *engine == other.engine
            && *swarm_nodes == other.swarm_nodes
            && *swarm_services == other.swarm_services
            && *swarm_tasks == other.swarm_tasks
            && *swarm_trouble == other.swarm_trouble
            && *leases == other.leases
    }
}
