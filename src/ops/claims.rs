//! What a plan touches (containers, volumes, balancer servers, swarm nodes
//! and services, its own target), and the claims the job runner holds on
//! them: a job whose plan touches anything a running job holds is refused,
//! naming that job. Targets alone are not enough: a restart of one member
//! is `local/zk1`, the rolling restart around it `cluster/zk`.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use super::backup::{partial_path, BackupStep};
pub use super::claim::Claim;
use super::claim::{object, On};
use super::error::StepError;
use super::plan::{CreateStep, Plan, StepOp};

/// Why a job may not start: nothing ran.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimError {
    /// A running job holds something the plan touches. Boxed: a claim
    /// names up to four things.
    #[error("job {job} ({what}) is already working on {thing}")]
    Held {
        job: u64,
        what: String,
        thing: Box<Claim>,
    },
    /// A host the plan acts on runs read-only.
    #[error("read-only mode (--read-only) changes nothing")]
    ReadOnly,
    /// Whether a host is read-only could not be told (no such host).
    #[error(transparent)]
    HostUnchecked(#[from] StepError),
}

/// What a step acts on when run on host `h`. Exhaustive on purpose: a new
/// kind of step must say what it touches before it compiles.
pub fn step_claims(h: &str, op: &StepOp) -> Vec<Claim> {
    let on = On(h);
    match op {
        StepOp::RestartContainer { id }
        | StepOp::StopContainer { id }
        | StepOp::StartContainer { id }
        | StepOp::WaitContainerUp { id, .. }
        | StepOp::WaitZkServing { id, .. }
        | StepOp::WaitReplicaCaughtUp { id, .. } => vec![on.container(id)],
        StepOp::GuardQuorum { restarting, .. } | StepOp::GuardReplicas { restarting, .. } => {
            vec![on.container(restarting)]
        }
        StepOp::Cleanup(step) => step.claims(h),
        // Leases of a process that is gone: nothing else holds them.
        StepOp::FreeLeases { .. } => vec![],
        // Asked only: the servers it reads are claimed by the steps that
        // change them; the primary's claim keeps two switchovers apart.
        StepOp::DbGuardTopology(g) => vec![On(&g.primary.host).container(&g.primary.id)],
        StepOp::DbExec { container_id, .. }
        | StepOp::DbFence { container_id, .. }
        | StepOp::DbPersistRole { container_id, .. }
        | StepOp::DbGuardGone { container_id, .. }
        | StepOp::DbRejoinCheck {
            pair:
                super::db_rejoin::RejoinPair {
                    server_id: container_id,
                    ..
                },
            ..
        }
        | StepOp::DbCatchUp { container_id, .. }
        | StepOp::DbWaitReplicating { container_id, .. } => vec![on.container(container_id)],
        StepOp::DbRecoverFence {
            container_id,
            writers_back,
            writers_forward,
            cfg_forward,
            ..
        } => {
            let mut all = vec![on.container(container_id)];
            for (host, lb, _, command) in writers_back.iter().chain(writers_forward) {
                all.push(On(host).command(lb, command));
            }
            for (host, lb, backend, servers) in cfg_forward {
                let on = On(host);
                all.push(on.config(lb));
                all.extend(servers.iter().map(|(s, _)| on.server(lb, backend, s)));
            }
            all
        }
        StepOp::HaproxyCommand {
            container_id,
            command,
            ..
        } => vec![on.command(container_id, command)],
        StepOp::GuardServersLeft {
            container_id,
            backend,
            server,
        }
        | StepOp::WaitServerStatus {
            container_id,
            backend,
            server,
            ..
        } => vec![on.server(container_id, backend, server)],
        StepOp::Scale(step) => step.claims(h),
        // It rewrites haproxy.cfg: the whole file is its meanwhile.
        StepOp::HaproxyPersistServers {
            container_id,
            backend,
            servers,
        } => servers
            .iter()
            .map(|(s, _)| on.server(container_id, backend, s))
            .chain([on.config(container_id)])
            .collect(),
        // Reads only: what it reads is claimed by the job's other steps.
        StepOp::DbKeepAccount { .. } => vec![],
        StepOp::SetNodeAvailability { node, .. } => vec![Claim::Node {
            host: h.into(),
            node: node.clone(),
        }],
        StepOp::Backup(step) => backup_claims(&on, step),
        StepOp::Create(CreateStep::Object { kind, name, .. }) => vec![object(h, *kind, name)],
        // Creation's checks and setup act on the objects its Object steps
        // claimed; a new replica's name is new.
        StepOp::WaitNewLeader { .. }
        | StepOp::Create(
            CreateStep::Preflight | CreateStep::Setup { .. } | CreateStep::Check { .. },
        ) => vec![],
    }
}

fn backup_claims(on: &On, step: &BackupStep) -> Vec<Claim> {
    match step {
        BackupStep::Copy {
            volume,
            pause,
            dir,
            file,
            ..
        } => {
            let partial = partial_path(&std::path::Path::new(dir).join(file));
            let mut all = vec![
                on.volume(volume),
                Claim::File(partial.display().to_string()),
            ];
            all.extend(pause.iter().map(|(id, _)| on.container(id)));
            all
        }
        BackupStep::Dump {
            volume,
            container_id,
            ..
        } => vec![on.volume(volume), on.container(container_id)],
        BackupStep::PrepareTarget { volume, .. }
        | BackupStep::Restore { volume, .. }
        | BackupStep::CheckRestored { volume, .. } => vec![on.volume(volume)],
        BackupStep::CheckDir { .. } | BackupStep::Verify { .. } => vec![],
    }
}

/// An object a create makes or a destroy removes, by name: the same claim
/// as the volume a backup reads.
/// Everything `plan` acts on, its undo steps included (they run inside
/// the job), plus its target.
pub fn touches(plan: &Plan) -> BTreeSet<Claim> {
    let mut all = BTreeSet::from([Claim::Target(plan.target.clone())]);
    for step in &plan.steps {
        let h = step.host.as_deref().unwrap_or(&plan.host);
        all.extend(step_claims(h, &step.op));
        if let Some(undo) = &step.undo {
            // As the runner runs it: on its own host, else the plan's.
            let h = undo.host.as_deref().unwrap_or(&plan.host);
            all.extend(step_claims(h, &undo.op));
        }
    }
    all
}

/// The claims of the running jobs: claim -> (job id, "action target").
#[derive(Default)]
pub struct Claims(Mutex<HashMap<Claim, (u64, String)>>);

impl Claims {
    /// Claim everything `plan` touches for job `id`, or nothing when a
    /// running job holds any of it.
    pub fn claim(&self, id: u64, plan: &Plan) -> Result<(), ClaimError> {
        let wanted = touches(plan);
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((thing, (other, what))) =
            wanted.iter().find_map(|t| held.get(t).map(|h| (t, h)))
        {
            return Err(ClaimError::Held {
                job: *other,
                what: what.clone(),
                thing: Box::new(thing.clone()),
            });
        }
        let what = format!("{} {}", plan.action, plan.target);
        for t in wanted {
            held.insert(t, (id, what.clone()));
        }
        Ok(())
    }

    /// Job `id` ended: its claims go.
    pub fn release(&self, id: u64) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, (job, _)| *job != id);
    }
}

#[cfg(test)]
#[path = "claims_tests.rs"]
mod tests;
