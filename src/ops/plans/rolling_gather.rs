//! Who a rolling restart or update restarts, and in what order: the
//! running members of a cluster with what the probes know of them (a
//! ZooKeeper leader, a database primary: last), the balancer servers
//! drained around each, and the refusals made before any step runs (an
//! ensemble with no failure to spare, a database without a healthy
//! replica, a balancer's last UP server).

pub use super::rolling_member::{Member, MemberServer};
use super::rolling_swarm::task_of;
use super::server_ops::serves;
use crate::model::answers::mysql::{DbProbe, DbRole};
use crate::model::balancer::{servers_pointing_at, Balancer};
use crate::model::cluster::{cluster_of, detect_role, ClusterKey, Role};
use crate::model::container::Container;
use crate::model::inventory::{ContainerKey, Inventory};
use crate::model::probed::{balancers, ensembles, haproxy_targets, ProbeBook};
use crate::model::SafeText;
use crate::ops::base::error::{PlanError, PlanResult};
use crate::ops::steps::db_checks::MAX_REPLICA_LAG_SECS;
/// The running members of `cluster` with what the probes know of them.
/// Refused while a ZooKeeper leader or database primary is not known yet,
/// since it must go last.
pub fn members_of(
    inv: &Inventory,
    book: &ProbeBook,
    cluster: &ClusterKey,
) -> PlanResult<Vec<Member>> {
    let ensemble = ensemble_facts(inv, book, cluster)?;
    require_balancers_answered(inv, book, cluster)?;
    let all_balancers = balancers(inv, book);
    let mut members = Vec::new();
    let mut replicas = ReplicaHealth::default();
    for (key, c) in &inv.containers {
        if !c.is_running() || cluster_of(c) != *cluster {
            continue;
        }
        let mut member = member_of(key, c, book, &ensemble, &all_balancers, &mut replicas)?;
        member.task = task_of(inv, c, cluster)?;
        members.push(member);
    }
    refuse_what_swarm_tasks_cannot_do(&members)?;
    guard_db_replicas(inv, cluster, &mut members, &replicas)?;
    Ok(members)
}

/// What a rolling restart does not do yet for members that are swarm
/// tasks, refused with why: a ZooKeeper member or database server among
/// several tasks of one service (its guards and waits name one service per
/// member). An app service's tasks are replaced one at a time.
pub(crate) fn refuse_what_swarm_tasks_cannot_do(members: &[Member]) -> PlanResult<()> {
    for m in members {
        let Some(task) = &m.task else { continue };
        let siblings = tasks_of_service(members, &task.service);
        if siblings > 1 && (m.zookeeper || m.db_replicas > 0 || m.db_replica || m.leader) {
            return Err(PlanError::Refused(format!(
                "service {} runs {siblings} tasks in this cluster, {} among them: a \
                 ZooKeeper member's or database server's checks name one service per member \
                 — deploy one service per member (as a stack of zk1, zk2, zk3 does)",
                task.service, m.name
            )));
        }
    }
    Ok(())
}

/// How many of `members` are tasks of `service`.
pub(crate) fn tasks_of_service(members: &[Member], service: &str) -> usize {
    (members.iter())
        .filter(|o| o.task.as_ref().is_some_and(|t| t.service == service))
        .count()
}

/// What the cluster's ZooKeeper ensemble, if it has one, says of its
/// members: who leads (restarted last) and how many vote (quorum guard).
struct EnsembleFacts {
    leader: Option<String>,
    voters: usize,
}

