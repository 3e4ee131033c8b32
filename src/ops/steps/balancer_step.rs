//! HAProxy steps, typed: a runtime command, the guard before a server is
//! taken out, the wait for a server's status, server states written into
//! haproxy.cfg — each with what it touches, what it may leave and how it
//! is undone beside how it runs. Guards and waits ask the balancer now.

use serde::Serialize;
use tokio::sync::watch;

use super::scale_step::persist_servers;
use crate::config::Settings;
use crate::docker::HostHandle;
use crate::model::answers::haproxy::{HaproxyProbe, StatRow, Status};
use crate::ops::base::claim::{Claim, On};
use crate::ops::base::docker_steps::DockerSteps;
use crate::ops::base::error::{StepError, StepResult};
use crate::ops::base::haproxy_command::{serves, RuntimeCommand, ServerState};
use crate::ops::base::leftover::Leftover;
use crate::ops::base::step_tools::{send_command, stat_now, wait_until, NotYet};
use crate::ops::base::undo::Undo;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum BalancerStep {
    /// A runtime-API command sent through the balancer's stats socket.
    Command {
        container_id: String,
        socket: String,
        command: RuntimeCommand,
    },
    /// A guard, re-checked right before a server is taken out (drain,
    /// maint, weight 0): another server of `backend` must be UP, or the
    /// job stops here.
    GuardServersLeft {
        container_id: String,
        backend: String,
        server: String,
    },
    /// Wait until `show stat` reports the server in one of `want` (labels
    /// as HAProxy prints them), up to `timeout_secs`.
    WaitStatus {
        container_id: String,
        backend: String,
        server: String,
        want: Vec<String>,
        timeout_secs: u64,
    },
    /// Wait until `up` servers of `backend` are UP, up to `timeout_secs`:
    /// after a swarm task's replacement, whose new address HAProxy's
    /// resolver may put in another server than the old task's (`server`,
    /// claimed: the one the job drained).
    WaitServersUp {
        container_id: String,
        backend: String,
        server: String,
        up: usize,
        timeout_secs: u64,
    },
    /// Write servers' runtime states into haproxy.cfg (`disabled` or not),
    /// so a reload or restart of the balancer keeps them.
    PersistServers {
        container_id: String,
        backend: String,
        /// (server, in service)
        servers: Vec<(String, bool)>,
    },
}

impl BalancerStep {
    /// What it acts on when run on host `h`.
    pub fn claims(&self, h: &str) -> Vec<Claim> {
        let on = On(h);
        match self {
            Self::Command {
                container_id,
                command,
                ..
            } => vec![on.command(container_id, command)],
            Self::GuardServersLeft {
                container_id,
                backend,
                server,
            }
            | Self::WaitStatus {
                container_id,
                backend,
                server,
                ..
            }
            | Self::WaitServersUp {
                container_id,
                backend,
                server,
                ..
            } => vec![on.server(container_id, backend, server)],
            // It rewrites haproxy.cfg: the whole file is its meanwhile.
            Self::PersistServers {
                container_id,
                backend,
                servers,
            } => servers
                .iter()
                .map(|(s, _)| on.server(container_id, backend, s))
                .chain([on.config(container_id)])
                .collect(),
        }
    }

    /// What it may leave if the job is cut off right after it, run on
    /// `host`, with `later` the balancer steps after it in its plan: a
    /// server drained that a later step makes ready again stays drained.
    /// Other commands leave what they were for (a weight, a writer
    /// change recorded by the fence's entry), and guards, waits and a
    /// written file leave nothing to make safe.
    pub fn leftovers(&self, host: &str, later: &[&BalancerStep]) -> Vec<Leftover> {
        match self {
            Self::Command {
                container_id,
                socket,
                command,
            } if command.sets(ServerState::Drain) => {
                let server = command.server();
                let undone = later.iter().any(|s| {
                    matches!(s, Self::Command { command: c, container_id: b, .. }
                        if c.sets(ServerState::Ready) && c.server() == server && b == container_id)
                });
                if undone {
                    vec![Leftover::DrainedServer {
                        host: host.into(),
                        balancer_id: container_id.clone(),
                        socket: socket.clone(),
                        server: server.clone(),
                    }]
                } else {
                    Vec::new()
                }
            }
            Self::Command { .. }
            | Self::GuardServersLeft { .. }
            | Self::WaitStatus { .. }
            | Self::WaitServersUp { .. }
            | Self::PersistServers { .. } => Vec::new(),
        }
    }

