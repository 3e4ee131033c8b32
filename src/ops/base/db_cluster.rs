//! A database cluster as the failover plans see it: its servers (any
//! host) with their latest probes, and the HAProxy writer backends that
//! send writes to them — an HAProxy backend that lists the cluster's
//! databases with at most one server not in MAINT (the primary), or the
//! backend named by the HAProxy container's label
//! `io.tugboat.writer-backend`.

use crate::model::answers::mysql::DbProbe;
use crate::model::answers::ProbeOutcome;
use crate::model::balancer::BalancerKind;
use crate::model::cluster::{cluster_of, ClusterKind};
use crate::model::probed::{balancers, haproxy_targets, ProbeBook};
use crate::model::{detect_role, ContainerKey, ContainerState, Inventory, Role};

pub use crate::model::cluster::LABEL_WRITER_BACKEND;

/// One database server of the cluster, with its latest probe.
#[derive(Debug, Clone, PartialEq)]
pub struct DbNode {
    pub host: String,
    pub id: String,
    pub name: String,
    pub ips: Vec<String>,
    /// For a swarm task, its service's names on the stack's networks (the
    /// service's, then without the stack's prefix): they stay when swarm
    /// replaces the task, its container's name does not.
    pub service_names: Vec<String>,
    /// Why the server is down (container not running, host unreachable);
    /// None when it runs on a reachable host.
    pub down: Option<String>,
    /// Whether it is down for sure: its container stopped on a host that
    /// answers (not a host that does not, nor a container restarting or
    /// paused, which may take writes again).
    pub surely_down: bool,
    pub probe: Option<ProbeOutcome<DbProbe>>,
}

impl DbNode {
    pub(crate) fn key(&self) -> ContainerKey {
        (self.host.clone(), self.id.clone())
    }

    pub(crate) fn alive(&self) -> Option<&DbProbe> {
        match (&self.probe, &self.down) {
            (Some(Ok(p)), None) => Some(p),
            _ => None,
        }
    }

    pub(crate) fn is(&self, host_or_address: &str) -> bool {
        self.name == host_or_address
            || self.ips.iter().any(|ip| ip == host_or_address)
            || self.service_names.iter().any(|n| n == host_or_address)
    }

    /// The name other servers replicate from it by: its swarm service's,
    /// which outlives its task, else its container's.
    pub(crate) fn peer_name(&self) -> &str {
        self.service_names.first().unwrap_or(&self.name)
    }