/// The ensemble's leader and voters, refused when it has no failure to
/// spare.
fn ensemble_facts(
    inv: &Inventory,
    book: &ProbeBook,
    cluster: &ClusterKey,
) -> PlanResult<EnsembleFacts> {
    let health = ensembles(inv, book)
        .into_iter()
        .find(|e| e.name == cluster.name)
        .map(|e| e.health());
    let leader = health.as_ref().and_then(|h| h.leader.clone());
    let voters = health.as_ref().map_or(0, |h| h.total);
    // Each restart takes a member out for a while: with no failure to spare,
    // the first one would cost the ensemble its quorum.
    // (Without a leader the ensemble is electing or lost: the message
    // below says to wait.)
    if let Some(h) = health
        .as_ref()
        .filter(|h| h.total > 1 && h.tolerates == 0 && h.leader.is_some())
    {
        return Err(PlanError::Refused(format!(
            "refused: {} of {} members serve and the ensemble needs {}: restarting any member now \
             would cost it its quorum; bring the others back first",
            h.up, h.total, h.quorum
        )));
    }
    Ok(EnsembleFacts { leader, voters })
}

/// Which HAProxy servers point at a member decides what is drained: a plan
/// made before every balancer answered would restart members that still
/// take requests.
fn require_balancers_answered(
    inv: &Inventory,
    book: &ProbeBook,
    cluster: &ClusterKey,
) -> PlanResult<()> {
    let unasked = unasked_balancers(inv, book);
    if unasked > 0 {
        return Err(PlanError::NotReady(format!(
            "still asking {unasked} HAProxy balancer(s) which servers point at {}'s members \
             (they are drained first): try again in a moment",
            cluster.name
        )));
    }
    Ok(())
}

/// Running HAProxy balancers that have not answered a probe yet.
pub(crate) fn unasked_balancers(inv: &Inventory, book: &ProbeBook) -> usize {
    haproxy_targets(inv)
        .into_iter()
        .filter(|k| !book.haproxy.contains_key(k))
        .count()
}

/// The running database replicas met so far, by whether they replicate:
/// the replica guard counts them and its refusal names the unhealthy ones.
#[derive(Default)]
struct ReplicaHealth {
    healthy: Vec<SafeText>,
    unhealthy: Vec<String>,
}

/// The running container `c` (at `key`) as a member, its replica health
/// noted in `replicas`. Not ready while what decides its order (ZooKeeper
/// leader, database role) is unknown.
fn member_of(
    key: &ContainerKey,
    c: &Container,
    book: &ProbeBook,
    ensemble: &EnsembleFacts,
    all_balancers: &[Balancer],
    replicas: &mut ReplicaHealth,
) -> PlanResult<Member> {
    let role = detect_role(c);
    let zookeeper = role == Role::Zookeeper;
    if zookeeper && ensemble.leader.is_none() {
        return Err(PlanError::NotReady(
            "still finding the ensemble's leader (it must go last): try again in a moment".into(),
        ));
    }
    let db = db_probe_of(book, key, c, role)?;
    let db_role = db.map(|p| p.role());
    let servers = balancer_servers_of(all_balancers, key, c)?;
    if db_role == Some(DbRole::Replica) {
        if replica_caught_up(db) {
            replicas.healthy.push(c.name.clone());
        } else {
            replicas.unhealthy.push(c.name.to_string());
        }
    }
    Ok(Member {
        host: c.host.clone(),
        id: c.id.clone(),
        name: c.name.to_string(),
        zookeeper,
        db_replica: db_role == Some(DbRole::Replica),
        leader: (zookeeper && ensemble.leader.as_deref() == Some(c.name.as_str()))
            || db_role == Some(DbRole::Primary),
        voters: if zookeeper { ensemble.voters } else { 0 },
        db_replicas: 0,
        servers,
        task: None,
    })
}

/// A database member's probe answer (None for other members). Not ready
/// while a database has not answered: a primary must go last.
fn db_probe_of<'a>(
    book: &'a ProbeBook,
    key: &ContainerKey,
    c: &Container,
    role: Role,
) -> PlanResult<Option<&'a DbProbe>> {
    let db = book.mysql.get(key).and_then(|p| p.result.as_ref().ok());
    if matches!(role, Role::Mysql | Role::Mariadb) && db.is_none() {
        return Err(PlanError::NotReady(format!(
            "{}: its replication role is not known yet (a primary must go last): try again in a moment",
            c.name
        )));
    }
    Ok(db)
}

