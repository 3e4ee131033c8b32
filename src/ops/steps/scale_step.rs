//! A scale's steps, typed: replicas created and removed, servers added to
//! and deleted from an HAProxy backend (runtime API and haproxy.cfg),
//! swarm replica counts — each with what it touches and what it may leave
//! beside how it runs; and server states written into haproxy.cfg (a
//! switchover's new writer, which shares the file's handling).

use std::net::IpAddr;

use serde::Serialize;
use tokio::sync::watch;

use crate::config::Settings;
use crate::docker::HostHandle;
use crate::ops::base::claim::{Claim, On};
use crate::ops::base::error::{StepError, StepResult};
use crate::ops::base::haproxy_cfg;
use crate::ops::base::haproxy_command::{RuntimeCommand, ServerRef, ServerState};
use crate::ops::base::haproxy_file::{self, HaproxyConfig};
use crate::ops::base::leftover::Leftover;
use crate::ops::base::step_tools::{send_command, stat_now, wait_until, NotYet};
use crate::ops::base::undo::Undo;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum ScaleStep {
    /// Create and start `name`, a compose-style copy of `template`.
    CreateReplica {
        template: String,
        name: String,
        number: u32,
    },
    /// Stop and remove a container (named volumes stay).
    RemoveContainer { id: String, name: String },
    /// Add `server` (the container `replica` on `replica_host`, reached on
    /// `port`) to a backend through the runtime API, enable it, and write it
    /// into haproxy.cfg.
    HaproxyAddServer {
        container_id: String,
        socket: String,
        backend: String,
        server: String,
        replica: String,
        replica_host: String,
        port: u16,
    },
    /// Wait until a (drained) server has no current sessions.
    WaitServerIdle {
        container_id: String,
        backend: String,
        server: String,
        timeout_secs: u64,
    },
    /// Take a server out through the runtime API (maint, then delete) and
    /// out of haproxy.cfg.
    HaproxyRemoveServer {
        container_id: String,
        socket: String,
        backend: String,
        server: String,
    },
    /// Set a swarm service's replica count (through a manager).
    ScaleService { service: String, replicas: u64 },
    /// Wait until `replicas` tasks of a swarm service run.
    WaitServiceTasks {
        service: String,
        replicas: u64,
        timeout_secs: u64,
    },
}

impl ScaleStep {
    /// What it acts on when run on host `h`.
    pub fn claims(&self, h: &str) -> Vec<Claim> {
        let on = On(h);
        let service = |service: &String| Claim::Service {
            host: h.into(),
            service: service.clone(),
        };
        match self {
            Self::RemoveContainer { id, .. } => vec![on.container(id)],
            // A new replica's name is new: nothing else can hold it.
            Self::CreateReplica { .. } => vec![],
            Self::WaitServerIdle {
                container_id,
                backend,
                server,
                ..
            } => vec![on.server(container_id, backend, server)],
            // These rewrite haproxy.cfg: the whole file is theirs meanwhile.
            Self::HaproxyAddServer {
                container_id,
                backend,
                server,
                ..
            }
            | Self::HaproxyRemoveServer {
                container_id,
                backend,
                server,
                ..
            } => vec![
                on.server(container_id, backend, server),
                on.config(container_id),
            ],
            Self::ScaleService { service: s, .. } | Self::WaitServiceTasks { service: s, .. } => {
                vec![service(s)]
            }
        }
    }

    /// What it may leave if the job is cut off right after it: nothing to
    /// make safe. What each leaves is what it was for (a replica made or
    /// removed with its balancer server, a replica count), and a wait
    /// changes nothing.
    pub fn leftovers(&self) -> Vec<Leftover> {
        match self {
            Self::CreateReplica { .. }
            | Self::RemoveContainer { .. }
            | Self::HaproxyAddServer { .. }
            | Self::WaitServerIdle { .. }
            | Self::HaproxyRemoveServer { .. }
            | Self::ScaleService { .. }
            | Self::WaitServiceTasks { .. } => Vec::new(),
        }
    }
}