    /// Why it cannot be used, for refusals.
    pub(crate) fn unreachable_reason(&self) -> String {
        match (&self.probe, &self.down) {
            (_, Some(why)) => why.clone(),
            (Some(Err(e)), None) => format!("unreachable ({e})"),
            (None, None) => "not probed yet".into(),
            (Some(Ok(_)), None) => "reachable".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct WriterServer {
    pub name: String,
    pub member: Option<ContainerKey>,
    /// As `show stat` labels it (UP, MAINT, …).
    pub status: String,
}

/// A writer backend of one HAProxy.
#[derive(Debug, Clone, PartialEq)]
pub struct WriterBackend {
    pub host: String,
    pub container_id: String,
    pub container: String,
    pub socket: String,
    pub backend: String,
    pub servers: Vec<WriterServer>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DbCluster {
    pub name: String,
    pub nodes: Vec<DbNode>,
    pub writers: Vec<WriterBackend>,
    /// Running HAProxy containers that have not answered a probe yet: a
    /// writer backend among them would be missed by the plan.
    pub unasked_balancers: usize,
}

/// The database servers of cluster `name` (any host) and the writer
/// backends that list them, from the inventory and the latest probes.
pub fn db_cluster(inv: &Inventory, book: &ProbeBook, name: &str) -> Option<DbCluster> {
    let mut nodes: Vec<DbNode> = inv
        .containers
        .iter()
        .filter(|(_, c)| matches!(detect_role(c), Role::Mysql | Role::Mariadb))
        .filter(|(_, c)| !c.is_ended_swarm_task())
        .filter(|(_, c)| {
            let k = cluster_of(c);
            k.kind != ClusterKind::Ungrouped && k.name == name
        })
        .map(|(k, c)| DbNode {
            host: c.host.clone(),
            id: c.id.clone(),
            name: c.name.to_string(),
            ips: c.ips.clone(),
            service_names: service_names(c),
            down: if !inv.hosts.iter().any(|h| h.name == c.host && h.is_up()) {
                Some(format!("on unreachable host {}", c.host))
            } else if !c.is_running() {
                Some(format!("not running ({})", c.state.as_str()))
            } else {
                None
            },
            surely_down: inv.hosts.iter().any(|h| h.name == c.host && h.is_up())
                && matches!(
                    c.state,
                    ContainerState::Exited | ContainerState::Dead | ContainerState::Created
                ),
            probe: book.mysql.get(k).map(|p| p.result.clone()),
        })
        .collect();
    if nodes.is_empty() {
        return None;
    }
    nodes.sort_by(|a, b| a.name.cmp(&b.name));
    let members: Vec<ContainerKey> = nodes.iter().map(DbNode::key).collect();
    let mut writers = Vec::new();
    for b in balancers(inv, book) {
        let Some(socket) = b.socket.clone().filter(|_| b.kind == BalancerKind::Haproxy) else {
            continue;
        };
        let label = inv
            .containers
            .get(&(b.host.clone(), b.container_id.clone()))
            .and_then(|c| c.labels.get(LABEL_WRITER_BACKEND).cloned());
        for be in &b.backends {
            let servers: Vec<WriterServer> = be
                .servers
                .iter()
                .map(|s| WriterServer {
                    name: s.stat.name.to_string(),
                    member: s.container.clone().filter(|k| members.contains(k)),
                    status: s.stat.status.label(),
                })
                .collect();
            let tied = servers.iter().filter(|s| s.member.is_some()).count();
            let enabled = servers.iter().filter(|s| s.status != "MAINT").count();
            // Names go into runtime-API commands: nothing that could end one.
            let safe = |s: &str| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._-:".contains(c))
            };
            if !safe(&be.stat.proxy) || !servers.iter().all(|s| safe(&s.name)) {
                continue;
            }
            let writer = match &label {
                Some(l) => *l == be.stat.proxy && tied > 0,
                // A dead server is tied to no container any more: one tied
                // server is enough.
                None => tied > 0 && enabled <= 1,
            };
            if writer {
                writers.push(WriterBackend {
                    host: b.host.clone(),
                    container_id: b.container_id.clone(),
                    container: b.container.to_string(),
                    socket: socket.to_string(),
                    backend: be.stat.proxy.to_string(),
                    servers,
                });
            }
        }
    }
    let unasked_balancers = haproxy_targets(inv)
        .iter()
        .filter(|k| !book.haproxy.contains_key(*k))
        .count();
    Some(DbCluster {
        name: name.into(),
        nodes,
        writers,
        unasked_balancers,
    })
}

/// A swarm task's service names: `stack_db1`, and `db1` (the alias a
/// stack gives it on its networks).
fn service_names(c: &crate::model::Container) -> Vec<String> {
    use crate::model::cluster::{LABEL_STACK_NAMESPACE, LABEL_SWARM_SERVICE};
    let Some(service) = c.labels.get(LABEL_SWARM_SERVICE).filter(|s| !s.is_empty()) else {
        return Vec::new();
    };
    let service = service.as_str();
    let mut names = vec![service.to_string()];
    let short = c
        .labels
        .get(LABEL_STACK_NAMESPACE)
        .and_then(|stack| service.strip_prefix(&format!("{}_", stack.as_str())));
    names.extend(short.map(str::to_string));
    names
}

/// The port tugboat points replicas at.
pub const DB_PORT: u16 = 3306;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailoverKind {
    /// The primary answers: no acknowledged write is lost.
    Switchover,
    /// The primary is down: the most advanced replica takes over.
    Failover,
}

/// The cluster's servers other than the primary, as the plan treats them.
pub(crate) struct Sides<'a> {
    /// The primary's replicas, running or not (a dead one was the
    /// primary's, or is unknown): the candidate is one of them.
    pub replicas: Vec<&'a DbNode>,
    /// Running servers left out, each with why (replicating from one of
    /// the replicas, which stays its source).
    pub left_out: Vec<(&'a DbNode, String)>,
}

/// A server and the primary it is to follow, as a rejoin's steps name them
/// (a step's payload: below the plans that carry it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RejoinPair {
    pub server_id: String,
    pub primary_host: String,
    pub primary_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::cluster::{LABEL_STACK_NAMESPACE, LABEL_SWARM_SERVICE};
    use crate::model::testing::container;

    #[test]
    fn a_swarm_task_is_reached_by_its_service_name_and_known_by_its_stack_alias() {
        let mut c = container("h1", "db_db2.1.x7k");
        c.labels.insert(LABEL_SWARM_SERVICE.into(), "db_db2".into());
        c.labels.insert(LABEL_STACK_NAMESPACE.into(), "db".into());
        let names = service_names(&c);
        assert_eq!(names, ["db_db2", "db2"]);
        let node = DbNode {
            host: "h1".into(),
            id: c.id.clone(),
            name: c.name.to_string(),
            ips: vec!["10.0.1.7".into()],
            service_names: names,
            down: None,
            surely_down: false,
            probe: None,
        };
        // Replicas are pointed at the name that outlives the task…
        assert_eq!(node.peer_name(), "db_db2");
        // …and a replica's source is recognised by any of its names.
        for source in ["db_db2", "db2", "db_db2.1.x7k", "10.0.1.7"] {
            assert!(node.is(source), "{source}");
        }
        assert!(!node.is("db3"));
        // A plain container is reached by its own name.
        let plain = DbNode {
            service_names: service_names(&container("h1", "db3")),
            name: "db3".into(),
            ..node
        };
        assert_eq!(plain.peer_name(), "db3");
    }
}
