//! What a lifecycle plan may not take down, and the guards it asks again
//! right before each container goes — the same facts and the same run-time
//! guards as a rolling restart, but for members that do not come back: an
//! ensemble keeps its quorum without all of them, a database keeps its
//! primary and a healthy replica, a backend keeps an UP server.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::answers::mysql::{DbProbe, DbRole};
use crate::model::answers::zookeeper::ZkMode;
use crate::model::balancer::{servers_pointing_at, Balancer};
use crate::model::cluster::{cluster_of, detect_role, ClusterKey, Role};
use crate::model::container::Container;
use crate::model::ensemble::Ensemble;
use crate::model::inventory::{ContainerKey, Inventory};
use crate::model::probed::{balancers, ensembles, ProbeBook};
use crate::ops::base::error::{PlanError, PlanResult};
use crate::ops::base::haproxy_command::serves;
use crate::ops::kernel::plan::{BalancerStep, DbStep, Step, StepOp, ZkStep};

use super::rolling::{replica_caught_up, unasked_balancers};

/// A running container the plan takes out of service.
pub(crate) struct Going<'a> {
    pub key: &'a ContainerKey,
    pub container: &'a Container,
}

/// The guard steps to run right before each container goes, and which of
/// them lead (a ZooKeeper leader goes last: one election, not two).
#[derive(Default)]
pub(crate) struct Guards {
    before: BTreeMap<ContainerKey, Vec<Step>>,
    leaders: BTreeSet<ContainerKey>,
}

impl Guards {
    pub fn leads(&self, key: &ContainerKey) -> bool {
        self.leaders.contains(key)
    }

    pub fn before(&self, key: &ContainerKey) -> Vec<Step> {
        self.before.get(key).cloned().unwrap_or_default()
    }

    fn add(&mut self, key: &ContainerKey, step: Step) {
        self.before.entry(key.clone()).or_default().push(step);
    }
}

/// The guards for taking `going` down (to `verb` them), or why it is refused
/// (or cannot be decided yet).
pub(crate) fn guards_for(
    inv: &Inventory,
    book: &ProbeBook,
    verb: &str,
    going: &[Going],
) -> PlanResult<Guards> {
    let mut guards = Guards::default();
    if going.is_empty() {
        return Ok(guards);
    }
    for e in ensembles(inv, book) {
        ensemble_guards(&e, verb, going, &mut guards)?;
    }
    database_guards(inv, book, verb, going, &mut guards)?;
    balancer_guards(inv, book, verb, going, &mut guards)?;
    Ok(guards)
}

fn names(going: &[&Going]) -> String {
    let mut names: Vec<&str> = going.iter().map(|g| g.container.name.as_str()).collect();
    names.sort_unstable();
    names.join(", ")
}

/// An ensemble must keep a majority of its voters serving without every
/// member going. A member not probed yet counts as serving: the guard
/// errs towards refusing.
fn ensemble_guards(
    e: &Ensemble,
    verb: &str,
    going: &[Going],
    guards: &mut Guards,
) -> PlanResult<()> {
    let gone: Vec<&Going> = going
        .iter()
        .filter(|g| {
            e.members
                .iter()
                .any(|m| m.host == g.key.0 && m.container_id == g.key.1)
        })
        .collect();
    if gone.is_empty() {
        return Ok(());
    }
    let h = e.health();
    if h.total <= 1 {
        return Ok(());
    }
    let unprobed = e.members.iter().any(|m| m.mode == ZkMode::Unknown);
    if h.leader.is_none() && unprobed {
        return Err(PlanError::NotReady(format!(
            "still asking the members of ensemble {} who leads: try again in a moment",
            e.name
        )));
    }
    let voting_gone = e
        .members
        .iter()
        .filter(|m| gone.iter().any(|g| g.key.1 == m.container_id))
        .filter(|m| m.mode.is_voting_up() || m.mode == ZkMode::Unknown)
        .count();
    let left = h.up.saturating_sub(voting_gone);
    if h.leader.is_some() && left < h.quorum {
        return Err(PlanError::Refused(format!(
            "refused: ensemble {} would lose its quorum: to {} {} leaves {left} of its {} \
             members serving, and it needs {}; nothing was done",
            e.name,
            verb,
            names(&gone),
            h.total,
            h.quorum
        )));
    }
    let members: Vec<(String, String)> = e
        .members
        .iter()
        .map(|m| (m.host.clone(), m.container_id.clone()))
        .collect();
    for g in gone {
        let member = e.members.iter().find(|m| m.container_id == g.key.1);
        if member.is_some_and(|m| m.mode == ZkMode::Leader) {
            guards.leaders.insert(g.key.clone());
        }
        let step = Step::new(
            format!(
                "check that ensemble {} keeps its quorum without {} (else stop here)",
                e.name, g.container.name
            ),
            StepOp::Zk(ZkStep::GuardQuorum {
                members: members.clone(),
                restarting: g.key.1.clone(),
                voters: h.total,
            }),
        )
        .on(&g.key.0);
        guards.add(g.key, step);
    }
    Ok(())
}

fn is_database(c: &Container) -> bool {
    matches!(detect_role(c), Role::Mysql | Role::Mariadb)
}

