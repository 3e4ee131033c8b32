//! ZooKeeper steps, typed: the quorum guard before a member goes down and
//! the waits after (serving again, a new leader) — each with what it
//! touches, what it may leave and how it is undone beside how it runs.
//! Each asks the ensemble now and never trusts what the plan saw.

use serde::Serialize;
use tokio::sync::watch;

use crate::docker::HostHandle;
use crate::model::answers::zookeeper::ZkMode;
use crate::model::cluster::ClusterKey;
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
    /// The quorum guard for a member swarm replaces (its container id
    /// changes): the cluster's members are found by its label on every
    /// host now; those that serve, other than the tasks of service
    /// `leaving`, must make a majority of `voters`.
    GuardClusterQuorum {
        cluster: ClusterKey,
        leaving: String,
        voters: usize,
    },
    /// Wait until the cluster's members, found by its label now, make the
    /// whole ensemble again: `voters` serving, one of them the leader.
    WaitClusterWhole {
        cluster: ClusterKey,
        voters: usize,
        timeout_secs: u64,
    },
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
            // Reads only: the service being replaced is claimed by the
            // step that replaces it.
            Self::WaitNewLeader { .. }
            | Self::GuardClusterQuorum { .. }
            | Self::WaitClusterWhole { .. } => vec![],
        }
    }

    /// Guards and waits leave nothing.
    pub fn leftovers(&self) -> Vec<Leftover> {
        match self {
            Self::GuardQuorum { .. }
            | Self::WaitServing { .. }
            | Self::WaitNewLeader { .. }
            | Self::GuardClusterQuorum { .. }
            | Self::WaitClusterWhole { .. } => Vec::new(),
        }
    }

    /// They change nothing.
    pub fn undo(&self) -> Undo<ZkStep> {
        match self {
            Self::GuardQuorum { .. }
            | Self::WaitServing { .. }
            | Self::WaitNewLeader { .. }
            | Self::GuardClusterQuorum { .. }
            | Self::WaitClusterWhole { .. } => Undo::Nothing,
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
        ZkStep::GuardClusterQuorum {
            cluster,
            leaving,
            voters,
        } => guard_cluster_quorum(steps, cluster, leaving, *voters).await,
        ZkStep::WaitClusterWhole {
            cluster,
            voters,
            timeout_secs,
        } => {
            wait_until(cancel, *timeout_secs, || async move {
                let members = cluster_now(steps, cluster)
                    .await
                    .map_err(|e| NotYet(e.to_string()))?;
                let serving = members.iter().filter(|m| m.1.is_voting_up()).count();
                let leaders = members.iter().filter(|m| m.1 == ZkMode::Leader).count();
                if serving >= *voters && leaders == 1 {
                    Ok(())
                } else {
                    Err(NotYet(format!(
                        "{serving} of {voters} serving, {leaders} leader(s)"
                    )))
                }
            })
            .await
        }
    }
}

/// The members of `cluster` running now on every host, found by its label,
/// each with the swarm service it is a task of and its mode (`Unknown`
/// when it does not answer). A host that does not answer stops the step:
/// its members cannot be counted.
async fn cluster_now(
    steps: &DockerSteps,
    cluster: &ClusterKey,
) -> Result<Vec<(Option<String>, ZkMode)>, StepError> {
    let Some(label) = cluster.kind.label_key() else {
        return Err(StepError::Refused(format!(
            "refused: {} is no labelled cluster: its members cannot be found again",
            cluster.label()
        )));
    };
    let mut found = Vec::new();
    for h in steps.hosts() {
        for (id, service) in h.running_labelled(label, &cluster.name).await? {
            let mode = match probe(h, &id, ProbeKind::Zookeeper, steps.settings()).await {
                ProbeResult::Zookeeper(Ok(p)) => p.mode(),
                _ => ZkMode::Unknown,
            };
            found.push((service, mode));
        }
    }
    Ok(found)
}

/// The members of `cluster` other than the tasks of `leaving` that serve
/// now must make a majority of `voters`.
async fn guard_cluster_quorum(
    steps: &DockerSteps,
    cluster: &ClusterKey,
    leaving: &str,
    voters: usize,
) -> StepResult {
    let needed = voters / 2 + 1;
    let serving = cluster_now(steps, cluster)
        .await?
        .iter()
        .filter(|(service, mode)| service.as_deref() != Some(leaving) && mode.is_voting_up())
        .count();
    if serving >= needed {
        Ok(())
    } else {
        Err(StepError::Refused(format!(
            "refused: only {serving} member(s) other than {leaving}'s serve and the ensemble of \
             {voters} needs {needed}: replacing its task now would cost it its quorum; nothing \
             more was restarted"
        )))
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
