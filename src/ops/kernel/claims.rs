//! What a plan touches (containers, volumes, balancer servers, swarm nodes
//! and services, its own target), and the claims the job runner holds on
//! them: a job whose plan touches anything a running job holds is refused,
//! naming that job. Targets alone are not enough: a restart of one member
//! is `local/zk1`, the rolling restart around it `cluster/zk`.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use super::plan::{Plan, StepOp};
pub use crate::ops::base::claim::Claim;
use crate::ops::base::error::StepError;
use crate::ops::base::leases::{lease_host, lease_name, Held};

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

/// What a step acts on when run on host `h`: each kind says it of its
/// own steps, matching every one.
pub fn step_claims(h: &str, op: &StepOp) -> Vec<Claim> {
    match op {
        StepOp::Container(step) => step.claims(h),
        StepOp::Zk(step) => step.claims(h),
        StepOp::Balancer(step) => step.claims(h),
        StepOp::Db(step) => step.claims(h),
        StepOp::Backup(step) => step.claims(h),
        StepOp::Create(step) => step.claims(h),
        StepOp::Scale(step) => step.claims(h),
        StepOp::Cleanup(step) => step.claims(h),
        StepOp::User(step) => step.claims(h),
    }
}

/// Everything `plan` acts on, its undo steps included (they run inside
/// the job), plus its target.
pub fn touches(plan: &Plan) -> BTreeSet<Claim> {
    let mut all = BTreeSet::from([Claim::Target(plan.target.to_string())]);
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

/// Another tugboat's lease on something `plan` touches, among `held` (by
/// host, as the engines last listed them and their holders were read
/// then): the TUI refuses at the key, naming the holder, before the job
/// would be refused at its start (which still decides: a listing is as old
/// as it is).
pub fn held_for<'a>(
    plan: &Plan,
    held: &'a std::collections::BTreeMap<String, Vec<Held>>,
) -> Option<&'a Held> {
    touches(plan).iter().find_map(|claim| {
        let leases = held.get(lease_host(claim, &plan.host)?)?;
        let name = lease_name(&claim.to_string());
        leases.iter().find(|h| h.lease == name && !h.ours)
    })
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