impl ScaleStep {
    /// How it is undone.
    pub fn undo(&self) -> Undo<ScaleStep> {
        match self {
            Self::HaproxyAddServer {
                container_id,
                socket,
                backend,
                server,
                ..
            } => Undo::By(Self::HaproxyRemoveServer {
                container_id: container_id.clone(),
                socket: socket.clone(),
                backend: backend.clone(),
                server: server.clone(),
            }),
            Self::CreateReplica { .. } => {
                Undo::Not("the replica made is what the scale is for: a scale down removes it")
            }
            Self::RemoveContainer { .. } | Self::HaproxyRemoveServer { .. } => {
                Undo::Not("what is removed is gone (named volumes stay): a scale up makes it again")
            }
            Self::ScaleService { .. } => {
                Undo::FromPlan("the replica count before, which the plan read")
            }
            Self::WaitServerIdle { .. } | Self::WaitServiceTasks { .. } => Undo::Nothing,
        }
    }
}

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

pub(crate) async fn run(
    handle: &HostHandle,
    s: &Settings,
    step: &ScaleStep,
    cancel: &watch::Receiver<bool>,
) -> StepResult {
    match step {
        ScaleStep::CreateReplica {
            template,
            name,
            number,
        } => {
            handle.create_replica(template, name, *number).await?;
            Ok(())
        }
        ScaleStep::RemoveContainer { id, .. } => Ok(handle.remove_replica(id).await?),
        ScaleStep::HaproxyAddServer {
            container_id,
            socket,
            backend,
            server,
            replica,
            replica_host,
            port,
        } => {
            let new = NewServer {
                backend,
                server,
                replica,
                replica_host,
                port: *port,
            };
            add_server(handle, s, container_id, socket, new).await
        }
        ScaleStep::HaproxyRemoveServer {
            container_id,
            socket,
            backend,
            server,
        } => remove_server(handle, s, container_id, socket, backend, server).await,
        ScaleStep::WaitServerIdle {
            container_id,
            backend,
            server,
            timeout_secs,
        } => {
            wait_server_idle(
                handle,
                s,
                cancel,
                container_id,
                backend,
                server,
                *timeout_secs,
            )
            .await
        }
        ScaleStep::ScaleService { service, replicas } => {
            Ok(handle.scale_service(service, *replicas).await?)
        }
        ScaleStep::WaitServiceTasks {
            service,
            replicas,
            timeout_secs,
        } => wait_service_tasks(handle, cancel, service, *replicas, *timeout_secs).await,
    }
}

/// A server to add to a balancer: `server` in `backend`, sending to the
/// container `replica` on `replica_host` at `port`.
struct NewServer<'a> {
    backend: &'a str,
    server: &'a str,
    replica: &'a str,
    replica_host: &'a str,
    port: u16,
}

/// Add `new` to the balancer `container_id` through the runtime API at
/// `socket` and enable it, then write it into haproxy.cfg so a reload
/// keeps it.
async fn add_server(
    handle: &HostHandle,
    s: &Settings,
    container_id: &str,
    socket: &str,
    new: NewServer<'_>,
) -> StepResult {
    let NewServer {
        backend,
        server,
        replica,
        replica_host,
        port,
    } = new;
    if replica_host != handle.name {
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
        port,
        options,
    }];
    if check {
        commands.push(RuntimeCommand::EnableHealth { on: on.clone() });
    }
    commands.push(RuntimeCommand::Enable { on });
    for command in &commands {
        send_command(handle, s.request_timeout, container_id, socket, command).await?;
    }
    let line = haproxy_cfg::new_server_line(cfg, backend, server, &addr.to_string(), port);
    let text = haproxy_cfg::add_server(cfg, backend, server, &line)?;
    persist(handle, s, container_id, &file, text).await
}

