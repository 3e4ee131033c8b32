//! "The cluster works", asked of the services themselves with the same
//! probes the panes use: a ZooKeeper quorum with one leader, replica
//! threads running, every balancer server UP.

use super::plan::Check;
use crate::config::Settings;
use crate::docker::HostHandle;
use crate::model::answers::haproxy::{ProxyKind, Status};
use crate::model::answers::mysql::ReplicaStatus;
use crate::model::answers::zookeeper::ZkMode;
use crate::model::probed::ProbeResult;
use crate::probes::run::{probe, ProbeKind};

/// Why ZooKeeper members are not (yet) a quorum with one leader.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoQuorum {
    /// The members that do not serve, each with its mode.
    #[error("not serving yet: {}", listed(.0))]
    NotServing(Vec<(String, ZkMode)>),
    #[error("no leader yet")]
    NoLeader,
    #[error("{0} leaders")]
    ManyLeaders(usize),
}

fn listed(members: &[(String, ZkMode)]) -> String {
    let named: Vec<String> = members
        .iter()
        .map(|(n, m)| format!("{n} {}", m.as_str()))
        .collect();
    named.join(", ")
}

/// Why a check does not pass (yet): the create asks again until its
/// deadline, then fails with the last one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unverified {
    #[error("unknown host {0}")]
    UnknownHost(String),
    #[error(transparent)]
    Quorum(#[from] NoQuorum),
    /// A replica's threads are not both running (boxed: the status is big).
    #[error(
        "{replica}: IO {} SQL {} {}{}",
        .status.io_running.as_str(),
        .status.sql_running.as_str(),
        .status.last_io_error,
        .status.last_sql_error
    )]
    ReplicaStopped {
        replica: String,
        status: Box<ReplicaStatus>,
    },
    #[error("{0} is not replicating")]
    NotReplicating(String),
    /// The probe of `container` failed; `said` is its (sanitized) text.
    #[error("{container}: {said}")]
    ProbeFailed {
        container: String,
        said: crate::model::answers::ProbeError,
    },
    #[error("{0}: no answer")]
    NoAnswer(String),
    #[error("{up} of {servers} servers of {balancer} UP")]
    ServersDown {
        up: usize,
        servers: usize,
        balancer: String,
    },
}

/// Pure judgement of ZooKeeper members' modes: Ok(leader) when every
/// member serves and exactly one leads (a lone member is standalone).
pub fn judge_quorum(modes: &[(String, ZkMode)]) -> Result<String, NoQuorum> {
    if let [(name, ZkMode::Standalone)] = modes {
        return Ok(format!("{name} serves (standalone)"));
    }
    let down: Vec<(String, ZkMode)> = modes
        .iter()
        .filter(|(_, m)| !m.is_voting_up() || *m == ZkMode::Standalone)
        .cloned()
        .collect();
    if !down.is_empty() {
        return Err(NoQuorum::NotServing(down));
    }
    let leaders: Vec<&String> = modes
        .iter()
        .filter(|(_, m)| *m == ZkMode::Leader)
        .map(|(n, _)| n)
        .collect();
    match leaders.as_slice() {
        [one] => Ok(format!("{} members serve; {one} leads", modes.len())),
        [] => Err(NoQuorum::NoLeader),
        many => Err(NoQuorum::ManyLeaders(many.len())),
    }
}

