//! Operations are plans first: a list of steps built by pure functions from
//! what the panes know, shown in the confirmation dialog, then run step by
//! step by the job runner. Nothing here does I/O.

use serde::Serialize;

use crate::ops::base::error::{PlanError, PlanResult};
pub use crate::ops::base::haproxy_command::{BalancerCommand, BalancerServers};
pub use crate::ops::base::plan_kind::{Availability, NodeRole, PlanAction, PlanTarget};
use crate::ops::base::undo::Undo;
use crate::ops::steps::backup_step::BackupStep;
pub use crate::ops::steps::balancer_step::BalancerStep;
pub use crate::ops::steps::cleanup_step::CleanupStep;
pub use crate::ops::steps::container_step::ContainerStep;
pub use crate::ops::steps::create_step::CreateStep;
pub use crate::ops::steps::db_step::{DbStep, RecoverFence};
use crate::ops::steps::scale_step::ScaleStep;
pub use crate::ops::steps::user_step::UserStep;
pub use crate::ops::steps::zk_step::ZkStep;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    pub action: PlanAction,
    pub host: String,
    /// What the plan acts on; two jobs on the same target never run at once.
    pub target: PlanTarget,
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
    /// A boundary between the parts of a job (a rolling restart's
    /// members): a job asked to pause waits before this step until it is
    /// asked to continue or to stop.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub pause_point: bool,
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
            pause_point: false,
        }
    }

    pub fn on(mut self, host: &str) -> Self {
        self.host = Some(host.to_string());
        self
    }

    pub fn undone_by(mut self, undo: Step) -> Self {
        self.undo = Some(Box::new(undo));
        debug_assert!(
            self.undo_fits(),
            "{}: its kind is not undone by {:?}",
            self.what,
            self.undo
        );
        self
    }

    /// Whether the undo it is given (if any) is what its kind says: none
    /// for a step that changes nothing or cannot be undone, the kind's own
    /// inverse where it has one.
    pub fn undo_fits(&self) -> bool {
        let Some(given) = self.undo.as_ref().map(|u| &u.op) else {
            return true;
        };
        match self.op.undo() {
            Undo::By(own) => *given == own,
            Undo::FromPlan(_) => true,
            Undo::Nothing | Undo::Not(_) => false,
        }
    }

    pub fn settling(mut self, op: StepOp) -> Self {
        self.settles.push(op);
        self
    }

    pub fn point_of_no_return(mut self) -> Self {
        self.no_return = true;
        self
    }

    /// A paused job waits before this step (see `pause_point`).
    pub fn pause_point(mut self) -> Self {
        self.pause_point = true;
        self
    }
}

/// A step, by kind. Each kind says, beside how it runs, what it touches
/// (`claims`), what it may leave if the job is cut off (`leftovers`) and
/// how it is undone (`undo`), matching every one of its steps: a new step
/// does not compile until it says all three.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum StepOp {
    /// Containers and swarm nodes (src/ops/steps/container_step.rs).
    Container(ContainerStep),
    /// ZooKeeper guards and waits (src/ops/steps/zk_step.rs).
    Zk(ZkStep),
    /// HAProxy commands, guards, waits, haproxy.cfg (src/ops/steps/balancer_step.rs).
    Balancer(BalancerStep),
    /// Databases: fence, statements, guards, waits (src/ops/steps/db_step.rs).
    Db(DbStep),
    /// Volume backup and restore steps (src/ops/plans/backup.rs).
    Backup(BackupStep),
    /// A cluster creation's own steps, run by its executor (the create
    /// plan holds the objects; these say which part).
    Create(CreateStep),
    /// A scale's own steps: replicas made and removed with their balancer
    /// servers, swarm services (src/ops/steps/scale_step.rs).
    Scale(ScaleStep),
    /// Steps that remove or undo what a job made or left (recover's, a
    /// creation's undo, `destroy`, a dead job's leases freed):
    /// src/ops/steps/cleanup_step.rs.
    Cleanup(CleanupStep),
    /// A user action's program, run on this machine (`[[actions]]`):
    /// src/ops/steps/user_step.rs.
    User(UserStep),
}

