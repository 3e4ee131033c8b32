//! Swarm services and their tasks as a manager reports them: plain,
//! sanitized data, and the questions the Services pane asks of it (is a
//! service settled, which task is a slot's current one, what went wrong).

use serde::Serialize;

use super::SafeText;

/// How many tasks a service wants, as its spec says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum ServiceMode {
    Replicated {
        replicas: u64,
    },
    /// One task per eligible node.
    Global,
    ReplicatedJob {
        completions: u64,
    },
    GlobalJob,
}

impl ServiceMode {
    pub fn word(self) -> &'static str {
        match self {
            Self::Replicated { .. } => "replicated",
            Self::Global => "global",
            Self::ReplicatedJob { .. } => "replicated job",
            Self::GlobalJob => "global job",
        }
    }

    /// Only a replicated service has a replica count to set.
    pub fn is_scalable(self) -> bool {
        matches!(self, Self::Replicated { .. })
    }
}

/// Where a rolling update (or its rollback) stands, as the manager says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UpdateState {
    Updating,
    Paused,
    Completed,
    RollbackStarted,
    RollbackPaused,
    RollbackCompleted,
}

impl UpdateState {
    pub fn word(self) -> &'static str {
        match self {
            Self::Updating => "updating",
            Self::Paused => "update paused",
            Self::Completed => "updated",
            Self::RollbackStarted => "rolling back",
            Self::RollbackPaused => "rollback paused",
            Self::RollbackCompleted => "rolled back",
        }
    }

    /// Still moving: the manager replaces tasks while in this state.
    pub fn is_moving(self) -> bool {
        matches!(self, Self::Updating | Self::RollbackStarted)
    }

    /// Stopped half way: the engine waits for someone to act.
    pub fn is_paused(self) -> bool {
        matches!(self, Self::Paused | Self::RollbackPaused)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceUpdate {
    pub state: UpdateState,
    /// Unix seconds.
    pub started_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub message: SafeText,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublishedPort {
    pub published: u16,
    pub target: u16,
    pub protocol: String,
    /// Published on every node through the routing mesh, or on the node
    /// a task runs on only.
    pub ingress: bool,
}

impl PublishedPort {
    /// `*:8080→80/tcp` (routing mesh) or `host:8080→80/tcp`.
    pub fn text(&self) -> String {
        let at = if self.ingress { "*" } else { "host" };
        format!("{at}:{}→{}/{}", self.published, self.target, self.protocol)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SwarmService {
    pub id: String,
    pub name: SafeText,
    /// `com.docker.stack.namespace`, when a stack made it.
    pub stack: Option<SafeText>,
    /// Without its digest.
    pub image: SafeText,
    pub mode: ServiceMode,
    /// Tasks running and wanted, as the manager counts them.
    pub running: u64,
    pub desired: u64,
    pub ports: Vec<PublishedPort>,
    pub update: Option<ServiceUpdate>,
    /// The spec's version, which an update must name.
    pub version: u64,
}

impl SwarmService {
    /// Running what it wants and not in the middle of an update.
    pub fn is_settled(&self) -> bool {
        self.running == self.desired && !self.update.as_ref().is_some_and(|u| u.state.is_moving())
    }

    /// `3/3`, or `2/3` while short.
    pub fn replicas_text(&self) -> String {
        format!("{}/{}", self.running, self.desired)
    }

    pub fn matches(&self, needle: &str) -> bool {
        let needle = needle.to_lowercase();
        [self.name.as_str(), self.image.as_str(), self.mode.word()]
            .iter()
            .chain(self.stack.as_ref().map(SafeText::as_str).iter())
            .any(|f| f.to_lowercase().contains(&needle))
    }
}

/// A task's life, in the order the orchestrator moves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskState {
    New,
    Allocated,
    Pending,
    Assigned,
    Accepted,
    Preparing,
    Ready,
    Starting,
    Running,
    Complete,
    Shutdown,
    Failed,
    Rejected,
    Remove,
    Orphaned,
}

impl TaskState {
    pub fn word(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Allocated => "allocated",
            Self::Pending => "pending",
            Self::Assigned => "assigned",
            Self::Accepted => "accepted",
            Self::Preparing => "preparing",
            Self::Ready => "ready",
            Self::Starting => "starting",
            Self::Running => "running",
            Self::Complete => "complete",
            Self::Shutdown => "shutdown",
            Self::Failed => "failed",
            Self::Rejected => "rejected",
            Self::Remove => "remove",
            Self::Orphaned => "orphaned",
        }
    }

    /// Went wrong: the engine's error says why.
    pub fn is_failure(self) -> bool {
        matches!(self, Self::Failed | Self::Rejected | Self::Orphaned)
    }

    /// On its way to running: not yet there, not given up.
    pub fn is_on_the_way(self) -> bool {
        self < Self::Running
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SwarmTask {
    pub id: String,
    pub service_id: String,
    /// A replicated service's slot (1, 2, …); a global one has none: its
    /// tasks are told apart by node.
    pub slot: Option<u64>,
    /// Empty until the task is assigned to a node.
    pub node_id: String,
    pub state: TaskState,
    pub desired: TaskState,
    /// The orchestrator's word for the state ("started", "pending task scheduling").
    pub message: SafeText,
    /// Why it failed, was rejected or waits ("no suitable node …").
    pub error: Option<SafeText>,
    /// Unix seconds of the last state change.
    pub at: Option<i64>,
    pub container_id: Option<String>,
    pub exit_code: Option<i64>,
}

impl SwarmTask {
    /// Where a task sits in its service: a slot, or a node for global ones.
    pub fn place(&self) -> TaskPlace {
        match self.slot {
            Some(slot) if slot > 0 => TaskPlace::Slot(slot),
            _ => TaskPlace::Node(self.node_id.clone()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum TaskPlace {
    Slot(u64),
    Node(String),
}

/// One slot's tasks, newest first: the current one and what came before
/// (the manager keeps a few per slot, `docker service ps` shows the same).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotHistory<'a> {
    pub place: TaskPlace,
    pub tasks: Vec<&'a SwarmTask>,
}

impl<'a> SlotHistory<'a> {
    /// The task the orchestrator wants running now, else the newest.
    pub fn current(&self) -> &'a SwarmTask {
        self.tasks
            .iter()
            .find(|t| t.desired == TaskState::Running)
            .unwrap_or(&self.tasks[0])
    }
}

/// A service's tasks by slot (or node), each slot's newest first; slots
/// in order, with no current task (a slot scaled away) left out.
pub fn slots_of<'a>(tasks: &'a [SwarmTask], service_id: &str) -> Vec<SlotHistory<'a>> {
    let mut by_place: std::collections::BTreeMap<TaskPlace, Vec<&SwarmTask>> = Default::default();
    for t in tasks.iter().filter(|t| t.service_id == service_id) {
        by_place.entry(t.place()).or_default().push(t);
    }
    by_place
        .into_iter()
        .map(|(place, mut tasks)| {
            tasks.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.id.cmp(&b.id)));
            SlotHistory { place, tasks }
        })
        .filter(|s| {
            s.tasks
                .iter()
                .any(|t| t.desired != TaskState::Shutdown && t.desired != TaskState::Remove)
        })
        .collect()
}

/// How far an update (or rollback) got: the slots whose wanted task has
/// run since it started, of all slots. None without an update start.
pub fn update_progress(service: &SwarmService, tasks: &[SwarmTask]) -> Option<(usize, usize)> {
    let started = service.update.as_ref()?.started_at?;
    let slots = slots_of(tasks, &service.id);
    let done = slots
        .iter()
        .filter(|s| {
            let t = s.current();
            t.state == TaskState::Running && t.at.is_some_and(|at| at >= started)
        })
        .count();
    Some((done, slots.len()))
}

/// The latest failure among a slot's tasks, for a one-line "why".
pub fn last_failure<'a>(slot: &SlotHistory<'a>) -> Option<&'a SwarmTask> {
    slot.tasks
        .iter()
        .copied()
        .find(|t| t.state.is_failure() || t.error.is_some())
}

/// Managers, quorum and how many may still be lost, from a node list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ManagerQuorum {
    pub managers: usize,
    pub reachable: usize,
}

impl ManagerQuorum {
    pub fn of(nodes: &[super::swarm::SwarmNode]) -> Self {
        let managers = nodes.iter().filter(|n| n.role == "manager");
        Self {
            managers: managers.clone().count(),
            reachable: managers.filter(|n| n.is_reachable_manager()).count(),
        }
    }

    /// Raft needs a majority of all managers, reachable or not.
    pub fn needed(self) -> usize {
        self.managers / 2 + 1
    }

    pub fn has_quorum(self) -> bool {
        self.reachable >= self.needed()
    }

    /// Managers that may still be lost before the swarm stops taking changes.
    pub fn spare(self) -> usize {
        self.reachable.saturating_sub(self.needed())
    }
}

#[cfg(test)]
#[path = "swarm_service_tests.rs"]
mod tests;
