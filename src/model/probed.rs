//! What the services said when last probed, and the views built from it.

use std::collections::{BTreeMap, HashMap};

use super::answers::haproxy::HaproxyProbe;
use super::answers::mysql::DbProbe;
use super::answers::nginx::NginxProbe;
use super::answers::zookeeper::{ZkMode, ZkProbe, ZkReply};
use super::answers::ProbeOutcome;
use super::balancer::nginx_view;
use super::balancer::{balancer_view, Balancer};
use super::cluster::{cluster_of, detect_role, Role};
use super::ensemble::{Ensemble, ZkMember};
use super::inventory::{ContainerKey, Inventory};
use super::probe_history::ProbeHistory;
use super::SafeText;

/// A probe answer and when it came (unix seconds).
#[derive(Debug, Clone, PartialEq)]
pub struct Probed<T> {
    pub at: i64,
    pub result: ProbeOutcome<T>,
}

/// One probe round's result for one container.
#[derive(Debug, Clone, PartialEq)]
pub enum ProbeResult {
    Zookeeper(ProbeOutcome<ZkProbe>),
    Mysql(ProbeOutcome<DbProbe>),
    Haproxy(ProbeOutcome<HaproxyProbe>),
    Nginx(ProbeOutcome<NginxProbe>),
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProbeBook {
    pub zookeeper: HashMap<ContainerKey, Probed<ZkProbe>>,
    pub mysql: HashMap<ContainerKey, Probed<DbProbe>>,
    pub haproxy: HashMap<ContainerKey, Probed<HaproxyProbe>>,
    pub nginx: HashMap<ContainerKey, Probed<NginxProbe>>,
    /// Sessions and replication lag over the last rounds, for the charts.
    pub history: ProbeHistory,
}

impl ProbeBook {
    /// Record an answer. Returns whether anything shown changed.
    pub fn record(&mut self, key: ContainerKey, at: i64, result: ProbeResult) -> bool {
        fn put<T: PartialEq>(
            map: &mut HashMap<ContainerKey, Probed<T>>,
            key: ContainerKey,
            at: i64,
            result: ProbeOutcome<T>,
        ) -> bool {
            let changed = map.get(&key).is_none_or(|old| old.result != result);
            map.insert(key, Probed { at, result });
            changed
        }
        match &result {
            ProbeResult::Haproxy(r) => self.history.record_haproxy(&key, r),
            ProbeResult::Mysql(r) => self.history.record_db(&key, r),
            ProbeResult::Zookeeper(_) | ProbeResult::Nginx(_) => {}
        }
        match result {
            ProbeResult::Zookeeper(result) => put(&mut self.zookeeper, key, at, result),
            ProbeResult::Mysql(result) => put(&mut self.mysql, key, at, result),
            ProbeResult::Haproxy(result) => put(&mut self.haproxy, key, at, result),
            ProbeResult::Nginx(result) => put(&mut self.nginx, key, at, result),
        }
    }

    /// Forget answers of containers that are gone.
    pub fn retain_known(&mut self, inv: &Inventory) {
        self.zookeeper.retain(|k, _| inv.containers.contains_key(k));
        self.mysql.retain(|k, _| inv.containers.contains_key(k));
        self.haproxy.retain(|k, _| inv.containers.contains_key(k));
        self.nginx.retain(|k, _| inv.containers.contains_key(k));
        self.history.retain_known(inv);
    }

    /// What the probes say a service is: a ZooKeeper member's mode, else a
    /// database's replication role; None when neither has answered.
    pub fn service_role(&self, key: &ContainerKey) -> Option<&'static str> {
        if let Some(Ok(p)) = self.zookeeper.get(key).map(|p| &p.result) {
            return Some(p.mode().as_str());
        }
        match self.mysql.get(key).map(|p| &p.result) {
            Some(Ok(p)) => Some(p.role().as_str()),
            _ => None,
        }
    }
}

/// Containers a ZooKeeper probe should ask: every zookeeper-role container
/// that is running.
pub fn zookeeper_targets(inv: &Inventory) -> Vec<ContainerKey> {
    inv.containers
        .iter()
        .filter(|(_, c)| c.is_running() && detect_role(c) == Role::Zookeeper)
        .map(|(k, _)| k.clone())
        .collect()
}

