//! ZooKeeper ensembles: members as probed, and what their modes add up to.

use serde::Serialize;

use super::answers::zookeeper::{ZkMode, ZkMonitor, ZkServerStats};
use super::SafeText;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZkMember {
    pub host: String,
    pub container: SafeText,
    pub container_id: String,
    /// `myid` of the member, when it could be read.
    pub server_id: Option<u32>,
    pub mode: ZkMode,
    pub stats: Option<ZkServerStats>,
    /// Only when `mntr` is whitelisted.
    pub monitor: Option<ZkMonitor>,
    /// Unix seconds of the last probe answer.
    pub probed_at: Option<i64>,
    /// Why the member is not serving or unreachable.
    pub error: Option<SafeText>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ensemble {
    pub name: String,
    pub members: Vec<ZkMember>,
    /// Voting members the configuration names (`server.N` lines); 0 when unknown.
    pub configured: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EnsembleWarning {
    NoQuorum {
        up: usize,
        needed: usize,
    },
    SplitBrain {
        leaders: Vec<String>,
    },
    /// A serving member whose zxid epoch is behind the leader's.
    EpochLag {
        member: String,
        epoch: u64,
        leader_epoch: u64,
    },
}

impl EnsembleWarning {
    pub fn text(&self) -> String {
        match self {
            Self::NoQuorum { up, needed } => {
                format!("NO QUORUM: {up} up, {needed} needed — the ensemble refuses writes")
            }
            Self::SplitBrain { leaders } => {
                format!("TWO LEADERS: {} all claim leadership", leaders.join(", "))
            }
            Self::EpochLag {
                member,
                epoch,
                leader_epoch,
            } => {
                format!("{member} lags: epoch {epoch:#x}, leader at {leader_epoch:#x}")
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnsembleHealth {
    pub leader: Option<String>,
    pub up: usize,
    pub total: usize,
    /// Members needed for quorum: a strict majority of `total`.
    pub quorum: usize,
    /// Further failures the ensemble survives with quorum intact.
    pub tolerates: usize,
    pub warnings: Vec<EnsembleWarning>,
}

impl EnsembleHealth {
    pub fn has_quorum(&self) -> bool {
        self.up >= self.quorum
    }

    /// "3/3 up · quorum OK · tolerates 1"
    pub fn summary(&self) -> String {
        if self.total == 1 {
            let state = if self.up == 1 { "serving" } else { "down" };
            return format!("{}/1 up · standalone {state} · tolerates 0", self.up);
        }
        let quorum = if self.has_quorum() {
            "quorum OK"
        } else {
            "NO QUORUM"
        };
        format!(
            "{}/{} up · {quorum} · tolerates {}",
            self.up, self.total, self.tolerates
        )
    }
}

impl Ensemble {
    pub fn health(&self) -> EnsembleHealth {
        let total = self.configured.max(self.members.len()).max(1);
        let up = self
            .members
            .iter()
            .filter(|m| m.mode.is_voting_up())
            .count();
        let quorum = total / 2 + 1;
        let leaders: Vec<&ZkMember> = self
            .members
            .iter()
            .filter(|m| m.mode == ZkMode::Leader)
            .collect();
        let mut warnings = Vec::new();
        // Right after start-up some members are not probed yet: no alarm until
        // every member has answered (or failed to).
        let all_probed = self.members.iter().all(|m| m.mode != ZkMode::Unknown);
        if total > 1 && up < quorum && all_probed {
            warnings.push(EnsembleWarning::NoQuorum { up, needed: quorum });
        }
        if leaders.len() > 1 {
            warnings.push(EnsembleWarning::SplitBrain {
                leaders: leaders.iter().map(|m| m.container.to_string()).collect(),
            });
        }
        // A follower reports the last zxid it applied: right after an election
        // that is still from the old epoch, until the leader commits anything.
        // It lags only once the leader has committed in its epoch.
        let leader_epoch = leaders
            .iter()
            .filter_map(|m| m.stats.as_ref())
            .filter(|s| s.counter() > 0)
            .map(ZkServerStats::epoch)
            .max();
        if let Some(leader_epoch) = leader_epoch {
            for m in &self.members {
                let Some(epoch) = m.stats.as_ref().map(ZkServerStats::epoch) else {
                    continue;
                };
                if m.mode.is_voting_up() && epoch < leader_epoch {
                    warnings.push(EnsembleWarning::EpochLag {
                        member: m.container.to_string(),
                        epoch,
                        leader_epoch,
                    });
                }
            }
        }
        EnsembleHealth {
            leader: (leaders.len() == 1).then(|| leaders[0].container.to_string()),
            up,
            total,
            quorum,
            tolerates: up.saturating_sub(quorum),
            warnings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(name: &str, mode: ZkMode, zxid: u64) -> ZkMember {
        ZkMember {
            host: "local".into(),
            container: name.into(),
            container_id: format!("id-{name}"),
            server_id: None,
            mode,
            stats: mode.is_voting_up().then(|| ZkServerStats {
                version: "3.8.0".into(),
                latency_min: 0.0,
                latency_avg: 0.0,
                latency_max: 0.0,
                received: 0,
                sent: 0,
                connections: 1,
                outstanding: 0,
                zxid,
                mode,
                node_count: 5,
            }),
            monitor: None,
            probed_at: Some(0),
            error: None,
        }
    }

    fn ensemble(members: Vec<ZkMember>) -> Ensemble {
        Ensemble {
            name: "zk".into(),
            configured: members.len(),
            members,
        }
    }

    #[test]
    fn healthy_three_tolerates_one() {
        let e = ensemble(vec![
            member("zk1", ZkMode::Follower, 0x1_0000_0004),
            member("zk2", ZkMode::Leader, 0x1_0000_0004),
            member("zk3", ZkMode::Follower, 0x1_0000_0004),
        ]);
        let h = e.health();
        assert_eq!(h.leader.as_deref(), Some("zk2"));
        assert_eq!((h.up, h.total, h.quorum, h.tolerates), (3, 3, 2, 1));
        assert!(h.warnings.is_empty());
        assert_eq!(h.summary(), "3/3 up · quorum OK · tolerates 1");
    }

    #[test]
    fn two_down_of_three_is_no_quorum() {
        let e = ensemble(vec![
            member("zk1", ZkMode::NotServing, 0),
            member("zk2", ZkMode::Unreachable, 0),
            member("zk3", ZkMode::Unreachable, 0),
        ]);
        let h = e.health();
        assert_eq!(h.leader, None);
        assert!(!h.has_quorum());
        assert_eq!(
            h.warnings,
            vec![EnsembleWarning::NoQuorum { up: 0, needed: 2 }]
        );
        assert_eq!(h.summary(), "0/3 up · NO QUORUM · tolerates 0");
    }

    #[test]
    fn two_leaders_and_a_lagging_epoch_are_flagged() {
        let e = ensemble(vec![
            member("zk1", ZkMode::Leader, 0x2_0000_0001),
            member("zk2", ZkMode::Leader, 0x1_0000_0009),
            member("zk3", ZkMode::Follower, 0x1_0000_0009),
        ]);
        let h = e.health();
        assert_eq!(h.leader, None);
        assert!(h.warnings.contains(&EnsembleWarning::SplitBrain {
            leaders: vec!["zk1".into(), "zk2".into()]
        }));
        assert!(h.warnings.contains(&EnsembleWarning::EpochLag {
            member: "zk3".into(),
            epoch: 1,
            leader_epoch: 2
        }));
    }

    #[test]
    fn fresh_epoch_without_commits_is_not_lag() {
        let e = ensemble(vec![
            member("zk1", ZkMode::Leader, 0x1_0000_0000),
            member("zk2", ZkMode::Follower, 0),
            member("zk3", ZkMode::Follower, 0),
        ]);
        assert!(e.health().warnings.is_empty());
    }

    #[test]
    fn configured_size_counts_members_never_seen() {
        // Five configured, three containers found and serving: quorum is 3.
        let mut e = ensemble(vec![
            member("zk1", ZkMode::Leader, 1),
            member("zk2", ZkMode::Follower, 1),
            member("zk3", ZkMode::Follower, 1),
        ]);
        e.configured = 5;
        let h = e.health();
        assert_eq!((h.up, h.total, h.quorum, h.tolerates), (3, 5, 3, 0));
    }
}
