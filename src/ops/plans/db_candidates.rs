//! Who takes over in a switchover or failover: the cluster's primary (the
//! source most replicas name), why a replica cannot take over, and how far
//! each one has got. Pure: from the probes the plan is built on.

use crate::model::answers::mysql::ThreadState;
use crate::model::sanitize;
use crate::ops::base::db_cluster::{DbCluster, DbNode, FailoverKind};
use crate::ops::base::db_sql::gtid_progress;
use crate::ops::base::error::{PlanError, PlanResult};

/// The primary: the server the replicas replicate from.
pub(crate) fn find_primary(c: &DbCluster) -> PlanResult<&DbNode> {
    let mut counts: Vec<(&DbNode, usize)> = Vec::new();
    for n in &c.nodes {
        let Some(source) = n.alive().and_then(|p| p.replica.as_ref()) else {
            continue;
        };
        if let Some(p) = c
            .nodes
            .iter()
            .find(|m| m.key() != n.key() && m.is(&source.source_host))
        {
            match counts.iter_mut().find(|(m, _)| m.key() == p.key()) {
                Some((_, k)) => *k += 1,
                None => counts.push((p, 1)),
            }
        }
    }
    // The source most replicas name that does not itself replicate.
    counts.sort_by_key(|(n, k)| (std::cmp::Reverse(*k), n.name.clone()));
    counts
        .into_iter()
        .map(|(n, _)| n)
        .find(|n| n.alive().is_none_or(|p| p.replica.is_none()))
        .ok_or_else(|| {
            let seen: Vec<String> = c
                .nodes
                .iter()
                .map(|n| match n.alive() {
                    Some(p) => format!("{} {}", n.name, p.role().as_str()),
                    None => format!("{} {}", n.name, n.unreachable_reason()),
                })
                .collect();
            PlanError::NotFound(format!(
                "cluster {}: no server replicates from a primary in the cluster ({})",
                c.name,
                seen.join(", ")
            ))
        })
}

/// Why a replica of `primary` cannot take over, or None when it can.
pub(crate) fn unfit(n: &DbNode, primary: &DbNode, kind: FailoverKind) -> Option<String> {
    let Some(p) = n.alive() else {
        return Some(n.unreachable_reason());
    };
    let Some(r) = &p.replica else {
        return Some("not a replica".into());
    };
    if !primary.is(&r.source_host) {
        return Some(format!("replicates from {}", sanitize(&r.source_host)));
    }
    let thread = |what: &str, t: ThreadState, error: &str| {
        let error = if error.is_empty() {
            String::new()
        } else {
            format!(": {}", sanitize(error))
        };
        format!("{what} thread {}{error}", t.as_str())
    };
    if r.sql_running != ThreadState::Yes || !r.last_sql_error.is_empty() {
        return Some(thread("SQL", r.sql_running, &r.last_sql_error));
    }
    if kind == FailoverKind::Switchover && r.io_running != ThreadState::Yes {
        return Some(thread("IO", r.io_running, &r.last_io_error));
    }
    None
}

/// How far a replica has got: what it applied, and for a failover what it
/// received too (it applies that before promotion).
pub(crate) fn progress(n: &DbNode, kind: FailoverKind) -> u64 {
    let Some(p) = n.alive() else { return 0 };
    let applied = gtid_progress(&p.gtid);
    match (&p.replica, kind) {
        (Some(r), FailoverKind::Failover) => applied.max(gtid_progress(&r.gtid_position)),
        _ => applied,
    }
}
