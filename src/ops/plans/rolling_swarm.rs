//! A rolling restart's or update's member that is a swarm task. Swarm owns the task:
//! restarting its container in place would be taken for a task that ended
//! (swarm starts another beside the restarted one), so the service's task
//! is replaced through a manager, and what follows finds the members again
//! by the cluster's label, since the container ids the plan saw are gone.

use super::rolling_member::TaskOf;
use crate::docker::RESTART_GRACE_SECS;
use crate::model::cluster::{cluster_of, detect_role, ClusterKey, Role, LABEL_SWARM_SERVICE};
use crate::model::container::Container;
use crate::model::inventory::Inventory;
use crate::model::probed::{ensembles, ProbeBook};
use crate::ops::base::error::{PlanError, PlanResult};
use crate::ops::kernel::plan::{
    restart_plan, ContainerStep, Plan, PlanAction, PlanTarget, Step, StepOp, ZkStep, UP_SECS,
};
use crate::ops::steps::container_step::NewTasks;

/// The engine puts it on every swarm task's container.
const LABEL_SWARM_NODE: &str = "com.docker.swarm.node.id";
/// How long swarm may take to replace a service's tasks.
const REPLACE_SECS: u64 = 180;

/// None for a container no swarm runs; refused when it is a task but no
/// configured host manages its swarm (only a manager replaces tasks).
pub(crate) fn task_of(
    inv: &Inventory,
    c: &Container,
    cluster: &ClusterKey,
) -> PlanResult<Option<TaskOf>> {
    let Some(service) = c.labels.get(LABEL_SWARM_SERVICE).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    // The engine puts the node's id on a task's container; a manager's
    // listing names its swarm's nodes (a worker's engine does not say
    // which swarm it is in).
    let node = c.labels.get(LABEL_SWARM_NODE).map(|n| n.as_str());
    let manager = inv.hosts.iter().find(|h| {
        let engine = h.engine.as_ref();
        engine.and_then(|e| e.swarm_role.as_deref()) == Some("manager")
            && h.swarm_nodes.iter().any(|n| Some(n.id.as_str()) == node)
    });
    let Some(manager) = manager else {
        return Err(PlanError::Refused(format!(
            "{} is a task of swarm service {service}: swarm replaces tasks, so it is restarted \
             through a manager of its swarm, and none of the configured hosts is one — add one \
             (--host NAME=URL)",
            c.name
        )));
    };
    if cluster.kind.label_key().is_none() {
        return Err(PlanError::Refused(format!(
            "{} is a task of swarm service {service} in no labelled cluster: its members could \
             not be found again after swarm replaced it",
            c.name
        )));
    }
    Ok(Some(TaskOf {
        service: service.as_str().to_string(),
        manager: manager.name.clone(),
        cluster: cluster.clone(),
    }))
}

/// The steps that restart a task member: the ensemble's quorum guarded
/// without the service's tasks (a ZooKeeper member of `voters`), the tasks
/// replaced by swarm, then the ensemble whole again.
pub(crate) fn replace_steps(
    task: &TaskOf,
    name: &str,
    with: &NewTasks,
    zookeeper_voters: usize,
) -> Vec<Step> {
    let TaskOf {
        service,
        manager,
        cluster,
    } = task;
    let mut steps = Vec::new();
    if zookeeper_voters > 1 {
        steps.push(
            Step::new(
                format!(
                    "check that the ensemble keeps its quorum without {service}'s task {name} \
                     (its members found again by label; else stop here)"
                ),
                StepOp::Zk(ZkStep::GuardClusterQuorum {
                    cluster: cluster.clone(),
                    leaving: service.clone(),
                    voters: zookeeper_voters,
                }),
            )
            .on(manager),
        );
    }
    let how = match with {
        NewTasks::Same => "as `docker service update --force`".to_string(),
        NewTasks::Image { image } => {
            format!("on image {image}; if it does not come up, swarm's rollback to the spec it had")
        }
        NewTasks::PreviousSpec => "back on the spec it had (swarm's rollback)".to_string(),
    };
    let replace = |with: &NewTasks, what: String| {
        Step::new(
            what,
            StepOp::Container(ContainerStep::ReplaceServiceTasks {
                service: service.clone(),
                with: with.clone(),
                timeout_secs: REPLACE_SECS,
            }),
        )
        .on(manager)
    };
    let step = replace(
        with,
        format!(
            "have swarm replace service {service}'s task {name} (through {manager}, {how}) and \
             wait until a new task runs (≤{REPLACE_SECS}s)"
        ),
    );
    // A new image is undone by swarm's rollback, should a later member fail.
    let step = match with {
        NewTasks::Image { .. } => step.undone_by(replace(
            &NewTasks::PreviousSpec,
            format!("roll service {service} back to the spec it had (swarm's rollback)"),
        )),
        NewTasks::Same | NewTasks::PreviousSpec => step,
    };
    steps.push(step);
    if zookeeper_voters > 0 {
        steps.push(
            Step::new(
                format!(
                    "wait until the ensemble is whole again: {zookeeper_voters} members serving, \
                     one leading"
                ),
                StepOp::Zk(ZkStep::WaitClusterWhole {
                    cluster: cluster.clone(),
                    voters: zookeeper_voters,
                    timeout_secs: UP_SECS,
                }),
            )
            .on(manager),
        );
    }
    steps
}

