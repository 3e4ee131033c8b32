//! A database step's guards and waits: each asks the servers again right
//! before a change (a guard, which refuses) or after it (a wait, which
//! gives it time), and never trusts what the plan saw.

use tokio::sync::watch;

use crate::docker::HostHandle;
use crate::model::probed::ProbeResult;
use crate::ops::base::db_cluster::RejoinPair;
use crate::ops::base::db_sql::{DbFlavor, MariadbGtidList};
use crate::ops::base::docker_steps::DockerSteps;
use crate::ops::base::error::{StepError, StepResult};
use crate::ops::base::step_tools::{wait_until, NotYet};
use crate::probes::run::{probe, ProbeKind};

/// The most a replica may lag behind and count as healthy (a guard, a
/// rolling restart's wait).
pub const MAX_REPLICA_LAG_SECS: u64 = 5;

/// The server to rejoin holds nothing the primary lacks; else refused,
/// listing what it holds.
pub(crate) async fn rejoin_check(
    steps: &DockerSteps,
    handle: &HostHandle,
    pair: &RejoinPair,
    flavor: DbFlavor,
) -> StepResult {
    use super::run_db::query;
    use crate::ops::base::db_sql::{gtid_subtract_sql, GtidSyntax, MysqlGtidSet};
    /// A refusal naming the container that answered `text`.
    async fn unfit(
        h: &HostHandle,
        id: &str,
        what: &'static str,
        text: &str,
        why: GtidSyntax,
    ) -> StepError {
        let name = h.probe_context(id).await.map_or(id.to_string(), |c| c.name);
        crate::ops::base::db_sql::UnfitGtid::new(&name, what, text, why).into()
    }
    let primary = steps.host(&pair.primary_host)?;
    // Every answer is parsed before use; only a parsed set goes into
    // SQL on the other server.
    let (server_id, primary_id) = (pair.server_id.as_str(), pair.primary_id.as_str());
    let missing: Vec<String> = match flavor {
        DbFlavor::Mariadb => {
            let sql = "SELECT @@global.gtid_binlog_state";
            let text = query(handle, steps.settings(), server_id, sql).await?;
            let server = match MariadbGtidList::parse(&text) {
                Ok(l) => l,
                Err(why) => return Err(unfit(handle, server_id, "binlog state", &text, why).await),
            };
            // What the primary applied as a replica counts too.
            let sql = "SELECT CONCAT(@@global.gtid_binlog_state, ',', @@global.gtid_slave_pos)";
            let text = query(primary, steps.settings(), primary_id, sql).await?;
            let theirs = match MariadbGtidList::parse(&text) {
                Ok(l) => l,
                Err(why) => {
                    return Err(unfit(primary, primary_id, "binlog state", &text, why).await)
                }
            };
            missing_mariadb(&server, &theirs)
        }
        DbFlavor::Mysql => {
            let sql = "SELECT @@global.gtid_executed";
            let text = query(handle, steps.settings(), server_id, sql).await?;
            let server = match MysqlGtidSet::parse(&text) {
                Ok(s) => s,
                Err(why) => {
                    return Err(unfit(handle, server_id, "executed GTID set", &text, why).await)
                }
            };
            let sql = gtid_subtract_sql(&server);
            let text = query(primary, steps.settings(), primary_id, &sql).await?;
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
pub(crate) async fn guard_replicas(
    steps: &DockerSteps,
    replicas: &[(String, String)],
    restarting: &str,
    needed: usize,
) -> StepResult {
    let mut healthy = 0;
    for (host, id) in replicas.iter().filter(|(_, id)| id != restarting) {
        let Ok(h) = steps.host(host) else { continue };
        if let ProbeResult::Mysql(Ok(p)) = probe(h, id, ProbeKind::Mysql, steps.settings()).await {
            healthy += usize::from(p.replica.as_ref().is_some_and(|r| {
                r.is_healthy()
                    && r.seconds_behind
                        .is_some_and(|lag| lag <= MAX_REPLICA_LAG_SECS)
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

/// The replica's threads run and it is at most `max_lag_secs` behind.
pub(crate) async fn wait_replica_caught_up(
    steps: &DockerSteps,
    handle: &HostHandle,
    id: &str,
    max_lag_secs: u64,
    timeout_secs: u64,
    cancel: &watch::Receiver<bool>,
) -> StepResult {
    wait_until(cancel, timeout_secs, || async move {
        let ProbeResult::Mysql(Ok(p)) = probe(handle, id, ProbeKind::Mysql, steps.settings()).await
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

/// A failover's old primary is still down, asked when the job starts;
/// `stated`: the operator said it is gone for good.
pub(crate) async fn guard_gone(
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

/// The transactions `server` has that `primary` lacks. MariaDB states
/// (`@@gtid_binlog_state`: the last sequence number of every domain and
/// server id in the binary log): `d-s-n` missing where the primary's `d-s`
/// is lower or absent, as `d-s-(m+1)..n`. Both parsed first: a server's
/// answer is never compared or shown unparsed.
pub fn missing_mariadb(server: &MariadbGtidList, primary: &MariadbGtidList) -> Vec<String> {
    server
        .0
        .iter()
        .filter_map(|g| {
            let have = primary
                .0
                .iter()
                .filter(|p| (p.domain, p.server) == (g.domain, g.server))
                .map(|p| p.seq)
                .max()
                .unwrap_or(0);
            let (d, s, n) = (g.domain, g.server, g.seq);
            (n > have).then(|| {
                if n == have + 1 {
                    format!("{d}-{s}-{n}")
                } else {
                    format!("{d}-{s}-{}..{n}", have + 1)
                }
            })
        })
        .collect()
}
