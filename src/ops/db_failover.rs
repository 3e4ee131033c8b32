//! Database primary switchover (planned: the primary answers) and failover
//! (unplanned: it does not), as plans built from what the probes saw.
//!
//! Switchover, with no loss of acknowledged writes: take the primary out of
//! every writer backend (maint, its sessions shut) so clients stop writing,
//! fence it (src/ops/db_fence.rs: no user, admin or not, gets a write
//! acknowledged), wait until the candidate has applied the primary's whole
//! GTID position, check the fence, promote the candidate, put it in the
//! writer backends (runtime and haproxy.cfg), repoint the other replicas
//! and make the old primary a replica of the new one. Failover: fence the dead primary in the balancer, let
//! the most advanced replica apply what it received, promote it, repoint
//! the rest.
//!
//! The cluster and its writer backends: src/ops/db_cluster.rs. Replicas
//! are pointed at the new primary by
//! its container name (so the servers share a network), and a candidate
//! needs `log_slave_updates` on for the others to follow it by GTID.

use super::db_candidates::{find_primary, progress, unfit};
pub use super::db_cluster::{
    db_cluster, DbCluster, DbNode, WriterBackend, WriterServer, LABEL_WRITER_BACKEND,
};
use super::db_fence::FenceAction;
use super::db_sql::{DbFlavor, DbStatement};
use super::error::{PlanError, PlanResult};
use super::plan::{Plan, Step, StepOp};

