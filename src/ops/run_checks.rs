//! The guards and waits of steps: each asks a service again right before
//! a change (a guard, which refuses) or after it (a wait, which gives it
//! time), and never trusts what the plan saw.

use tokio::sync::watch;

use super::docker_steps::DockerSteps;
use super::error::{StepError, StepResult};
use super::step_tools::{wait_until, NotYet};
use crate::docker::HostHandle;
use crate::model::answers::haproxy::ProxyKind;
use crate::model::answers::zookeeper::ZkMode;
use crate::model::probed::ProbeResult;
use crate::model::{ContainerState, Health};
use crate::probes::run::{probe, ProbeKind};

impl DockerSteps {
    /// The members other than `restarting` that serve must make a majority
    /// of `voters`; asked now, not when the plan was made.
    pub(super) async fn guard_quorum(
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
    pub(super) async fn rejoin_check(
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
    pub(super) async fn guard_replicas(
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

    /// Another server of `backend` must be UP, asked of the balancer now.
    pub(super) async fn guard_servers_left(
        &self,
        handle: &HostHandle,
        container_id: &str,
        backend: &str,
        server: &str,
    ) -> StepResult {
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

    /// The ZooKeeper member serves again (voting, or an observer).
    pub(super) async fn wait_zk_serving(
        &self,
        handle: &HostHandle,
        id: &str,
        timeout_secs: u64,
        cancel: &watch::Receiver<bool>,
    ) -> StepResult {
        wait_until(cancel, timeout_secs, || async move {
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

    /// A member other than `old` leads the ensemble.
    pub(super) async fn wait_new_leader(
        &self,
        members: &[(String, String)],
        old: &str,
        timeout_secs: u64,
        cancel: &watch::Receiver<bool>,
    ) -> StepResult {
        wait_until(cancel, timeout_secs, || async move {
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

    /// The balancer shows the server in one of `want`.
    pub(super) async fn wait_server_status(
        &self,
        handle: &HostHandle,
        container_id: &str,
        (backend, server): (&str, &str),
        want: &[String],
        timeout_secs: u64,
        cancel: &watch::Receiver<bool>,
    ) -> StepResult {
        wait_until(cancel, timeout_secs, || async move {
            let ProbeResult::Haproxy(Ok(p)) =
                probe(handle, container_id, ProbeKind::Haproxy, self.settings()).await
            else {
                return Err(NotYet("no answer".into()));
            };
            let found = p
                .rows
                .iter()
                .find(|r| r.kind == ProxyKind::Server && r.proxy == *backend && r.name == *server);
            match found.map(|r| r.status.label()) {
                Some(label) if want.contains(&label) => Ok(()),
                Some(label) => Err(NotYet(format!("{backend}/{server} showing {label}"))),
                None => Err(NotYet(format!("no server {backend}/{server}"))),
            }
        })
        .await
    }

    /// The replica's threads run and it is at most `max_lag_secs` behind.
    pub(super) async fn wait_replica_caught_up(
        &self,
        handle: &HostHandle,
        id: &str,
        max_lag_secs: u64,
        timeout_secs: u64,
        cancel: &watch::Receiver<bool>,
    ) -> StepResult {
        wait_until(cancel, timeout_secs, || async move {
            let ProbeResult::Mysql(Ok(p)) =
                probe(handle, id, ProbeKind::Mysql, self.settings()).await
            else {
                return Err(NotYet("no answer".into()));
            };
            let Some(r) = p.replica else {
                return Err(NotYet("not replicating".into()));
            };
            match r.seconds_behind {
                Some(lag) if r.is_healthy() && lag <= max_lag_secs => Ok(()),
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
}

/// The container runs, and passes its healthcheck if it has one.
pub(super) async fn wait_container_up(
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
pub(super) async fn set_node_availability(
    handle: &HostHandle,
    node: &str,
    availability: &str,
) -> StepResult {
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

/// A failover's old primary is still down, asked when the job starts;
/// `stated`: the operator said it is gone for good.
pub(super) async fn guard_gone(
    handle: &HostHandle,
    container_id: &str,
    stated: bool,
) -> StepResult {
    match handle.run_state(container_id).await {
    Ok(state) if state.running => Err(StepError::Refused(format!(
        "refused: the old primary runs again ({}): no failover, a second primary would split the data; plan again",
        state.status
    ))),
    Ok(_) => Ok(()),
    // Its host does not answer: only the operator's word lets
    // the failover go on.
    Err(_) if stated => Ok(()),
    Err(e) => Err(e.into()),
}
}
