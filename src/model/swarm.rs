//! Swarm nodes as a manager reports them: plain, sanitized data.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SwarmNode {
    pub id: String,
    pub hostname: String,
    /// "manager" or "worker".
    pub role: String,
    /// "active", "pause" or "drain".
    pub availability: String,
    /// "ready", "down", "unknown", "disconnected".
    pub state: String,
    pub leader: bool,
    pub addr: String,
    /// A manager's raft reachability: "reachable", "unreachable" or
    /// "unknown"; empty for a worker.
    pub reachability: String,
}

impl SwarmNode {
    pub fn is_manager(&self) -> bool {
        self.role == "manager"
    }

    /// A manager that counts toward the raft quorum right now.
    pub fn is_reachable_manager(&self) -> bool {
        self.is_manager() && self.reachability == "reachable"
    }

    pub fn matches(&self, filter: &str) -> bool {
        let needle = filter.to_lowercase();
        filter.is_empty()
            || [&self.hostname, &self.role, &self.availability, &self.state]
                .iter()
                .any(|f| f.to_lowercase().contains(&needle))
    }
}
