//! The job runner's scaling steps: replicas created and removed, servers
//! added to and deleted from an HAProxy backend (runtime API and
//! haproxy.cfg), swarm replica counts; and server states written into
//! haproxy.cfg (a switchover's new writer).

use std::net::IpAddr;

use tokio::sync::watch;

use super::error::{StepError, StepResult};
use super::haproxy_cfg;
use super::haproxy_command::{RuntimeCommand, ServerRef, ServerState};
use super::haproxy_file::{self, HaproxyConfig};
use super::plan::StepOp;
use super::step_tools::{send_command, wait_until, NotYet};
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
            let seen = handle.address_seen_by(replica, container_id).await?;
            // Only an address goes into the command and the file.
            let addr: IpAddr = seen.parse().map_err(|_| {
                StepError::Failed(format!(
                    "the engine gave {replica}'s address as {:?}, not an IP address",
                    crate::model::sanitize(&seen)
                ))
            })?;
            let file = haproxy_file::read(handle, s, container_id).await?;
            let cfg = &file.text;
            let on = ServerRef::new(backend, server);
            let options = haproxy_cfg::runtime_options(cfg, backend);
            let check = options.iter().any(|o| o == "check");
            // An added server starts in maintenance, its checks disabled.
            let mut commands = vec![RuntimeCommand::Add {
                on: on.clone(),
                addr,
                port: *port,
                options,
            }];
            if check {
                commands.push(RuntimeCommand::EnableHealth { on: on.clone() });
            }
            commands.push(RuntimeCommand::Enable { on });
            for command in &commands {
                send_command(handle, s.request_timeout, container_id, socket, command).await?;
            }
            let line = haproxy_cfg::new_server_line(cfg, backend, server, &addr.to_string(), *port);
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
            let on = ServerRef::new(backend, server);
            let commands = [
                RuntimeCommand::SetState {
                    on: on.clone(),
                    state: ServerState::Maint,
                },
                RuntimeCommand::Delete { on },
            ];
            for command in &commands {
                send_command(handle, s.request_timeout, container_id, socket, command).await?;
            }
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
