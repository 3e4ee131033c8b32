//! Everything known about every host, updated only by applying `HostUpdate`s.

use std::collections::{BTreeMap, HashMap};

use super::container::{Container, MountKind, Stats};
use super::host::{EngineInfo, Host, HostState};
use super::volume::{Volume, VolumeUser};
use super::SafeText;

// A listing applied as a difference (issue 22's idle CPU at 2,000 containers).
#[path = "listing_merge.rs"]
mod listing_merge;

/// (host name, container id)
pub type ContainerKey = (String, String);

/// What a host task reports. Plain data: the docker module builds these, the
/// app applies them, tests construct them directly.
#[derive(Debug, Clone, PartialEq)]
pub enum HostUpdate {
    Connecting {
        host: String,
    },
    Connected {
        host: String,
        engine: EngineInfo,
    },
    Unreachable {
        host: String,
        at: i64,
        error: String,
    },
    /// A full listing: the truth about the host's containers and volumes
    /// (applied as what differs from what is held).
    Listed {
        host: String,
        containers: Vec<Container>,
        volumes: Vec<Volume>,
    },
    ContainerChanged {
        container: Container,
    },
    ContainerRemoved {
        host: String,
        id: String,
    },
    /// The engine announced the container's exit; a full refresh follows.
    ContainerDied {
        host: String,
        id: String,
        exit_code: i64,
    },
    VolumesListed {
        host: String,
        volumes: Vec<Volume>,
    },
    /// Sizes from the engine's disk-usage report, by volume name.
    VolumeSizes {
        host: String,
        sizes: HashMap<String, u64>,
    },
    /// An engine event was seen (any kind), at unix seconds `at`.
    EventSeen {
        host: String,
        at: i64,
    },
    Stats {
        host: String,
        id: String,
        stats: Stats,
    },
    /// The swarm's nodes as this manager lists them (empty: not a manager).
    SwarmNodes {
        host: String,
        nodes: Vec<super::swarm::SwarmNode>,
    },
    /// The swarm's services and their tasks (history too) as this manager
    /// lists them (empty: not a manager).
    SwarmServices {
        host: String,
        services: Vec<super::swarm_service::SwarmService>,
        tasks: Vec<super::swarm_service::SwarmTask>,
    },
    /// A manager that cannot answer for its swarm (no leader: too few
    /// managers), in the engine's words; None once it answers again.
    SwarmTrouble {
        host: String,
        trouble: Option<super::SafeText>,
    },
    /// Timeline entries for the engine events worth a line (a death, an
    /// OOM kill, a failing healthcheck, …); `batch` keeps each batch apart
    /// where updates are coalesced.
    Events {
        host: String,
        batch: u64,
        entries: Vec<super::timeline::TimelineEntry>,
    },
    /// Every lease the engine keeps now.
    Leases {
        host: String,
        leases: Vec<super::lease::LeaseRecord>,
    },
}

#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// In configuration order.
    pub hosts: Vec<Host>,
    pub containers: BTreeMap<ContainerKey, Container>,
    /// (host, volume name)
    pub volumes: BTreeMap<(String, String), Volume>,
    pub stats: HashMap<ContainerKey, Stats>,
    /// The last samples of each container `stats` has, for sparklines.
    pub stats_history: HashMap<ContainerKey, super::stats_history::StatsHistory>,
}

impl Inventory {
    pub fn new(hosts: Vec<Host>) -> Self {
        Self {
            hosts,
            ..Self::default()
        }
    }

    pub fn host(&self, name: &str) -> Option<&Host> {
        self.hosts.iter().find(|h| h.name == name)
    }

    fn host_mut(&mut self, name: &str) -> Option<&mut Host> {
        self.hosts.iter_mut().find(|h| h.name == name)
    }

