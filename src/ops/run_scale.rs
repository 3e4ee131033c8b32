//! The job runner's scaling steps: replicas created and removed, servers
//! added to and deleted from an HAProxy backend (runtime API and
//! haproxy.cfg), swarm replica counts; and server states written into
//! haproxy.cfg (a switchover's new writer).

use tokio::sync::watch;

use super::error::{StepError, StepResult};
use super::haproxy_cfg;
use super::haproxy_file::{self, HaproxyConfig};
use super::plan::StepOp;
use super::step_tools::{haproxy_answer, wait_until, NotYet};
use crate::config::Settings;
use crate::docker::HostHandle;
use crate::model::answers::haproxy::ProxyKind;
use crate::model::probed::ProbeResult;
use crate::probes::run::{probe, ProbeKind};

/// Write the config after a runtime change, so a reload keeps it; `read`
/// is the file as read before the edit, which must still be there.
async fn persist(
    handle: &HostHandle,
    s: &Settings,
    lb: &str,
    read: &HaproxyConfig,
    text: String,
) -> StepResult {
    haproxy_file::replace(handle, s, lb, read, text)
        .await
        .map_err(|e| {
            StepError::Failed(format!(
                "the runtime change took, but haproxy.cfg was not updated (a reload would undo it): {e}"
            ))
        })
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
            let file = haproxy_file::read(handle, s, container_id).await?;
            let cfg = &file.text;
            let name = format!("{backend}/{server}");
            let options = haproxy_cfg::runtime_options(cfg, backend);
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
            let line = haproxy_cfg::new_server_line(cfg, backend, server, &ip, *port);
            let text = haproxy_cfg::add_server(cfg, backend, server, &line)?;
            persist(handle, s, container_id, &file, text).await
        }
        StepOp::HaproxyRemoveServer {
            container_id,
            socket,
            backend,
            server,
        } => {
            // Read first: a file that cannot be rewritten refuses the
            // step before the runtime change.
            let file = haproxy_file::read(handle, s, container_id).await?;
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
            // A server that was only ever added at runtime has no line.
            match haproxy_cfg::remove_server(&file.text, backend, server) {
                Ok(text) => persist(handle, s, container_id, &file, text).await,
                Err(_) => Ok(()),
            }
        }
        StepOp::HaproxyPersistServers {
            container_id,
            backend,
            servers,
        } => {
            let file = haproxy_file::read(handle, s, container_id).await?;
            let mut text = file.text.clone();
            for (server, enabled) in servers {
                text = haproxy_cfg::set_server_enabled(&text, backend, server, *enabled)?;
            }
            if text == file.text {
                return Ok(());
            }
            persist(handle, s, container_id, &file, text).await
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
                    return Err(NotYet("no answer".into()));
                };
                let row = p.rows.iter().find(|r| {
                    r.kind == ProxyKind::Server && r.proxy == *backend && r.name == *server
                });
                match row.map(|r| r.current_sessions) {
                    Some(0) => Ok(()),
                    Some(n) => Err(NotYet(format!("{backend}/{server} with {n} sessions"))),
                    None => Err(NotYet(format!("no server {backend}/{server}"))),
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
                let running = handle.running_tasks(service).await?;
                if running as u64 == *replicas {
                    Ok(())
                } else {
                    Err(NotYet(format!("{running} of {replicas} tasks running")))
                }
            })
            .await
        }
        other => Err(StepError::Failed(format!("not a scaling step: {other:?}"))),
    }
}
