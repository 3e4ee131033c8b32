//! Rolling restart and update: a cluster's members one at a time, each
//! healthy again before the next. What "healthy" means comes from what the
//! member is: a ZooKeeper member serving, a database replica caught up, a
//! balancer server UP (drained before the restart, made ready after).
//! Leaders (ZooKeeper leader, database primary) go last. Who the members
//! are and what is refused before any step runs: rolling_gather.rs.

pub use super::rolling_gather::members_of;
use super::rolling_gather::tasks_of_service;
pub(crate) use super::rolling_gather::{replica_caught_up, replicas_needed, unasked_balancers};
pub use super::rolling_member::{Member, MemberServer, TaskOf};
pub use super::rolling_swarm::container_restart_plan;
use super::rolling_swarm::{replace_one_task, replace_steps};
use crate::ops::base::error::{PlanError, PlanResult};
use crate::ops::base::haproxy_command::{RuntimeCommand, ServerRef, ServerState};
use crate::ops::kernel::plan::{
    BalancerStep, ContainerStep, DbStep, Plan, PlanAction, PlanTarget, Step, StepOp, ZkStep,
    UP_SECS,
};
use crate::ops::steps::container_step::NewTasks;
use crate::ops::steps::scale_step::ScaleStep;

/// A replica counts as caught up at this lag or less.
pub use crate::ops::steps::db_checks::MAX_REPLICA_LAG_SECS;
/// How long a drained server may keep its sessions before the restart.
const DRAIN_SECS: u64 = 30;

fn server_command(s: &MemberServer, state: ServerState) -> StepOp {
    StepOp::Balancer(BalancerStep::Command {
        container_id: s.balancer_id.clone(),
        socket: s.socket.clone(),
        command: RuntimeCommand::SetState {
            on: ServerRef::new(&s.backend, &s.server),
            state,
        },
    })
}

/// The step after a member's restart, and the drain's undo when the job
/// stops before it.
fn ready_again(s: &MemberServer) -> Step {
    Step::new(
        format!(
            "make {}/{} on {} ready again",
            s.backend, s.server, s.balancer
        ),
        server_command(s, ServerState::Ready),
    )
    .on(&s.host)
}

/// Before `member` restarts: another server of the backend must be UP,
/// then `s` drained (made ready again if the job stops) until idle.
pub(crate) fn drain_steps(s: &MemberServer, member: &str) -> [Step; 3] {
    let name = format!("{}/{}", s.backend, s.server);
    [
        Step::new(
            format!(
                "check that another server of {} is UP (else stop here)",
                s.backend
            ),
            StepOp::Balancer(BalancerStep::GuardServersLeft {
                container_id: s.balancer_id.clone(),
                backend: s.backend.clone(),
                server: s.server.clone(),
            }),
        )
        .on(&s.host),
        Step::new(
            format!("drain {name} on {} before restarting {member}", s.balancer),
            server_command(s, ServerState::Drain),
        )
        .on(&s.host)
        .undone_by(ready_again(s)),
        Step::new(
            format!("wait until {name} has no sessions left (up to {DRAIN_SECS}s)"),
            StepOp::Scale(ScaleStep::WaitServerIdle {
                container_id: s.balancer_id.clone(),
                backend: s.backend.clone(),
                server: s.server.clone(),
                timeout_secs: DRAIN_SECS,
            }),
        )
        .on(&s.host),
    ]
}

/// After the restart: `s` ready again, and UP.
pub(crate) fn ready_steps(s: &MemberServer) -> [Step; 2] {
    let name = format!("{}/{}", s.backend, s.server);
    [
        ready_again(s),
        Step::new(
            format!("wait until {name} is UP"),
            StepOp::Balancer(BalancerStep::WaitStatus {
                container_id: s.balancer_id.clone(),
                backend: s.backend.clone(),
                server: s.server.clone(),
                want: vec!["UP".into(), "no check".into()],
                timeout_secs: UP_SECS,
            }),
        )
        .on(&s.host),
    ]
}

/// A member being restarted, as its steps name it.
pub(crate) struct Target<'a> {
    pub host: &'a str,
    pub id: &'a str,
    pub name: &'a str,
}

