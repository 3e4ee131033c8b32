//! Database steps, typed: guards and waits, statements, the fence, roles
//! written where a restart reads them, a rejoin's check, recovery of a
//! fenced primary — each with what it touches, what it may leave and how
//! it is undone beside how it runs.

use serde::Serialize;

use super::db_checks;
use super::db_fence::{self, FenceAction};
use super::run_db;
pub use super::run_db_recover::RecoverFence;
use crate::docker::HostHandle;
use crate::ops::base::claim::{Claim, On};
use crate::ops::base::db_cluster::RejoinPair;
use crate::ops::base::db_sql::{DbFlavor, DbStatement};
use crate::ops::base::db_topology::{self, DbMember, TopologyGuard};
use crate::ops::base::docker_steps::{DockerSteps, StepCx};
use crate::ops::base::error::StepResult;
use crate::ops::base::leftover::{Leftover, SwitchoverFacts};
use crate::ops::base::step_tools::{wait_until, NotYet};
use crate::ops::base::undo::Undo;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum DbStep {
    /// A guard, re-checked right before a member goes down: at least
    /// `needed` of the other `replicas` (host, container id) must
    /// replicate with little lag, or the job stops here.
    GuardReplicas {
        replicas: Vec<(String, String)>,
        restarting: String,
        needed: usize,
    },
    /// Wait until a replica's threads run and its lag is at most
    /// `max_lag_secs`.
    WaitCaughtUp {
        id: String,
        max_lag_secs: u64,
        timeout_secs: u64,
    },
    /// A switchover statement (credentials at run time).
    Exec {
        container_id: String,
        flavor: DbFlavor,
        statement: DbStatement,
    },
    /// Rejoin's check: the server holds no transaction the primary lacks.
    RejoinCheck { pair: RejoinPair, flavor: DbFlavor },
    /// A switchover's or failover's first step: every server of the
    /// cluster asked where it replicates from now (db_topology.rs).
    GuardTopology(TopologyGuard),
    /// A failover's first step: the old primary is still down (its
    /// container not running), asked again when the job starts. `stated`:
    /// the operator said it is gone for good, so a host that does not
    /// answer does not stop the job.
    GuardGone { container_id: String, stated: bool },
    /// Make a primary a cut-off switchover fenced safe (run_db_recover.rs).
    RecoverFence(RecoverFence),
    /// Find the replication account a former primary will connect with and
    /// keep it in memory for `cluster` (db_account.rs): the operator's,
    /// else the first of `donors` (host, container id) whose environment
    /// names one, else one's stored replication settings.
    KeepAccount {
        cluster: String,
        flavor: DbFlavor,
        donors: Vec<(String, String)>,
    },
    /// Write a server's role (read-only or not) where a restart reads it
    /// (db_role.rs).
    PersistRole {
        container_id: String,
        flavor: DbFlavor,
        writable: bool,
    },
    /// The switchover's fence on the old primary (db_fence.rs).
    Fence {
        container_id: String,
        flavor: DbFlavor,
        action: FenceAction,
    },
    /// Wait until a replica applied `source`'s (host, id) GTID position,
    /// else all it received.
    CatchUp {
        container_id: String,
        flavor: DbFlavor,
        source: Option<(String, String)>,
        timeout_secs: u64,
    },
    /// A failover's check right before the promotion: none of `others`
    /// received or applied a transaction `candidate` lacks
    /// (db_furthest.rs).
    GuardFurthest {
        candidate: DbMember,
        others: Vec<DbMember>,
        flavor: DbFlavor,
    },
    /// Wait until a server replicates from `source_host` with both threads
    /// running.
    WaitReplicating {
        container_id: String,
        source_host: String,
        timeout_secs: u64,
    },
}

