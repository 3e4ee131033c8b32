//! Database primary switchover (planned: the primary answers) and failover
//! (unplanned: it does not), as plans built from what the probes saw.
//!
//! Switchover, with no loss of acknowledged writes: ask every server where
//! it replicates from now (the probes are old), take the primary out of
//! every writer backend (maint, its sessions shut) so clients stop
//! writing, fence it (src/ops/steps/db_fence.rs: no user, admin or not, gets a
//! write acknowledged), wait until the candidate has applied the primary's
//! whole GTID position, check the fence, promote the candidate, put it in
//! the writer backends, then at once release the old primary (while its
//! fence still holds) and make it a replica of the new one once it is
//! shown to hold nothing the new one lacks; then haproxy.cfg and the other
//! replicas. Failover: fence the dead primary in the balancer, let the most
//! advanced replica apply what it received, promote it, repoint the rest.
//!
//! Every other server of the cluster is either repointed by the plan or
//! named in its notes with the reason it is left out; one that is neither
//! the primary's replica nor explained is a question for the operator, and
//! no plan is made. The cluster and its writer backends:
//! src/ops/base/db_cluster.rs; the steps of each phase:
//! src/ops/plans/db_failover_steps.rs. Replicas are pointed at the new primary by
//! its container name (so the servers share a network), and a candidate
//! needs `log_slave_updates` on for the others to follow it by GTID.

use super::db_candidates::{find_primary, progress, unfit};
use super::db_failover_steps::Phases;
pub use crate::ops::base::db_cluster::{
    db_cluster, DbCluster, DbNode, WriterBackend, WriterServer, LABEL_WRITER_BACKEND,
};
use crate::ops::base::db_sql::DbFlavor;
use crate::ops::base::error::{PlanError, PlanResult};
use crate::ops::kernel::plan::{Plan, PlanAction, PlanTarget};
use crate::ops::steps::db_fence::DEFAULT_FENCE_WAIT_SECS;

use crate::ops::base::db_cluster::Sides;
pub use crate::ops::base::db_cluster::{FailoverKind, DB_PORT};

#[derive(Debug, Clone, PartialEq)]
pub struct FailoverPlan {
    pub kind: FailoverKind,
    pub plan: Plan,
    pub primary: String,
    pub candidate: String,
    /// What the plan leaves to the operator (shown with it).
    pub notes: Vec<String>,
}

/// What the operator asked for beyond the cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailoverAsk {
    /// The replica to promote; else the most caught-up healthy one.
    pub to: Option<String>,
    /// Proceed although no HAProxy writer backend was found (the operator
    /// points the writers at the new primary).
    pub no_balancer: bool,
    /// The operator states the primary is gone for good: a failover even
    /// while its host does not answer or its container may come back.
    pub primary_is_gone: bool,
    /// How long the fence may wait for running statements (their sessions
    /// killed) before the switchover gives up; None: the default.
    pub fence_wait_secs: Option<u64>,
}

impl FailoverAsk {
    pub fn to(replica: &str) -> Self {
        Self {
            to: Some(replica.into()),
            ..Self::default()
        }
    }
}

/// The switchover (primary alive) or failover (primary down) plan for the
/// cluster, to `ask.to` when given, else to the most caught-up healthy
/// replica.
pub fn failover_plan(c: &DbCluster, ask: &FailoverAsk) -> PlanResult<FailoverPlan> {
    every_server_answered(c)?;
    let primary = find_primary(c)?;
    let kind = failover_kind(primary, ask)?;
    let sides = sides(c, primary)?;
    let candidate = choose(&sides.replicas, primary, kind, ask.to.as_deref())?;
    let flavor = candidate
        .alive()
        .map(|p| DbFlavor::from_version(&p.version))
        .unwrap_or(DbFlavor::Mariadb);
    let mut phases = Phases::new(c, primary, candidate, flavor, kind);
    phases.keep_the_account_or_check_gone(&sides, ask.primary_is_gone);
    phases.ask_every_server_now(&sides);
    phases.writes_stop(ask.no_balancer)?;
    phases.fence_and_hand_over(
        &sides,
        ask.fence_wait_secs.unwrap_or(DEFAULT_FENCE_WAIT_SECS),
    );
    phases.writes_resume();
    phases.old_primary_follows();
    phases.write_the_writer_into_haproxy_cfg();
    phases.replicas_follow(&sides);
    let action = match kind {
        FailoverKind::Switchover => PlanAction::Switchover,
        FailoverKind::Failover => PlanAction::Failover,
    };
    let (steps, notes) = phases.finish();
    Ok(FailoverPlan {
        kind,
        plan: Plan {
            action,
            host: candidate.host.clone(),
            target: PlanTarget::Cluster(c.name.clone()),
            steps,
        },
        primary: primary.name.clone(),
        candidate: candidate.name.clone(),
        notes,
    })
}