/// Whether a replica replicates with little enough lag to count on.
pub(crate) fn replica_caught_up(db: Option<&DbProbe>) -> bool {
    db.and_then(|p| p.replica.as_ref()).is_some_and(|r| {
        r.is_healthy() && r.seconds_behind.is_some_and(|l| l <= MAX_REPLICA_LAG_SECS)
    })
}

/// The balancer servers that send traffic to `c` (at `key`), drained
/// around its restart. Refused when one is the last UP server of its
/// backend: draining it would leave the backend nothing to send to.
fn balancer_servers_of(
    all_balancers: &[Balancer],
    key: &ContainerKey,
    c: &Container,
) -> PlanResult<Vec<MemberServer>> {
    let servers = servers_pointing_at(all_balancers, key)
        .into_iter()
        .filter_map(|(b, s)| MemberServer::of(b, s))
        .collect();
    for (b, s) in servers_pointing_at(all_balancers, key) {
        let backend = b
            .backends
            .iter()
            .find(|be| be.servers.iter().any(|x| x == s));
        let others_up = backend.map_or(0, |be| {
            be.servers
                .iter()
                .filter(|x| *x != s && serves(&x.stat.status))
                .count()
        });
        if others_up == 0 && serves(&s.stat.status) {
            return Err(PlanError::Refused(format!(
                "refused: {}/{} on {} is the last UP server of its backend: draining it to \
                 restart {} would leave the backend nothing to send requests to; bring the \
                 other servers back first",
                backend.map_or("?", |be| be.stat.proxy.as_str()),
                s.stat.name,
                b.container,
                c.name
            )));
        }
    }
    Ok(servers)
}

/// Give each database member its database's replica count (running ones
/// in `replicas`, plus database members not running, which are replicas
/// that are down), and refuse when a restart would leave the database
/// without the healthy replica it needs.
fn guard_db_replicas(
    inv: &Inventory,
    cluster: &ClusterKey,
    members: &mut [Member],
    replicas: &ReplicaHealth,
) -> PlanResult<()> {
    let down: Vec<String> = inv
        .containers
        .values()
        .filter(|c| cluster_of(c) == *cluster && !c.is_running() && !c.is_ended_swarm_task())
        .filter(|c| matches!(detect_role(c), Role::Mysql | Role::Mariadb))
        .map(|c| c.name.to_string())
        .collect();
    let count = replicas.healthy.len() + replicas.unhealthy.len() + down.len();
    if count == 0 {
        return Ok(());
    }
    for m in members.iter_mut() {
        if m.db_replica || m.leader && !m.zookeeper {
            m.db_replicas = count;
        }
    }
    // Each replica's restart needs another healthy one (when there are
    // two or more), the primary's one at all.
    let lacking = members.iter().find(|m| {
        let others = replicas.healthy.iter().filter(|n| **n != m.name).count();
        m.db_replicas > 0 && others < replicas_needed(m)
    });
    if let Some(m) = lacking {
        let mut not_serving = replicas.unhealthy.clone();
        not_serving.extend(down.iter().map(|n| format!("{n} (stopped)")));
        return Err(PlanError::Refused(format!(
            "refused: {} not replicating: restarting {} now would leave the database without \
             a healthy replica; bring them back first",
            not_serving.join(", "),
            m.name
        )));
    }
    Ok(())
}

/// How many other replicas must replicate while `m` restarts: one, when
/// the database has a replica to spare (two or more for a replica's own
/// restart).
pub(crate) fn replicas_needed(m: &Member) -> usize {
    if m.db_replica {
        usize::from(m.db_replicas >= 2)
    } else {
        usize::from(m.db_replicas >= 1)
    }
}