    /// Apply one update. Returns whether anything visible changed, so the
    /// caller can skip a redraw when nothing did.
    pub fn apply(&mut self, update: HostUpdate) -> bool {
        match update {
            // A retry during an outage is part of it: the host stays
            // unreachable, since the outage began, until it answers.
            HostUpdate::Connecting { host } => self.update_host(&host, |h| {
                let retry = matches!(h.state, HostState::Unreachable { .. });
                !retry && replace(&mut h.state, HostState::Connecting)
            }),
            // The timeline's, not the inventory's.
            HostUpdate::Events { .. } => false,
            HostUpdate::SwarmNodes { host, nodes } => {
                self.update_host(&host, |h| replace(&mut h.swarm_nodes, nodes))
            }
            HostUpdate::SwarmServices {
                host,
                services,
                tasks,
            } => self.update_host(&host, |h| {
                replace(&mut h.swarm_services, services) | replace(&mut h.swarm_tasks, tasks)
            }),
            HostUpdate::SwarmTrouble { host, trouble } => {
                self.update_host(&host, |h| replace(&mut h.swarm_trouble, trouble))
            }
            HostUpdate::Leases { host, leases } => {
                self.update_host(&host, |h| replace(&mut h.leases, leases))
            }
            HostUpdate::Connected { host, engine } => {
                self.update_host(&host, |h| mark_connected(h, engine))
            }
            HostUpdate::Unreachable { host, at, error } => {
                self.update_host(&host, |h| mark_unreachable(h, at, error))
            }
            HostUpdate::Listed {
                host,
                containers,
                volumes,
            } => self.merge_listing(&host, containers, volumes),
            HostUpdate::ContainerChanged { container } => {
                self.upsert_container(container);
                true
            }
            HostUpdate::ContainerDied {
                host,
                id,
                exit_code,
            } => self.mark_exited((host, id), exit_code),
            HostUpdate::ContainerRemoved { host, id } => self.remove_container((host, id)),
            HostUpdate::VolumesListed { host, volumes } => self.merge_volumes(&host, volumes),
            HostUpdate::VolumeSizes { host, sizes } => self.set_volume_sizes(&host, &sizes),
            HostUpdate::EventSeen { host, at } => self.update_host(&host, |h| {
                h.last_event = Some(at);
                true
            }),
            HostUpdate::Stats { host, id, stats } => self.record_stats((host, id), stats),
        }
    }

    /// Run `change` on a configured host; updates for unknown hosts change nothing.
    fn update_host(&mut self, name: &str, change: impl FnOnce(&mut Host) -> bool) -> bool {
        match self.host_mut(name) {
            Some(h) => change(h),
            None => false,
        }
    }

    /// Add or replace one container; a stopped one has no live stats.
    fn upsert_container(&mut self, container: Container) {
        let key = (container.host.clone(), container.id.clone());
        if !container.is_running() {
            self.forget_stats(&key);
        }
        self.containers.insert(key, container);
    }

    /// Show the exit at once rather than wait for the refresh that follows.
    /// Returns false when the container is unknown.
    fn mark_exited(&mut self, key: ContainerKey, exit_code: i64) -> bool {
        self.forget_stats(&key);
        let Some(c) = self.containers.get_mut(&key) else {
            return false;
        };
        c.state = super::ContainerState::Exited;
        c.status = SafeText::from_foreign(&format!("Exited ({exit_code}) Less than a second ago"));
        c.health = super::Health::None;
        c.started_at = None;
        true
    }

    /// Forget a container and its stats. Returns whether it was known.
    fn remove_container(&mut self, key: ContainerKey) -> bool {
        self.forget_stats(&key);
        self.containers.remove(&key).is_some()
    }

    /// Set the sizes the report has for this host's volumes; volumes it
    /// leaves out keep the size they had.
    fn set_volume_sizes(&mut self, host: &str, sizes: &HashMap<String, u64>) -> bool {
        let mut changed = false;
        for ((h, name), v) in self.volumes.iter_mut() {
            let size = sizes.get(name).copied();
            if *h == host && size.is_some() && v.size != size {
                v.size = size;
                changed = true;
            }
        }
        changed
    }

    /// Stats only for containers we know: a late sample for a removed one
    /// is dropped. Returns whether the numbers changed.
    fn record_stats(&mut self, key: ContainerKey, stats: Stats) -> bool {
        if !self.containers.contains_key(&key) {
            return false;
        }
        self.stats_history
            .entry(key.clone())
            .or_default()
            .push(stats);
        self.stats.insert(key, stats) != Some(stats)
    }

    /// A container stopped or went: no live numbers, no history to draw.
    fn forget_stats(&mut self, key: &ContainerKey) {
        self.stats.remove(key);
        self.stats_history.remove(key);
    }

    /// Sizes arrive later than listings; a re-listed volume keeps the size it had.
    fn replace_volumes(&mut self, host: &str, volumes: Vec<Volume>) {
        let mut old: HashMap<String, Volume> = HashMap::new();
        self.volumes.retain(|(h, name), v| {
            if h == host {
                old.insert(name.clone(), v.clone());
            }
            h != host
        });
        for mut v in volumes {
            if v.size.is_none() {
                v.size = old.get(v.name.as_str()).and_then(|o| o.size);
            }
            self.volumes.insert((v.host.clone(), v.name.to_string()), v);
        }
    }

