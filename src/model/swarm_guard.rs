//! What a swarm change would cost the data services running as tasks:
//! draining a node stops its tasks (they start again elsewhere, but the
//! ensemble or the database is short meanwhile); changing a node's role
//! changes the managers' raft quorum. Pure: the plan asks it from the
//! inventory, and the step asks it again from a fresh listing right
//! before it acts.

use std::collections::BTreeMap;

use super::cluster::{role_from_image, Role};
use super::swarm::SwarmNode;
use super::swarm_service::{ManagerQuorum, SwarmService, SwarmTask, TaskState};

/// A manager's view of its swarm, borrowed.
#[derive(Debug, Clone, Copy)]
pub struct SwarmView<'a> {
    pub nodes: &'a [SwarmNode],
    pub services: &'a [SwarmService],
    pub tasks: &'a [SwarmTask],
}

/// Why a change is refused: what it would cost, in a sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SwarmCost {
    #[error("swarm node `{0}` is not known to the manager")]
    UnknownNode(String),
    #[error(
        "draining {node} would stop {lost} of the {members} running members of ZooKeeper \
         ensemble {cluster}: {left} left, below its quorum of {needed}"
    )]
    EnsembleQuorum {
        node: String,
        cluster: String,
        members: usize,
        lost: usize,
        left: usize,
        needed: usize,
    },
    #[error(
        "draining {node} would stop {lost} of the {servers} running servers of database \
         {cluster}, leaving {left}: it would lose its last replica"
    )]
    LastReplica {
        node: String,
        cluster: String,
        servers: usize,
        lost: usize,
        left: usize,
    },
    #[error(
        "{change} would leave {reachable} reachable of {managers} managers, below the \
         raft quorum of {needed}: the swarm would take no more changes"
    )]
    ManagerQuorum {
        change: String,
        managers: usize,
        reachable: usize,
        needed: usize,
    },
    #[error("demoting {0} would leave the swarm without a manager")]
    LastManager(String),
}

impl<'a> SwarmView<'a> {
    pub fn node(&self, name_or_id: &str) -> Result<&'a SwarmNode, SwarmCost> {
        self.nodes
            .iter()
            .find(|n| n.id == name_or_id || n.hostname == name_or_id)
            .ok_or_else(|| SwarmCost::UnknownNode(name_or_id.to_string()))
    }

    /// Every data service a drain of `node` would take below what it
    /// needs: a ZooKeeper ensemble under its quorum, a database down to
    /// one server (or none) where it had more.
    pub fn drain_cost(&self, node: &str) -> Result<Vec<SwarmCost>, SwarmCost> {
        let node = self.node(node)?;
        let mut by_cluster: BTreeMap<(String, Role), (usize, usize)> = BTreeMap::new();
        for (service, task) in self.running_tasks() {
            let Some(role) = role_from_image(service.image.as_str()) else {
                continue;
            };
            if !matches!(role, Role::Zookeeper | Role::Mysql | Role::Mariadb) {
                continue;
            }
            let entry = by_cluster.entry((cluster_of(service), role)).or_default();
            entry.0 += 1;
            if task.node_id == node.id {
                entry.1 += 1;
            }
        }
        let name = node.hostname.clone();
        Ok(by_cluster
            .into_iter()
            .filter(|(_, (_, lost))| *lost > 0)
            .filter_map(|((cluster, role), (members, lost))| {
                let left = members - lost;
                match role {
                    Role::Zookeeper => {
                        let needed = members / 2 + 1;
                        (left < needed).then(|| SwarmCost::EnsembleQuorum {
                            node: name.clone(),
                            cluster,
                            members,
                            lost,
                            left,
                            needed,
                        })
                    }
                    _ => (left < 2 && members >= 2 || left == 0).then(|| SwarmCost::LastReplica {
                        node: name.clone(),
                        cluster,
                        servers: members,
                        lost,
                        left,
                    }),
                }
            })
            .collect())
    }

    /// Refused when making `node` a manager (`to_manager`) or a worker
    /// would leave fewer reachable managers than the raft quorum needs.
    pub fn role_change_cost(&self, node: &str, to_manager: bool) -> Result<(), SwarmCost> {
        let n = self.node(node)?;
        let now = ManagerQuorum::of(self.nodes);
        if n.is_manager() == to_manager {
            return Ok(());
        }
        let (managers, reachable, change) = if to_manager {
            let ready = usize::from(n.state == "ready");
            (
                now.managers + 1,
                now.reachable + ready,
                format!("promoting {}", n.hostname),
            )
        } else {
            if now.managers <= 1 {
                return Err(SwarmCost::LastManager(n.hostname.clone()));
            }
            let was = usize::from(n.is_reachable_manager());
            (
                now.managers - 1,
                now.reachable - was,
                format!("demoting {}", n.hostname),
            )
        };
        let after = ManagerQuorum {
            managers,
            reachable,
        };
        if after.has_quorum() {
            Ok(())
        } else {
            Err(SwarmCost::ManagerQuorum {
                change,
                managers,
                reachable,
                needed: after.needed(),
            })
        }
    }

    fn running_tasks(&self) -> impl Iterator<Item = (&'a SwarmService, &'a SwarmTask)> + '_ {
        self.tasks
            .iter()
            .filter(|t| t.state == TaskState::Running && t.desired == TaskState::Running)
            .filter_map(|t| {
                let service = self.services.iter().find(|s| s.id == t.service_id)?;
                Some((service, t))
            })
    }
}

/// A stack's services are one cluster; a service without a stack is its own.
fn cluster_of(service: &SwarmService) -> String {
    service
        .stack
        .as_ref()
        .unwrap_or(&service.name)
        .as_str()
        .to_string()
}

#[cfg(test)]
#[path = "swarm_guard_tests.rs"]
mod tests;
