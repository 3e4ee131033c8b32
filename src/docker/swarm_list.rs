//! A manager's view of its swarm: nodes, services (with the manager's own
//! running/desired counts) and every task it keeps, history included,
//! asked at once and turned into the model's sanitized types.

use std::time::Duration;

use bollard::models::{
    EndpointPortConfig, EndpointPortConfigPublishModeEnum, Service, ServiceUpdateStatusStateEnum,
    Task,
};
use bollard::query_parameters::{ListServicesOptions, ListTasksOptions};
use bollard::Docker;

use super::connect::bounded;
use super::error::RequestError;
use crate::model::clock::parse_rfc3339_utc;
use crate::model::swarm::SwarmNode;
use crate::model::swarm_service::{
    PublishedPort, ServiceMode, ServiceUpdate, SwarmService, SwarmTask, TaskState, UpdateState,
};
use crate::model::{HostUpdate, SafeText, LABEL_STACK_NAMESPACE};

/// How often a manager's host task may ask again (see `SwarmWatch`).
pub const SWARM_POLL: Duration = Duration::from_secs(1);
/// Polls skipped while a swarm rests: asked every 5 s then.
const POLLS_AT_REST: u32 = 5;

/// Everything a manager says of its swarm in one round.
#[derive(Clone, Default, PartialEq)]
pub struct SwarmListing {
    pub nodes: Vec<SwarmNode>,
    pub services: Vec<SwarmService>,
    pub tasks: Vec<SwarmTask>,
}

impl SwarmListing {
    /// The updates that put this listing in the model for `host`, the
    /// trouble of a failed one before it cleared.
    pub fn into_updates(self, host: &str) -> [HostUpdate; 3] {
        [
            HostUpdate::SwarmTrouble {
                host: host.into(),
                trouble: None,
            },
            HostUpdate::SwarmNodes {
                host: host.into(),
                nodes: self.nodes,
            },
            HostUpdate::SwarmServices {
                host: host.into(),
                services: self.services,
                tasks: self.tasks,
            },
        ]
    }
}

/// What a host's swarm asks of its host task between events: tasks send
/// none, so a manager is asked again every second while something moves
/// (a service short of tasks or updating, or no answer last time) and
/// every few seconds while it rests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwarmWatch {
    NotManager,
    Resting,
    /// Some service is not settled; `quiet`: how many listings in a row
    /// were the same as the one before (a service no node fits "moves"
    /// without change): asked less often, up to the resting pace.
    Moving {
        quiet: u32,
    },
    /// The last listing failed (no leader): ask again soon.
    Troubled,
}

impl SwarmWatch {
    pub fn of(listing: &SwarmListing, quiet: u32) -> Self {
        if listing.services.iter().all(SwarmService::is_settled) {
            Self::Resting
        } else {
            Self::Moving { quiet }
        }
    }

    pub fn is_manager(self) -> bool {
        !matches!(self, Self::NotManager)
    }

    /// Whether this poll tick should list again, `polls` ticks after the last.
    pub fn wants_poll(self, polls: u32) -> bool {
        match self {
            Self::NotManager => false,
            Self::Resting => polls >= POLLS_AT_REST,
            Self::Moving { quiet } => polls > quiet.min(POLLS_AT_REST - 1),
            Self::Troubled => true,
        }
    }
}

pub async fn list_swarm(docker: &Docker, timeout: Duration) -> Result<SwarmListing, RequestError> {
    let services = ListServicesOptions {
        status: Some(true),
        ..Default::default()
    };
    let (nodes, services, tasks) = tokio::try_join!(
        bounded(timeout, "list nodes", docker.list_nodes(None)),
        bounded(
            timeout,
            "list services",
            docker.list_services(Some(services))
        ),
        bounded(
            timeout,
            "list tasks",
            docker.list_tasks(None::<ListTasksOptions>)
        ),
    )?;
    let tasks: Vec<SwarmTask> = tasks.into_iter().filter_map(task).collect();
    let mut services: Vec<SwarmService> = services
        .into_iter()
        .filter_map(|s| service(s, &tasks))
        .collect();
    services.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(SwarmListing {
        nodes: nodes.into_iter().map(super::convert::swarm_node).collect(),
        services,
        tasks,
    })
}

