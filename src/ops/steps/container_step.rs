//! Container and swarm-node steps, typed: restart, stop, start, wait until
//! up, a node's availability — each with what it touches, what it may
//! leave and how it is undone beside how it runs.

use serde::Serialize;
use tokio::sync::watch;

use crate::docker::HostHandle;
use crate::model::{ContainerState, Health};
use crate::ops::base::claim::{Claim, On};
use crate::ops::base::error::{StepError, StepResult};
use crate::ops::base::leftover::Leftover;
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
    /// Wait until the container runs, and passes its healthcheck if it has one.
    WaitUp { id: String, timeout_secs: u64 },
    /// Set a swarm node's availability (through a manager).
    SetNodeAvailability { node: String, availability: String },
}

impl ContainerStep {
    /// What it acts on when run on host `h`.
    pub fn claims(&self, h: &str) -> Vec<Claim> {
        match self {
            Self::Restart { id }
            | Self::Stop { id }
            | Self::Start { id }
            | Self::WaitUp { id, .. } => {
                vec![On(h).container(id)]
            }
            Self::SetNodeAvailability { node, .. } => vec![Claim::Node {
                host: h.into(),
                node: node.clone(),
            }],
        }
    }

    /// What it may leave if the job is cut off right after it, run on
    /// `host` as the line `what`, with `undo` the undo its plan gives it: a
    /// container stopped for a while (its undo starts it) stays stopped.
    /// A restart the engine finishes, a node's availability and a wait
    /// leave what they were for.
    pub fn leftovers(&self, host: &str, what: &str, undo: Option<&ContainerStep>) -> Vec<Leftover> {
        match self {
            Self::Stop { id } if undo.is_some_and(|u| Undo::By(u.clone()) == self.undo()) => {
                vec![Leftover::Stopped {
                    host: host.into(),
                    id: id.clone(),
                    name: what.into(),
                }]
            }
            Self::Stop { .. }
            | Self::Restart { .. }
            | Self::Start { .. }
            | Self::WaitUp { .. }
            | Self::SetNodeAvailability { .. } => Vec::new(),
        }
    }

    /// How it is undone.
    pub fn undo(&self) -> Undo<ContainerStep> {
        match self {
            Self::Stop { id } => Undo::By(Self::Start { id: id.clone() }),
            Self::Start { id } => Undo::By(Self::Stop { id: id.clone() }),
            Self::Restart { .. } => Undo::Not("it ends as it began: the container runs"),
            Self::WaitUp { .. } => Undo::Nothing,
            Self::SetNodeAvailability { .. } => {
                Undo::FromPlan("the availability the node had before, which the plan read")
            }
        }
    }
}

pub(crate) async fn run(
    handle: &HostHandle,
    step: &ContainerStep,
    cancel: &watch::Receiver<bool>,
) -> StepResult {
    match step {
        ContainerStep::Restart { id } => Ok(handle.restart_container(id).await?),
        ContainerStep::Stop { id } => Ok(handle.stop_container(id).await?),
        ContainerStep::Start { id } => Ok(handle.start(id).await?),
        ContainerStep::WaitUp { id, timeout_secs } => {
            wait_up(handle, id, *timeout_secs, cancel).await
        }
        ContainerStep::SetNodeAvailability { node, availability } => {
            set_node_availability(handle, node, availability).await
        }
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

/// A swarm node's availability set, and read back.
async fn set_node_availability(handle: &HostHandle, node: &str, availability: &str) -> StepResult {
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