/// The port tugboat points replicas at.
pub const DB_PORT: u16 = 3306;
/// How long a candidate may take to apply what it has to.
const CATCH_UP_SECS: u64 = 60;
/// How long a balancer change may take to show in `show stat`.
const SETTLE_SECS: u64 = 10;
/// How long the fence's lock session lives at most: past the catch-up and
/// the promotion, short enough that a tugboat killed mid-switchover does
/// not leave the old primary locked for long.
const FENCE_HOLD_SECS: u64 = CATCH_UP_SECS * 2 + 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailoverKind {
    /// The primary answers: no acknowledged write is lost.
    Switchover,
    /// The primary is down: the most advanced replica takes over.
    Failover,
}

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
    let to = ask.to.as_deref();
    // A writer backend on a balancer that has not answered yet would be
    // left sending writes to the old primary.
    if c.unasked_balancers > 0 {
        return Err(PlanError::NotReady(format!(
            "still asking {} HAProxy balancer(s) which of them send writes to {}: try again in a moment",
            c.unasked_balancers, c.name
        )));
    }
    // A running server not asked yet (tugboat just started) may be a
    // replica of the primary: planned without it, it would be left
    // replicating from the old primary.
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
    let primary = find_primary(c)?;
    let kind = if primary.alive().is_some() {
        FailoverKind::Switchover
    } else if primary.down.is_none() {
        // Running on a reachable host: it may still take writes, and a
        // second primary would split the data.
        return Err(PlanError::NotReady(format!(
            "the primary {} runs but does not answer ({}): tugboat fails over only a primary that is down — stop it first, or try again",
            primary.name,
            primary.unreachable_reason()
        )));
    } else if !primary.surely_down && !ask.primary_is_gone {
        // A host that does not answer may still run it; a container that
        // restarts or is paused comes back: either way, two primaries.
        return Err(PlanError::Refused(format!(
            "the primary {} is {}: it may still take writes or come back, and a second primary would split the data — \
             fail over only once it is stopped, or, if it is gone for good, say so (--primary-is-gone)",
            primary.name,
            primary.unreachable_reason()
        )));
    } else {
        FailoverKind::Failover
    };
    let replicas: Vec<&DbNode> = c
        .nodes
        .iter()
        .filter(|n| n.key() != primary.key())
        .filter(|n| {
            // Dead replicas count too: they were the primary's (or unknown).
            n.alive().is_none_or(|p| {
                p.replica
                    .as_ref()
                    .is_some_and(|r| primary.is(&r.source_host))
            })
        })
        .collect();
    let candidate = match to {
        Some(name) => {
            let n = replicas.iter().find(|n| n.name == name).ok_or_else(|| {
                PlanError::NotFound(format!("{name} is not a replica of {}", primary.name))
            })?;
            if let Some(why) = unfit(n, primary, kind) {
                return Err(PlanError::Refused(format!(
                    "{name} cannot take over: {why}"
                )));
            }
            *n
        }
        None => {
            let best = replicas
                .iter()
                .copied()
                .filter(|n| unfit(n, primary, kind).is_none())
                .max_by(|a, b| {
                    progress(a, kind)
                        .cmp(&progress(b, kind))
                        .then_with(|| b.name.cmp(&a.name))
                });
            match best {
                Some(n) => n,
                None => {
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
                    return Err(PlanError::Refused(format!(
                        "no healthy replica of {} to take over{}",
                        primary.name,
                        if why.is_empty() {
                            " (it has none)".to_string()
                        } else {
                            format!(" — {}", why.join("; "))
                        }
                    )));
                }
            }
        }
    };
    let flavor = candidate
        .alive()
        .map(|p| DbFlavor::from_version(&p.version))
        .unwrap_or(DbFlavor::Mariadb);
    let mut notes = Vec::new();
    let mut steps = Vec::new();
    let fence = kind == FailoverKind::Failover;
    if fence {
        // The plan was made from probes a moment old: asked again now.
        steps.push(
            Step::new(
                format!(
                    "check that {} is still down ({})",
                    primary.name,
                    if ask.primary_is_gone {
                        "stated gone for good"
                    } else {
                        "its container stopped"
                    }
                ),
                StepOp::DbGuardGone {
                    container_id: primary.id.clone(),
                    stated: ask.primary_is_gone,
                },
            )
            .on(&primary.host),
        );
    } else {
        // The old primary has no account to replicate with: found before
        // anything changes, so a cluster without one stops here.
        let donors = std::iter::once(primary)
            .chain(std::iter::once(candidate))
            .chain(replicas.iter().copied().filter(|r| r.alive().is_some()))
            .map(|n| (n.host.clone(), n.id.clone()));
        let mut seen = Vec::new();
        for d in donors {
            if !seen.contains(&d) {
                seen.push(d);
            }
        }
        steps.push(
            Step::new(
                format!(
                    "find the replication account {} will connect with (an environment's, else a replica's stored settings; kept in memory only)",
                    primary.name
                ),
                StepOp::DbKeepAccount {
                    cluster: c.name.clone(),
                    flavor,
                    donors: seen,
                },
            )
            .on(&primary.host),
        );
    }
    for w in &c.writers {
        if !w.servers.iter().any(|s| s.member == Some(candidate.key())) {
            return Err(PlanError::NotFound(format!(
                "writer backend {} on {} has no server for {}",
                w.backend, w.container, candidate.name
            )));
        }
        for s in w
            .servers
            .iter()
            .filter(|s| s.member != Some(candidate.key()))
        {
            if s.status == "MAINT" {
                continue;
            }
            let why = if fence {
                "fence the old primary"
            } else {
                "writes stop"
            };
            let [set, wait] = server_steps(w, &s.name, "maint", why);
            // A switchover stopped before the promotion gives the old
            // primary its writers back; a failover's fence stays.
            let set = if fence {
                set
            } else {
                let name = format!("{}/{}", w.backend, s.name);
                set.undone_by(
                    Step::new(
                        format!(
                            "{name} → ready again on {} (the switchover stopped)",
                            w.container
                        ),
                        StepOp::HaproxyCommand {
                            container_id: w.container_id.clone(),
                            socket: w.socket.clone(),
                            command: format!("set server {name} state ready"),
                        },
                    )
                    .on(&w.host),
                )
            };
            steps.extend([set, wait]);
        }
    }
    if c.writers.is_empty() {
        if !ask.no_balancer {
            return Err(PlanError::Refused(format!(
                "no HAProxy writer backend sends {}'s writes (none labelled io.tugboat.writer-backend, none with only \
                 the primary in service): promoting {} would leave the writers on the old primary — \
                 pass --no-balancer to go on and point them at it yourself",
                c.name, candidate.name
            )));
        }
        notes.push(format!(
            "no HAProxy writer backend lists {}'s servers: point writers at {} yourself",
            c.name, candidate.name
        ));
    }
    let exec = |n: &DbNode, what: String, statement: DbStatement| {
        Step::new(
            what,
            StepOp::DbExec {
                container_id: n.id.clone(),
                flavor,
                statement,
            },
        )
        .on(&n.host)
    };
    let fence = |n: &DbNode, what: String, action: FenceAction| {
        Step::new(
            what,
            StepOp::DbFence {
                container_id: n.id.clone(),
                flavor,
                action,
            },
        )
        .on(&n.host)
    };
    if kind == FailoverKind::Switchover {
        let how = match flavor {
            DbFlavor::Mariadb => "read-only and a global read lock, which bind admin users too",
            DbFlavor::Mysql => "super_read_only, which binds admin users too",
        };
        steps.push(
            fence(
                primary,
                format!(
                    "fence the primary {}: {how}; every other client session killed; checked",
                    primary.name
                ),
                FenceAction::Raise {
                    hold_secs: FENCE_HOLD_SECS,
                },
            )
            .undone_by(fence(
                primary,
                format!(
                    "lift the fence on {}: lock released, writable again (the switchover stopped)",
                    primary.name
                ),
                FenceAction::Release { writable: true },
            )),
        );
    }
    let (source, catch_up) = match kind {
        FailoverKind::Switchover => (
            Some((primary.host.clone(), primary.id.clone())),
            format!(
                "wait until {} applied {}'s GTID position (≤{CATCH_UP_SECS}s)",
                candidate.name, primary.name
            ),
        ),
        FailoverKind::Failover => (
            None,
            format!(
                "wait until {} applied all it received (≤{CATCH_UP_SECS}s)",
                candidate.name
            ),
        ),
    };
    steps.push(
        Step::new(
            catch_up,
            StepOp::DbCatchUp {
                container_id: candidate.id.clone(),
                flavor,
                source,
                timeout_secs: CATCH_UP_SECS,
            },
        )
        .on(&candidate.host),
    );
    if kind == FailoverKind::Switchover {
        steps.push(fence(
            primary,
            format!("check that the fence on {} still holds", primary.name),
            FenceAction::Check,
        ));
    }
    steps.push(
        exec(
            candidate,
            format!("promote {}: replication reset, writable", candidate.name),
            DbStatement::Promote,
        )
        .point_of_no_return(),
    );
    let role = |n: &DbNode, writable: bool| {
        let what = if writable {
            format!(
                "write {}'s role (writable) where a restart reads it",
                n.name
            )
        } else {
            format!(
                "write {}'s role (read-only) where a restart reads it",
                n.name
            )
        };
        Step::new(
            what,
            StepOp::DbPersistRole {
                container_id: n.id.clone(),
                flavor,
                writable,
            },
        )
        .on(&n.host)
    };
    steps.push(role(candidate, true));
    for w in &c.writers {
        for s in w
            .servers
            .iter()
            .filter(|s| s.member == Some(candidate.key()))
        {
            steps.extend(server_steps(w, &s.name, "ready", "writes resume"));
        }
        // Runtime states go with a reload or restart of the balancer: the
        // file says who writes from now on.
        let servers: Vec<(String, bool)> = w
            .servers
            .iter()
            .filter(|s| s.member.is_some())
            .map(|s| (s.name.clone(), s.member == Some(candidate.key())))
            .collect();
        steps.push(
            Step::new(
                format!(
                    "write {} as the only writer into {}'s haproxy.cfg (checked with haproxy -c, then renamed), so a reload keeps it",
                    candidate.name, w.container
                ),
                StepOp::HaproxyPersistServers {
                    container_id: w.container_id.clone(),
                    backend: w.backend.clone(),
                    servers,
                },
            )
            .on(&w.host),
        );
    }
    let mut followers: Vec<(&DbNode, bool)> = Vec::new();
    for r in replicas.iter().filter(|n| n.key() != candidate.key()) {
        if r.alive().is_some() {
            followers.push((r, false));
        } else {
            notes.push(format!(
                "{} is {}: not repointed; make it a replica of {} when it is back",
                r.name,
                r.unreachable_reason(),
                candidate.name
            ));
        }
    }
    if kind == FailoverKind::Switchover {
        followers.push((primary, true));
    } else {
        notes.push(format!(
            "the old primary {} is {}: left out of the writer backend; make it a replica of {} before it serves again",
            primary.name,
            primary.unreachable_reason(),
            candidate.name
        ));
    }
    for (n, old_primary) in &followers {
        let kind = if *old_primary {
            // Replication cannot apply behind the lock; it stays read-only.
            steps.push(fence(
                n,
                format!("release the lock on {} (it stays read-only)", n.name),
                FenceAction::Release { writable: false },
            ));
            "old primary"
        } else {
            "replica"
        };
        steps.push(exec(
            n,
            format!(
                "{kind} {}: replicate from {} (GTID, read-only)",
                n.name, candidate.name
            ),
            DbStatement::ReplicateFrom {
                source_host: candidate.name.clone(),
                source_port: DB_PORT,
                from_own_binlog: *old_primary,
                account_of: old_primary.then(|| c.name.clone()),
            },
        ));
        steps.push(role(n, false));
    }
    for (n, _) in &followers {
        steps.push(
            Step::new(
                format!("wait until {} replicates from {}", n.name, candidate.name),
                StepOp::DbWaitReplicating {
                    container_id: n.id.clone(),
                    source_host: candidate.name.clone(),
                    timeout_secs: CATCH_UP_SECS,
                },
            )
            .on(&n.host),
        );
    }
    let action = match kind {
        FailoverKind::Switchover => "switchover",
        FailoverKind::Failover => "failover",
    };
    Ok(FailoverPlan {
        kind,
        plan: Plan {
            action: action.into(),
            host: candidate.host.clone(),
            target: format!("cluster/{}", c.name),
            steps,
        },
        primary: primary.name.clone(),
        candidate: candidate.name.clone(),
        notes,
    })
}

/// Set one writer-backend server's state (maint also shuts its sessions, so
/// no client keeps writing on an open connection), then wait until it shows.
fn server_steps(w: &WriterBackend, server: &str, state: &str, why: &str) -> [Step; 2] {
    let name = format!("{}/{server}", w.backend);
    let (command, want) = if state == "maint" {
        (
            format!("set server {name} state maint; shutdown sessions server {name}"),
            vec!["MAINT".to_string()],
        )
    } else {
        (
            format!("set server {name} state ready"),
            vec!["UP".to_string(), "no check".to_string()],
        )
    };
    [
        Step::new(
            format!("{name} → {state} on {} ({why})", w.container),
            StepOp::HaproxyCommand {
                container_id: w.container_id.clone(),
                socket: w.socket.clone(),
                command,
            },
        )
        .on(&w.host),
        Step::new(
            format!("wait until {name} shows {}", want.join(" or ")),
            StepOp::WaitServerStatus {
                container_id: w.container_id.clone(),
                backend: w.backend.clone(),
                server: server.into(),
                want,
                timeout_secs: SETTLE_SECS,
            },
        )
        .on(&w.host),
    ]
}

#[cfg(test)]
#[path = "db_failover_tests.rs"]
mod tests;