impl StepOp {
    /// How a step of this op is undone, as its kind says.
    pub fn undo(&self) -> Undo<StepOp> {
        fn wrap<S>(undo: Undo<S>, op: fn(S) -> StepOp) -> Undo<StepOp> {
            match undo {
                Undo::Nothing => Undo::Nothing,
                Undo::By(s) => Undo::By(op(s)),
                Undo::FromPlan(why) => Undo::FromPlan(why),
                Undo::Not(why) => Undo::Not(why),
            }
        }
        match self {
            Self::Container(s) => wrap(s.undo(), Self::Container),
            Self::Zk(s) => wrap(s.undo(), Self::Zk),
            Self::Balancer(s) => wrap(s.undo(), Self::Balancer),
            Self::Db(s) => wrap(s.undo(), Self::Db),
            Self::Backup(s) => wrap(s.undo(), Self::Backup),
            Self::Create(s) => wrap(s.undo(), Self::Create),
            Self::Scale(s) => wrap(s.undo(), Self::Scale),
            Self::Cleanup(s) => wrap(s.undo(), Self::Cleanup),
            Self::User(s) => wrap(s.undo(), Self::User),
        }
    }

    /// Whether a step of this op only reads, as its kind says: a plan of
    /// such steps runs read-only too and takes no lease on an engine.
    /// Only a user action says so (its definition does); tugboat's own
    /// reads (guards, waits) come in plans that change things.
    pub fn reads_only(&self) -> bool {
        match self {
            Self::User(s) => s.reads_only(),
            Self::Container(_)
            | Self::Zk(_)
            | Self::Balancer(_)
            | Self::Db(_)
            | Self::Backup(_)
            | Self::Create(_)
            | Self::Scale(_)
            | Self::Cleanup(_) => false,
        }
    }
}

impl Plan {
    /// Where a paused job waits: the indexes of the steps marked so.
    pub fn pause_points(&self) -> Vec<usize> {
        (self.steps.iter().enumerate())
            .filter(|(_, s)| s.pause_point)
            .map(|(i, _)| i)
            .collect()
    }

    /// Every step only reads (see `StepOp::reads_only`).
    pub fn reads_only(&self) -> bool {
        self.steps.iter().all(|s| s.op.reads_only())
    }

    /// The steps whose undo is not what their kind says it is: one given
    /// to a step that changes nothing or cannot be undone, or one other
    /// than the kind's own inverse. The job runner checks every plan it
    /// runs (in debug builds, so every test that runs a plan does).
    pub fn undo_mismatches(&self) -> Vec<String> {
        self.steps
            .iter()
            .filter(|step| !step.undo_fits())
            .map(|step| format!("{}: undone by {:?}", step.what, step.undo))
            .collect()
    }
}

/// How long a restarted container may take to run (and be healthy).
pub(crate) const UP_SECS: u64 = 60;

