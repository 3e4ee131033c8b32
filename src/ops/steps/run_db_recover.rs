//! Making safe a primary that a cut-off switchover (`kill -9`, a reboot)
//! left fenced: read-only, its writers in maintenance, a lock that ends by
//! itself. Which way is safe depends on whether the candidate was promoted
//! — asked now, never guessed: two writable servers split the data.
//!
//! The entry may be old news: the fence repaired by hand, a later
//! switchover made another server primary. So before anything changes,
//! the world is read again and must still be what the cut-off job left —
//! the same old primary container, read-only, its writers in MAINT, and no
//! server of the cluster but the candidate writable — or recover refuses,
//! saying what differs, and changes nothing.

use super::db_fence::{self, FenceAction};
use super::db_role::persist_role;
use super::run_db::query;
use super::scale_step::persist_servers;
use crate::docker::HostHandle;
use crate::model::new_objects::ObjectKind;
use crate::ops::base::claim::short;
use crate::ops::base::claim::{Claim, On};
use crate::ops::base::db_sql::replica_status_sql;
use crate::ops::base::db_sql::DbFlavor;
use crate::ops::base::docker_steps::DockerSteps;
use crate::ops::base::error::{StepError, StepResult};
use crate::ops::base::haproxy_command::ServerState;
use crate::ops::base::haproxy_command::{BalancerCommand, BalancerServers};
use crate::ops::base::step_tools::{send_command, stat_now};

/// A primary a cut-off switchover fenced, as its journal entry recorded
/// it, for recovery to make safe: `candidate` (host, id) promoted (no
/// replication configured any more) → `writers_forward` run, the lock
/// released, read-only kept; not promoted → `writers_back` (host, balancer
/// id, socket, command) run, then writable again; unknown → the lock
/// released, read-only kept, and the step fails saying so.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RecoverFence {
    pub container_id: String,
    pub flavor: DbFlavor,
    pub candidate: (String, String),
    pub writers_back: Vec<BalancerCommand>,
    pub writers_forward: Vec<BalancerCommand>,
    /// Written into haproxy.cfg when promoted.
    pub cfg_forward: Vec<BalancerServers>,
    /// The cluster's servers (host, id) the switchover knew: asked again
    /// before acting, none but the candidate may be writable.
    pub members: Vec<(String, String)>,
}

impl RecoverFence {
    /// What it acts on, run on host `h`: the old primary, the writer
    /// servers it may move either way, the config files it may write.
    pub fn claims(&self, h: &str) -> Vec<Claim> {
        let mut all = vec![On(h).container(&self.container_id)];
        for (host, lb, _, command) in self.writers_back.iter().chain(&self.writers_forward) {
            all.push(On(host).command(lb, command));
        }
        for (host, lb, backend, servers) in &self.cfg_forward {
            let on = On(host);
            all.push(on.config(lb));
            all.extend(servers.iter().map(|(s, _)| on.server(lb, backend, s)));
        }
        all
    }
}

async fn send(steps: &DockerSteps, commands: &[BalancerCommand]) -> StepResult {
    for (host, balancer, socket, command) in commands {
        let timeout = steps.settings().request_timeout;
        send_command(steps.host(host)?, timeout, balancer, socket, command).await?;
    }
    Ok(())
}

/// The candidate as it is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CandidateNow {
    /// No replication configured any more (promotion resets it).
    pub promoted: bool,
    pub writable: bool,
}

/// What the cut-off switchover's servers and balancers show now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FenceNow {
    pub old_primary: String,
    pub old_writable: bool,
    /// Writer-backend servers of the old primary not in MAINT now
    /// (`backend/server showing STATUS`), or why they could not be read.
    pub writers_not_in_maint: Result<Vec<String>, String>,
    /// Servers of the cluster other than the two that are writable now.
    pub others_writable: Vec<String>,
    pub candidate_name: String,
    pub candidate: Result<CandidateNow, String>,
}

/// What recover does about the fence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FenceRecovery {
    /// The candidate was promoted: writes go to it, the old primary stays
    /// read-only, its lock released.
    Forward,
    /// It was not: the old primary's writers back, writable again.
    Back,
    /// The candidate cannot be asked: the lock released, read-only kept,
    /// and the step fails saying so.
    KeepReadOnly(String),
    /// The world is not what the cut-off job left: nothing is changed.
    Refuse(String),
}

