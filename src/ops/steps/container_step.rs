//! Container and swarm-node steps, typed: restart, stop, start, kill,
//! pause, unpause, remove, wait until up, a node's availability — each with what it touches, what it may
//! leave and how it is undone beside how it runs.

use serde::Serialize;
use tokio::sync::watch;

use super::task_step::{replace_task, OneTask};
use crate::docker::{replacements, HostHandle, RunningTask};
use crate::model::swarm_guard::SwarmView;
use crate::model::{ContainerState, Health};
use crate::ops::base::claim::{Claim, On};
use crate::ops::base::docker_steps::DockerSteps;
use crate::ops::base::error::{StepError, StepResult};
use crate::ops::base::leftover::Leftover;
use crate::ops::base::plan_kind::NodeRole;
use crate::ops::base::step_tools::{wait_until, NotYet};
use crate::ops::base::undo::Undo;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ContainerStep {
    /// Restart a container (stop with a grace period, then start).
    Restart { id: String },
    /// Stop a container (grace period, then killed).
    Stop { id: String },
    /// Start a stopped container.
    Start { id: String },
    /// Kill a container at once (SIGKILL, no grace period).
    Kill { id: String },
    /// Freeze every process of a container.
    Pause { id: String },
    /// Thaw a paused container.
    Unpause { id: String },
    /// Remove a container (killed first if it still runs) with its
    /// anonymous volumes; named volumes stay.
    Remove { id: String },
    /// Wait until the container runs, and passes its healthcheck if it has one.
    WaitUp { id: String, timeout_secs: u64 },
    /// Set a swarm node's availability (through a manager). A drain is
    /// refused at run time when, by the manager's listing then, it would
    /// take a ZooKeeper ensemble below its quorum or a database to its
    /// last server.
    SetNodeAvailability { node: String, availability: String },
    /// Make a swarm node a manager or a worker (through a manager);
    /// refused at run time when, by the manager's listing then, it would
    /// cost the managers their raft quorum.
    SetNodeRole { node: String, role: NodeRole },
    /// Have swarm replace every task of a service (through a manager) with
    /// what `with` says, then wait until as many run as it wants, none of
    /// them one that ran before: a task's container is never restarted in
    /// place, which swarm would take for a task that ended.
    ReplaceServiceTasks {
        service: String,
        with: NewTasks,
        timeout_secs: u64,
    },
    /// Stop one task's container (`container`, on configured host
    /// `task_host`) so that swarm starts a new task in its place, through a
    /// manager: one task of a service that runs several, where a forced
    /// update would replace them all. Refused at run time when the
    /// service's restart policy would leave the place empty or the
    /// container is no task of the service any more; done when a new task
    /// runs in its place.
    ReplaceTask {
        service: String,
        task_host: String,
        container: String,
        timeout_secs: u64,
    },
}

/// What a service's new tasks run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "run", rename_all = "snake_case")]
pub enum NewTasks {
    /// The same spec (`docker service update --force`): a restart.
    Same,
    /// The spec with this image.
    Image { image: String },
    /// The spec the service had before its last change: swarm's own
    /// rollback.
    PreviousSpec,
}

impl ContainerStep {
    /// What it acts on when run on host `h`.
    pub fn claims(&self, h: &str) -> Vec<Claim> {
        match self {
            Self::Restart { id }
            | Self::Stop { id }
            | Self::Start { id }
            | Self::Kill { id }
            | Self::Pause { id }
            | Self::Unpause { id }
            | Self::Remove { id }
            | Self::WaitUp { id, .. } => {
                vec![On(h).container(id)]
            }
            Self::SetNodeAvailability { node, .. } | Self::SetNodeRole { node, .. } => {
                vec![Claim::Node {
                    host: h.into(),
                    node: node.clone(),
                }]
            }
            Self::ReplaceServiceTasks { service, .. } => vec![Claim::Service {
                host: h.into(),
                service: service.clone(),
            }],
            Self::ReplaceTask {
                service,
                task_host,
                container,
                ..
            } => vec![
                Claim::Service {
                    host: h.into(),
                    service: service.clone(),
                },
                On(task_host).container(container),
            ],
        }
    }

