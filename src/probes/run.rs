//! One probe round against one container, through `docker exec`.

use crate::config::Settings;
use crate::docker::{ExecPurpose, HostHandle};
use crate::model::answers::mysql::DbProbe;
use crate::model::answers::nginx::NginxProbe;
use crate::model::answers::ProbeError;
use crate::model::credentials;
use crate::model::probed::ProbeResult;

use super::{haproxy, mysql, nginx, zookeeper};

/// Which service a container is probed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProbeKind {
    Zookeeper,
    Mysql,
    Haproxy,
    Nginx,
}

/// Ask the container what its service says. Errors (exec refused, container
/// gone, timeout) come back as the result's `Err`, for the panes to show.
pub async fn probe(
    handle: &HostHandle,
    id: &str,
    kind: ProbeKind,
    settings: &Settings,
) -> ProbeResult {
    let limit = settings.probe_timeout;
    match kind {
        ProbeKind::Zookeeper => {
            let out = handle
                .exec(
                    id,
                    &["sh", "-c", &zookeeper::probe_script()],
                    &[],
                    ExecPurpose::Probe,
                    limit,
                )
                .await;
            ProbeResult::Zookeeper(match out {
                Ok(out) => Ok(zookeeper::parse_probe(&out.stdout)),
                Err(e) => Err(e.into()),
            })
        }
        ProbeKind::Mysql => ProbeResult::Mysql(probe_mysql(handle, id, settings).await),
        ProbeKind::Nginx => ProbeResult::Nginx(probe_nginx(handle, id, limit).await),
        ProbeKind::Haproxy => {
            let out = handle
                .exec(
                    id,
                    &["sh", "-c", &haproxy::probe_script()],
                    &[],
                    ExecPurpose::Probe,
                    limit,
                )
                .await;
            ProbeResult::Haproxy(match out {
                Ok(out) => haproxy::parse_probe(&out.stdout),
                Err(e) => Err(e.into()),
            })
        }
    }
}

/// Credentials: the root password from the container's own environment,
/// else a `[[credentials]]` entry of the config file for this container or
/// its cluster. The password goes to the client through the exec's
/// `MYSQL_PWD`, never on a command line.
async fn probe_mysql(
    handle: &HostHandle,
    id: &str,
    settings: &Settings,
) -> Result<DbProbe, ProbeError> {
    let context = handle.probe_context(id).await?;
    let env = db_client_env(&context, settings);
    let out = handle
        .exec(
            id,
            &["sh", "-c", &mysql::probe_script()],
            &env,
            ExecPurpose::Probe,
            settings.probe_timeout,
        )
        .await?;
    mysql::parse_probe(&out.stdout)
}

/// `nginx -T` for the upstreams, then one connection attempt per server
/// from inside the container. Addresses go to the script as arguments.
async fn probe_nginx(
    handle: &HostHandle,
    id: &str,
    limit: std::time::Duration,
) -> Result<NginxProbe, ProbeError> {
    let config = handle
        .exec(
            id,
            &["sh", "-c", &nginx::config_script()],
            &[],
            ExecPurpose::Probe,
            limit,
        )
        .await?;
    if let Some(error) = config
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("tugboat: "))
    {
        return Err(ProbeError::foreign(error));
    }
    let upstreams = nginx::parse_upstreams(&config.stdout);
    let mut targets: Vec<(String, u16)> = upstreams
        .iter()
        .flat_map(|u| u.servers.iter().filter_map(|s| s.host_port()))
        .collect();
    targets.sort();
    targets.dedup();
    let ports: Vec<String> = targets.iter().map(|(_, p)| p.to_string()).collect();
    let script = nginx::reach_script();
    let mut cmd: Vec<&str> = vec!["sh", "-c", &script, "sh"];
    for ((host, _), port) in targets.iter().zip(&ports) {
        cmd.push(host);
        cmd.push(port);
    }
    let reach = if targets.is_empty() {
        Default::default()
    } else {
        let out = handle
            .exec(id, &cmd, &[], ExecPurpose::Probe, limit)
            .await?;
        nginx::parse_reach(&out.stdout)
    };
    Ok(NginxProbe { upstreams, reach })
}

/// The environment a database client in the container needs: root's
/// password from the container's own environment, else a `[[credentials]]`
/// entry of the config file, else the file the official images' `_FILE`
/// variable names (read inside the container by `mysql::with_password_file`,
/// never by tugboat). Never on a command line.
pub fn db_client_env(context: &crate::docker::ProbeContext, settings: &Settings) -> Vec<String> {
    let root = || "TUGBOAT_DB_USER=root".to_string();
    if let Some(p) = context.env_value(&mysql::PASSWORD_VARS) {
        return vec![root(), format!("MYSQL_PWD={p}")];
    }
    let configured = settings
        .db_credentials
        .iter()
        .find(|c| credentials::applies_to(c, &context.host, &context.name, &context.labels));
    if let Some(c) = configured {
        return vec![
            format!("TUGBOAT_DB_USER={}", c.user),
            format!("MYSQL_PWD={}", c.password.expose()),
        ];
    }
    let mut env = vec![root()];
    env.extend(
        context
            .env_value(&mysql::PASSWORD_FILE_VARS)
            .map(|file| format!("TUGBOAT_DB_PASSWORD_FILE={file}")),
    );
    env
}
