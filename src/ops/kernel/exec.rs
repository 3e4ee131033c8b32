//! How each step runs. The job runner (the one executor) decides order,
//! claims, undo and audit; it hands every step to a `StepExec`. The
//! engines' executor is `DockerSteps`; a cluster creation adds its own
//! steps on top of it, and the runner's tests use executors that fail,
//! hang or answer at will, with no engine at all.

use super::plan::StepOp;
use crate::docker::HostHandle;
pub use crate::ops::base::docker_steps::{DockerSteps, StepCx, StepFuture};
use crate::ops::base::error::{StepError, StepResult};
use crate::ops::steps::{
    balancer_step, cleanup_step, container_step, db_step, run_volume, scale_step, user_step,
    zk_step,
};

/// Why a creation's steps do not run here.
const CREATE_ELSEWHERE: &str =
    "a cluster creation's step needs the create plan: run it with the create executor";

/// Runs steps on hosts by name.
pub trait StepExec: Send + Sync {
    /// Whether `host` refuses changes (read-only); unknown hosts are errors.
    fn read_only(&self, host: &str) -> StepResult<bool>;
    /// Run `op` on `host`; Err says why it failed.
    fn run<'a>(&'a self, host: &'a str, op: &'a StepOp, cx: StepCx<'a>) -> StepFuture<'a>;
    /// The engines that keep this executor's jobs' leases (ops/base/leases.rs);
    /// none: its jobs hold claims in this process only.
    fn lease_hosts(&self) -> &[HostHandle] {
        &[]
    }
}

impl StepExec for DockerSteps {
    fn read_only(&self, host: &str) -> StepResult<bool> {
        Ok(self.host(host)?.is_read_only())
    }

    fn lease_hosts(&self) -> &[HostHandle] {
        self.hosts()
    }

    fn run<'a>(&'a self, host: &'a str, op: &'a StepOp, cx: StepCx<'a>) -> StepFuture<'a> {
        Box::pin(async move {
            let handle = self.host(host)?;
            let s = self.settings();
            match op {
                StepOp::Container(step) => container_step::run(self, handle, step, cx.cancel).await,
                StepOp::Zk(step) => zk_step::run(self, handle, step, cx.cancel).await,
                StepOp::Balancer(step) => balancer_step::run(self, handle, step, cx.cancel).await,
                StepOp::Db(step) => db_step::run(self, handle, step, cx).await,
                StepOp::Backup(step) => run_volume::step(handle, s, step, cx).await,
                StepOp::Scale(step) => scale_step::run(handle, s, step, cx.cancel).await,
                StepOp::Cleanup(step) => cleanup_step::run(self.hosts(), handle, step).await,
                StepOp::Create(_) => Err(StepError::Failed(CREATE_ELSEWHERE.into())),
                StepOp::User(step) => user_step::run(step, cx.cancel, cx.say).await,
            }
        })
    }
}
