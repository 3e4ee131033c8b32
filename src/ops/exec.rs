//! How each step runs. The job runner (the one executor) decides order,
//! claims, undo and audit; it hands every step to a `StepExec`. The
//! engines' executor is `DockerSteps`; a cluster creation adds its own
//! steps on top of it, and the runner's tests use executors that fail,
//! hang or answer at will, with no engine at all.

use tokio::sync::watch;

pub use super::docker_steps::{DockerSteps, StepCx, StepFuture};
use super::error::{StepError, StepResult};
use super::plan::StepOp;
use super::step_tools::{send_command, wait_until, NotYet};
use crate::docker::HostHandle;
use crate::model::answers::haproxy::ProxyKind;
use crate::model::answers::zookeeper::ZkMode;
use crate::model::probed::ProbeResult;
use crate::model::{ContainerState, Health};
use crate::probes::run::{probe, ProbeKind};

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
    /// The members other than `restarting` that serve must make a majority
    /// of `voters`; asked now, not when the plan was made.
    async fn guard_quorum(
        &self,
        members: &[(String, String)],
        restarting: &str,
        voters: usize,
    ) -> StepResult {
        let needed = voters / 2 + 1;
        let mut serving = 0;
        for (host, id) in members.iter().filter(|(_, id)| id != restarting) {
            let Ok(h) = self.host(host) else { continue };
            if let ProbeResult::Zookeeper(Ok(p)) =
                probe(h, id, ProbeKind::Zookeeper, self.settings()).await
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

    /// The server to rejoin holds nothing the primary lacks; else refused,
    /// listing what it holds.
    async fn rejoin_check(
        &self,
        handle: &HostHandle,
        pair: &super::db_rejoin::RejoinPair,
        flavor: super::db_sql::DbFlavor,
    ) -> StepResult {
        use super::db_sql::{
            gtid_subtract_sql, DbFlavor, GtidSyntax, MariadbGtidList, MysqlGtidSet,
        };
        use super::run_db::query;
        /// A refusal naming the container that answered `text`.
        async fn unfit(
            h: &HostHandle,
            id: &str,
            what: &'static str,
            text: &str,
            why: GtidSyntax,
        ) -> StepError {
            let name = h.probe_context(id).await.map_or(id.to_string(), |c| c.name);
            super::db_sql::UnfitGtid::new(&name, what, text, why).into()
        }
        let primary = self.host(&pair.primary_host)?;
        // Every answer is parsed before use; only a parsed set goes into
        // SQL on the other server.
        let (server_id, primary_id) = (pair.server_id.as_str(), pair.primary_id.as_str());
        let missing: Vec<String> = match flavor {
            DbFlavor::Mariadb => {
                let sql = "SELECT @@global.gtid_binlog_state";
                let text = query(handle, self.settings(), server_id, sql).await?;
                let server = match MariadbGtidList::parse(&text) {
                    Ok(l) => l,
                    Err(why) => {
                        return Err(unfit(handle, server_id, "binlog state", &text, why).await)
                    }
                };
                // What the primary applied as a replica counts too.
                let sql = "SELECT CONCAT(@@global.gtid_binlog_state, ',', @@global.gtid_slave_pos)";
                let text = query(primary, self.settings(), primary_id, sql).await?;
                let theirs = match MariadbGtidList::parse(&text) {
                    Ok(l) => l,
                    Err(why) => {
                        return Err(unfit(primary, primary_id, "binlog state", &text, why).await)
                    }
                };
                super::db_rejoin::missing_mariadb(&server, &theirs)
            }
            DbFlavor::Mysql => {
                let sql = "SELECT @@global.gtid_executed";
                let text = query(handle, self.settings(), server_id, sql).await?;
                let server = match MysqlGtidSet::parse(&text) {
                    Ok(s) => s,
                    Err(why) => {
                        return Err(unfit(handle, server_id, "executed GTID set", &text, why).await)
                    }
                };
                let sql = gtid_subtract_sql(&server);
                let text = query(primary, self.settings(), primary_id, &sql).await?;
                match MysqlGtidSet::parse(&text) {
                    Ok(left) => left
                        .to_string()
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect(),
                    Err(why) => {
                        return Err(
                            unfit(primary, primary_id, "GTID_SUBTRACT answer", &text, why).await,
                        )
                    }
                }
            }
        };
        if missing.is_empty() {
            return Ok(());
        }
        Err(StepError::Refused(format!(
            "refused: the server holds transactions the primary lacks ({}): replicating would lose \
             them; keep what you need from them (mariadb-binlog / mysqlbinlog on its binary log), \
             then rebuild it from a backup of the primary",
            missing.join(", ")
        )))
    }

    /// At least `needed` of the `replicas` other than `restarting`
    /// replicate with little lag; asked now, not when the plan was made.
    async fn guard_replicas(
        &self,
        replicas: &[(String, String)],
        restarting: &str,
        needed: usize,
    ) -> StepResult {
        let mut healthy = 0;
        for (host, id) in replicas.iter().filter(|(_, id)| id != restarting) {
            let Ok(h) = self.host(host) else { continue };
            if let ProbeResult::Mysql(Ok(p)) = probe(h, id, ProbeKind::Mysql, self.settings()).await
            {
                healthy += usize::from(p.replica.as_ref().is_some_and(|r| {
                    r.is_healthy()
                        && r.seconds_behind
                            .is_some_and(|lag| lag <= super::rolling::MAX_REPLICA_LAG_SECS)
                }));
            }
        }
        if healthy >= needed {
            Ok(())
        } else {
            Err(StepError::Refused(format!(
                "refused: {healthy} other replica(s) replicate and {needed} must: restarting this \
                 member now would leave the database without a healthy replica; nothing more was restarted"
            )))
        }
    }

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
                wait_until(cancel, *timeout_secs, || async move {
                    match probe(handle, id, ProbeKind::Zookeeper, self.settings()).await {
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
                let ProbeResult::Haproxy(Ok(p)) =
                    probe(handle, container_id, ProbeKind::Haproxy, self.settings()).await
                else {
                    return Err(StepError::Refused(format!(
                        "refused: the balancer does not answer, so tugboat cannot tell whether \
                         another server of {backend} is UP; {backend}/{server} was left as it is"
                    )));
                };
                let up = p
                    .rows
                    .iter()
                    .filter(|r| r.kind == ProxyKind::Server && r.proxy == *backend)
                    .filter(|r| r.name != *server && super::server_ops::serves(&r.status))
                    .count();
                if up > 0 {
                    Ok(())
                } else {
                    Err(StepError::Refused(format!(
                        "refused: no other server of {backend} is UP now: taking {backend}/{server} \
                         out would leave the backend nothing to send requests to; it was left as it is"
                    )))
                }
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
                wait_until(cancel, *timeout_secs, || async move {
                    for (host, id) in members.iter().filter(|(_, id)| id != old) {
                        let Ok(h) = self.host(host) else { continue };
                        if let ProbeResult::Zookeeper(Ok(p)) =
                            probe(h, id, ProbeKind::Zookeeper, self.settings()).await
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
            StepOp::SetNodeAvailability { node, availability } => {
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
            StepOp::RestartContainer { id } => Ok(handle.restart_container(id).await?),
            StepOp::StopContainer { id } => Ok(handle.stop_container(id).await?),
            StepOp::StartContainer { id } => Ok(handle.start(id).await?),
            StepOp::WaitContainerUp { id, timeout_secs } => {
                wait_until(cancel, *timeout_secs, || async move {
                    let (state, health) = handle.container_status(id).await?;
                    if state == ContainerState::Running
                        && matches!(health, Health::None | Health::Healthy)
                    {
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
            StepOp::WaitServerStatus {
                container_id,
                backend,
                server,
                want,
                timeout_secs,
            } => {
                wait_until(cancel, *timeout_secs, || async move {
                    let ProbeResult::Haproxy(Ok(p)) =
                        probe(handle, container_id, ProbeKind::Haproxy, self.settings()).await
                    else {
                        return Err(NotYet("no answer".into()));
                    };
                    let found = p.rows.iter().find(|r| {
                        r.kind == ProxyKind::Server && r.proxy == *backend && r.name == *server
                    });
                    match found.map(|r| r.status.label()) {
                        Some(label) if want.contains(&label) => Ok(()),
                        Some(label) => Err(NotYet(format!("{backend}/{server} showing {label}"))),
                        None => Err(NotYet(format!("no server {backend}/{server}"))),
                    }
                })
                .await
            }
            StepOp::WaitReplicaCaughtUp {
                id,
                max_lag_secs,
                timeout_secs,
            } => {
                wait_until(cancel, *timeout_secs, || async move {
                    let ProbeResult::Mysql(Ok(p)) =
                        probe(handle, id, ProbeKind::Mysql, self.settings()).await
                    else {
                        return Err(NotYet("no answer".into()));
                    };
                    let Some(r) = p.replica else {
                        return Err(NotYet("not replicating".into()));
                    };
                    match r.seconds_behind {
                        Some(lag) if r.is_healthy() && lag <= *max_lag_secs => Ok(()),
                        Some(lag) if r.is_healthy() => Err(NotYet(format!("{lag}s behind"))),
                        _ => Err(NotYet(format!(
                            "replication threads IO {} SQL {}",
                            r.io_running.as_str(),
                            r.sql_running.as_str()
                        ))),
                    }
                })
                .await
            }
            StepOp::CreateReplica { .. }
            | StepOp::RemoveContainer { .. }
            | StepOp::HaproxyAddServer { .. }
            | StepOp::WaitServerIdle { .. }
            | StepOp::HaproxyRemoveServer { .. }
            | StepOp::HaproxyPersistServers { .. }
            | StepOp::ScaleService { .. }
            | StepOp::WaitServiceTasks { .. } => {
                super::run_scale::step(handle, self.settings(), op, cancel).await
            }
            StepOp::Unpause { .. }
            | StepOp::RemoveHelpers { .. }
            | StepOp::RemoveFile { .. }
            | StepOp::RemoveObject { .. }
            | StepOp::RemoveMade { .. } => super::run_recover::step(handle, op).await,
            StepOp::Create(_) => Err(StepError::Failed(
                "a cluster creation's step needs the create plan: run it with the create executor"
                    .into(),
            )),
            StepOp::Backup(step) => {
                super::run_volume::step(handle, self.settings(), step, cancel).await
            }
            StepOp::DbRejoinCheck { pair, flavor } => self.rejoin_check(handle, pair, *flavor).await,
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
            } => match handle.run_state(container_id).await {
                Ok(state) if state.running => Err(StepError::Refused(format!(
                    "refused: the old primary runs again ({}): no failover, a second primary would split the data; plan again",
                    state.status
                ))),
                Ok(_) => Ok(()),
                // Its host does not answer: only the operator's word lets
                // the failover go on.
                Err(_) if *stated => Ok(()),
                Err(e) => Err(e.into()),
            },
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
            } => super::db_fence::run(handle, self.settings(), container_id, *flavor, *action).await,
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