/// No plan while a balancer or a running server has not answered yet: a
/// writer backend among them would be left sending writes to the old
/// primary, a replica left replicating from it.
fn every_server_answered(c: &DbCluster) -> PlanResult<()> {
    if c.unasked_balancers > 0 {
        return Err(PlanError::NotReady(format!(
            "still asking {} HAProxy balancer(s) which of them send writes to {}: try again in a moment",
            c.unasked_balancers, c.name
        )));
    }
    let unasked: Vec<&str> = c
        .nodes
        .iter()
        .filter(|n| n.down.is_none() && n.probe.is_none())
        .map(|n| n.name.as_str())
        .collect();
    if !unasked.is_empty() {
        return Err(PlanError::NotReady(format!(
            "still asking {} where {} replicate from: try again in a moment",
            unasked.join(", "),
            if unasked.len() == 1 { "it" } else { "they" }
        )));
    }
    Ok(())
}

/// A switchover when the primary answers; a failover only when it is
/// surely down, or stated gone.
fn failover_kind(primary: &DbNode, ask: &FailoverAsk) -> PlanResult<FailoverKind> {
    if primary.alive().is_some() {
        return Ok(FailoverKind::Switchover);
    }
    if primary.down.is_none() {
        // Running on a reachable host: it may still take writes, and a
        // second primary would split the data.
        return Err(PlanError::NotReady(format!(
            "the primary {} runs but does not answer ({}): tugboat fails over only a primary that is down — stop it first, or try again",
            primary.name,
            primary.unreachable_reason()
        )));
    }
    if !primary.surely_down && !ask.primary_is_gone {
        // A host that does not answer may still run it; a container that
        // restarts or is paused comes back: either way, two primaries.
        return Err(PlanError::Refused(format!(
            "the primary {} is {}: it may still take writes or come back, and a second primary would split the data — \
             fail over only once it is stopped, or, if it is gone for good, say so (--primary-is-gone)",
            primary.name,
            primary.unreachable_reason()
        )));
    }
    Ok(FailoverKind::Failover)
}

/// Every server but the primary: its replica (repointed), or left out with
/// a reason; a running server that is neither stops the plan.
fn sides<'a>(c: &'a DbCluster, primary: &DbNode) -> PlanResult<Sides<'a>> {
    let of_primary = |n: &DbNode| {
        n.alive().is_none_or(|p| {
            p.replica
                .as_ref()
                .is_some_and(|r| primary.is(&r.source_host))
        })
    };
    let others = c.nodes.iter().filter(|n| n.key() != primary.key());
    let replicas: Vec<&DbNode> = others.clone().filter(|n| of_primary(n)).collect();
    let mut left_out = Vec::new();
    let mut questions = Vec::new();
    for n in others.filter(|n| !of_primary(n)) {
        // Alive, and not the primary's replica.
        let source = n
            .alive()
            .and_then(|p| p.replica.as_ref())
            .map(|r| r.source_host.to_string());
        let through = source
            .as_deref()
            .and_then(|s| replicas.iter().find(|r| r.is(s)));
        match (through, source) {
            (Some(r), _) => left_out.push((
                n,
                format!(
                    "{} replicates from {}, which stays its source: left as it is",
                    n.name, r.name
                ),
            )),
            (None, Some(s)) => questions.push(format!(
                "{} replicates from {} (not {} nor one of its replicas)",
                n.name,
                crate::model::sanitize(&s),
                primary.name
            )),
            (None, None) => questions.push(format!("{} replicates from no one", n.name)),
        }
    }
    if !questions.is_empty() {
        return Err(PlanError::NotReady(format!(
            "{} (as last asked): a switchover would leave {} behind — point {} at {} or take {} out \
             of the cluster, or try again in a moment if {} just (re)pointed",
            questions.join("; "),
            if questions.len() == 1 { "it" } else { "them" },
            if questions.len() == 1 { "it" } else { "them" },
            primary.name,
            if questions.len() == 1 { "it" } else { "them" },
            if questions.len() == 1 { "it was" } else { "they were" },
        )));
    }
    Ok(Sides { replicas, left_out })
}

/// The replica that takes over: `to` when given and fit, else the most
/// caught-up fit one.
fn choose<'a>(
    replicas: &[&'a DbNode],
    primary: &DbNode,
    kind: FailoverKind,
    to: Option<&str>,
) -> PlanResult<&'a DbNode> {
    if let Some(name) = to {
        let n = replicas.iter().find(|n| n.name == name).ok_or_else(|| {
            PlanError::NotFound(format!("{name} is not a replica of {}", primary.name))
        })?;
        if let Some(why) = unfit(n, primary, kind) {
            return Err(PlanError::Refused(format!(
                "{name} cannot take over: {why}"
            )));
        }
        return Ok(n);
    }
    let best = replicas
        .iter()
        .copied()
        .filter(|n| unfit(n, primary, kind).is_none())
        .max_by(|a, b| {
            progress(a, kind)
                .cmp(&progress(b, kind))
                .then_with(|| b.name.cmp(&a.name))
        });
    best.ok_or_else(|| {
        let why: Vec<String> = replicas
            .iter()
            .map(|n| {
                format!(
                    "{}: {}",
                    n.name,
                    unfit(n, primary, kind).unwrap_or_default()
                )
            })
            .collect();
        PlanError::Refused(format!(
            "no healthy replica of {} to take over{}",
            primary.name,
            if why.is_empty() {
                " (it has none)".to_string()
            } else {
                format!(" — {}", why.join("; "))
            }
        ))
    })
}

#[cfg(test)]
#[path = "db_failover_tests.rs"]
mod tests;
