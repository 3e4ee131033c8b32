//! Making safe a primary that a cut-off switchover (`kill -9`, a reboot)
//! left fenced: read-only, its writers in maintenance, a lock that ends by
//! itself. Which way is safe depends on whether the candidate was promoted
//! — asked now, never guessed: two writable servers split the data.

use super::db_fence::{self, FenceAction};
use super::db_role::persist_role;
use super::db_sql::{replica_status_sql, DbFlavor};
use super::error::{StepError, StepResult};
use super::exec::DockerSteps;
use super::plan::{BalancerCommand, BalancerServers, StepOp};
use super::run_db::query;
use super::step_tools::haproxy_answer;
use crate::docker::HostHandle;

async fn send(steps: &DockerSteps, commands: &[BalancerCommand]) -> StepResult {
    for (host, balancer, socket, command) in commands {
        let timeout = steps.settings().request_timeout;
        let answer = haproxy_answer(steps.host(host)?, timeout, balancer, socket, command).await?;
        if !answer.is_empty() {
            return Err(StepError::Failed(format!("HAProxy said: {answer}")));
        }
    }
    Ok(())
}

pub(super) async fn recover_fence(
    steps: &DockerSteps,
    handle: &HostHandle,
    id: &str,
    flavor: DbFlavor,
    candidate: &(String, String),
    [writers_back, writers_forward]: [&Vec<BalancerCommand>; 2],
    cfg_forward: &[BalancerServers],
) -> StepResult {
    let settings = steps.settings();
    // Promotion resets the candidate's replication: no status row left.
    let promoted = match steps.host(&candidate.0) {
        Ok(h) => query(h, settings, &candidate.1, replica_status_sql(flavor))
            .await
            .map(|status| status.trim().is_empty())
            .map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    let keep_read_only = FenceAction::Release { writable: false };
    match promoted {
        Ok(true) => {
            send(steps, writers_forward).await?;
            let (_, never) = tokio::sync::watch::channel(false);
            for (host, balancer, backend, servers) in cfg_forward {
                let persist = StepOp::HaproxyPersistServers {
                    container_id: balancer.clone(),
                    backend: backend.clone(),
                    servers: servers.clone(),
                };
                super::run_scale::step(steps.host(host)?, settings, &persist, &never).await?;
            }
            // The roles a restart reads: the cut may have come before the
            // switchover recorded them.
            let (cand_host, cand_id) = candidate;
            persist_role(steps.host(cand_host)?, settings, cand_id, flavor, true).await?;
            persist_role(handle, settings, id, flavor, false).await?;
            db_fence::run(handle, settings, id, flavor, keep_read_only).await
        }
        Ok(false) => {
            send(steps, writers_back).await?;
            db_fence::run(
                handle,
                settings,
                id,
                flavor,
                FenceAction::Release { writable: true },
            )
            .await?;
            // Writable again now; the file makes a restart agree.
            persist_role(handle, settings, id, flavor, true).await
        }
        Err(why) => {
            db_fence::run(handle, settings, id, flavor, keep_read_only).await?;
            Err(StepError::Failed(format!(
                "could not ask the candidate whether it was promoted ({why}): the old primary's lock is released \
                 and it stays read-only; ask both servers which one is writable before making either writable"
            )))
        }
    }
}
