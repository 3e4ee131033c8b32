//! One probe round against one container, through `docker exec`.

use std::time::Duration;

use crate::docker::{ExecPurpose, HostHandle};
use crate::model::probed::ProbeResult;

use super::{haproxy, mysql, zookeeper};

/// Which service a container is probed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProbeKind {
    Zookeeper,
    Mysql,
    Haproxy,
}

/// Ask the container what its service says. Errors (exec refused, container
/// gone, timeout) come back as the result's `Err`, for the panes to show.
pub async fn probe(handle: &HostHandle, id: &str, kind: ProbeKind, limit: Duration) -> ProbeResult {
    match kind {
        ProbeKind::Zookeeper => {
            let out = handle
                .exec(
                    id,
                    &["sh", "-c", zookeeper::PROBE_SCRIPT],
                    &[],
                    ExecPurpose::Probe,
                    limit,
                )
                .await;
            ProbeResult::Zookeeper(match out {
                Ok(out) => Ok(zookeeper::parse_probe(&out.stdout)),
                Err(e) => Err(e.to_string()),
            })
        }
        ProbeKind::Mysql => ProbeResult::Mysql(probe_mysql(handle, id, limit).await),
        ProbeKind::Haproxy => {
            let out = handle
                .exec(
                    id,
                    &["sh", "-c", haproxy::PROBE_SCRIPT],
                    &[],
                    ExecPurpose::Probe,
                    limit,
                )
                .await;
            ProbeResult::Haproxy(match out {
                Ok(out) => haproxy::parse_probe(&out.stdout),
                Err(e) => Err(e.to_string()),
            })
        }
    }
}

/// The root password comes from the container's own environment and goes
/// to the client through the exec's `MYSQL_PWD`.
async fn probe_mysql(
    handle: &HostHandle,
    id: &str,
    limit: Duration,
) -> Result<mysql::DbProbe, String> {
    let password = handle
        .secret_env(id, &mysql::PASSWORD_VARS)
        .await
        .map_err(|e| e.to_string())?;
    let env: Vec<String> = password
        .map(|p| format!("MYSQL_PWD={p}"))
        .into_iter()
        .collect();
    let out = handle
        .exec(
            id,
            &["sh", "-c", mysql::PROBE_SCRIPT],
            &env,
            ExecPurpose::Probe,
            limit,
        )
        .await
        .map_err(|e| e.to_string())?;
    mysql::parse_probe(&out.stdout)
}