/// Take `backend/server` out of the balancer `container_id` through the
/// runtime API at `socket` (maint, then delete), then out of haproxy.cfg
/// so a reload does not bring it back.
async fn remove_server(
    handle: &HostHandle,
    s: &Settings,
    container_id: &str,
    socket: &str,
    backend: &str,
    server: &str,
) -> StepResult {
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

/// Wait until the (drained) `backend/server` of the balancer
/// `container_id` has no current sessions, so what it sends to can
/// restart without cutting requests off.
async fn wait_server_idle(
    handle: &HostHandle,
    s: &Settings,
    cancel: &watch::Receiver<bool>,
    container_id: &str,
    backend: &str,
    server: &str,
    timeout_secs: u64,
) -> StepResult {
    wait_until(cancel, timeout_secs, || async move {
        let Some(p) = stat_now(handle, s, container_id).await else {
            return Err(NotYet("no answer".into()));
        };
        match p.server(backend, server).map(|r| r.current_sessions) {
            Some(0) => Ok(()),
            Some(n) => Err(NotYet(format!("{backend}/{server} with {n} sessions"))),
            None => Err(NotYet(format!("no server {backend}/{server}"))),
        }
    })
    .await
}

/// Wait until `replicas` tasks of the swarm service run.
async fn wait_service_tasks(
    handle: &HostHandle,
    cancel: &watch::Receiver<bool>,
    service: &str,
    replicas: u64,
    timeout_secs: u64,
) -> StepResult {
    wait_until(cancel, timeout_secs, || async move {
        let running = handle.running_tasks(service).await?;
        if running as u64 == replicas {
            Ok(())
        } else {
            Err(NotYet(format!("{running} of {replicas} tasks running")))
        }
    })
    .await
}

/// Write servers' runtime states into haproxy.cfg (`disabled` or not), so a
/// reload or restart of the balancer keeps them.
pub(crate) async fn persist_servers(
    handle: &HostHandle,
    s: &Settings,
    container_id: &str,
    backend: &str,
    servers: &[(String, bool)],
) -> StepResult {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn add() -> ScaleStep {
        ScaleStep::HaproxyAddServer {
            container_id: "0123456789abcdef".into(),
            socket: "/s".into(),
            backend: "be_app".into(),
            server: "shop-web-3".into(),
            replica: "shop-web-3".into(),
            replica_host: "local".into(),
            port: 80,
        }
    }

    #[test]
    fn a_server_added_holds_the_server_and_the_balancers_file() {
        let claims = add().claims("local");
        let server = Claim::Server {
            host: "local".into(),
            balancer: "0123456789ab".into(),
            backend: "be_app".into(),
            server: "shop-web-3".into(),
        };
        let file = Claim::BalancerConfig {
            host: "local".into(),
            balancer: "0123456789ab".into(),
        };
        assert_eq!(claims, [server, file]);
        let scale = ScaleStep::ScaleService {
            service: "web".into(),
            replicas: 3,
        };
        let service = Claim::Service {
            host: "m1".into(),
            service: "web".into(),
        };
        assert_eq!(scale.claims("m1"), [service]);
    }

    #[test]
    fn no_scale_step_leaves_anything_to_make_safe() {
        let steps = [
            add(),
            ScaleStep::CreateReplica {
                template: "shop-web-1".into(),
                name: "shop-web-3".into(),
                number: 3,
            },
            ScaleStep::WaitServiceTasks {
                service: "web".into(),
                replicas: 3,
                timeout_secs: 60,
            },
        ];
        assert!(steps.iter().all(|s| s.leftovers().is_empty()));
    }

    #[test]
    fn a_plan_shows_a_scale_step_by_its_kind() {
        let json = serde_json::to_value(crate::ops::kernel::plan::StepOp::Scale(add())).unwrap();
        assert_eq!(json["op"], "scale");
        assert_eq!(json["step"], "haproxy_add_server");
        assert_eq!(json["server"], "shop-web-3");
    }
}