/// One task of a service that runs several: its container (`id`, named
/// `name`, on `host`) stopped so that swarm starts a new task in its place,
/// through the manager, which waits until one runs.
pub(crate) fn replace_one_task(task: &TaskOf, host: &str, id: &str, name: &str) -> Step {
    let TaskOf {
        service, manager, ..
    } = task;
    Step::new(
        format!(
            "stop {name} on {host} so that swarm starts a new task of service {service} in its \
             place (through {manager}), and wait until one runs (≤{REPLACE_SECS}s)"
        ),
        StepOp::Container(ContainerStep::ReplaceTask {
            service: service.clone(),
            task_host: host.to_string(),
            container: id.to_string(),
            timeout_secs: REPLACE_SECS,
        }),
    )
    .on(manager)
}

/// Restart one container: in place, or for a swarm task, the task
/// replaced by swarm through a manager (a ZooKeeper member's with the
/// ensemble's quorum asked first and the ensemble whole again after).
/// One task of a service that wants several is stopped for swarm to
/// replace in its place (refused for ZooKeeper and databases).
pub fn container_restart_plan(
    inv: &Inventory,
    book: &ProbeBook,
    c: &Container,
) -> PlanResult<Plan> {
    let cluster = cluster_of(c);
    let Some(task) = task_of(inv, c, &cluster)? else {
        return Ok(restart_plan(&c.host, &c.id, &c.name, RESTART_GRACE_SECS));
    };
    let wanted = inv
        .host(&task.manager)
        .and_then(|h| {
            h.swarm_services
                .iter()
                .find(|s| s.name.as_str() == task.service)
        })
        .map_or(1, |s| s.desired);
    let role = detect_role(c);
    if wanted > 1 {
        return match role {
            Role::Zookeeper | Role::Mysql | Role::Mariadb => Err(PlanError::Refused(format!(
                "{} is one of {wanted} tasks of swarm service {}: a ZooKeeper member's or \
                 database server's checks name one service per member, so tugboat does not \
                 replace one of several",
                c.name, task.service
            ))),
            Role::Haproxy | Role::Nginx | Role::Redis | Role::App | Role::Other => Ok(Plan {
                action: PlanAction::Restart,
                host: task.manager.clone(),
                target: PlanTarget::Container {
                    host: c.host.clone(),
                    name: c.name.to_string(),
                },
                steps: vec![replace_one_task(&task, &c.host, &c.id, &c.name)],
            }),
        };
    }
    let voters = if role == Role::Zookeeper {
        ensembles(inv, book)
            .iter()
            .find(|e| e.name == cluster.name)
            .map_or(1, |e| e.health().total.max(1))
    } else {
        0
    };
    Ok(Plan {
        action: PlanAction::Restart,
        host: task.manager.clone(),
        target: PlanTarget::Container {
            host: c.host.clone(),
            name: c.name.to_string(),
        },
        steps: replace_steps(&task, &c.name, &NewTasks::Same, voters),
    })
}