/// Decide from what is seen now (pure).
pub(crate) fn decide(now: &FenceNow) -> FenceRecovery {
    let (old, cand) = (&now.old_primary, &now.candidate_name);
    if !now.others_writable.is_empty() {
        return FenceRecovery::Refuse(format!(
            "{} writable now, neither the old primary {old} nor the candidate {cand}: the primary moved since \
             the cut-off switchover (a later switchover, or a repair by hand)",
            now.others_writable.join(", ")
        ));
    }
    match (&now.candidate, now.old_writable) {
        (Ok(c), true) if c.writable => FenceRecovery::Refuse(format!(
            "both the old primary {old} and the candidate {cand} are writable now: check by hand which one holds the writes"
        )),
        (Ok(c), true) if c.promoted => FenceRecovery::Refuse(format!(
            "the old primary {old} is writable again and the candidate {cand} replicates from no one: repaired by hand since?"
        )),
        // Never fenced (cut before the fence) or fenced and undone since:
        // its writers back and writable again change nothing that serves.
        (Ok(_), true) => FenceRecovery::Back,
        (Err(why), true) => FenceRecovery::Refuse(format!(
            "the old primary {old} is writable again and the candidate {cand} cannot be asked ({why})"
        )),
        (candidate, false) => match &now.writers_not_in_maint {
            Err(why) => FenceRecovery::Refuse(format!(
                "the writer backend of the old primary {old} cannot be read ({why})"
            )),
            Ok(up) if !up.is_empty() => FenceRecovery::Refuse(format!(
                "{} — the cut-off switchover left them in MAINT: changed since",
                up.join(", ")
            )),
            Ok(_) => match candidate {
                Ok(c) if c.promoted => FenceRecovery::Forward,
                Ok(c) if c.writable => FenceRecovery::Refuse(format!(
                    "the candidate {cand} is writable yet still replicates: check by hand"
                )),
                Ok(_) => FenceRecovery::Back,
                Err(why) => FenceRecovery::KeepReadOnly(why.clone()),
            },
        },
    }
}

/// Is server `id` writable now?
async fn writable(steps: &DockerSteps, handle: &HostHandle, id: &str) -> Result<bool, String> {
    let answer = query(handle, steps.settings(), id, "SELECT @@global.read_only")
        .await
        .map_err(|e| e.to_string())?;
    Ok(answer.trim() == "0")
}

/// A container's name and whether it runs, checked to be the very
/// container `id` (one made again under its name has another id); None
/// when the engine says there is no such container.
async fn container_now(handle: &HostHandle, id: &str) -> Result<Option<(String, bool)>, String> {
    let found = match handle.inspect_raw(id).await {
        Ok(found) => found,
        Err(e) => {
            return match handle.object_exists(ObjectKind::Container, id).await {
                Ok(false) => Ok(None),
                Ok(true) | Err(_) => Err(e.to_string()),
            }
        }
    };
    if id.is_empty() || !found.id.as_deref().is_some_and(|f| f.starts_with(id)) {
        return Ok(None);
    }
    let name = found.name.as_deref().unwrap_or(id).trim_start_matches('/');
    let running = found.state.and_then(|s| s.running).unwrap_or(false);
    Ok(Some((crate::model::sanitize(name), running)))
}

/// The old primary's writer-backend servers not in MAINT now.
async fn writers_up(
    steps: &DockerSteps,
    writers_back: &[BalancerCommand],
) -> Result<Vec<String>, String> {
    let mut up = Vec::new();
    for (host, balancer, _, command) in writers_back {
        if !command.sets(ServerState::Ready) {
            continue;
        }
        let server = command.server();
        let handle = steps.host(host).map_err(|e| e.to_string())?;
        let Some(p) = stat_now(handle, steps.settings(), balancer).await else {
            return Err(format!("balancer {} did not answer", short(balancer)));
        };
        let row = p
            .server(&server.backend, &server.server)
            .ok_or_else(|| format!("no server {server} on balancer {}", short(balancer)))?;
        let label = row.status.label();
        if label != "MAINT" {
            up.push(format!("{server} is {label} now"));
        }
    }
    Ok(up)
}