/// Evaluate one check once: Ok(what holds) or Err(what does not yet).
pub async fn check_once(
    check: &Check,
    host: impl Fn(&str) -> Option<HostHandle>,
    settings: &Settings,
) -> Result<String, Unverified> {
    let handle = |name: &str| host(name).ok_or_else(|| Unverified::UnknownHost(name.into()));
    match check {
        Check::ZookeeperQuorum { members } => {
            let mut modes = Vec::new();
            for (h, name) in members {
                let mode = match probe(&handle(h)?, name, ProbeKind::Zookeeper, settings).await {
                    ProbeResult::Zookeeper(Ok(p)) => p.mode(),
                    _ => ZkMode::Unreachable,
                };
                modes.push((name.clone(), mode));
            }
            Ok(judge_quorum(&modes)?)
        }
        Check::Replication { host: h, replicas } => {
            let h = handle(h)?;
            for r in replicas {
                match probe(&h, r, ProbeKind::Mysql, settings).await {
                    ProbeResult::Mysql(Ok(p)) => match p.replica {
                        Some(s) if s.is_healthy() => {}
                        Some(s) => {
                            return Err(Unverified::ReplicaStopped {
                                replica: r.clone(),
                                status: Box::new(s),
                            })
                        }
                        None => return Err(Unverified::NotReplicating(r.clone())),
                    },
                    ProbeResult::Mysql(Err(said)) => {
                        return Err(Unverified::ProbeFailed {
                            container: r.clone(),
                            said,
                        })
                    }
                    _ => return Err(Unverified::NoAnswer(r.clone())),
                }
            }
            Ok(format!("replication runs on {}", replicas.join(", ")))
        }
        Check::BalancerUp {
            host: h,
            balancer,
            servers,
        } => match probe(&handle(h)?, balancer, ProbeKind::Haproxy, settings).await {
            ProbeResult::Haproxy(Ok(p)) => {
                let rows: Vec<_> = p
                    .rows
                    .iter()
                    .filter(|r| r.kind == ProxyKind::Server)
                    .collect();
                // Servers put in maintenance on purpose (a database's
                // standby writers) are not in service.
                let in_service = rows.iter().filter(|r| r.status != Status::Maint).count();
                let up = rows.iter().filter(|r| r.status == Status::Up).count();
                if up == *servers && in_service == *servers {
                    Ok(format!(
                        "all {servers} servers in service on {balancer} are UP"
                    ))
                } else {
                    Err(Unverified::ServersDown {
                        up,
                        servers: *servers,
                        balancer: balancer.clone(),
                    })
                }
            }
            ProbeResult::Haproxy(Err(said)) => Err(Unverified::ProbeFailed {
                container: balancer.clone(),
                said,
            }),
            _ => Err(Unverified::NoAnswer(balancer.clone())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(name: &str, mode: ZkMode) -> (String, ZkMode) {
        (name.into(), mode)
    }

    #[test]
    fn a_quorum_needs_every_member_serving_and_one_leader() {
        use ZkMode::*;
        assert_eq!(
            judge_quorum(&[m("zk1", Follower), m("zk2", Leader), m("zk3", Follower)]),
            Ok("3 members serve; zk2 leads".into())
        );
        let why = |modes: &[(String, ZkMode)]| judge_quorum(modes).unwrap_err().to_string();
        assert_eq!(
            why(&[
                m("zk1", Follower),
                m("zk2", NotServing),
                m("zk3", Unreachable)
            ]),
            "not serving yet: zk2 not serving, zk3 unreachable"
        );
        assert_eq!(
            why(&[m("zk1", Follower), m("zk2", Follower)]),
            "no leader yet"
        );
        assert_eq!(why(&[m("zk1", Leader), m("zk2", Leader)]), "2 leaders");
        assert!(judge_quorum(&[m("zk1", Standalone)]).is_ok());
        assert!(judge_quorum(&[m("zk1", Standalone), m("zk2", Leader)]).is_err());
    }

    #[test]
    fn what_does_not_hold_reads_as_before() {
        use crate::model::answers::mysql::ThreadState;
        let status = ReplicaStatus {
            source_host: "db1".into(),
            source_port: Some(3306),
            io_running: ThreadState::Connecting,
            sql_running: ThreadState::Yes,
            seconds_behind: None,
            gtid_position: Default::default(),
            last_io_error: "error connecting to source".into(),
            last_sql_error: Default::default(),
        };
        let stopped = Unverified::ReplicaStopped {
            replica: "db2".into(),
            status: Box::new(status),
        };
        assert_eq!(
            stopped.to_string(),
            "db2: IO connecting SQL yes error connecting to source"
        );
        let down = Unverified::ServersDown {
            up: 1,
            servers: 2,
            balancer: "lb".into(),
        };
        assert_eq!(down.to_string(), "1 of 2 servers of lb UP");
        assert_eq!(
            Unverified::NoAnswer("lb".into()).to_string(),
            "lb: no answer"
        );
        assert_eq!(
            Unverified::from(NoQuorum::NoLeader).to_string(),
            "no leader yet"
        );
    }
}