/// HAProxy containers, running or not (a stopped balancer is news too).
fn haproxy_containers(inv: &Inventory) -> impl Iterator<Item = &ContainerKey> {
    inv.containers
        .iter()
        .filter(|(_, c)| detect_role(c) == Role::Haproxy)
        .map(|(k, _)| k)
}

/// Running HAProxy containers, to probe.
pub fn haproxy_targets(inv: &Inventory) -> Vec<ContainerKey> {
    haproxy_containers(inv)
        .filter(|k| inv.containers[*k].is_running())
        .cloned()
        .collect()
}

/// nginx containers, running or not.
fn nginx_containers(inv: &Inventory) -> impl Iterator<Item = &ContainerKey> {
    inv.containers
        .iter()
        .filter(|(_, c)| detect_role(c) == Role::Nginx)
        .map(|(k, _)| k)
}

/// Running nginx containers, to probe.
pub fn nginx_targets(inv: &Inventory) -> Vec<ContainerKey> {
    nginx_containers(inv)
        .filter(|k| inv.containers[*k].is_running())
        .cloned()
        .collect()
}

/// Every balancer (HAProxy, and nginx read-only) with its latest answer,
/// in host and name order.
pub fn balancers(inv: &Inventory, book: &ProbeBook) -> Vec<Balancer> {
    let haproxies = haproxy_containers(inv).filter_map(|k| {
        let probed = book.haproxy.get(k);
        balancer_view(inv, k, probed.map(|p| &p.result), probed.map(|p| p.at))
    });
    let nginxes = nginx_containers(inv).filter_map(|k| {
        let probed = book.nginx.get(k);
        nginx_view(inv, k, probed.map(|p| &p.result), probed.map(|p| p.at))
    });
    let mut all: Vec<Balancer> = haproxies.chain(nginxes).collect();
    let host_pos = |h: &str| inv.hosts.iter().position(|x| x.name == h);
    all.sort_by(|a, b| (host_pos(&a.host), &a.container).cmp(&(host_pos(&b.host), &b.container)));
    all
}

/// Database containers (mysql or mariadb role) that are running.
pub fn database_targets(inv: &Inventory) -> Vec<ContainerKey> {
    inv.containers
        .iter()
        .filter(|(_, c)| c.is_running() && matches!(detect_role(c), Role::Mysql | Role::Mariadb))
        .map(|(k, _)| k.clone())
        .collect()
}