/// Read what the recorded fence relies on, now.
async fn read_now(
    steps: &DockerSteps,
    handle: &HostHandle,
    fence: &RecoverFence,
) -> Result<FenceNow, String> {
    let RecoverFence {
        container_id: id,
        flavor,
        candidate,
        writers_back,
        members,
        ..
    } = fence;
    let (old_primary, old_running) = container_now(handle, id)
        .await
        .map_err(|e| format!("the old primary ({}): {e}", short(id)))?
        .ok_or_else(|| {
            format!(
                "the old primary's container {} is gone (removed, or made again under its name)",
                short(id)
            )
        })?;
    if !old_running {
        return Err(format!("the old primary {old_primary} does not run"));
    }
    let old_writable = writable(steps, handle, id)
        .await
        .map_err(|e| format!("could not ask the old primary {old_primary}: {e}"))?;
    let mut others_writable = Vec::new();
    for (host, member) in members {
        if member == id || *member == candidate.1 {
            continue;
        }
        let h = steps.host(host).map_err(|e| e.to_string())?;
        // Gone: it takes no writes.
        let Some((name, running)) = container_now(h, member)
            .await
            .map_err(|e| format!("could not ask {}: {e}", short(member)))?
        else {
            continue;
        };
        if running
            && writable(steps, h, member)
                .await
                .map_err(|e| format!("could not ask {name}: {e}"))?
        {
            others_writable.push(name);
        }
    }
    let (cand_host, cand_id) = candidate;
    let cand_handle = steps.host(cand_host).map_err(|e| e.to_string())?;
    let candidate_name = match container_now(cand_handle, cand_id).await {
        Ok(Some((name, _))) => name,
        Ok(None) | Err(_) => short(cand_id).to_string(),
    };
    let candidate = async {
        let status = query(
            cand_handle,
            steps.settings(),
            cand_id,
            replica_status_sql(*flavor),
        )
        .await
        .map_err(|e| e.to_string())?;
        Ok(CandidateNow {
            promoted: status.trim().is_empty(),
            writable: writable(steps, cand_handle, cand_id).await?,
        })
    }
    .await;
    Ok(FenceNow {
        old_primary,
        old_writable,
        writers_not_in_maint: writers_up(steps, writers_back).await,
        others_writable,
        candidate_name,
        candidate,
    })
}

pub(crate) async fn recover_fence(
    steps: &DockerSteps,
    handle: &HostHandle,
    fence: &RecoverFence,
) -> StepResult {
    let RecoverFence {
        container_id: id,
        flavor,
        candidate,
        writers_back,
        writers_forward,
        cfg_forward,
        ..
    } = fence;
    let (id, flavor) = (id.as_str(), *flavor);
    let refused = |why: String| {
        StepError::Refused(format!(
            "refused: {why}; nothing was changed — the journal entry is old news, check by hand"
        ))
    };
    let now = read_now(steps, handle, fence).await.map_err(refused)?;
    let settings = steps.settings();
    let keep_read_only = FenceAction::Release { writable: false };
    match decide(&now) {
        FenceRecovery::Refuse(why) => Err(refused(why)),
        FenceRecovery::Forward => {
            send(steps, writers_forward).await?;
            for (host, balancer, backend, servers) in cfg_forward {
                let handle = steps.host(host)?;
                persist_servers(handle, settings, balancer, backend, servers).await?;
            }
            // The roles a restart reads: the cut may have come before the
            // switchover recorded them.
            let (cand_host, cand_id) = candidate;
            persist_role(steps.host(cand_host)?, settings, cand_id, flavor, true).await?;
            persist_role(handle, settings, id, flavor, false).await?;
            db_fence::run(handle, settings, id, flavor, keep_read_only).await
        }
        FenceRecovery::Back => {
            send(steps, writers_back).await?;
            let writable = FenceAction::Release { writable: true };
            db_fence::run(handle, settings, id, flavor, writable).await?;
            // Writable again now; the file makes a restart agree.
            persist_role(handle, settings, id, flavor, true).await
        }
        FenceRecovery::KeepReadOnly(why) => {
            db_fence::run(handle, settings, id, flavor, keep_read_only).await?;
            Err(StepError::Failed(format!(
                "could not ask the candidate whether it was promoted ({why}): the old primary's lock is released \
                 and it stays read-only; ask both servers which one is writable before making either writable"
            )))
        }
    }
}

#[cfg(test)]
#[path = "run_db_recover_tests.rs"]
mod tests;