    /// The host's containers: a range of the map (keys start with the
    /// host), not a walk over every host's (issue 22: 2,000 containers).
    pub fn containers_on<'a>(&'a self, host: &'a str) -> impl Iterator<Item = &'a Container> + 'a {
        self.containers
            .range((host.to_string(), String::new())..)
            .take_while(move |((h, _), _)| h == host)
            .map(|(_, c)| c)
    }

    /// (running, total) containers on a host.
    pub fn container_counts(&self, host: &str) -> (usize, usize) {
        self.containers_on(host).fold((0, 0), |(run, all), c| {
            (run + usize::from(c.is_running()), all + 1)
        })
    }

    /// Containers on the volume's host that mount it, running or not.
    pub fn volume_users(&self, host: &str, volume: &str) -> Vec<VolumeUser> {
        let mut users: Vec<VolumeUser> = self
            .containers_on(host)
            .flat_map(|c| {
                c.mounts
                    .iter()
                    .filter(|m| m.kind == MountKind::Volume && m.name.as_deref() == Some(volume))
                    .map(|m| VolumeUser {
                        container: c.name.clone(),
                        running: c.is_running(),
                        destination: m.destination.clone(),
                    })
            })
            .collect();
        users.sort_by(|a, b| a.container.cmp(&b.container));
        users
    }

    pub fn hosts_up(&self) -> usize {
        self.hosts.iter().filter(|h| h.is_up()).count()
    }

    /// The newest event time across hosts.
    pub fn last_event(&self) -> Option<i64> {
        self.hosts.iter().filter_map(|h| h.last_event).max()
    }
}

/// Store `value` in `slot`, returning whether it differed.
fn replace<T: PartialEq>(slot: &mut T, value: T) -> bool {
    let changed = *slot != value;
    *slot = value;
    changed
}

/// The host answered: it is up, running `engine`.
fn mark_connected(h: &mut Host, engine: EngineInfo) -> bool {
    let changed = h.state != HostState::Up || h.engine.as_ref() != Some(&engine);
    h.state = HostState::Up;
    h.engine = Some(engine);
    changed
}

