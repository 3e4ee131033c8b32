//! "The cluster works", asked of the services themselves with the same
//! probes the panes use: a ZooKeeper quorum with one leader, replica
//! threads running, every balancer server UP.

use super::plan::Check;
use crate::config::Settings;
use crate::docker::HostHandle;
use crate::model::probed::ProbeResult;
use crate::probes::haproxy::{ProxyKind, Status};
use crate::probes::run::{probe, ProbeKind};
use crate::probes::zookeeper::ZkMode;

/// Pure judgement of ZooKeeper members' modes: Ok(leader) when every
/// member serves and exactly one leads (a lone member is standalone).
pub fn judge_quorum(modes: &[(String, ZkMode)]) -> Result<String, String> {
    if let [(name, ZkMode::Standalone)] = modes {
        return Ok(format!("{name} serves (standalone)"));
    }
    let down: Vec<String> = modes
        .iter()
        .filter(|(_, m)| !m.is_voting_up() || *m == ZkMode::Standalone)
        .map(|(n, m)| format!("{n} {}", m.as_str()))
        .collect();
    if !down.is_empty() {
        return Err(format!("not serving yet: {}", down.join(", ")));
    }
    let leaders: Vec<&String> = modes
        .iter()
        .filter(|(_, m)| *m == ZkMode::Leader)
        .map(|(n, _)| n)
        .collect();
    match leaders.as_slice() {
        [one] => Ok(format!("{} members serve; {one} leads", modes.len())),
        [] => Err("no leader yet".into()),
        many => Err(format!("{} leaders", many.len())),
    }
}

/// Evaluate one check once: Ok(what holds) or Err(what does not yet).
pub async fn check_once(
    check: &Check,
    host: impl Fn(&str) -> Option<HostHandle>,
    settings: &Settings,
) -> Result<String, String> {
    let handle = |name: &str| host(name).ok_or_else(|| format!("unknown host {name}"));
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
            judge_quorum(&modes)
        }
        Check::Replication { host: h, replicas } => {
            let h = handle(h)?;
            for r in replicas {
                match probe(&h, r, ProbeKind::Mysql, settings).await {
                    ProbeResult::Mysql(Ok(p)) => match p.replica {
                        Some(s) if s.is_healthy() => {}
                        Some(s) => {
                            return Err(format!(
                                "{r}: IO {} SQL {} {}{}",
                                s.io_running.as_str(),
                                s.sql_running.as_str(),
                                s.last_io_error,
                                s.last_sql_error
                            ))
                        }
                        None => return Err(format!("{r} is not replicating")),
                    },
                    ProbeResult::Mysql(Err(e)) => return Err(format!("{r}: {e}")),
                    _ => return Err(format!("{r}: no answer")),
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
                let up = rows.iter().filter(|r| r.status == Status::Up).count();
                if up == *servers && rows.len() == *servers {
                    Ok(format!("all {servers} servers of {balancer} are UP"))
                } else {
                    Err(format!("{up} of {servers} servers of {balancer} UP"))
                }
            }
            ProbeResult::Haproxy(Err(e)) => Err(format!("{balancer}: {e}")),
            _ => Err(format!("{balancer}: no answer")),
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
        assert_eq!(
            judge_quorum(&[m("zk1", Follower), m("zk2", NotServing)]),
            Err("not serving yet: zk2 not serving".into())
        );
        assert_eq!(
            judge_quorum(&[m("zk1", Follower), m("zk2", Follower)]),
            Err("no leader yet".into())
        );
        assert!(judge_quorum(&[m("zk1", Standalone)]).is_ok());
        assert!(judge_quorum(&[m("zk1", Standalone), m("zk2", Leader)]).is_err());
    }
}
