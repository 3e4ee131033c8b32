//! The job runner's scaling steps: replicas created and removed, servers
//! added to and deleted from an HAProxy backend (runtime API and
//! haproxy.cfg), swarm replica counts.

use tokio::sync::watch;

use super::error::{StepError, StepResult};
use super::haproxy_cfg;
use super::plan::StepOp;
use super::step_tools::{haproxy_answer, wait_until};
use crate::config::Settings;
use crate::docker::{ExecPurpose, HostHandle};
use crate::model::probed::ProbeResult;
use crate::probes::haproxy::ProxyKind;
use crate::probes::run::{probe, ProbeKind};

/// Reads haproxy.cfg, or validates new text with `haproxy -c` and only
/// then writes it over the old file (in place, so a bind-mounted file stays
/// the same file). The text comes in the environment.
const CONFIG_SCRIPT: &str = r#"
cfg=${HAPROXY_CFG:-/usr/local/etc/haproxy/haproxy.cfg}
[ -r "$cfg" ] || cfg=/etc/haproxy/haproxy.cfg
[ -r "$cfg" ] || { echo "no haproxy.cfg at /usr/local/etc/haproxy or /etc/haproxy"; exit 3; }
if [ "$1" = read ]; then cat "$cfg"; exit $?; fi
new=$(mktemp) || exit 3
printf '%s' "$TUGBOAT_CFG_TEXT" > "$new" || { rm -f "$new"; echo "cannot write a temporary file"; exit 3; }
if ! out=$(haproxy -c -f "$new" 2>&1); then rm -f "$new"; echo "haproxy -c refused the new config: $out"; exit 4; fi
cat "$new" > "$cfg" 2>/dev/null || { rm -f "$new"; echo "$cfg is not writable from inside the container"; exit 5; }
rm -f "$new"
"#;

async fn config(handle: &HostHandle, s: &Settings, lb: &str) -> StepResult<String> {
    let out = handle
        .exec(
            lb,
            &["sh", "-c", CONFIG_SCRIPT, "sh", "read"],
            &[],
            ExecPurpose::Probe,
            s.request_timeout,
        )
        .await?;
    match out.exit_code {
        Some(0) | None => Ok(out.stdout),
        _ => Err(StepError::Failed(format!(
            "reading haproxy.cfg: {}",
            out.stdout.trim()
        ))),
    }
}

async fn write_config(handle: &HostHandle, s: &Settings, lb: &str, text: String) -> StepResult {
    let out = handle
        .exec(
            lb,
            &["sh", "-c", CONFIG_SCRIPT, "sh", "write"],
            &[format!("TUGBOAT_CFG_TEXT={text}")],
            ExecPurpose::Change,
            s.request_timeout * 2,
        )
        .await?;
    match out.exit_code {
        Some(0) | None => Ok(()),
        _ => Err(StepError::Failed(format!(
            "the runtime change took, but haproxy.cfg was not updated (a reload would undo it): {}",
            format!("{}{}", out.stdout, out.stderr).trim()
        ))),
    }
}

/// Send a runtime-API command whose success HAProxy confirms with one of
/// `ok` (or with nothing at all).
async fn command(
    handle: &HostHandle,
    s: &Settings,
    lb: &str,
    socket: &str,
    cmd: &str,
    ok: &[&str],
) -> StepResult {
    let answer = haproxy_answer(handle, s.request_timeout, lb, socket, cmd).await?;
    if answer.is_empty() || ok.iter().any(|w| answer.contains(w)) {
        Ok(())
    } else {
        Err(StepError::Failed(format!(
            "`{cmd}`: HAProxy said: {answer}"
        )))
    }
}

pub(super) async fn step(
    handle: &HostHandle,
    s: &Settings,
    op: &StepOp,
    cancel: &watch::Receiver<bool>,
) -> StepResult {
    match op {
        StepOp::CreateReplica {
            template,
            name,
            number,
        } => {
            handle.create_replica(template, name, *number).await?;
            Ok(())
        }
        StepOp::RemoveContainer { id, .. } => Ok(handle.remove_replica(id).await?),
        StepOp::HaproxyAddServer {
            container_id,
            socket,
            backend,
            server,
            replica,
            replica_host,
            port,
        } => {
            if *replica_host != handle.name {
                return Err(StepError::Refused(format!(
                    "{replica} runs on {replica_host}, the balancer on {}: tugboat adds \
                     servers only from the balancer's own host",
                    handle.name
                )));
            }
            let ip = handle.address_seen_by(replica, container_id).await?;
            let cfg = config(handle, s, container_id).await?;
            let name = format!("{backend}/{server}");
            let options = haproxy_cfg::runtime_options(&cfg, backend);
            let add = format!("add server {name} {ip}:{port} {}", options.join(" "));
            command(
                handle,
                s,
                container_id,
                socket,
                add.trim(),
                &["New server registered"],
            )
            .await?;
            if options.iter().any(|o| o == "check") {
                command(
                    handle,
                    s,
                    container_id,
                    socket,
                    &format!("enable health {name}"),
                    &[],
                )
                .await?;
            }
            command(
                handle,
                s,
                container_id,
                socket,
                &format!("enable server {name}"),
                &[],
            )
            .await?;
            let line = haproxy_cfg::new_server_line(&cfg, backend, server, &ip, *port);
            let text = haproxy_cfg::add_server(&cfg, backend, server, &line)?;
            write_config(handle, s, container_id, text).await
        }
        StepOp::HaproxyRemoveServer {
            container_id,
            socket,
            backend,
            server,
        } => {
            let name = format!("{backend}/{server}");
            command(
                handle,
                s,
                container_id,
                socket,
                &format!("set server {name} state maint"),
                &[],
            )
            .await?;
            command(
                handle,
                s,
                container_id,
                socket,
                &format!("del server {name}"),
                &["Server deleted"],
            )
            .await?;
            let cfg = config(handle, s, container_id).await?;
            // A server that was only ever added at runtime has no line.
            match haproxy_cfg::remove_server(&cfg, backend, server) {
                Ok(text) => write_config(handle, s, container_id, text).await,
                Err(_) => Ok(()),
            }
        }
        StepOp::WaitServerIdle {
            container_id,
            backend,
            server,
            timeout_secs,
        } => {
            wait_until(cancel, *timeout_secs, || async move {
                let ProbeResult::Haproxy(Ok(p)) =
                    probe(handle, container_id, ProbeKind::Haproxy, s).await
                else {
                    return Err("no answer".into());
                };
                let row = p.rows.iter().find(|r| {
                    r.kind == ProxyKind::Server && r.proxy == *backend && r.name == *server
                });
                match row.map(|r| r.current_sessions) {
                    Some(0) => Ok(()),
                    Some(n) => Err(format!("{backend}/{server} with {n} sessions")),
                    None => Err(format!("no server {backend}/{server}")),
                }
            })
            .await
        }
        StepOp::ScaleService { service, replicas } => {
            Ok(handle.scale_service(service, *replicas).await?)
        }
        StepOp::WaitServiceTasks {
            service,
            replicas,
            timeout_secs,
        } => {
            wait_until(cancel, *timeout_secs, || async move {
                let running = handle
                    .running_tasks(service)
                    .await
                    .map_err(|e| e.to_string())?;
                if running as u64 == *replicas {
                    Ok(())
                } else {
                    Err(format!("{running} of {replicas} tasks running"))
                }
            })
            .await
        }
        other => Err(StepError::Failed(format!("not a scaling step: {other:?}"))),
    }
}
