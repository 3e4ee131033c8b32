//! The rows of the Nodes and Volumes tables: pure functions of the inventory,
//! the filter and the sort order. The UI draws them; navigation moves over them.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use crate::model::{cluster_of, detect_role, ClusterKey, Container, Inventory, Volume};

// Issue 22: the Nodes rows at 2,000 containers, built once per change.
#[path = "rows_memo.rs"]
mod rows_memo;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NodeRow {
    Host(String),
    Cluster {
        host: String,
        cluster: ClusterKey,
        count: usize,
    },
    Container {
        host: String,
        id: String,
    },
    /// A swarm node, listed under the manager that reports it.
    SwarmNode {
        host: String,
        id: String,
    },
}

/// What `o` sorts the Nodes rows by, cycling through the columns as they
/// read, left to right: NAME, ROLE, STATE, UP, CPU, MEM. (Volumes sort
/// by size on CPU and MEM, by name otherwise.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Name,
    Role,
    State,
    Uptime,
    Cpu,
    Memory,
}

impl SortKey {
    /// Rows sorted by this key move when the stats do.
    pub fn uses_stats(self) -> bool {
        match self {
            Self::Cpu | Self::Memory => true,
            Self::Name | Self::Role | Self::State | Self::Uptime => false,
        }
    }

