//! A rolling restart's or update's member, as the plans take it: the
//! container, what it is to its cluster, the balancer servers that send it
//! traffic, and the swarm service it is a task of.

use crate::model::balancer::{Balancer, ServerView};
use crate::model::cluster::ClusterKey;
use crate::ops::base::haproxy_command::serves;

/// A balancer server that points at a member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberServer {
    pub host: String,
    pub balancer: String,
    pub balancer_id: String,
    pub socket: String,
    pub backend: String,
    pub server: String,
    /// Servers of the backend UP when the plan was made: as many are
    /// waited for after a swarm task's replacement, whose new address may
    /// land in another server of the backend.
    pub backend_up: usize,
}

impl MemberServer {
    /// Server `s` of balancer `b`, when the balancer has a socket to
    /// command it through.
    pub(crate) fn of(b: &Balancer, s: &ServerView) -> Option<Self> {
        let backend = b
            .backends
            .iter()
            .find(|be| be.servers.iter().any(|x| x == s))?;
        Some(MemberServer {
            host: b.host.clone(),
            balancer: b.container.to_string(),
            balancer_id: b.container_id.clone(),
            socket: b.socket.as_ref()?.to_string(),
            backend: backend.stat.proxy.to_string(),
            server: s.stat.name.to_string(),
            backend_up: (backend.servers.iter())
                .filter(|x| serves(&x.stat.status))
                .count(),
        })
    }
}

/// A cluster member for a rolling restart.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Member {
    pub host: String,
    pub id: String,
    pub name: String,
    pub zookeeper: bool,
    /// A database replica: wait until it replicates with little lag.
    pub db_replica: bool,
    /// The ZooKeeper leader or the database primary: restarted last.
    pub leader: bool,
    /// Voting members the ensemble has (ZooKeeper), for the quorum guard.
    pub voters: usize,
    /// Replicas the member's database has, running or not (0 when it is
    /// no database), for the replica guard.
    pub db_replicas: usize,
    /// Servers of reachable HAProxies that send traffic to it.
    pub servers: Vec<MemberServer>,
    /// The swarm service it is a task of: swarm replaces it instead.
    pub task: Option<TaskOf>,
}

/// The swarm service a member's container is a task of, and where it is
/// replaced from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskOf {
    pub service: String,
    /// A configured host that manages the member's swarm.
    pub manager: String,
    /// The cluster, found again by its label after the replacement.
    pub cluster: ClusterKey,
}