impl Target<'_> {
    /// At least `needed` of the other `replicas` must replicate, asked
    /// right before the restart.
    pub fn replica_guard(&self, replicas: &[(String, String)], needed: usize) -> Step {
        Step::new(
            format!(
                "check that another replica replicates while {} restarts (else stop here)",
                self.name
            ),
            StepOp::Db(DbStep::GuardReplicas {
                replicas: replicas.to_vec(),
                restarting: self.id.to_string(),
                needed,
            }),
        )
        .on(self.host)
    }

    /// Restart (`why` said after its name), then running and healthy.
    pub fn restart(&self, why: &str, grace_secs: i32) -> [Step; 2] {
        let (host, id, name) = (self.host, self.id, self.name);
        [
            Step::new(
                format!("restart {name} on {host}{why} (stop: up to {grace_secs}s)"),
                StepOp::Container(ContainerStep::Restart { id: id.into() }),
            )
            .on(host),
            self.up(),
        ]
    }

    /// Running and healthy (a task's new container, for a swarm task).
    pub fn up(&self) -> Step {
        Step::new(
            format!(
                "wait until {} runs and passes its healthcheck, if any",
                self.name
            ),
            StepOp::Container(ContainerStep::WaitUp {
                id: self.id.into(),
                timeout_secs: UP_SECS,
            }),
        )
        .on(self.host)
    }

    /// A database replica back: replicating with little lag.
    pub fn caught_up(&self) -> Step {
        Step::new(
            format!(
                "wait until {} replicates again with at most {MAX_REPLICA_LAG_SECS}s lag",
                self.name
            ),
            StepOp::Db(DbStep::WaitCaughtUp {
                id: self.id.into(),
                max_lag_secs: MAX_REPLICA_LAG_SECS,
                timeout_secs: UP_SECS * 2,
            }),
        )
        .on(self.host)
    }
}

/// How each member is restarted.
enum Renew<'a> {
    /// A container restarted in place (a swarm task replaced as it is).
    Restart { grace_secs: i32 },
    /// Each member's service put on `image` (swarm tasks only).
    Update { image: &'a str },
}

/// Restart a cluster one member at a time, each up (and, for ZooKeeper,
/// serving again) before the next; a ZooKeeper leader goes last, so the
/// ensemble holds one election, not one per member.
pub fn rolling_restart_plan(
    cluster: &str,
    members: &[Member],
    grace_secs: i32,
) -> PlanResult<Plan> {
    rolling_plan(cluster, members, Renew::Restart { grace_secs })
}

/// A rolling update of a cluster whose members are swarm tasks, one
/// service per member: each member's service put on `image` in turn, the
/// leader last, with the checks of a rolling restart around each. A member
/// whose image does not come up is rolled back by swarm and stops the job;
/// the job's undo rolls back the members updated before it. Refused for
/// members that are plain containers (an image change re-creates a
/// container, which tugboat does not do) or sit behind balancer servers
/// (their drains name containers swarm replaces).
pub fn rolling_update_plan(cluster: &str, members: &[Member], image: &str) -> PlanResult<Plan> {
    for m in members {
        if m.task.is_none() {
            return Err(PlanError::Refused(format!(
                "{} is a container, not a swarm task: changing its image means re-creating it, \
                 which tugboat does not do — a rolling update is for clusters deployed as swarm \
                 services",
                m.name
            )));
        }
        if !m.servers.is_empty() {
            return Err(PlanError::Refused(format!(
                "{} is behind HAProxy servers: a rolling update does not drain them yet",
                m.name
            )));
        }
        let service = m.task.as_ref().map_or("", |t| t.service.as_str());
        let tasks = tasks_of_service(members, service);
        if tasks > 1 {
            return Err(PlanError::Refused(format!(
                "service {service} runs {tasks} tasks: a new image reaches a service's tasks \
                 only through swarm's own update, at the pace of its update settings, not one \
                 task at a time with the checks between — `docker service update --image` does \
                 that; a rolling restart replaces them one at a time"
            )));
        }
    }
    rolling_plan(cluster, members, Renew::Update { image })
}

fn rolling_plan(cluster: &str, members: &[Member], renew: Renew) -> PlanResult<Plan> {
    let Some(first) = members.first() else {
        return Err(PlanError::NotFound(format!(
            "cluster {cluster} has no running member to {}",
            match renew {
                Renew::Restart { .. } => "restart",
                Renew::Update { .. } => "update",
            }
        )));
    };
    let pairs = |keep: fn(&Member) -> bool| -> Vec<(String, String)> {
        members
            .iter()
            .filter(|m| keep(m))
            .map(|m| (m.host.clone(), m.id.clone()))
            .collect()
    };
    let zk_members = pairs(|m| m.zookeeper);
    let db_replicas = pairs(|m| m.db_replica);
    let mut order: Vec<&Member> = members.iter().collect();
    order.sort_by_key(|m| (m.leader, m.name.clone()));
    let mut steps = Vec::new();
    for m in order {
        let one_of_several =
            (m.task.as_ref()).is_some_and(|t| tasks_of_service(members, &t.service) > 1);
        let mut member_steps = if one_of_several {
            one_task_steps(m)
        } else {
            member_steps(m, &renew, &zk_members, &db_replicas)
        };
        // Between members, a job asked to pause waits (the one before is
        // healthy again by then).
        if !steps.is_empty() {
            mark_pause_point(&mut member_steps);
        }
        steps.extend(member_steps);
    }
    // A primary restarted last: its replicas replicate from it again.
    let primary_restarted = members.iter().any(|m| m.leader && !m.zookeeper);
    if primary_restarted {
        for r in members.iter().filter(|m| m.db_replica) {
            let shown = name_after(r);
            let target = Target {
                host: &r.host,
                id: &r.id,
                name: &shown,
            };
            steps.push(target.caught_up());
        }
    }
    // Swarm tasks are replaced through a manager: the plan runs there;
    // else on the first member's host.
    let host = members
        .iter()
        .find_map(|m| m.task.as_ref().map(|t| t.manager.clone()))
        .unwrap_or_else(|| first.host.clone());
    Ok(Plan {
        action: match renew {
            Renew::Restart { .. } => PlanAction::RollingRestart,
            Renew::Update { .. } => PlanAction::RollingUpdate,
        },
        host,
        target: PlanTarget::Cluster(cluster.to_string()),
        steps,
    })
}