impl DbStep {
    /// What it acts on when run on host `h`.
    pub fn claims(&self, h: &str) -> Vec<Claim> {
        let on = On(h);
        match self {
            Self::GuardReplicas { restarting: id, .. }
            | Self::WaitCaughtUp { id, .. }
            | Self::Exec {
                container_id: id, ..
            }
            | Self::Fence {
                container_id: id, ..
            }
            | Self::PersistRole {
                container_id: id, ..
            }
            | Self::GuardGone {
                container_id: id, ..
            }
            | Self::RejoinCheck {
                pair: RejoinPair { server_id: id, .. },
                ..
            }
            | Self::CatchUp {
                container_id: id, ..
            }
            | Self::WaitReplicating {
                container_id: id, ..
            } => vec![on.container(id)],
            // Asked only: the servers it reads are claimed by the steps
            // that change them; the primary's claim keeps two switchovers
            // apart.
            Self::GuardTopology(g) => vec![On(&g.primary.host).container(&g.primary.id)],
            // Asked only; the candidate's claim keeps it to this job.
            Self::GuardFurthest { candidate, .. } => {
                vec![On(&candidate.host).container(&candidate.id)]
            }
            Self::RecoverFence(f) => f.claims(h),
            // Reads only: what it reads is claimed by the job's other steps.
            Self::KeepAccount { .. } => vec![],
        }
    }

    /// The database servers (host, id) it acts on, run on `host`.
    pub fn servers(&self, host: &str) -> Vec<(String, String)> {
        match self {
            Self::KeepAccount { donors, .. } => donors.clone(),
            Self::GuardTopology(g) => std::iter::once(&g.primary)
                .chain(&g.followers)
                .chain(&g.left_out)
                .map(|m| (m.host.clone(), m.id.clone()))
                .collect(),
            Self::Exec { container_id, .. }
            | Self::Fence { container_id, .. }
            | Self::CatchUp { container_id, .. }
            | Self::PersistRole { container_id, .. }
            | Self::WaitReplicating { container_id, .. } => {
                vec![(host.to_string(), container_id.clone())]
            }
            // Guards of a rolling restart, a failover's dead primary, a
            // rejoin's pair, recovery's own step: not a switchover's
            // servers.
            Self::GuardReplicas { .. }
            | Self::WaitCaughtUp { .. }
            | Self::RejoinCheck { .. }
            | Self::GuardGone { .. }
            | Self::GuardFurthest { .. }
            | Self::RecoverFence(_) => Vec::new(),
        }
    }

    /// What it may leave if the job is cut off right after it, run on
    /// `host`: a raised fence leaves a fenced primary, with what makes it
    /// safe either way (`switchover`: what the rest of the plan does;
    /// none when the plan promotes no one). A statement leaves what it was
    /// for, recorded by the fence's entry; guards, waits and reads leave
    /// nothing; recovery's step is its own recovery.
    pub fn leftovers(
        &self,
        host: &str,
        switchover: impl FnOnce() -> Option<SwitchoverFacts>,
    ) -> Vec<Leftover> {
        match self {
            Self::Fence {
                container_id,
                flavor,
                action: FenceAction::Raise { .. },
            } => switchover()
                .map(|facts| Leftover::FencedPrimary {
                    host: host.into(),
                    id: container_id.clone(),
                    flavor: *flavor,
                    candidate: facts.candidate,
                    writers_back: facts.writers_back,
                    writers_forward: facts.writers_forward,
                    cfg_forward: facts.cfg_forward,
                    members: facts.members,
                })
                .into_iter()
                .collect(),
            Self::Fence { .. }
            | Self::GuardReplicas { .. }
            | Self::WaitCaughtUp { .. }
            | Self::Exec { .. }
            | Self::RejoinCheck { .. }
            | Self::GuardTopology(_)
            | Self::GuardGone { .. }
            | Self::RecoverFence(_)
            | Self::KeepAccount { .. }
            | Self::PersistRole { .. }
            | Self::CatchUp { .. }
            | Self::GuardFurthest { .. }
            | Self::WaitReplicating { .. } => Vec::new(),
        }
    }

