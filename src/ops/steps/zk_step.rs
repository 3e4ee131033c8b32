//! ZooKeeper steps, typed: the quorum guard before a member goes down and
//! the waits after (serving again, a new leader) — each with what it
//! touches, what it may leave and how it is undone beside how it runs.
//! Each asks the ensemble now and never trusts what the plan saw.

use serde::Serialize;
use tokio::sync::watch;

use crate::docker::HostHandle;
use crate::model::answers::zookeeper::ZkMode;
use crate::model::probed::ProbeResult;
use crate::ops::base::claim::{Claim, On};
use crate::ops::base::docker_steps::DockerSteps;
use crate::ops::base::error::{StepError, StepResult};
use crate::ops::base::leftover::Leftover;
use crate::ops::base::step_tools::{wait_until, NotYet};
use crate::ops::base::undo::Undo;
use crate::probes::run::{probe, ProbeKind};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ZkStep {
    /// A guard, re-checked right before a member goes down: the other
    /// `members` (host, container id) that serve must still make a
    /// majority of the ensemble's `voters`, or the job stops here.
    GuardQuorum {
        members: Vec<(String, String)>,
        restarting: String,
        voters: usize,
    },
    /// Wait until a member serves again (leader, follower, observer or
    /// standalone).
    WaitServing { id: String, timeout_secs: u64 },
    /// Wait until a member other than `old` leads the ensemble; members
    /// are (host, container id).
    WaitNewLeader {
        members: Vec<(String, String)>,
        old: String,
        timeout_secs: u64,
    },
}

impl ZkStep {
    /// What it acts on when run on host `h`: the member it guards or waits
    /// for. Waiting for a new leader reads the others, which the job's
    /// other steps claim.
    pub fn claims(&self, h: &str) -> Vec<Claim> {
        match self {
            Self::GuardQuorum { restarting: id, .. } | Self::WaitServing { id, .. } => {
                vec![On(h).container(id)]
            }
            Self::WaitNewLeader { .. } => vec![],
        }
    }

    /// Guards and waits leave nothing.
    pub fn leftovers(&self) -> Vec<Leftover> {
        match self {
            Self::GuardQuorum { .. } | Self::WaitServing { .. } | Self::WaitNewLeader { .. } => {
                Vec::new()
            }
        }
    }

    /// They change nothing.
    pub fn undo(&self) -> Undo<ZkStep> {
        match self {
            Self::GuardQuorum { .. } | Self::WaitServing { .. } | Self::WaitNewLeader { .. } => {
                Undo::Nothing
            }
        }
    }
}

pub(crate) async fn run(
    steps: &DockerSteps,
    handle: &HostHandle,
    step: &ZkStep,
    cancel: &watch::Receiver<bool>,
) -> StepResult {
    match step {
        ZkStep::GuardQuorum {
            members,
            restarting,
            voters,
        } => guard_quorum(steps, members, restarting, *voters).await,
        ZkStep::WaitServing { id, timeout_secs } => {
            wait_serving(steps, handle, id, *timeout_secs, cancel).await
        }
        ZkStep::WaitNewLeader {
            members,
            old,
            timeout_secs,
        } => wait_new_leader(steps, members, old, *timeout_secs, cancel).await,
    }
}

/// The members other than `restarting` that serve must make a majority
/// of `voters`; asked now, not when the plan was made.
async fn guard_quorum(
    steps: &DockerSteps,
    members: &[(String, String)],
    restarting: &str,
    voters: usize,
) -> StepResult {
    let needed = voters / 2 + 1;
    let mut serving = 0;
    for (host, id) in members.iter().filter(|(_, id)| id != restarting) {
        let Ok(h) = steps.host(host) else { continue };
        if let ProbeResult::Zookeeper(Ok(p)) =
            probe(h, id, ProbeKind::Zookeeper, steps.settings()).await
        {
            serving += usize::from(p.mode().is_voting_up());
        }
    }
    if serving >= needed {
        Ok(())
    } else {
        Err(StepError::Refused(format!(
            "refused: only {serving} other member(s) serve and the ensemble of {voters} needs {needed}: \
             restarting this one now would cost it its quorum; nothing more was restarted"
        )))
    }
}

/// The member serves again (voting, or an observer).
async fn wait_serving(
    steps: &DockerSteps,
    handle: &HostHandle,
    id: &str,
    timeout_secs: u64,
    cancel: &watch::Receiver<bool>,
) -> StepResult {
    wait_until(cancel, timeout_secs, || async move {
        match probe(handle, id, ProbeKind::Zookeeper, steps.settings()).await {
            ProbeResult::Zookeeper(Ok(p)) => {
                let mode = p.mode();
                if mode.is_voting_up() || mode == ZkMode::Observer {
                    Ok(())
                } else {
                    Err(NotYet(mode.as_str().to_string()))
                }
            }
            _ => Err(NotYet("no answer".into())),
        }
    })
    .await
}

/// A member other than `old` leads the ensemble.
async fn wait_new_leader(
    steps: &DockerSteps,
    members: &[(String, String)],
    old: &str,
    timeout_secs: u64,
    cancel: &watch::Receiver<bool>,
) -> StepResult {
    wait_until(cancel, timeout_secs, || async move {
        for (host, id) in members.iter().filter(|(_, id)| id != old) {
            let Ok(h) = steps.host(host) else { continue };
            if let ProbeResult::Zookeeper(Ok(p)) =
                probe(h, id, ProbeKind::Zookeeper, steps.settings()).await
            {
                if p.mode() == ZkMode::Leader {
                    return Ok(());
                }
            }
        }
        Err(NotYet("no new leader".into()))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zookeeper_guards_and_waits_change_nothing_and_leave_nothing() {
        let members = vec![("h1".to_string(), "z1".to_string())];
        for step in [
            ZkStep::GuardQuorum {
                members: members.clone(),
                restarting: "z1".into(),
                voters: 3,
            },
            ZkStep::WaitServing {
                id: "z1".into(),
                timeout_secs: 1,
            },
            ZkStep::WaitNewLeader {
                members,
                old: "z1".into(),
                timeout_secs: 1,
            },
        ] {
            assert_eq!(step.undo(), Undo::Nothing, "{step:?}");
            assert!(step.leftovers().is_empty(), "{step:?}");
        }
    }

    #[test]
    fn the_quorum_guard_claims_the_member_going_down() {
        let guard = ZkStep::GuardQuorum {
            members: vec![],
            restarting: "z2".into(),
            voters: 3,
        };
        assert_eq!(guard.claims("h2"), vec![On("h2").container("z2")]);
    }
}
