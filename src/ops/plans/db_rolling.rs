//! A database cluster's rolling restart, its own plan: the replicas one at
//! a time (each running, replicating and caught up before the next, and
//! never the last healthy one), then a switchover to a restarted replica
//! (the same plan, fence and guards as `f`), then the old primary restarted
//! and back as a replica of the new one. The writers see one switchover's
//! gap and no more. A template cluster keeps its replicas in MAINT in the
//! writer backend: those servers are left alone (a drain and "ready" would
//! make a replica a writer); servers of other backends that send to a
//! member (readers) are drained around its restart.

use super::db_failover::{failover_plan, FailoverAsk, FailoverKind};
use super::rolling::{drain_steps, mark_pause_point, ready_steps, MemberServer, Target};
use crate::model::balancer::{servers_pointing_at, Balancer};
use crate::model::cluster::{cluster_of, detect_role, ClusterKey, Role};
use crate::model::inventory::Inventory;
use crate::model::probed::{balancers, ProbeBook};
use crate::model::ContainerKey;
use crate::ops::base::db_cluster::{DbCluster, DbNode};
use crate::ops::base::error::{PlanError, PlanResult};
use crate::ops::kernel::plan::{Plan, PlanAction, PlanTarget, Step};

/// The plan, and what it leaves out and why (shown with it).
#[derive(Debug, Clone, PartialEq)]
pub struct DbRollingPlan {
    pub plan: Plan,
    pub notes: Vec<String>,
}

/// Servers of backends other than the cluster's writer backends that send
/// to `member` and serve now: drained around its restart.
fn reader_servers(
    c: &DbCluster,
    balancers: &[Balancer],
    member: &ContainerKey,
) -> Vec<MemberServer> {
    servers_pointing_at(balancers, member)
        .into_iter()
        .filter_map(|(b, s)| {
            let server = MemberServer::of(b, s)?;
            let writer = c
                .writers
                .iter()
                .any(|w| w.container_id == b.container_id && w.backend == server.backend);
            (!writer && super::server_ops::serves(&s.stat.status)).then_some(server)
        })
        .collect()
}

/// One server's restart: readers drained, the replica guard (another of
/// `guard` replicating, when the cluster has a replica to spare), restart, up, replicating
/// with little lag, readers back.
fn restart_steps(
    n: &DbNode,
    readers: &[MemberServer],
    guard: Option<&[(String, String)]>,
    grace_secs: i32,
    why: &str,
) -> Vec<Step> {
    let mut steps = Vec::new();
    for s in readers {
        steps.extend(drain_steps(s, &n.name));
    }
    let target = Target {
        host: &n.host,
        id: &n.id,
        name: &n.name,
    };
    steps.extend(guard.map(|replicas| target.replica_guard(replicas, 1)));
    steps.extend(target.restart(why, grace_secs));
    steps.push(target.caught_up());
    for s in readers {
        steps.extend(ready_steps(s));
    }
    steps
}