/// ZooKeeper ensembles: zookeeper-role containers grouped by cluster,
/// across hosts, each member with its latest probe answer.
pub fn ensembles(inv: &Inventory, book: &ProbeBook) -> Vec<Ensemble> {
    let mut groups: BTreeMap<String, Vec<ZkMember>> = BTreeMap::new();
    let mut configured: HashMap<String, usize> = HashMap::new();
    for (key, c) in &inv.containers {
        if detect_role(c) != Role::Zookeeper {
            continue;
        }
        if c.is_ended_swarm_task() {
            continue;
        }
        let cluster = cluster_of(c);
        let probed = book.zookeeper.get(key);
        let probe = probed.and_then(|p| p.result.as_ref().ok());
        // Outside any cluster, members that name the same servers in their
        // config (ZOO_SERVERS) are one ensemble; a lone one is its own.
        let name = match (cluster.kind, probe.map(|p| &p.peers)) {
            (super::ClusterKind::Ungrouped, Some(peers)) if peers.len() > 1 => peers
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(","),
            (super::ClusterKind::Ungrouped, _) => c.name.to_string(),
            _ => cluster.name,
        };
        if let Some(p) = probe {
            let n = configured.entry(name.clone()).or_default();
            *n = (*n).max(p.configured);
        }
        let live = probe.filter(|_| c.is_running());
        let (mode, error) = match (c.is_running(), probed.map(|p| &p.result)) {
            (false, _) => (
                ZkMode::Unreachable,
                Some(SafeText::from_foreign(&format!(
                    "container {}",
                    c.state.as_str()
                ))),
            ),
            (true, None) => (ZkMode::Unknown, None),
            (true, Some(Err(e))) => (ZkMode::Unreachable, Some(e.text().clone())),
            (true, Some(Ok(p))) => (p.mode(), p.error()),
        };
        groups.entry(name).or_default().push(ZkMember {
            host: c.host.clone(),
            container: c.name.clone(),
            container_id: c.id.clone(),
            server_id: probe.and_then(|p| p.server_id),
            mode,
            // A stopped member's last numbers are not its numbers now.
            stats: live.and_then(|p| match &p.srvr {
                ZkReply::Ok(s) => Some(s.clone()),
                _ => None,
            }),
            monitor: live.and_then(|p| match &p.mntr {
                ZkReply::Ok(m) => Some(m.clone()),
                _ => None,
            }),
            probed_at: probed.map(|p| p.at),
            error,
        });
    }
    groups
        .into_iter()
        .map(|(name, mut members)| {
            members.sort_by(|a, b| {
                (a.server_id.is_none(), a.server_id, &a.container).cmp(&(
                    b.server_id.is_none(),
                    b.server_id,
                    &b.container,
                ))
            });
            Ensemble {
                configured: configured.get(&name).copied().unwrap_or(0),
                name,
                members,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::answers::zookeeper::{ZkMonitor, ZkServerStats};
    use crate::model::testing::container;
    use crate::model::{ContainerState, HostUpdate};

    fn serving(connections: u64) -> ProbeResult {
        let stats = ZkServerStats {
            version: "3.9.2".into(),
            latency_min: 0.0,
            latency_avg: 0.0,
            latency_max: 0.0,
            received: 0,
            sent: 0,
            connections,
            outstanding: 0,
            zxid: 1,
            mode: ZkMode::Follower,
            node_count: 5,
        };
        ProbeResult::Zookeeper(Ok(ZkProbe {
            server_id: Some(2),
            configured: 3,
            peers: Vec::new(),
            srvr: ZkReply::Ok(stats),
            mntr: ZkReply::Ok(ZkMonitor::default()),
        }))
    }

    #[test]
    fn a_stopped_member_keeps_its_id_but_not_its_last_numbers() {
        let mut inv = Inventory::default();
        let mut zk = container("a", "zk2");
        zk.image = "zookeeper:3.9".into();
        inv.apply(HostUpdate::ContainerChanged {
            container: zk.clone(),
        });
        let mut book = ProbeBook::default();
        book.record(("a".into(), zk.id.clone()), 1, serving(7));
        let member = |inv: &Inventory| ensembles(inv, &book)[0].members[0].clone();
        assert_eq!(member(&inv).stats.map(|s| s.connections), Some(7));
        zk.state = ContainerState::Exited;
        inv.apply(HostUpdate::ContainerChanged { container: zk });
        let stopped = member(&inv);
        assert_eq!(stopped.mode, ZkMode::Unreachable);
        assert_eq!(stopped.server_id, Some(2));
        assert!(stopped.stats.is_none() && stopped.monitor.is_none());
    }

    #[test]
    fn an_ended_swarm_task_is_no_member_but_a_stopped_container_is() {
        let mut inv = Inventory::default();
        let member = |name: &str, task: bool, state| {
            let mut c = container("a", name);
            c.image = "zookeeper:3.8".into();
            c.labels
                .insert("com.docker.stack.namespace".into(), "zk".into());
            if task {
                c.labels.insert(
                    crate::model::cluster::LABEL_SWARM_SERVICE.into(),
                    "zk1".into(),
                );
            }
            c.state = state;
            c
        };
        for c in [
            member("zk1.1.new", true, ContainerState::Running),
            member("zk1.1.old", true, ContainerState::Exited),
            member("zk2", false, ContainerState::Exited),
        ] {
            inv.apply(HostUpdate::ContainerChanged { container: c });
        }
        let all = ensembles(&inv, &ProbeBook::default());
        let names: Vec<&str> = all[0]
            .members
            .iter()
            .map(|m| m.container.as_str())
            .collect();
        assert_eq!(names, ["zk1.1.new", "zk2"]);
    }
}