    /// How it is undone.
    pub fn undo(&self) -> Undo<DbStep> {
        match self {
            Self::Exec {
                container_id,
                flavor,
                statement,
            } => match statement {
                DbStatement::ReadOnly { on } => Undo::By(Self::Exec {
                    container_id: container_id.clone(),
                    flavor: *flavor,
                    statement: DbStatement::ReadOnly { on: !on },
                }),
                DbStatement::Promote => {
                    Undo::Not("the point of no return: a promoted server takes writes")
                }
                DbStatement::ReplicateFrom { .. } => {
                    Undo::FromPlan("where the server replicated from before, which the plan read")
                }
            },
            Self::PersistRole {
                container_id,
                flavor,
                writable,
            } => Undo::By(Self::PersistRole {
                container_id: container_id.clone(),
                flavor: *flavor,
                writable: !writable,
            }),
            Self::Fence {
                container_id,
                flavor,
                action,
            } => match action {
                // A raise that fails half-way undoes itself (db_fence.rs);
                // one that held is lifted, the server writable again.
                FenceAction::Raise { .. } => Undo::By(Self::Fence {
                    container_id: container_id.clone(),
                    flavor: *flavor,
                    action: FenceAction::Release { writable: true },
                }),
                FenceAction::Check => Undo::Nothing,
                FenceAction::Release { .. } => {
                    Undo::Not("a release is the end of the fence: past the promotion, final")
                }
            },
            Self::RecoverFence(_) => {
                Undo::Not("recovery's own step: run again, it finds its work done or refuses")
            }
            Self::GuardReplicas { .. }
            | Self::WaitCaughtUp { .. }
            | Self::RejoinCheck { .. }
            | Self::GuardTopology(_)
            | Self::GuardGone { .. }
            | Self::KeepAccount { .. }
            | Self::CatchUp { .. }
            | Self::GuardFurthest { .. }
            | Self::WaitReplicating { .. } => Undo::Nothing,
        }
    }
}

pub(crate) async fn run(
    steps: &DockerSteps,
    handle: &HostHandle,
    step: &DbStep,
    cx: StepCx<'_>,
) -> StepResult {
    let s = steps.settings();
    match step {
        DbStep::GuardReplicas {
            replicas,
            restarting,
            needed,
        } => db_checks::guard_replicas(steps, replicas, restarting, *needed).await,
        DbStep::WaitCaughtUp {
            id,
            max_lag_secs,
            timeout_secs,
        } => {
            db_checks::wait_replica_caught_up(
                steps,
                handle,
                id,
                *max_lag_secs,
                *timeout_secs,
                cx.cancel,
            )
            .await
        }
        DbStep::Exec {
            container_id,
            flavor,
            statement,
        } => run_db::exec_statement(handle, s, container_id, *flavor, statement).await,
        DbStep::RejoinCheck { pair, flavor } => {
            db_checks::rejoin_check(steps, handle, pair, *flavor).await
        }
        DbStep::GuardTopology(guard) => db_topology::guard(steps.hosts(), s, guard).await,
        DbStep::GuardGone {
            container_id,
            stated,
        } => db_checks::guard_gone(handle, container_id, *stated).await,
        DbStep::RecoverFence(fence) => {
            super::run_db_recover::recover_fence(steps, handle, fence).await
        }
        DbStep::KeepAccount {
            cluster,
            flavor,
            donors,
        } => super::run_db_account::keep_account(steps, cluster, *flavor, donors).await,
        DbStep::PersistRole {
            container_id,
            flavor,
            writable,
        } => super::db_role::persist_role(handle, s, container_id, *flavor, *writable).await,
        // The fence says what it waits for while it waits.
        DbStep::Fence {
            container_id,
            flavor,
            action,
        } => db_fence::run_saying(handle, s, container_id, *flavor, *action, cx.say).await,
        DbStep::CatchUp {
            container_id,
            flavor,
            source,
            timeout_secs,
        } => {
            let source = match source {
                Some((host, id)) => Some((steps.host(host)?, id.as_str())),
                None => None,
            };
            run_db::catch_up(handle, s, container_id, *flavor, source, *timeout_secs).await
        }
        DbStep::GuardFurthest {
            candidate,
            others,
            flavor,
        } => super::db_furthest::guard_furthest(steps, candidate, others, *flavor).await,
        DbStep::WaitReplicating {
            container_id,
            source_host,
            timeout_secs,
        } => {
            // wait_until keeps what it saw as text (step_tools).
            wait_until(cx.cancel, *timeout_secs, || async {
                run_db::replicating_from(handle, s, container_id, source_host)
                    .await
                    .map_err(|e| NotYet(e.to_string()))
            })
            .await
        }
    }
}

#[cfg(test)]
#[path = "db_step_tests.rs"]
mod tests;
