//! Operations are plans first: a list of steps built by pure functions from
//! what the panes know, shown in the confirmation dialog, then run step by
//! step by the job runner. Nothing here does I/O.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// "drain", "ready", "maint", "weight", …
    pub action: String,
    pub host: String,
    /// What the plan acts on; two jobs on the same target never run at once.
    pub target: String,
    pub steps: Vec<Step>,
}

impl Plan {
    /// The steps as the confirmation dialog and the audit log show them.
    pub fn lines(&self) -> Vec<String> {
        self.steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let undo = s
                    .undo
                    .as_ref()
                    .map(|u| format!(" (if stopped: {})", u.what))
                    .unwrap_or_default();
                let no_return = if s.no_return {
                    " — point of no return: once done, the job finishes even if stopped"
                } else {
                    ""
                };
                format!("{}. {}{undo}{no_return}", i + 1, s.what)
            })
            .collect()
    }
}

pub use super::haproxy_command::{BalancerCommand, BalancerServers};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub what: String,
    pub op: StepOp,
    /// The host the step acts on, when not the plan's (a cluster spread
    /// over hosts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// Makes this step's effect safe again when the job stops (cancel,
    /// signal, failure) before a later step undid it the same way (a
    /// drain's "ready") and before a point of no return.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undo: Option<Box<Step>>,
    /// Once done, the job is finished even when asked to stop: undoing
    /// would be worse than going on (a replica promoted).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_return: bool,
    /// Earlier undo steps this one makes moot once done (a server deleted
    /// needs no "ready" any more). A step also settles an undo step that
    /// does exactly what it does.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub settles: Vec<StepOp>,
}

impl Step {
    pub fn new(what: impl Into<String>, op: StepOp) -> Self {
        Self {
            what: what.into(),
            op,
            host: None,
            undo: None,
            no_return: false,
            settles: Vec::new(),
        }
    }

    pub fn on(mut self, host: &str) -> Self {
        self.host = Some(host.to_string());
        self
    }

    pub fn undone_by(mut self, undo: Step) -> Self {
        self.undo = Some(Box::new(undo));
        self
    }

    pub fn settling(mut self, op: StepOp) -> Self {
        self.settles.push(op);
        self
    }