/// Restart every server of database cluster `c` with at most one
/// switchover's write gap. Refused unless the primary answers (a failover
/// first) and every running server is the primary's replica or explained
/// (as a switchover is).
pub fn db_rolling_restart_plan(
    c: &DbCluster,
    balancers: &[Balancer],
    grace_secs: i32,
) -> PlanResult<DbRollingPlan> {
    let switchover = failover_plan(c, &FailoverAsk::default())?;
    if switchover.kind != FailoverKind::Switchover {
        return Err(PlanError::Refused(format!(
            "refused: the primary {} is down: fail it over first (tugboat failover {}), then restart",
            switchover.primary, c.name
        )));
    }
    let by_name = |name: &str| c.nodes.iter().find(|n| n.name == name);
    let (Some(primary), Some(candidate)) =
        (by_name(&switchover.primary), by_name(&switchover.candidate))
    else {
        return Err(PlanError::NotFound(format!(
            "cluster {}: the switchover's servers are not in it",
            c.name
        )));
    };
    // The primary's replicas that run, the candidate last so it is the
    // freshest restarted when it takes over.
    let mut replicas: Vec<&DbNode> = c
        .nodes
        .iter()
        .filter(|n| n.key() != primary.key() && n.alive().is_some())
        .filter(|n| {
            n.alive()
                .and_then(|p| p.replica.as_ref())
                .is_some_and(|r| primary.is(&r.source_host))
        })
        .collect();
    replicas.sort_by_key(|n| (n.key() == candidate.key(), n.name.clone()));
    // Each restart needs another replica replicating, when there are two.
    let unhealthy: Vec<&str> = replicas
        .iter()
        .filter(|n| super::db_candidates::unfit(n, primary, FailoverKind::Switchover).is_some())
        .map(|n| n.name.as_str())
        .collect();
    if replicas.len() >= 2 && !unhealthy.is_empty() {
        return Err(PlanError::Refused(format!(
            "refused: {} not replicating: restarting the others now would leave the database \
             without a healthy replica; bring them back first",
            unhealthy.join(", ")
        )));
    }
    // Asked when each restart starts: the old primary is among them, as
    // it is a replica by the time it restarts.
    let guarded: Vec<(String, String)> = replicas
        .iter()
        .chain(std::iter::once(&primary))
        .map(|n| (n.host.clone(), n.id.clone()))
        .collect();
    // With one replica, its restart leaves the primary serving: nothing to
    // spare, nothing to guard.
    let guard = (replicas.len() >= 2).then_some(guarded.as_slice());
    // Each part after the first begins where a paused job waits.
    let mut parts: Vec<Vec<Step>> = Vec::new();
    for n in &replicas {
        let readers = reader_servers(c, balancers, &n.key());
        parts.push(restart_steps(n, &readers, guard, grace_secs, ""));
    }
    // The switchover: asked again when it starts (its first step), so the
    // restarts above are what it sees.
    parts.push(switchover.plan.steps);
    let readers = reader_servers(c, balancers, &primary.key());
    parts.push(restart_steps(
        primary,
        &readers,
        guard,
        grace_secs,
        " (the old primary, now a replica of the new one)",
    ));
    let mut steps = Vec::new();
    for mut part in parts {
        if !steps.is_empty() {
            mark_pause_point(&mut part);
        }
        steps.extend(part);
    }
    let mut notes = switchover.notes;
    notes.push(format!(
        "{} stays the primary afterwards: switch back with `tugboat failover {} --to {}` if you want",
        candidate.name, c.name, primary.name
    ));
    Ok(DbRollingPlan {
        plan: Plan {
            action: PlanAction::RollingRestart,
            host: primary.host.clone(),
            target: PlanTarget::Cluster(c.name.clone()),
            steps,
        },
        notes,
    })
}

/// `R` / `restart --rolling` on a cluster with database servers: their own
/// plan, every other running member of the cluster named in the notes as
/// not restarted. None: not a database cluster.
pub fn cluster_rolling_plan(
    inv: &Inventory,
    book: &ProbeBook,
    cluster: &ClusterKey,
    grace_secs: i32,
) -> PlanResult<Option<DbRollingPlan>> {
    let Some(c) = crate::ops::base::db_cluster::db_cluster(inv, book, &cluster.name) else {
        return Ok(None);
    };
    // No balancer sends its writes: a switchover would leave the writers
    // on the old primary, so its members restart in turn, primary last.
    if c.writers.is_empty() {
        return Ok(None);
    }
    // Its restarts would be `docker restart` of task containers, which
    // swarm takes for tasks that ended.
    if let Some(task) = c.nodes.iter().find(|n| !n.service_names.is_empty()) {
        return Err(PlanError::Refused(format!(
            "{} is a task of swarm service {}, behind an HAProxy writer backend: a rolling \
             restart with a switchover is not done by tugboat for databases deployed as swarm \
             services yet (one without a writer backend restarts its servers in turn, the \
             primary last)",
            task.name,
            task.peer_name()
        )));
    }
    let mut planned = db_rolling_restart_plan(&c, &balancers(inv, book), grace_secs)?;
    let others = inv.containers.values().filter(|m| {
        m.is_running()
            && cluster_of(m) == *cluster
            && !matches!(detect_role(m), Role::Mysql | Role::Mariadb)
    });
    for m in others {
        planned.notes.push(format!(
            "{} ({}) is not restarted: a database's rolling restart restarts its servers only \
             (a balancer's restart drops every client connection); restart it on its own",
            m.name,
            detect_role(m).as_str()
        ));
    }
    Ok(Some(planned))
}
