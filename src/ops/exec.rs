//! How each step runs. The job runner (the one executor) decides order,
//! claims, undo and audit; it hands every step to a `StepExec`. The
//! engines' executor is `DockerSteps`; a cluster creation adds its own
//! steps on top of it, and the runner's tests use executors that fail,
//! hang or answer at will, with no engine at all.

use tokio::sync::watch;

pub use super::docker_steps::{DockerSteps, StepCx, StepFuture};
use super::error::{StepError, StepResult};
use super::plan::StepOp;
use super::run_checks;
use super::step_tools::{send_command, wait_until, NotYet};
use crate::docker::HostHandle;

/// Runs steps on hosts by name.
pub trait StepExec: Send + Sync {
    /// Whether `host` refuses changes (read-only); unknown hosts are errors.
    fn read_only(&self, host: &str) -> StepResult<bool>;
    /// Run `op` on `host`; Err says why it failed.
    fn run<'a>(&'a self, host: &'a str, op: &'a StepOp, cx: StepCx<'a>) -> StepFuture<'a>;
    /// The engines that keep this executor's jobs' leases (ops/leases.rs);
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
            if let StepOp::Backup(super::backup_step::BackupStep::CheckRestored { volume, check }) =
                op
            {
                // The one step whose answer is the point: it is said.
                return super::run_restore_check::check_restored(
                    handle,
                    self.settings(),
                    volume,
                    check,
                    cx,
                )
                .await;
            }
            if let StepOp::DbFence {
                container_id,
                flavor,
                action,
            } = op
            {
                // The fence says what it waits for while it waits.
                return super::db_fence::run_saying(
                    handle,
                    self.settings(),
                    container_id,
                    *flavor,
                    *action,
                    cx.say,
                )
                .await;
            }
            self.step(handle, op, cx.cancel).await
        })
    }
}

impl DockerSteps {
    pub(super) async fn step(
        &self,
        handle: &HostHandle,
        op: &StepOp,
        cancel: &watch::Receiver<bool>,
    ) -> StepResult {
        match op {
            StepOp::HaproxyCommand {
                container_id,
                socket,
                command,
            } => {
                let timeout = self.settings().request_timeout;
                send_command(handle, timeout, container_id, socket, command).await
            }
            StepOp::WaitZkServing { id, timeout_secs } => {
                self.wait_zk_serving(handle, id, *timeout_secs, cancel)
                    .await
            }
            StepOp::GuardQuorum {
                members,
                restarting,
                voters,
            } => self.guard_quorum(members, restarting, *voters).await,
            StepOp::GuardServersLeft {
                container_id,
                backend,
                server,
            } => {
                self.guard_servers_left(handle, container_id, backend, server)
                    .await
            }
            StepOp::GuardReplicas {
                replicas,
                restarting,
                needed,
            } => self.guard_replicas(replicas, restarting, *needed).await,
            StepOp::WaitNewLeader {
                members,
                old,
                timeout_secs,
            } => {
                self.wait_new_leader(members, old, *timeout_secs, cancel)
                    .await
            }
            StepOp::SetNodeAvailability { node, availability } => {
                run_checks::set_node_availability(handle, node, availability).await
            }
            StepOp::RestartContainer { id } => Ok(handle.restart_container(id).await?),
            StepOp::StopContainer { id } => Ok(handle.stop_container(id).await?),
            StepOp::StartContainer { id } => Ok(handle.start(id).await?),
            StepOp::WaitContainerUp { id, timeout_secs } => {
                run_checks::wait_container_up(handle, id, *timeout_secs, cancel).await
            }
            StepOp::WaitServerStatus {
                container_id,
                backend,
                server,
                want,
                timeout_secs,
            } => {
                let server = (backend.as_str(), server.as_str());
                self.wait_server_status(handle, container_id, server, want, *timeout_secs, cancel)
                    .await
            }
            StepOp::WaitReplicaCaughtUp {
                id,
                max_lag_secs,
                timeout_secs,
            } => {
                self.wait_replica_caught_up(handle, id, *max_lag_secs, *timeout_secs, cancel)
                    .await
            }
            StepOp::Scale(step) => {
                super::scale_step::run(handle, self.settings(), step, cancel).await
            }
            StepOp::HaproxyPersistServers {
                container_id,
                backend,
                servers,
            } => {
                let s = self.settings();
                super::scale_step::persist_servers(handle, s, container_id, backend, servers).await
            }
            StepOp::Cleanup(step) => super::cleanup_step::run(handle, step).await,
            StepOp::Create(_) => Err(StepError::Failed(
                "a cluster creation's step needs the create plan: run it with the create executor"
                    .into(),
            )),
            StepOp::Backup(step) => {
                super::run_volume::step(handle, self.settings(), step, cancel).await
            }
            StepOp::DbRejoinCheck { pair, flavor } => {
                self.rejoin_check(handle, pair, *flavor).await
            }
            StepOp::FreeLeases { holder } => {
                let freed = super::leases::free_of(self.hosts(), holder).await;
                tracing::info!("freed {freed} lease(s) of pid {}", holder.pid);
                Ok(())
            }
            StepOp::DbGuardTopology(guard) => {
                super::db_topology::guard(self.hosts(), self.settings(), guard).await
            }
            StepOp::DbGuardGone {
                container_id,
                stated,
            } => run_checks::guard_gone(handle, container_id, *stated).await,
            StepOp::DbRecoverFence { .. } => {
                super::run_db_recover::recover_fence(self, handle, op).await
            }
            StepOp::DbKeepAccount {
                cluster,
                flavor,
                donors,
            } => super::run_db_account::keep_account(self, cluster, *flavor, donors).await,
            StepOp::DbPersistRole {
                container_id,
                flavor,
                writable,
            } => {
                super::db_role::persist_role(
                    handle,
                    self.settings(),
                    container_id,
                    *flavor,
                    *writable,
                )
                .await
            }
            StepOp::DbFence {
                container_id,
                flavor,
                action,
            } => {
                super::db_fence::run(handle, self.settings(), container_id, *flavor, *action).await
            }
            StepOp::DbExec {
                container_id,
                flavor,
                statement,
            } => {
                super::run_db::exec_statement(
                    handle,
                    self.settings(),
                    container_id,
                    *flavor,
                    statement,
                )
                .await
            }
            StepOp::DbCatchUp {
                container_id,
                flavor,
                source,
                timeout_secs,
            } => {
                let source = match source {
                    Some((host, id)) => Some((self.host(host)?, id.as_str())),
                    None => None,
                };
                super::run_db::catch_up(
                    handle,
                    self.settings(),
                    container_id,
                    *flavor,
                    source,
                    *timeout_secs,
                )
                .await
            }
            StepOp::DbWaitReplicating {
                container_id,
                source_host,
                timeout_secs,
            } => {
                // wait_until keeps what it saw as text (step_tools).
                wait_until(cancel, *timeout_secs, || async {
                    super::run_db::replicating_from(
                        handle,
                        self.settings(),
                        container_id,
                        source_host,
                    )
                    .await
                    .map_err(|e| NotYet(e.to_string()))
                })
                .await
            }
        }
    }
}