    /// What it may leave if the job is cut off right after it, run on
    /// `host` as the line `what`, with `undo` the undo its plan gives it: a
    /// container stopped for a while (its undo starts it) stays stopped, one
    /// paused for a while (its undo thaws it) stays frozen. A step the user
    /// asked for as such (no undo) leaves what it was for, as do a restart
    /// the engine finishes, a node's availability and a wait.
    pub fn leftovers(&self, host: &str, what: &str, undo: Option<&ContainerStep>) -> Vec<Leftover> {
        match self {
            Self::Stop { id } if undo.is_some_and(|u| Undo::By(u.clone()) == self.undo()) => {
                vec![Leftover::Stopped {
                    host: host.into(),
                    id: id.clone(),
                    name: what.into(),
                }]
            }
            Self::Pause { id } if undo.is_some_and(|u| Undo::By(u.clone()) == self.undo()) => {
                vec![Leftover::Paused {
                    host: host.into(),
                    id: id.clone(),
                    name: what.into(),
                }]
            }
            Self::Stop { .. }
            | Self::Pause { .. }
            | Self::Restart { .. }
            | Self::Start { .. }
            | Self::Kill { .. }
            | Self::Unpause { .. }
            | Self::Remove { .. }
            | Self::WaitUp { .. }
            | Self::SetNodeAvailability { .. }
            | Self::SetNodeRole { .. }
            | Self::ReplaceServiceTasks { .. }
            | Self::ReplaceTask { .. } => Vec::new(),
        }
    }

    /// How it is undone.
    pub fn undo(&self) -> Undo<ContainerStep> {
        match self {
            Self::Stop { id } => Undo::By(Self::Start { id: id.clone() }),
            Self::Start { id } => Undo::By(Self::Stop { id: id.clone() }),
            Self::Kill { id } => Undo::By(Self::Start { id: id.clone() }),
            Self::Pause { id } => Undo::By(Self::Unpause { id: id.clone() }),
            Self::Unpause { id } => Undo::By(Self::Pause { id: id.clone() }),
            Self::Remove { .. } => {
                Undo::Not("the container and its anonymous volumes are gone for good")
            }
            Self::Restart { .. } => Undo::Not("it ends as it began: the container runs"),
            Self::WaitUp { .. } => Undo::Nothing,
            Self::SetNodeAvailability { .. } => {
                Undo::FromPlan("the availability the node had before, which the plan read")
            }
            Self::SetNodeRole { .. } => {
                Undo::FromPlan("the role the node had before, which the plan read")
            }
            Self::ReplaceTask { .. } => {
                Undo::Not("swarm runs a new task in its place: the service runs as it did")
            }
            Self::ReplaceServiceTasks {
                service,
                with,
                timeout_secs,
            } => match with {
                NewTasks::Same => {
                    Undo::Not("it ends as it began: the service runs its spec, in new tasks")
                }
                NewTasks::Image { .. } => Undo::By(Self::ReplaceServiceTasks {
                    service: service.clone(),
                    with: NewTasks::PreviousSpec,
                    timeout_secs: *timeout_secs,
                }),
                NewTasks::PreviousSpec => {
                    Undo::Not("swarm's rollback is itself the undo of the change before it")
                }
            },
        }
    }
}

pub(crate) async fn run(
    steps: &DockerSteps,
    handle: &HostHandle,
    step: &ContainerStep,
    cancel: &watch::Receiver<bool>,
) -> StepResult {
    match step {
        ContainerStep::Restart { id } => Ok(handle.restart_container(id).await?),
        ContainerStep::Stop { id } => Ok(handle.stop_container(id).await?),
        ContainerStep::Start { id } => Ok(handle.start(id).await?),
        ContainerStep::Kill { id } => Ok(handle.kill_container(id).await?),
        ContainerStep::Pause { id } => Ok(handle.pause_container(id).await?),
        ContainerStep::Unpause { id } => Ok(handle.unpause_container(id).await?),
        ContainerStep::Remove { id } => Ok(handle.remove_created_container(id).await?),
        ContainerStep::WaitUp { id, timeout_secs } => {
            wait_up(handle, id, *timeout_secs, cancel).await
        }
        ContainerStep::SetNodeAvailability { node, availability } => {
            set_node_availability(handle, node, availability).await
        }
        ContainerStep::SetNodeRole { node, role } => {
            set_node_role(handle, node, *role, cancel).await
        }
        ContainerStep::ReplaceServiceTasks {
            service,
            with,
            timeout_secs,
        } => replace_service_tasks(handle, service, with, *timeout_secs, cancel).await,
        ContainerStep::ReplaceTask {
            service,
            task_host,
            container,
            timeout_secs,
        } => {
            let task = OneTask {
                service,
                node: steps.host(task_host)?,
                container,
            };
            replace_task(handle, task, *timeout_secs, cancel).await
        }
    }
}