/// One member's steps: balancer servers drained, the guards (the
/// ensemble's quorum, another replica replicating), the restart or task
/// replaced, then serving again (ensemble, replication), the servers
/// ready again.
fn member_steps(
    m: &Member,
    renew: &Renew,
    zk_members: &[(String, String)],
    db_replicas: &[(String, String)],
) -> Vec<Step> {
    let mut steps = Vec::new();
    for s in &m.servers {
        steps.extend(drain_steps(s, &m.name));
    }
    let role = if m.leader { " (the leader, last)" } else { "" };
    let target = Target {
        host: &m.host,
        id: &m.id,
        name: &m.name,
    };
    let shown = name_after(m);
    let after = Target {
        name: &shown,
        ..target
    };
    let needed = replicas_needed(m);
    if m.db_replicas > 0 && needed > 0 {
        steps.push(target.replica_guard(db_replicas, needed));
    }
    match (&m.task, renew) {
        (Some(task), _) => {
            let with = match renew {
                Renew::Restart { .. } => NewTasks::Same,
                Renew::Update { image } => NewTasks::Image {
                    image: image.to_string(),
                },
            };
            let voters = if m.zookeeper { m.voters.max(1) } else { 0 };
            steps.extend(replace_steps(
                task,
                &format!("{}{role}", m.name),
                &with,
                voters,
            ));
            if m.db_replicas > 0 {
                steps.push(after.up());
            }
        }
        (None, Renew::Restart { grace_secs }) => {
            if m.zookeeper && m.voters > 1 {
                steps.push(quorum_guard(m, zk_members));
            }
            steps.extend(target.restart(role, *grace_secs));
            if m.zookeeper {
                steps.push(serving_again(m));
            }
        }
        // Refused by rolling_update_plan before any step is made.
        (None, Renew::Update { .. }) => {}
    }
    if m.db_replica {
        steps.push(after.caught_up());
    }
    for s in &m.servers {
        steps.extend(ready_steps(s));
    }
    steps
}

/// One task of a service that runs several (an app's, refused for
/// ZooKeeper and databases before): its balancer servers drained, its
/// container stopped so that swarm starts a new task in its place, then
/// the servers ready again and the backends as UP as they were — the new
/// task's address may land in another server of the backend.
fn one_task_steps(m: &Member) -> Vec<Step> {
    let mut steps = Vec::new();
    let Some(task) = &m.task else {
        return steps;
    };
    for s in &m.servers {
        steps.extend(drain_steps(s, &m.name));
    }
    steps.push(replace_one_task(task, &m.host, &m.id, &m.name));
    for s in &m.servers {
        steps.push(ready_again(s));
        steps.push(
            Step::new(
                format!(
                    "wait until {} servers of {} are UP again, the new task's among them",
                    s.backend_up, s.backend
                ),
                StepOp::Balancer(BalancerStep::WaitServersUp {
                    container_id: s.balancer_id.clone(),
                    backend: s.backend.clone(),
                    server: s.server.clone(),
                    up: s.backend_up,
                    timeout_secs: UP_SECS,
                }),
            )
            .on(&s.host),
        );
    }
    steps
}

/// The first of `steps` is where a paused job waits.
pub(crate) fn mark_pause_point(steps: &mut [Step]) {
    if let Some(first) = steps.first_mut() {
        first.pause_point = true;
    }
}

/// How the steps after its restart name member `m`: a swarm task's
/// container was replaced (the executor maps its old id to the new one),
/// so they name its service's new task.
fn name_after(m: &Member) -> String {
    match &m.task {
        Some(task) => format!("service {}'s new task", task.service),
        None => m.name.clone(),
    }
}

fn quorum_guard(m: &Member, zk_members: &[(String, String)]) -> Step {
    Step::new(
        format!(
            "check that the ensemble keeps its quorum without {} (else stop here)",
            m.name
        ),
        StepOp::Zk(ZkStep::GuardQuorum {
            members: zk_members.to_vec(),
            restarting: m.id.clone(),
            voters: m.voters,
        }),
    )
    .on(&m.host)
}

fn serving_again(m: &Member) -> Step {
    Step::new(
        format!("wait until {} serves again (back in the quorum)", m.name),
        StepOp::Zk(ZkStep::WaitServing {
            id: m.id.clone(),
            timeout_secs: UP_SECS,
        }),
    )
    .on(&m.host)
}

#[cfg(test)]
#[path = "rolling_tests.rs"]
mod tests;