    /// How it is undone.
    pub fn undo(&self) -> Undo<BalancerStep> {
        match self {
            Self::Command { .. } => {
                Undo::FromPlan("the server's state or weight before, which the plan read")
            }
            Self::PersistServers { .. } => {
                Undo::FromPlan("the states the file held before: the plan writes them back")
            }
            Self::GuardServersLeft { .. }
            | Self::WaitStatus { .. }
            | Self::WaitServersUp { .. } => Undo::Nothing,
        }
    }
}

pub(crate) async fn run(
    steps: &DockerSteps,
    handle: &HostHandle,
    step: &BalancerStep,
    cancel: &watch::Receiver<bool>,
) -> StepResult {
    let s = steps.settings();
    match step {
        BalancerStep::Command {
            container_id,
            socket,
            command,
        } => send_command(handle, s.request_timeout, container_id, socket, command).await,
        BalancerStep::GuardServersLeft {
            container_id,
            backend,
            server,
        } => guard_servers_left(handle, s, container_id, backend, server).await,
        BalancerStep::WaitStatus {
            container_id,
            backend,
            server,
            want,
            timeout_secs,
        } => {
            let server = (backend.as_str(), server.as_str());
            wait_stats((handle, s), container_id, *timeout_secs, cancel, |p| {
                status_in(p, server, want)
            })
            .await
        }
        BalancerStep::WaitServersUp {
            container_id,
            backend,
            up,
            timeout_secs,
            ..
        } => {
            wait_stats((handle, s), container_id, *timeout_secs, cancel, |p| {
                servers_up(p, backend, *up)
            })
            .await
        }
        BalancerStep::PersistServers {
            container_id,
            backend,
            servers,
        } => persist_servers(handle, s, container_id, backend, servers).await,
    }
}