/// Swarm replaces every task of `service` with what `with` says; done
/// when as many run as the service wants and none of them ran before. A
/// paused or rolled-back update stops the step with the engine's words; a
/// new image that does not come up is rolled back by the step itself
/// (swarm's rollback to the spec it had), so a failed step leaves the
/// service as it found it.
async fn replace_service_tasks(
    handle: &HostHandle,
    service: &str,
    with: &NewTasks,
    timeout_secs: u64,
    cancel: &watch::Receiver<bool>,
) -> StepResult {
    let before = handle.service_now(service).await?.running;
    match with {
        NewTasks::Same => handle.force_update_service(service).await?,
        NewTasks::Image { image } => handle.set_service_image(service, image).await?,
        NewTasks::PreviousSpec => handle.rollback_service(service).await?,
    }
    let rolling_back = *with == NewTasks::PreviousSpec;
    let waited = tasks_replaced(handle, service, &before, rolling_back, timeout_secs, cancel).await;
    let (Err(failed), NewTasks::Image { .. }) = (&waited, with) else {
        return waited;
    };
    let now = handle.service_now(service).await?.running;
    let back = match handle.rollback_service(service).await {
        Ok(()) => tasks_replaced(handle, service, &now, true, timeout_secs, cancel)
            .await
            .map_or_else(
                |e| format!("rolled back, not yet running: {e}"),
                |()| "rolled back to the spec it had".to_string(),
            ),
        Err(e) => format!("its rollback failed: {e}"),
    };
    Err(StepError::Failed(format!("{failed}; {back}")))
}

/// Wait until as many tasks of `service` run as it wants, none of them
/// one of `before` (each old container recorded as replaced by its new
/// one on the same node); stopped early by a paused update, or one swarm rolled
/// back unless `rolling_back` is what was asked.
async fn tasks_replaced(
    handle: &HostHandle,
    service: &str,
    before: &[RunningTask],
    rolling_back: bool,
    timeout_secs: u64,
    cancel: &watch::Receiver<bool>,
) -> StepResult {
    let stuck: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);
    let waited = wait_until(cancel, timeout_secs, || {
        let stuck = &stuck;
        async move {
            let now = handle.service_now(service).await?;
            if let Some((state, message)) = &now.update {
                let swarm_rolled_back = state.starts_with("rollback") && !rolling_back;
                if state == "paused" || state == "rollback_paused" || swarm_rolled_back {
                    let why = format!("swarm's update of {service} is {state}: {message}");
                    *stuck.lock().unwrap_or_else(|e| e.into_inner()) = Some(why);
                    return Ok(());
                }
            }
            let fresh = now
                .running
                .iter()
                .filter(|t| !before.iter().any(|b| b.id == t.id))
                .count();
            let wanted = now.desired.unwrap_or(before.len() as u64) as usize;
            let old = now.running.len() - fresh;
            if fresh >= wanted && old == 0 {
                // Later steps name the old containers by the ids they had.
                handle.record_replacements(&replacements(before, &now.running));
                Ok(())
            } else {
                Err(NotYet(format!(
                    "{fresh} of {wanted} task(s) replaced, {old} old one(s) running"
                )))
            }
        }
    })
    .await;
    match stuck.into_inner().unwrap_or_else(|e| e.into_inner()) {
        Some(why) => Err(StepError::Failed(crate::model::sanitize(&why))),
        None => waited,
    }
}

/// The container runs, and passes its healthcheck if it has one.
async fn wait_up(
    handle: &HostHandle,
    id: &str,
    timeout_secs: u64,
    cancel: &watch::Receiver<bool>,
) -> StepResult {
    wait_until(cancel, timeout_secs, || async move {
        let (state, health) = handle.container_status(id).await?;
        if state == ContainerState::Running && matches!(health, Health::None | Health::Healthy) {
            Ok(())
        } else {
            Err(NotYet(
                format!("{} {}", state.as_str(), health.as_str())
                    .trim()
                    .to_string(),
            ))
        }
    })
    .await
}

/// The manager's swarm read right now, for a guard.
async fn swarm_now(handle: &HostHandle) -> Result<crate::docker::SwarmListing, StepError> {
    Ok(handle.swarm_listing().await?)
}

fn view(listing: &crate::docker::SwarmListing) -> SwarmView<'_> {
    SwarmView {
        nodes: &listing.nodes,
        services: &listing.services,
        tasks: &listing.tasks,
    }
}