/// Restart one container and wait until it is up (and healthy, when it has
/// a healthcheck) again.
pub fn restart_plan(host: &str, id: &str, name: &str, grace_secs: i32) -> Plan {
    Plan {
        action: PlanAction::Restart,
        host: host.into(),
        target: PlanTarget::Container {
            host: host.into(),
            name: name.into(),
        },
        steps: vec![
            Step::new(
                format!(
                    "restart container {name} on {host} (stop: up to {grace_secs}s, then killed)"
                ),
                StepOp::Container(ContainerStep::Restart { id: id.into() }),
            ),
            Step::new(
                format!("wait until {name} runs and passes its healthcheck, if any"),
                StepOp::Container(ContainerStep::WaitUp {
                    id: id.into(),
                    timeout_secs: UP_SECS,
                }),
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
            StepOp::Container(ContainerStep::Start {
                id: leader.container_id.clone(),
            }),
        )
    };
    Ok(Plan {
        action: PlanAction::LeaderMove,
        host: leader.host.clone(),
        target: PlanTarget::Ensemble(e.name.clone()),
        // Stopped while the others elect, so it cannot win again; started
        // after, whatever happens.
        steps: vec![
            Step::new(
                format!("stop the leader {} on {}", leader.container, leader.host),
                StepOp::Container(ContainerStep::Stop {
                    id: leader.container_id.clone(),
                }),
            )
            .undone_by(start_again()),
            Step::new(
                format!("wait until another member of {} leads", e.name),
                StepOp::Zk(ZkStep::WaitNewLeader {
                    members,
                    old: leader.container_id.clone(),
                    timeout_secs: UP_SECS,
                }),
            ),
            start_again(),
            Step::new(
                format!(
                    "wait until {} serves again (as a follower)",
                    leader.container
                ),
                StepOp::Zk(ZkStep::WaitServing {
                    id: leader.container_id.clone(),
                    timeout_secs: UP_SECS,
                }),
            ),
        ],
    })
}

/// Drain a swarm node (its tasks move to other nodes) or make it active
/// again, through the manager `host`.
pub fn node_availability_plan(host: &str, node: &str, availability: &str) -> PlanResult<Plan> {
    let Some(wanted) = Availability::from_name(availability) else {
        return Err(PlanError::Invalid(format!(
            "availability `{availability}`: expected active, drain or pause"
        )));
    };
    Ok(Plan {
        action: PlanAction::Node(wanted),
        host: host.into(),
        target: PlanTarget::Node {
            host: host.into(),
            node: node.into(),
        },
        steps: vec![Step::new(
            format!("set swarm node {node} availability to {availability} (manager {host})"),
            StepOp::Container(ContainerStep::SetNodeAvailability {
                node: node.into(),
                availability: availability.into(),
            }),
        )],
    })
}

/// A swarm node promoted to a manager or demoted to a worker, through
/// the manager `host`.
pub fn node_role_plan(host: &str, node: &str, role: NodeRole) -> Plan {
    Plan {
        action: PlanAction::NodeRole(role),
        host: host.into(),
        target: PlanTarget::Node {
            host: host.into(),
            node: node.into(),
        },
        steps: vec![Step::new(
            format!(
                "make swarm node {node} a {} (manager {host}; refused if the managers \
                 would lose their quorum)",
                role.as_str()
            ),
            StepOp::Container(ContainerStep::SetNodeRole {
                node: node.into(),
                role,
            }),
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(op: StepOp, undo: StepOp) -> Step {
        let mut step = Step::new("a step", op);
        step.undo = Some(Box::new(Step::new("its undo", undo)));
        step
    }

    #[test]
    fn an_undo_must_be_what_the_step_kind_says() {
        let stop = StepOp::Container(ContainerStep::Stop { id: "c1".into() });
        let start = |id: &str| StepOp::Container(ContainerStep::Start { id: id.into() });
        assert!(given(stop.clone(), start("c1")).undo_fits());
        // Another container started, a wait "undone", a restart "undone".
        assert!(!given(stop, start("c2")).undo_fits());
        let wait = StepOp::Container(ContainerStep::WaitUp {
            id: "c1".into(),
            timeout_secs: 1,
        });
        assert!(!given(wait, start("c1")).undo_fits());
        let restart = StepOp::Container(ContainerStep::Restart { id: "c1".into() });
        let plan = Plan {
            action: PlanAction::Restart,
            host: "h".into(),
            target: PlanTarget::Cluster("c1".into()),
            steps: vec![given(restart, start("c1"))],
        };
        assert_eq!(plan.undo_mismatches().len(), 1);
        // What to put back is the plan's to say for a node's availability.
        let node = |a: &str| {
            StepOp::Container(ContainerStep::SetNodeAvailability {
                node: "w1".into(),
                availability: a.into(),
            })
        };
        assert!(given(node("drain"), node("pause")).undo_fits());
    }

    #[test]
    fn node_availability_plans() {
        let p = node_availability_plan("mgr", "worker-2", "drain").unwrap();
        assert_eq!(
            (p.action.to_string(), p.target.to_string()),
            ("node drain".to_string(), "mgr/node/worker-2".to_string())
        );
        assert!(
            matches!(&p.steps[0].op, StepOp::Container(ContainerStep::SetNodeAvailability { availability, .. }) if availability == "drain")
        );
        assert!(node_availability_plan("mgr", "w", "gone")
            .unwrap_err()
            .to_string()
            .contains("expected active, drain or pause"));
    }
}