/// A database's primary is never taken down this way (switch it first),
/// and a database that has a healthy replica keeps one.
fn database_guards(
    inv: &Inventory,
    book: &ProbeBook,
    verb: &str,
    going: &[Going],
    guards: &mut Guards,
) -> PlanResult<()> {
    let mut by_cluster: BTreeMap<ClusterKey, Vec<&Going>> = BTreeMap::new();
    for g in going.iter().filter(|g| is_database(g.container)) {
        // A probe that failed is a server that does not answer: nothing
        // it serves is lost by taking it down.
        let Some(probed) = book.mysql.get(g.key) else {
            return Err(PlanError::NotReady(format!(
                "{}: its replication role is not known yet (a primary is never taken down this \
                 way): try again in a moment",
                g.container.name
            )));
        };
        if probed
            .result
            .as_ref()
            .is_ok_and(|p| p.role() == DbRole::Primary)
        {
            return Err(PlanError::Refused(format!(
                "refused: {} is the primary of {}: to {} it would stop every write; switch the \
                 primary first (f), then {} it",
                g.container.name,
                cluster_of(g.container).label(),
                verb,
                verb
            )));
        }
        by_cluster
            .entry(cluster_of(g.container))
            .or_default()
            .push(g);
    }
    for (cluster, gone) in by_cluster {
        replica_guards(inv, book, verb, &cluster, &gone, guards)?;
    }
    Ok(())
}

/// Of `cluster`'s running replicas, at least one healthy one stays when
/// one was healthy before; asked again before each healthy one goes.
fn replica_guards(
    inv: &Inventory,
    book: &ProbeBook,
    verb: &str,
    cluster: &ClusterKey,
    gone: &[&Going],
    guards: &mut Guards,
) -> PlanResult<()> {
    let probe_of = |k: &ContainerKey| -> Option<&DbProbe> {
        book.mysql.get(k).and_then(|p| p.result.as_ref().ok())
    };
    let replicas: Vec<(&ContainerKey, bool)> = inv
        .containers
        .iter()
        .filter(|(_, c)| c.is_running() && is_database(c) && cluster_of(c) == *cluster)
        .filter_map(|(k, _)| {
            let p = probe_of(k)?;
            (p.role() == DbRole::Replica).then(|| (k, replica_caught_up(Some(p))))
        })
        .collect();
    let is_gone = |k: &ContainerKey| gone.iter().any(|g| g.key == k);
    let healthy_before = replicas.iter().filter(|(_, ok)| *ok).count();
    let healthy_after = replicas.iter().filter(|(k, ok)| *ok && !is_gone(k)).count();
    if healthy_before > 0 && healthy_after == 0 {
        return Err(PlanError::Refused(format!(
            "refused: {} would be left without a healthy replica: to {} {} takes the last one \
             out; bring another replica back first; nothing was done",
            cluster.label(),
            verb,
            names(gone)
        )));
    }
    let all: Vec<(String, String)> = replicas
        .iter()
        .map(|(k, _)| (k.0.clone(), k.1.clone()))
        .collect();
    for g in gone {
        if !replicas.iter().any(|(k, ok)| *k == g.key && *ok) {
            continue;
        }
        let step = Step::new(
            format!(
                "check that another replica of {} replicates without {} (else stop here)",
                cluster.name, g.container.name
            ),
            StepOp::Db(DbStep::GuardReplicas {
                replicas: all.clone(),
                restarting: g.key.1.clone(),
                needed: 1,
            }),
        )
        .on(&g.key.0);
        guards.add(g.key, step);
    }
    Ok(())
}

/// A backend keeps an UP server that is not going; asked again before
/// each server's container goes. Every HAProxy must have answered first:
/// which servers point at a container decides it.
fn balancer_guards(
    inv: &Inventory,
    book: &ProbeBook,
    verb: &str,
    going: &[Going],
    guards: &mut Guards,
) -> PlanResult<()> {
    let unasked = unasked_balancers(inv, book);
    if unasked > 0 {
        return Err(PlanError::NotReady(format!(
            "still asking {unasked} HAProxy balancer(s) which servers point at the containers: \
             try again in a moment"
        )));
    }
    let all: Vec<Balancer> = balancers(inv, book);
    let going_keys: BTreeSet<&ContainerKey> = going.iter().map(|g| g.key).collect();
    for g in going {
        for (b, s) in servers_pointing_at(&all, g.key) {
            if !serves(&s.stat.status) {
                continue;
            }
            let Some(backend) = b.backends.iter().find(|be| be.servers.contains(s)) else {
                continue;
            };
            let others_up = backend
                .servers
                .iter()
                .filter(|x| *x != s && serves(&x.stat.status))
                .filter(|x| x.container.as_ref().is_none_or(|k| !going_keys.contains(k)))
                .count();
            if others_up == 0 {
                return Err(PlanError::Refused(format!(
                    "refused: backend {} on {} would have no UP server left: to {} {} takes \
                     {}/{} out, the last one; nothing was done",
                    backend.stat.proxy,
                    b.container,
                    verb,
                    g.container.name,
                    backend.stat.proxy,
                    s.stat.name
                )));
            }
            let step = Step::new(
                format!(
                    "check that another server of {} is UP before {} goes (else stop here)",
                    backend.stat.proxy, g.container.name
                ),
                StepOp::Balancer(BalancerStep::GuardServersLeft {
                    container_id: b.container_id.clone(),
                    backend: backend.stat.proxy.to_string(),
                    server: s.stat.name.to_string(),
                }),
            )
            .on(&b.host);
            guards.add(g.key, step);
        }
    }
    Ok(())
}
