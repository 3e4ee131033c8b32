//! The step that finds a former primary's replication account before the
//! switchover changes anything (src/ops/base/db_account.rs says where from).

use super::run_db::query;
use crate::docker::{ExecPurpose, HostHandle};
use crate::ops::base::db_account::{self, parse_master_info, parse_master_info_row, ReplAccount};
use crate::ops::base::db_sql::DbFlavor;
use crate::ops::base::docker_steps::DockerSteps;
use crate::ops::base::error::{StepError, StepResult};

/// Keep an account for `cluster`: the operator's, else the first donor's
/// environment, else the first donor's stored replication settings.
pub(crate) async fn keep_account(
    steps: &DockerSteps,
    cluster: &str,
    flavor: DbFlavor,
    donors: &[(String, String)],
) -> StepResult {
    if db_account::given(cluster) {
        return Ok(());
    }
    let handles: Vec<(&HostHandle, &str)> = donors
        .iter()
        .filter_map(|(host, id)| Some((steps.host(host).ok()?, id.as_str())))
        .collect();
    // The account the cluster was made with comes first.
    for (handle, id) in &handles {
        if let Ok(context) = handle.probe_context(id).await {
            if let Some(account) = ReplAccount::from_env(&context) {
                db_account::keep(cluster, account);
                return Ok(());
            }
        }
    }
    for (handle, id) in &handles {
        if let Some(account) = stored(steps, handle, id, flavor).await {
            db_account::keep(cluster, account);
            return Ok(());
        }
    }
    Err(StepError::Failed(format!(
        "no replication account found for {cluster}: no server names one in its environment \
         (MARIADB_, MYSQL_ or TUGBOAT_REPLICATION_USER and _PASSWORD) and none replicates with \
         settings tugboat could read; give one: `A` on the cluster in the TUI, or --replication-user USER \
         with the password in {}",
        db_account::PASSWORD_ENV
    )))
}

/// The account a replica connects to its source with, as it stores it.
async fn stored(
    steps: &DockerSteps,
    handle: &HostHandle,
    id: &str,
    flavor: DbFlavor,
) -> Option<ReplAccount> {
    let settings = steps.settings();
    match flavor {
        DbFlavor::Mysql => {
            let sql =
                "SELECT HEX(User_name), HEX(User_password) FROM mysql.slave_master_info LIMIT 1";
            parse_master_info_row(&query(handle, settings, id, sql).await.ok()?)
        }
        DbFlavor::Mariadb => {
            // MariaDB keeps it in a file in the data directory.
            let dir = query(handle, settings, id, "SELECT @@datadir").await.ok()?;
            let path = format!("{}/master.info", dir.trim().trim_end_matches('/'));
            let out = handle
                .exec(
                    id,
                    &["cat", &path],
                    &[],
                    ExecPurpose::Probe,
                    settings.request_timeout,
                )
                .await
                .ok()?;
            parse_master_info(&out.stdout)
        }
    }
}