fn text(v: Option<String>) -> SafeText {
    SafeText::from_foreign(&v.unwrap_or_default())
}

fn service(s: Service, tasks: &[SwarmTask]) -> Option<SwarmService> {
    let id = s.id?;
    let spec = s.spec.unwrap_or_default();
    let mode = mode_of(spec.mode.as_ref());
    let counts = s.service_status.as_ref();
    let (running, desired) = match counts.and_then(|c| c.running_tasks.zip(c.desired_tasks)) {
        Some(both) => both,
        // Engines before API 1.41 do not count: count the tasks ourselves.
        None => counted(&id, mode, tasks),
    };
    let image = spec
        .task_template
        .as_ref()
        .and_then(|t| t.container_spec.as_ref())
        .and_then(|c| c.image.clone())
        .unwrap_or_default();
    let image = image.split('@').next().unwrap_or_default().to_string();
    let ports = s
        .endpoint
        .and_then(|e| e.ports)
        .or_else(|| spec.endpoint_spec.and_then(|e| e.ports))
        .unwrap_or_default();
    Some(SwarmService {
        id,
        name: text(spec.name),
        stack: spec
            .labels
            .and_then(|l| l.get(LABEL_STACK_NAMESPACE).cloned())
            .map(|s| SafeText::from_foreign(&s)),
        image: SafeText::from_foreign(&image),
        mode,
        running,
        desired,
        ports: ports.into_iter().filter_map(port).collect(),
        update: s.update_status.and_then(|u| {
            Some(ServiceUpdate {
                state: update_state(u.state?)?,
                started_at: u.started_at.as_deref().and_then(parse_rfc3339_utc),
                completed_at: u.completed_at.as_deref().and_then(parse_rfc3339_utc),
                message: text(u.message),
            })
        }),
        version: s.version.and_then(|v| v.index).unwrap_or(0),
    })
}

fn mode_of(mode: Option<&bollard::models::ServiceSpecMode>) -> ServiceMode {
    let count = |n: Option<i64>| n.and_then(|n| u64::try_from(n).ok()).unwrap_or(0);
    match mode {
        Some(m) if m.global.is_some() => ServiceMode::Global,
        Some(m) if m.global_job.is_some() => ServiceMode::GlobalJob,
        Some(m) if m.replicated_job.is_some() => ServiceMode::ReplicatedJob {
            completions: count(m.replicated_job.as_ref().and_then(|j| j.total_completions)),
        },
        Some(m) => ServiceMode::Replicated {
            replicas: count(m.replicated.as_ref().and_then(|r| r.replicas)),
        },
        // The engine's default when a spec names no mode.
        None => ServiceMode::Replicated { replicas: 1 },
    }
}

fn counted(id: &str, mode: ServiceMode, tasks: &[SwarmTask]) -> (u64, u64) {
    let mine = || tasks.iter().filter(|t| t.service_id == id);
    let running = mine().filter(|t| t.state == TaskState::Running).count() as u64;
    let desired = match mode {
        ServiceMode::Replicated { replicas } => replicas,
        ServiceMode::ReplicatedJob { completions } => completions,
        ServiceMode::Global | ServiceMode::GlobalJob => {
            mine().filter(|t| t.desired == TaskState::Running).count() as u64
        }
    };
    (running, desired)
}

fn port(p: EndpointPortConfig) -> Option<PublishedPort> {
    let number = |n: Option<i64>| n.and_then(|n| u16::try_from(n).ok());
    Some(PublishedPort {
        published: number(p.published_port)?,
        target: number(p.target_port)?,
        protocol: p.protocol.map_or_else(|| "tcp".into(), |p| p.to_string()),
        ingress: !matches!(
            p.publish_mode,
            Some(EndpointPortConfigPublishModeEnum::HOST)
        ),
    })
}

fn update_state(s: ServiceUpdateStatusStateEnum) -> Option<UpdateState> {
    use ServiceUpdateStatusStateEnum as E;
    Some(match s {
        E::EMPTY => return None,
        E::UPDATING => UpdateState::Updating,
        E::PAUSED => UpdateState::Paused,
        E::COMPLETED => UpdateState::Completed,
        E::ROLLBACK_STARTED => UpdateState::RollbackStarted,
        E::ROLLBACK_PAUSED => UpdateState::RollbackPaused,
        E::ROLLBACK_COMPLETED => UpdateState::RollbackCompleted,
    })
}