/// A swarm node's availability set, and read back; a drain first asks
/// the manager what runs where now, and is refused if it would cost a
/// data service what it needs.
async fn set_node_availability(handle: &HostHandle, node: &str, availability: &str) -> StepResult {
    if availability == "drain" {
        let listing = swarm_now(handle).await?;
        let costs = view(&listing)
            .drain_cost(node)
            .map_err(|e| StepError::Refused(e.to_string()))?;
        if !costs.is_empty() {
            let said: Vec<String> = costs.iter().map(ToString::to_string).collect();
            return Err(StepError::Refused(said.join("; ")));
        }
    }
    handle.set_node_availability(node, availability).await?;
    let now = handle.node_availability(node).await?;
    if now == *availability {
        Ok(())
    } else {
        Err(StepError::Failed(format!(
            "node {node} reports {now}, not {availability}"
        )))
    }
}

/// Seconds a node has to take its new role: a new manager joins the raft
/// (reachable) within seconds on a healthy swarm.
const ROLE_SECS: u64 = 60;

/// A swarm node's role changed, and waited for: a promoted node counts
/// once it is a reachable manager (until then the raft does not know it,
/// and a demotion right after fails). The managers' quorum is asked of
/// the manager's listing right before.
async fn set_node_role(
    handle: &HostHandle,
    node: &str,
    role: NodeRole,
    cancel: &watch::Receiver<bool>,
) -> StepResult {
    let to_manager = role == NodeRole::Manager;
    let listing = swarm_now(handle).await?;
    view(&listing)
        .role_change_cost(node, to_manager)
        .map_err(|e| StepError::Refused(e.to_string()))?;
    handle.set_node_role(node, to_manager).await?;
    wait_until(cancel, ROLE_SECS, || async move {
        let listing = swarm_now(handle).await.map_err(|e| NotYet(e.to_string()))?;
        let n = view(&listing)
            .node(node)
            .map_err(|e| NotYet(e.to_string()))?;
        let taken = if to_manager {
            n.is_reachable_manager()
        } else {
            !n.is_manager()
        };
        if taken {
            Ok(())
        } else {
            Err(NotYet(format!(
                "{} ({})",
                n.role,
                if n.reachability.is_empty() {
                    "-"
                } else {
                    &n.reachability
                }
            )))
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stop() -> ContainerStep {
        ContainerStep::Stop { id: "c1".into() }
    }

    #[test]
    fn a_stop_is_undone_by_starting_the_same_container() {
        assert_eq!(
            stop().undo(),
            Undo::By(ContainerStep::Start { id: "c1".into() })
        );
        assert!(ContainerStep::WaitUp {
            id: "c1".into(),
            timeout_secs: 1
        }
        .undo()
        .eq(&Undo::Nothing));
    }

    #[test]
    fn a_stop_leaves_a_stopped_container_only_when_its_undo_starts_it() {
        let start = ContainerStep::Start { id: "c1".into() };
        let other = ContainerStep::Start { id: "c2".into() };
        assert_eq!(
            stop().leftovers("h1", "stop zk1", Some(&start)),
            vec![Leftover::Stopped {
                host: "h1".into(),
                id: "c1".into(),
                name: "stop zk1".into()
            }]
        );
        // Stopped for good (or another container started): nothing to start.
        assert!(stop().leftovers("h1", "stop zk1", None).is_empty());
        assert!(stop().leftovers("h1", "stop zk1", Some(&other)).is_empty());
        assert!(ContainerStep::Restart { id: "c1".into() }
            .leftovers("h1", "restart", None)
            .is_empty());
    }

    #[test]
    fn a_pause_leaves_a_frozen_container_only_when_its_undo_thaws_it() {
        let pause = ContainerStep::Pause { id: "c1".into() };
        let thaw = ContainerStep::Unpause { id: "c1".into() };
        assert_eq!(pause.undo(), Undo::By(thaw.clone()));
        assert_eq!(
            pause.leftovers("h1", "pause app1", Some(&thaw)),
            vec![Leftover::Paused {
                host: "h1".into(),
                id: "c1".into(),
                name: "pause app1".into()
            }]
        );
        // Paused because the user asked: it stays so, nothing to thaw.
        assert!(pause.leftovers("h1", "pause app1", None).is_empty());
        assert!(matches!(
            ContainerStep::Remove { id: "c1".into() }.undo(),
            Undo::Not(_)
        ));
        assert_eq!(
            ContainerStep::Kill { id: "c1".into() }.undo(),
            Undo::By(ContainerStep::Start { id: "c1".into() })
        );
    }

    #[test]
    fn a_node_step_claims_the_node_and_a_container_step_its_container() {
        let node = ContainerStep::SetNodeAvailability {
            node: "w2".into(),
            availability: "drain".into(),
        };
        assert_eq!(
            node.claims("mgr"),
            vec![Claim::Node {
                host: "mgr".into(),
                node: "w2".into()
            }]
        );
        assert_eq!(stop().claims("h1"), vec![On("h1").container("c1")]);
    }
}