/// The host failed to answer at `at`. Keep the start of the outage; only
/// the error text moves on.
fn mark_unreachable(h: &mut Host, at: i64, error: String) -> bool {
    let since = match &h.state {
        HostState::Unreachable { since, .. } => *since,
        HostState::Connecting | HostState::Up => at,
    };
    let next = HostState::Unreachable { since, error };
    let changed = h.state != next;
    h.state = next;
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::container::{ContainerState, Mount};
    use crate::model::testing::{container, volume};

    fn inv() -> Inventory {
        Inventory::new(vec![
            Host::new("a", "unix:///a", "flag"),
            Host::new("b", "tcp://b", "flag"),
        ])
    }

    #[test]
    fn listing_replaces_only_that_hosts_objects() {
        let mut inv = inv();
        inv.apply(HostUpdate::Listed {
            host: "a".into(),
            containers: vec![container("a", "one"), container("a", "two")],
            volumes: vec![volume("a", "data")],
        });
        inv.apply(HostUpdate::Listed {
            host: "b".into(),
            containers: vec![container("b", "three")],
            volumes: vec![],
        });
        inv.apply(HostUpdate::Listed {
            host: "a".into(),
            containers: vec![container("a", "two")],
            volumes: vec![],
        });
        let names: Vec<_> = inv.containers.values().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["two", "three"]);
        assert!(inv.volumes.is_empty());
    }

    #[test]
    fn a_die_event_marks_the_container_exited_at_once() {
        let mut inv = inv();
        let c = container("a", "web");
        let id = c.id.clone();
        inv.apply(HostUpdate::ContainerChanged { container: c });
        assert!(inv.apply(HostUpdate::ContainerDied {
            host: "a".into(),
            id: id.clone(),
            exit_code: 137
        }));
        let c = &inv.containers[&("a".to_string(), id)];
        assert_eq!(c.state, ContainerState::Exited);
        assert_eq!(c.status, "Exited (137) Less than a second ago");
        assert!(!inv.apply(HostUpdate::ContainerDied {
            host: "a".into(),
            id: "gone".into(),
            exit_code: 0
        }));
    }

    #[test]
    fn outage_keeps_its_start_time() {
        let mut inv = inv();
        inv.apply(HostUpdate::Unreachable {
            host: "b".into(),
            at: 100,
            error: "refused".into(),
        });
        // The host task says it tries again before each retry.
        inv.apply(HostUpdate::Connecting { host: "b".into() });
        assert!(matches!(
            inv.host("b").unwrap().state,
            HostState::Unreachable { since: 100, .. }
        ));
        inv.apply(HostUpdate::Unreachable {
            host: "b".into(),
            at: 160,
            error: "timed out".into(),
        });
        assert_eq!(
            inv.host("b").unwrap().state,
            HostState::Unreachable {
                since: 100,
                error: "timed out".into()
            }
        );
        assert_eq!(inv.hosts_up(), 0);
    }

    #[test]
    fn a_re_list_keeps_the_samples_of_containers_still_running() {
        let mut inv = inv();
        let (web, old) = (container("a", "web"), container("a", "old"));
        inv.apply(HostUpdate::Listed {
            host: "a".into(),
            containers: vec![web.clone(), old.clone()],
            volumes: vec![],
        });
        let stats = Stats {
            cpu_percent: 3.0,
            memory_bytes: 10,
            memory_limit: 100,
        };
        for c in [&web, &old] {
            inv.apply(HostUpdate::Stats {
                host: "a".into(),
                id: c.id.clone(),
                stats,
            });
        }
        let mut stopped = old.clone();
        stopped.state = ContainerState::Exited;
        inv.apply(HostUpdate::Listed {
            host: "a".into(),
            containers: vec![web.clone(), stopped],
            volumes: vec![],
        });
        let web_key = ("a".to_string(), web.id.clone());
        let old_key = ("a".to_string(), old.id.clone());
        assert_eq!(inv.stats.get(&web_key), Some(&stats));
        assert_eq!(inv.stats_history[&web_key].len(), 1);
        assert!(!inv.stats.contains_key(&old_key));
        assert!(!inv.stats_history.contains_key(&old_key));
    }

    #[test]
    fn stopped_container_loses_its_stats_and_counts() {
        let mut inv = inv();
        let c = container("a", "web");
        let id = c.id.clone();
        inv.apply(HostUpdate::ContainerChanged {
            container: c.clone(),
        });
        let stats = Stats {
            cpu_percent: 1.0,
            memory_bytes: 10,
            memory_limit: 100,
        };
        assert!(inv.apply(HostUpdate::Stats {
            host: "a".into(),
            id: id.clone(),
            stats
        }));
        assert!(!inv.apply(HostUpdate::Stats {
            host: "a".into(),
            id: id.clone(),
            stats
        }));
        assert_eq!(inv.container_counts("a"), (1, 1));
        let mut stopped = c;
        stopped.state = ContainerState::Exited;
        inv.apply(HostUpdate::ContainerChanged { container: stopped });
        assert!(inv.stats.is_empty());
        assert_eq!(inv.container_counts("a"), (0, 1));
        assert!(inv.apply(HostUpdate::ContainerRemoved {
            host: "a".into(),
            id
        }));
        assert_eq!(inv.container_counts("a"), (0, 0));
    }

    #[test]
    fn volume_users_include_stopped_containers_on_the_same_host_only() {
        let mut inv = inv();
        let mount = |name: &str| Mount {
            kind: crate::model::MountKind::Volume,
            name: Some(name.into()),
            source: format!("/var/lib/docker/volumes/{name}/_data").into(),
            destination: "/data".into(),
            read_write: true,
        };
        let mut running = container("a", "db");
        running.mounts = vec![mount("data")];
        let mut stopped = container("a", "old-db");
        stopped.state = ContainerState::Exited;
        stopped.mounts = vec![mount("data")];
        let mut elsewhere = container("b", "db-b");
        elsewhere.mounts = vec![mount("data")];
        for c in [running, stopped, elsewhere] {
            inv.apply(HostUpdate::ContainerChanged { container: c });
        }
        let users = inv.volume_users("a", "data");
        assert_eq!(users.len(), 2);
        assert_eq!(
            (users[0].container.as_str(), users[0].running),
            ("db", true)
        );
        assert_eq!(
            (users[1].container.as_str(), users[1].running),
            ("old-db", false)
        );
    }
}