fn task_state(s: bollard::models::TaskState) -> TaskState {
    use bollard::models::TaskState as E;
    match s {
        E::NEW => TaskState::New,
        E::ALLOCATED => TaskState::Allocated,
        E::PENDING => TaskState::Pending,
        E::ASSIGNED => TaskState::Assigned,
        E::ACCEPTED => TaskState::Accepted,
        E::PREPARING => TaskState::Preparing,
        E::READY => TaskState::Ready,
        E::STARTING => TaskState::Starting,
        E::RUNNING => TaskState::Running,
        E::COMPLETE => TaskState::Complete,
        E::SHUTDOWN => TaskState::Shutdown,
        E::FAILED => TaskState::Failed,
        E::REJECTED => TaskState::Rejected,
        E::REMOVE => TaskState::Remove,
        E::ORPHANED => TaskState::Orphaned,
    }
}

fn task(t: Task) -> Option<SwarmTask> {
    let status = t.status.unwrap_or_default();
    let container = status.container_status.unwrap_or_default();
    Some(SwarmTask {
        id: t.id?,
        service_id: t.service_id.unwrap_or_default(),
        slot: t.slot.and_then(|s| u64::try_from(s).ok()),
        node_id: t.node_id.unwrap_or_default(),
        state: status.state.map_or(TaskState::New, task_state),
        desired: t.desired_state.map_or(TaskState::Running, task_state),
        message: text(status.message),
        error: status
            .err
            .filter(|e| !e.is_empty())
            .map(|e| SafeText::from_foreign(&e)),
        at: status.timestamp.as_deref().and_then(parse_rfc3339_utc),
        container_id: container.container_id.filter(|c| !c.is_empty()),
        exit_code: container.exit_code,
    })
}

impl super::HostHandle {
    /// The manager's swarm as it is now, for a guard that must not trust
    /// a listing the host task made a while ago.
    pub async fn swarm_listing(&self) -> Result<SwarmListing, super::HostError> {
        let docker = self.docker().await?;
        Ok(list_swarm(&docker, self.timeout).await?)
    }

    /// Make a swarm node a manager or a worker, keeping the rest of its
    /// spec. `node` is its id or hostname; this host must be a manager.
    pub async fn set_node_role(&self, node: &str, manager: bool) -> Result<(), super::HostError> {
        use bollard::models::NodeSpecRoleEnum as R;
        let docker = self.mutation().await?;
        let current = bounded(self.timeout, "inspect node", docker.inspect_node(node)).await?;
        let id = current.id.clone().unwrap_or_else(|| node.to_string());
        let version = current.version.and_then(|v| v.index).unwrap_or(0) as i64;
        let mut spec = current.spec.unwrap_or_default();
        spec.role = Some(if manager { R::MANAGER } else { R::WORKER });
        let options = bollard::query_parameters::UpdateNodeOptions { version };
        bounded(
            self.timeout,
            "update node",
            docker.update_node(&id, spec, options),
        )
        .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The poll ticks (1 s each) until the watch lists again.
    fn ticks_until_asked(watch: SwarmWatch) -> u32 {
        (1..=60).find(|&t| watch.wants_poll(t)).unwrap_or(u32::MAX)
    }

    #[test]
    fn a_swarm_that_moves_without_change_is_asked_less_often_up_to_the_resting_pace() {
        assert_eq!(ticks_until_asked(SwarmWatch::Moving { quiet: 0 }), 1);
        assert_eq!(ticks_until_asked(SwarmWatch::Moving { quiet: 1 }), 2);
        assert_eq!(ticks_until_asked(SwarmWatch::Moving { quiet: 3 }), 4);
        assert_eq!(
            ticks_until_asked(SwarmWatch::Moving { quiet: 40 }),
            POLLS_AT_REST
        );
        assert_eq!(ticks_until_asked(SwarmWatch::Resting), POLLS_AT_REST);
        assert_eq!(ticks_until_asked(SwarmWatch::Troubled), 1);
        assert_eq!(ticks_until_asked(SwarmWatch::NotManager), u32::MAX);
    }
}