    pub fn next(self) -> Self {
        match self {
            Self::Name => Self::Role,
            Self::Role => Self::State,
            Self::State => Self::Uptime,
            Self::Uptime => Self::Cpu,
            Self::Cpu => Self::Memory,
            Self::Memory => Self::Name,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::Role => "role",
            Self::State => "state",
            Self::Uptime => "uptime",
            Self::Cpu => "cpu",
            Self::Memory => "memory",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sort {
    pub key: SortKey,
    pub reverse: bool,
}

/// Does the container match a filter? Case-insensitive substring over what
/// the row shows: name, image, role, cluster, host, state.
pub fn container_matches(c: &Container, filter: &str) -> bool {
    if filter.is_empty() {
        return true;
    }
    let needle = filter.to_lowercase();
    let cluster = cluster_of(c);
    [
        c.name.as_str(),
        c.image.as_str(),
        detect_role(c).as_str(),
        cluster.name.as_str(),
        c.host.as_str(),
        c.state.as_str(),
    ]
    .iter()
    .any(|field| field.to_lowercase().contains(&needle))
}

fn compare(inv: &Inventory, a: &Container, b: &Container, sort: Sort) -> Ordering {
    let stat = |c: &Container| inv.stats.get(&(c.host.clone(), c.id.clone())).copied();
    let ord = match sort.key {
        SortKey::Name => Ordering::Equal,
        SortKey::Role => detect_role(a).as_str().cmp(detect_role(b).as_str()),
        SortKey::State => a.state.cmp(&b.state),
        // Busiest first reads better, so numeric sorts are descending.
        SortKey::Cpu => {
            let cpu = |c| stat(c).map_or(-1.0, |s| s.cpu_percent);
            cpu(b).total_cmp(&cpu(a))
        }
        SortKey::Memory => stat(b)
            .map(|s| s.memory_bytes)
            .cmp(&stat(a).map(|s| s.memory_bytes)),
        SortKey::Uptime => a.started_at.cmp(&b.started_at),
    };
    let ord = ord.then_with(|| a.name.cmp(&b.name));
    if sort.reverse {
        ord.reverse()
    } else {
        ord
    }
}

/// Hosts in configuration order; under each, its clusters (tugboat, compose,
/// stack, then "ungrouped" last) and their containers. The last rows are
/// kept while nothing they come from changed (`rows_memo`); sorted by CPU
/// or memory they come from the stats too, and are built every time.
pub fn node_rows(inv: &Inventory, filter: &str, sort: Sort) -> Vec<NodeRow> {
    if sort.key.uses_stats() {
        build_node_rows(inv, filter, sort)
    } else {
        rows_memo::memoized(inv, (filter.to_string(), sort), || {
            build_node_rows(inv, filter, sort)
        })
    }
}

/// `node_rows` built: from the hosts and containers only (and the stats
/// for the CPU and memory sorts), as `rows_memo` needs.
fn build_node_rows(inv: &Inventory, filter: &str, sort: Sort) -> Vec<NodeRow> {
    let mut rows = Vec::new();
    for host in &inv.hosts {
        rows.push(NodeRow::Host(host.name.clone()));
        rows.extend(
            host.swarm_nodes
                .iter()
                .filter(|n| n.matches(filter))
                .map(|n| NodeRow::SwarmNode {
                    host: host.name.clone(),
                    id: n.id.clone(),
                }),
        );
        let mut groups: BTreeMap<ClusterKey, Vec<&Container>> = BTreeMap::new();
        for c in inv
            .containers_on(&host.name)
            .filter(|c| container_matches(c, filter))
        {
            groups.entry(cluster_of(c)).or_default().push(c);
        }
        for (cluster, mut members) in groups {
            members.sort_by(|a, b| compare(inv, a, b, sort));
            rows.push(NodeRow::Cluster {
                host: host.name.clone(),
                cluster,
                count: members.len(),
            });
            rows.extend(members.into_iter().map(|c| NodeRow::Container {
                host: c.host.clone(),
                id: c.id.clone(),
            }));
        }
    }
    rows
}

/// A row of the ZooKeeper pane: an ensemble's summary, then its members.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ZkRow {
    Ensemble(String),
    Member {
        ensemble: String,
        host: String,
        id: String,
    },
}

pub fn zookeeper_rows(ensembles: &[crate::model::ensemble::Ensemble]) -> Vec<ZkRow> {
    ensembles
        .iter()
        .flat_map(|e| {
            std::iter::once(ZkRow::Ensemble(e.name.clone())).chain(e.members.iter().map(|m| {
                ZkRow::Member {
                    ensemble: e.name.clone(),
                    host: m.host.clone(),
                    id: m.container_id.clone(),
                }
            }))
        })
        .collect()
}

/// A row of the Balancer pane: a balancer, its frontends, its backends and
/// under each backend its servers.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BalancerRow {
    Balancer {
        host: String,
        id: String,
    },
    Frontend {
        balancer: String,
        name: String,
    },
    Backend {
        balancer: String,
        name: String,
    },
    Server {
        balancer: String,
        backend: String,
        name: String,
    },
}

pub fn balancer_rows(balancers: &[crate::model::balancer::Balancer]) -> Vec<BalancerRow> {
    let mut rows = Vec::new();
    for b in balancers {
        rows.push(BalancerRow::Balancer {
            host: b.host.clone(),
            id: b.container_id.clone(),
        });
        for f in &b.frontends {
            rows.push(BalancerRow::Frontend {
                balancer: b.container_id.clone(),
                name: f.proxy.to_string(),
            });
        }
        for be in &b.backends {
            rows.push(BalancerRow::Backend {
                balancer: b.container_id.clone(),
                name: be.stat.proxy.to_string(),
            });
            for s in &be.servers {
                rows.push(BalancerRow::Server {
                    balancer: b.container_id.clone(),
                    backend: be.stat.proxy.to_string(),
                    name: s.stat.name.to_string(),
                });
            }
        }
    }
    rows
}

pub fn volume_matches(v: &Volume, filter: &str) -> bool {
    if filter.is_empty() {
        return true;
    }
    let needle = filter.to_lowercase();
    [v.name.as_str(), v.host.as_str(), v.driver.as_str()]
        .iter()
        .any(|f| f.to_lowercase().contains(&needle))
}

/// (host, volume name) keys, sorted by host order, then by name or size.
pub fn volume_rows(inv: &Inventory, filter: &str, sort: Sort) -> Vec<(String, String)> {
    let host_pos = |h: &str| {
        inv.hosts
            .iter()
            .position(|x| x.name == h)
            .unwrap_or(usize::MAX)
    };
    let mut vols: Vec<&Volume> = inv
        .volumes
        .values()
        .filter(|v| volume_matches(v, filter))
        .collect();
    vols.sort_by(|a, b| {
        let ord = match sort.key {
            SortKey::Memory | SortKey::Cpu => b.size.cmp(&a.size),
            _ => Ordering::Equal,
        }
        .then_with(|| a.name.cmp(&b.name));
        let ord = if sort.reverse { ord.reverse() } else { ord };
        host_pos(&a.host).cmp(&host_pos(&b.host)).then(ord)
    });
    vols.into_iter()
        .map(|v| (v.host.clone(), v.name.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::container;
    use crate::model::{Host, HostUpdate, LABEL_COMPOSE_PROJECT};

    fn inventory() -> Inventory {
        let mut inv = Inventory::new(vec![
            Host::new("a", "unix:///a", "flag"),
            Host::new("b", "tcp://b", "flag"),
        ]);
        let mut shop1 = container("a", "shop-web-1");
        shop1
            .labels
            .insert(LABEL_COMPOSE_PROJECT.into(), "shop".into());
        let mut shop2 = container("b", "shop-web-2");
        shop2
            .labels
            .insert(LABEL_COMPOSE_PROJECT.into(), "shop".into());
        let mut zk = container("a", "zk1");
        zk.image = "zookeeper:3.8".into();
        for c in [shop1, shop2, zk, container("a", "lonely")] {
            inv.apply(HostUpdate::ContainerChanged { container: c });
        }
        inv
    }

    fn names(inv: &Inventory, rows: &[NodeRow]) -> Vec<String> {
        rows.iter()
            .map(|r| match r {
                NodeRow::Host(h) => format!("host {h}"),
                NodeRow::Cluster { cluster, count, .. } => format!("  {} {count}", cluster.label()),
                NodeRow::Container { host, id } => {
                    format!("    {}", inv.containers[&(host.clone(), id.clone())].name)
                }
                NodeRow::SwarmNode { id, .. } => format!("  node {id}"),
            })
            .collect()
    }

    #[test]
    fn a_managers_swarm_nodes_come_right_under_it_and_filter() {
        let mut inv = inventory();
        let node = |id, hostname| crate::model::testing::swarm_node(id, hostname, "worker");
        inv.apply(HostUpdate::SwarmNodes {
            host: "a".into(),
            nodes: vec![node("n1", "alpha"), node("n2", "beta")],
        });
        let rows = node_rows(&inv, "", Sort::default());
        assert_eq!(
            names(&inv, &rows[..3]),
            ["host a", "  node n1", "  node n2"]
        );
        let rows = node_rows(&inv, "bet", Sort::default());
        assert_eq!(names(&inv, &rows[..2]), ["host a", "  node n2"]);
    }

    #[test]
    fn containers_are_grouped_by_cluster_under_their_host() {
        let inv = inventory();
        let rows = node_rows(&inv, "", Sort::default());
        assert_eq!(
            names(&inv, &rows),
            [
                "host a",
                "  shop (compose) 1",
                "    shop-web-1",
                "  ungrouped 2",
                "    lonely",
                "    zk1",
                "host b",
                "  shop (compose) 1",
                "    shop-web-2",
            ]
        );
    }

    #[test]
    fn filter_matches_role_and_keeps_hosts() {
        let inv = inventory();
        let rows = node_rows(&inv, "ZooKeeper", Sort::default());
        assert_eq!(
            names(&inv, &rows),
            ["host a", "  ungrouped 1", "    zk1", "host b"]
        );
    }

    #[test]
    fn reverse_sort_reverses_within_groups() {
        let inv = inventory();
        let rows = node_rows(
            &inv,
            "",
            Sort {
                key: SortKey::Name,
                reverse: true,
            },
        );
        let n = names(&inv, &rows);
        assert_eq!(n[4..6], ["    zk1".to_string(), "    lonely".to_string()]);
    }

    #[test]
    fn sort_keys_cycle_through_the_columns_left_to_right() {
        let mut key = SortKey::default();
        let mut labels = Vec::new();
        for _ in 0..6 {
            labels.push(key.label());
            key = key.next();
        }
        assert_eq!(labels, ["name", "role", "state", "uptime", "cpu", "memory"]);
        assert_eq!(key, SortKey::Name, "back to the first");
        // By role ("other" before "zookeeper"), then by name.
        let mut inv = inventory();
        let mut aaa = container("a", "aaa");
        aaa.image = "zookeeper:3.8".into();
        inv.apply(HostUpdate::ContainerChanged { container: aaa });
        let sort = Sort {
            key: SortKey::Role,
            reverse: false,
        };
        let n = names(&inv, &node_rows(&inv, "", sort));
        assert_eq!(n[4..7], ["    lonely", "    aaa", "    zk1"]);
        let n = names(&inv, &node_rows(&inv, "", Sort::default()));
        assert_eq!(n[4..7], ["    aaa", "    lonely", "    zk1"]);
    }
}