    pub fn point_of_no_return(mut self) -> Self {
        self.no_return = true;
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum StepOp {
    /// A runtime-API command sent through the balancer's stats socket.
    HaproxyCommand {
        container_id: String,
        socket: String,
        command: super::haproxy_command::RuntimeCommand,
    },
    /// Restart a container (stop with a grace period, then start).
    RestartContainer { id: String },
    /// Stop a container (grace period, then killed).
    StopContainer { id: String },
    /// Start a stopped container.
    StartContainer { id: String },
    /// A guard, re-checked right before a ZooKeeper member goes down: the
    /// other `members` (host, container id) that serve must still make a
    /// majority of the ensemble's `voters`, or the job stops here.
    GuardQuorum {
        members: Vec<(String, String)>,
        restarting: String,
        voters: usize,
    },
    /// A guard, re-checked right before a balancer server is taken out
    /// (drain, maint, weight 0): another server of `backend` must be UP,
    /// or the job stops here.
    GuardServersLeft {
        container_id: String,
        backend: String,
        server: String,
    },
    /// A guard, re-checked right before a database member goes down: at
    /// least `needed` of the other `replicas` (host, container id) must
    /// replicate with little lag, or the job stops here.
    GuardReplicas {
        replicas: Vec<(String, String)>,
        restarting: String,
        needed: usize,
    },
    /// Wait until the container runs, and passes its healthcheck if it has one.
    WaitContainerUp { id: String, timeout_secs: u64 },
    /// Wait until a ZooKeeper member serves again (leader, follower,
    /// observer or standalone).
    WaitZkServing { id: String, timeout_secs: u64 },
    /// Wait until a member other than `old` leads the ensemble; members
    /// are (host, container id).
    WaitNewLeader {
        members: Vec<(String, String)>,
        old: String,
        timeout_secs: u64,
    },
    /// Set a swarm node's availability (through a manager).
    SetNodeAvailability { node: String, availability: String },
    /// Wait until `show stat` reports the server in one of `want` (labels
    /// as HAProxy prints them), up to `timeout_secs`.
    WaitServerStatus {
        container_id: String,
        backend: String,
        server: String,
        want: Vec<String>,
        timeout_secs: u64,
    },
    /// Write servers' runtime states into haproxy.cfg (`disabled` or not),
    /// so a reload or restart of the balancer keeps them.
    HaproxyPersistServers {
        container_id: String,
        backend: String,
        /// (server, in service)
        servers: Vec<(String, bool)>,
    },
    /// Wait until a database replica's threads run and its lag is at most
    /// `max_lag_secs`.
    WaitReplicaCaughtUp {
        id: String,
        max_lag_secs: u64,
        timeout_secs: u64,
    },
    /// Volume backup and restore steps (src/ops/backup.rs).
    Backup(super::backup_step::BackupStep),
    /// A switchover statement in a database container (credentials at run time).
    DbExec {
        container_id: String,
        flavor: super::db_sql::DbFlavor,
        statement: super::db_sql::DbStatement,
    },
    /// Rejoin's check: the server holds no transaction the primary lacks.
    DbRejoinCheck {
        pair: super::db_cluster::RejoinPair,
        flavor: super::db_sql::DbFlavor,
    },
    /// A switchover's or failover's first step: every server of the
    /// cluster asked where it replicates from now (src/ops/db_topology.rs).
    DbGuardTopology(super::db_topology::TopologyGuard),
    /// A failover's first step: the old primary is still down (its container
    /// not running), asked again when the job starts. `stated`: the
    /// operator said it is gone for good, so a host that does not answer
    /// does not stop the job.
    DbGuardGone { container_id: String, stated: bool },
    /// Make a primary a cut-off switchover fenced safe (src/ops/journal.rs):
    /// `candidate` (host, id) promoted (no replication configured any more)
    /// → `writers_forward` run, the lock released, read-only kept; not
    /// promoted → `writers_back` (host, balancer id, socket, command) run,
    /// then writable again; unknown → the lock released, read-only kept,
    /// and the step fails saying so.
    DbRecoverFence {
        container_id: String,
        flavor: super::db_sql::DbFlavor,
        candidate: (String, String),
        writers_back: Vec<BalancerCommand>,
        writers_forward: Vec<BalancerCommand>,
        /// Written into haproxy.cfg when promoted.
        cfg_forward: Vec<BalancerServers>,
        /// The cluster's servers (host, id) the switchover knew: asked
        /// again before acting, none but the candidate may be writable.
        members: Vec<(String, String)>,
    },
    /// Find the replication account a former primary will connect with and
    /// keep it in memory for `cluster` (src/ops/db_account.rs): the
    /// operator's, else the first of `donors` (host, container id) whose
    /// environment names one, else one's stored replication settings.
    DbKeepAccount {
        cluster: String,
        flavor: super::db_sql::DbFlavor,
        donors: Vec<(String, String)>,
    },
    /// Write a database server's role (read-only or not) where a restart
    /// reads it (src/ops/db_role.rs).
    DbPersistRole {
        container_id: String,
        flavor: super::db_sql::DbFlavor,
        writable: bool,
    },
    /// The switchover's fence on the old primary (src/ops/db_fence.rs).
    DbFence {
        container_id: String,
        flavor: super::db_sql::DbFlavor,
        action: super::db_fence::FenceAction,
    },
    /// Wait until a replica applied `source`'s (host, id) GTID position, else all it received.
    DbCatchUp {
        container_id: String,
        flavor: super::db_sql::DbFlavor,
        source: Option<(String, String)>,
        timeout_secs: u64,
    },
    /// Wait until a server replicates from `source_host` with both threads running.
    DbWaitReplicating {
        container_id: String,
        source_host: String,
        timeout_secs: u64,
    },
    /// Recovery: free the leases (ops/leases.rs) a cut-off job's process
    /// left on every engine.
    FreeLeases {
        holder: super::journal_holder::Holder,
    },
    /// A cluster creation's own steps, run by its executor (the create
    /// plan holds the objects; these say which part).
    Create(CreateStep),
    /// A scale's own steps: replicas made and removed with their balancer
    /// servers, swarm services (src/ops/scale_step.rs).
    Scale(super::scale_step::ScaleStep),
    /// Steps that remove or undo what a job made or left (recover's, a
    /// creation's undo, `destroy`): src/ops/cleanup_step.rs.
    Cleanup(super::cleanup_step::CleanupStep),
}

/// Which part of a cluster's creation a step is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "part", rename_all = "snake_case")]
pub enum CreateStep {
    /// Hosts connected, images present, names free, hosts reach each other.
    Preflight,
    /// Create (and start) object `index` of the create plan.
    Object {
        index: usize,
        kind: crate::model::new_objects::ObjectKind,
        name: String,
        /// The token the object is labelled with (the job's own).
        job: Option<crate::model::new_objects::JobToken>,
    },
    /// Setup `index` (replication user, replicas started).
    Setup { index: usize },
    /// Check `index`, retried until the verification deadline.
    Check { index: usize },
}

/// How long a restarted container may take to run (and be healthy).
pub(super) const UP_SECS: u64 = 60;

/// Restart one container and wait until it is up (and healthy, when it has
/// a healthcheck) again.
pub fn restart_plan(host: &str, id: &str, name: &str, grace_secs: i32) -> Plan {
    Plan {
        action: "restart".into(),
        host: host.into(),
        target: format!("{host}/{name}"),
        steps: vec![
            Step::new(
                format!(
                    "restart container {name} on {host} (stop: up to {grace_secs}s, then killed)"
                ),
                StepOp::RestartContainer { id: id.into() },
            ),
            Step::new(
                format!("wait until {name} runs and passes its healthcheck, if any"),
                StepOp::WaitContainerUp {
                    id: id.into(),
                    timeout_secs: UP_SECS,
                },
            ),
        ],
    }
}

/// Move ZooKeeper leadership off the current leader: restart it, wait for
/// it to run again and for another member to lead. Refused unless every
/// follower has applied what the leader has (same zxid), so the move costs
/// one election and no catch-up.
pub fn zookeeper_leader_move_plan(e: &crate::model::ensemble::Ensemble) -> PlanResult<Plan> {
    use crate::model::answers::zookeeper::ZkMode;
    let health = e.health();
    let leader_name = health
        .leader
        .clone()
        .ok_or_else(|| PlanError::NotReady(format!("{}: no single leader to move", e.name)))?;
    if !health.has_quorum() || health.tolerates == 0 {
        return Err(PlanError::Refused(format!(
            "{}: {} — a leader restart now could lose quorum",
            e.name,
            health.summary()
        )));
    }
    let leader = e
        .members
        .iter()
        .find(|m| m.container == leader_name)
        .ok_or_else(|| PlanError::NotFound("leader not found".into()))?;
    // In sync: the leader's mntr counts every follower synced; without mntr,
    // each follower has applied the leader's last zxid (right after an
    // election nothing is committed yet, so old-epoch zxids are in sync).
    let stats = leader.stats.as_ref();
    let leader_zxid = stats.map_or(0, |s| s.zxid);
    let fresh_epoch = stats.is_some_and(|s| s.counter() == 0);
    let followers = e.members.iter().filter(|m| m.mode == ZkMode::Follower);
    let lagging: Vec<&str> = match leader.monitor.as_ref().and_then(|m| m.synced_followers) {
        Some(synced) if synced < followers.clone().count() as u64 => {
            vec!["(mntr: not every follower synced)"]
        }
        Some(_) => Vec::new(),
        None => followers
            .filter(|m| {
                let zxid = m.stats.as_ref().map_or(0, |s| s.zxid);
                zxid < leader_zxid && !fresh_epoch
            })
            .map(|m| m.container.as_str())
            .collect(),
    };
    if !lagging.is_empty() {
        return Err(PlanError::NotReady(format!(
            "followers not in sync with the leader yet: {}",
            lagging.join(", ")
        )));
    }
    let members = e
        .members
        .iter()
        .map(|m| (m.host.clone(), m.container_id.clone()))
        .collect();
    let start_again = || {
        Step::new(
            format!("start {} again", leader.container),
            StepOp::StartContainer {
                id: leader.container_id.clone(),
            },
        )
    };
    Ok(Plan {
        action: "leader move".into(),
        host: leader.host.clone(),
        target: format!("ensemble/{}", e.name),
        // Stopped while the others elect, so it cannot win again; started
        // after, whatever happens.
        steps: vec![
            Step::new(
                format!("stop the leader {} on {}", leader.container, leader.host),
                StepOp::StopContainer {
                    id: leader.container_id.clone(),
                },
            )
            .undone_by(start_again()),
            Step::new(
                format!("wait until another member of {} leads", e.name),
                StepOp::WaitNewLeader {
                    members,
                    old: leader.container_id.clone(),
                    timeout_secs: UP_SECS,
                },
            ),
            start_again(),
            Step::new(
                format!(
                    "wait until {} serves again (as a follower)",
                    leader.container
                ),
                StepOp::WaitZkServing {
                    id: leader.container_id.clone(),
                    timeout_secs: UP_SECS,
                },
            ),
        ],
    })
}

/// Drain a swarm node (its tasks move to other nodes) or make it active
/// again, through the manager `host`.
pub fn node_availability_plan(host: &str, node: &str, availability: &str) -> PlanResult<Plan> {
    if !matches!(availability, "active" | "drain" | "pause") {
        return Err(PlanError::Invalid(format!(
            "availability `{availability}`: expected active, drain or pause"
        )));
    }
    Ok(Plan {
        action: format!("node {availability}"),
        host: host.into(),
        target: format!("{host}/node/{node}"),
        steps: vec![Step::new(
            format!("set swarm node {node} availability to {availability} (manager {host})"),
            StepOp::SetNodeAvailability {
                node: node.into(),
                availability: availability.into(),
            },
        )],
    })
}
use super::error::{PlanError, PlanResult};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn node_availability_plans() {
        let p = node_availability_plan("mgr", "worker-2", "drain").unwrap();
        assert_eq!(
            (p.action.as_str(), p.target.as_str()),
            ("node drain", "mgr/node/worker-2")
        );
        assert!(
            matches!(&p.steps[0].op, StepOp::SetNodeAvailability { availability, .. } if availability == "drain")
        );
        assert!(node_availability_plan("mgr", "w", "gone")
            .unwrap_err()
            .to_string()
            .contains("expected active, drain or pause"));
    }
}