/// Another server of `backend` must be UP, asked of the balancer now.
async fn guard_servers_left(
    handle: &HostHandle,
    s: &Settings,
    container_id: &str,
    backend: &str,
    server: &str,
) -> StepResult {
    let Some(p) = stat_now(handle, s, container_id).await else {
        return Err(StepError::Refused(format!(
            "refused: the balancer does not answer, so tugboat cannot tell whether \
             another server of {backend} is UP; {backend}/{server} was left as it is"
        )));
    };
    let up = p
        .servers_of(backend)
        .filter(|r| r.name != *server && serves(&r.status))
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

/// The balancer's stats, asked anew each time, pass `check`.
async fn wait_stats(
    (handle, s): (&HostHandle, &Settings),
    container_id: &str,
    timeout_secs: u64,
    cancel: &watch::Receiver<bool>,
    check: impl Fn(&HaproxyProbe) -> Result<(), NotYet>,
) -> StepResult {
    let check = &check;
    wait_until(cancel, timeout_secs, || async move {
        match stat_now(handle, s, container_id).await {
            Some(p) => check(&p),
            None => Err(NotYet("no answer".into())),
        }
    })
    .await
}

/// The balancer shows the server in one of `want`.
fn status_in(
    p: &HaproxyProbe,
    (backend, server): (&str, &str),
    want: &[String],
) -> Result<(), NotYet> {
    match p.server(backend, server).map(|r| r.status.label()) {
        Some(label) if want.contains(&label) => Ok(()),
        Some(label) => Err(NotYet(format!("{backend}/{server} showing {label}"))),
        None => Err(NotYet(format!("no server {backend}/{server}"))),
    }
}

/// At least `up` servers of `backend` UP — strictly: a server on its way
/// down (a replaced task's) is not one.
fn servers_up(p: &HaproxyProbe, backend: &str, up: usize) -> Result<(), NotYet> {
    let strictly_up = |r: &&StatRow| matches!(r.status, Status::Up | Status::NoCheck);
    let serving = p.servers_of(backend).filter(strictly_up).count();
    if serving >= up {
        return Ok(());
    }
    // Which servers hold it back, as the balancer shows them.
    let others: Vec<String> = (p.servers_of(backend))
        .filter(|r| !strictly_up(r))
        .map(|r| format!("{} {}", r.name, r.status.label()))
        .collect();
    Err(NotYet(format!(
        "{serving} of {up} servers of {backend} UP ({})",
        others.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::base::haproxy_command::ServerRef;

    fn captured(csv: &str) -> HaproxyProbe {
        HaproxyProbe {
            socket: "/s".into(),
            rows: crate::probes::haproxy::parse_show_stat(csv).unwrap(),
        }
    }

    #[test]
    fn a_backend_counts_up_only_servers_that_are_strictly_up() {
        let all_up = captured(include_str!(
            "../../../tests/fixtures/haproxy/show-stat-all-up.csv"
        ));
        assert!(servers_up(&all_up, "be_app", 3).is_ok());
        assert!(
            servers_up(&all_up, "be_static", 2).is_ok(),
            "no check counts"
        );
        // On its way down, or drained: not serving as a replaced task's
        // successor must.
        for fixture in [
            include_str!("../../../tests/fixtures/haproxy/show-stat-going-down.csv"),
            include_str!("../../../tests/fixtures/haproxy/show-stat-drain.csv"),
        ] {
            let p = captured(fixture);
            let Err(NotYet(why)) = servers_up(&p, "be_app", 3) else {
                panic!("3 UP in {fixture}");
            };
            assert!(why.starts_with("2 of 3 servers of be_app UP ("), "{why}");
            assert!(
                why.contains("app1 UP 1/2") || why.contains("app2 DRAIN"),
                "{why}"
            );
            assert!(servers_up(&p, "be_app", 2).is_ok());
        }
        assert!(status_in(&all_up, ("be_app", "app2"), &["UP".into()]).is_ok());
        assert!(status_in(&all_up, ("be_app", "nope"), &["UP".into()]).is_err());
    }

    fn set(server: &str, state: ServerState) -> BalancerStep {
        BalancerStep::Command {
            container_id: "lb1".into(),
            socket: "/s".into(),
            command: RuntimeCommand::SetState {
                on: ServerRef::new("be_app", server),
                state,
            },
        }
    }

    #[test]
    fn a_drain_leaves_a_drained_server_only_when_the_plan_makes_it_ready_again() {
        let drain = set("web1", ServerState::Drain);
        let ready = set("web1", ServerState::Ready);
        let other = set("web2", ServerState::Ready);
        assert_eq!(
            drain.leftovers("h1", &[&ready]),
            vec![Leftover::DrainedServer {
                host: "h1".into(),
                balancer_id: "lb1".into(),
                socket: "/s".into(),
                server: ServerRef::new("be_app", "web1"),
            }]
        );
        // Drained for good, or another server made ready: nothing to undo.
        assert!(drain.leftovers("h1", &[]).is_empty());
        assert!(drain.leftovers("h1", &[&other]).is_empty());
        assert!(ready.leftovers("h1", &[&drain]).is_empty());
    }

    #[test]
    fn commands_are_undone_from_the_plan_and_checks_need_no_undo() {
        assert!(matches!(
            set("web1", ServerState::Maint).undo(),
            Undo::FromPlan(_)
        ));
        let wait = BalancerStep::WaitStatus {
            container_id: "lb1".into(),
            backend: "be_app".into(),
            server: "web1".into(),
            want: vec!["UP".into()],
            timeout_secs: 1,
        };
        assert_eq!(wait.undo(), Undo::Nothing);
    }

    #[test]
    fn writing_the_file_claims_the_file_and_every_server_it_writes() {
        let persist = BalancerStep::PersistServers {
            container_id: "lb1".into(),
            backend: "be_w".into(),
            servers: vec![("db1".into(), false), ("db2".into(), true)],
        };
        let on = On("h1");
        assert_eq!(
            persist.claims("h1"),
            vec![
                on.server("lb1", "be_w", "db1"),
                on.server("lb1", "be_w", "db2"),
                on.config("lb1")
            ]
        );
    }
}
