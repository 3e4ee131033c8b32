//! A balancer server's state and weight: plans that refuse to take a
//! backend's last UP server out unless forced, and re-check that at run
//! time, right before the command.

use crate::model::balancer::{Balancer, BalancerKind};
use crate::ops::base::error::{PlanError, PlanResult};
use crate::ops::kernel::plan::{BalancerStep, Plan, PlanAction, PlanTarget, Step, StepOp};

pub use crate::ops::base::haproxy_command::{serves, ServerState};
use crate::ops::base::haproxy_command::{RuntimeCommand, ServerRef};

/// HAProxy accepts weights 0..=256.
pub const MAX_WEIGHT: u32 = 256;
/// How long a state change may take to show in `show stat`.
const SETTLE_SECS: u64 = 10;

fn checked<'a>(b: &'a Balancer, backend: &str, server: &str) -> PlanResult<&'a str> {
    if b.kind == BalancerKind::Nginx {
        return Err(PlanError::Refused(format!(
            "{} is nginx: its upstreams are shown read-only",
            b.container
        )));
    }
    let socket = b.socket.as_deref().ok_or_else(|| {
        PlanError::Refused(format!(
            "{}: no stats socket answers, so tugboat cannot change it",
            b.container
        ))
    })?;
    let known = b
        .backends
        .iter()
        .filter(|be| be.stat.proxy == backend)
        .any(|be| be.servers.iter().any(|s| s.stat.name == server));
    if !known {
        return Err(PlanError::NotFound(format!(
            "{}: no server {backend}/{server}",
            b.container
        )));
    }
    // Names go into a runtime-API command: nothing that could end it early.
    let safe = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-:".contains(c))
    };
    if !safe(backend) || !safe(server) {
        return Err(PlanError::Invalid(format!(
            "{backend}/{server}: a name tugboat will not send to the runtime API"
        )));
    }
    Ok(socket)
}

/// Taking `server` out is refused (unless `force`) when no other server of
/// its backend serves: every request to the backend would fail.
fn last_up_refusal(b: &Balancer, backend: &str, server: &str, force: bool) -> PlanResult<()> {
    if force {
        return Ok(());
    }
    let others_up = b
        .backends
        .iter()
        .filter(|be| be.stat.proxy == backend)
        .flat_map(|be| &be.servers)
        .filter(|s| s.stat.name != server && serves(&s.stat.status))
        .count();
    if others_up == 0 {
        return Err(PlanError::Refused(format!(
            "refused: {backend}/{server} is the last UP server of {backend} on {}: taking it out \
             sends every request to that backend nowhere (force it with --force)",
            b.container
        )));
    }
    Ok(())
}

/// Re-checked at run time: another server of the backend is still UP.
fn guard(b: &Balancer, backend: &str, server: &str) -> Step {
    Step::new(
        format!("check that another server of {backend} is UP (else stop here)"),
        StepOp::Balancer(BalancerStep::GuardServersLeft {
            container_id: b.container_id.clone(),
            backend: backend.into(),
            server: server.into(),
        }),
    )
}

/// Put a server into `state` (drain: finish sessions, take no new ones;
/// maint: out of rotation; ready: back in), then wait until it shows.
/// Taking the last UP server of its backend out needs `force`.
/// `host/balancer/backend/server`.
fn server_target(b: &Balancer, backend: &str, server: &str) -> PlanTarget {
    PlanTarget::Server {
        host: b.host.clone(),
        balancer: b.container.to_string(),
        backend: backend.into(),
        server: server.into(),
    }
}

pub fn server_state_plan(
    b: &Balancer,
    backend: &str,
    server: &str,
    state: ServerState,
    force: bool,
) -> PlanResult<Plan> {
    let socket = checked(b, backend, server)?;
    let name = format!("{backend}/{server}");
    let mut steps = Vec::new();
    if state != ServerState::Ready {
        last_up_refusal(b, backend, server, force)?;
        if !force {
            steps.push(guard(b, backend, server));
        }
    }
    steps.extend([
        Step::new(
            format!(
                "set server {name} state {} on {} ({})",
                state.as_str(),
                b.container,
                b.host
            ),
            StepOp::Balancer(BalancerStep::Command {
                container_id: b.container_id.clone(),
                socket: socket.to_string(),
                command: RuntimeCommand::SetState {
                    on: ServerRef::new(backend, server),
                    state,
                },
            }),
        ),
        Step::new(
            format!("wait until {name} shows {}", state.shows_as().join(" or ")),
            StepOp::Balancer(BalancerStep::WaitStatus {
                container_id: b.container_id.clone(),
                backend: backend.into(),
                server: server.into(),
                want: state.shows_as(),
                timeout_secs: SETTLE_SECS,
            }),
        ),
    ]);
    Ok(Plan {
        action: PlanAction::Server(state),
        host: b.host.clone(),
        target: server_target(b, backend, server),
        steps,
    })
}

/// Set a server's weight (0 takes it out of the balance without draining,
/// and needs `force` for the last UP server of its backend).
pub fn server_weight_plan(
    b: &Balancer,
    backend: &str,
    server: &str,
    weight: u32,
    force: bool,
) -> PlanResult<Plan> {
    if weight > MAX_WEIGHT {
        return Err(PlanError::Invalid(format!(
            "weight {weight} is out of range: HAProxy takes 0 to {MAX_WEIGHT}"
        )));
    }
    let socket = checked(b, backend, server)?;
    let name = format!("{backend}/{server}");
    let mut steps = Vec::new();
    if weight == 0 {
        last_up_refusal(b, backend, server, force)?;
        if !force {
            steps.push(guard(b, backend, server));
        }
    }
    steps.push(Step::new(
        format!("set weight {name} {weight} on {} ({})", b.container, b.host),
        StepOp::Balancer(BalancerStep::Command {
            container_id: b.container_id.clone(),
            socket: socket.to_string(),
            command: RuntimeCommand::SetWeight {
                on: ServerRef::new(backend, server),
                weight,
            },
        }),
    ));
    Ok(Plan {
        action: PlanAction::Weight,
        host: b.host.clone(),
        target: server_target(b, backend, server),
        steps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::answers::haproxy::{ProxyKind, StatRow, Status};
    use crate::model::balancer::{BackendView, ServerView};

    fn row(proxy: &str, name: &str, kind: ProxyKind) -> StatRow {
        StatRow {
            proxy: proxy.into(),
            name: name.into(),
            kind,
            status: Status::Up,
            weight: Some(1),
            active_servers: None,
            backup_servers: None,
            current_sessions: 0,
            session_rate: 0,
            check_status: "L7OK".into(),
            last_change_secs: None,
            address: Default::default(),
            backup: false,
        }
    }

    fn server(name: &str, status: Status) -> ServerView {
        let mut stat = row("be_app", name, ProxyKind::Server);
        stat.status = status;
        ServerView {
            stat,
            container: None,
            container_name: None,
        }
    }

    /// app1 in `app1`'s status, app2 UP.
    fn lb_with(kind: BalancerKind, socket: Option<&str>, app1: Status) -> Balancer {
        Balancer {
            kind,
            host: "local".into(),
            container: "lb".into(),
            container_id: "abc".into(),
            socket: socket.map(Into::into),
            frontends: vec![],
            backends: vec![BackendView {
                stat: row("be_app", "BACKEND", ProxyKind::Backend),
                servers: vec![server("app1", app1), server("app2", Status::Up)],
            }],
            probed_at: None,
            error: None,
        }
    }

    fn lb(kind: BalancerKind, socket: Option<&str>) -> Balancer {
        lb_with(kind, socket, Status::Up)
    }

    #[test]
    fn drain_checks_another_server_serves_sets_the_state_then_waits_for_it() {
        let p = server_state_plan(
            &lb(BalancerKind::Haproxy, Some("/s.sock")),
            "be_app",
            "app2",
            ServerState::Drain,
            false,
        )
        .unwrap();
        assert_eq!(p.target.to_string(), "local/lb/be_app/app2");
        assert_eq!(p.steps.len(), 3);
        assert!(
            matches!(&p.steps[0].op, StepOp::Balancer(BalancerStep::GuardServersLeft { backend, server, .. })
            if backend == "be_app" && server == "app2")
        );
        assert!(
            matches!(&p.steps[1].op, StepOp::Balancer(BalancerStep::Command { command, socket, .. })
            if command.to_string() == "set server be_app/app2 state drain" && socket == "/s.sock")
        );
        assert!(
            matches!(&p.steps[2].op, StepOp::Balancer(BalancerStep::WaitStatus { want, .. }) if want == &["DRAIN"])
        );
        assert_eq!(
            p.lines()[1],
            "2. set server be_app/app2 state drain on lb (local)"
        );
        // Ready needs no guard.
        let ready = server_state_plan(
            &lb(BalancerKind::Haproxy, Some("/s.sock")),
            "be_app",
            "app2",
            ServerState::Ready,
            false,
        )
        .unwrap();
        assert_eq!(ready.steps.len(), 2);
    }

    #[test]
    fn the_last_up_server_goes_out_only_when_forced() {
        for app1 in [Status::Down, Status::Maint, Status::Drain] {
            let b = lb_with(BalancerKind::Haproxy, Some("/s.sock"), app1);
            for state in [ServerState::Drain, ServerState::Maint] {
                let refused = server_state_plan(&b, "be_app", "app2", state, false)
                    .unwrap_err()
                    .to_string();
                assert!(refused.contains("last UP server of be_app"), "{refused}");
                let forced = server_state_plan(&b, "be_app", "app2", state, true).unwrap();
                assert!(forced.steps.iter().all(|s| !matches!(
                    s.op,
                    StepOp::Balancer(BalancerStep::GuardServersLeft { .. })
                )));
            }
            assert!(server_weight_plan(&b, "be_app", "app2", 0, false).is_err());
            assert!(server_weight_plan(&b, "be_app", "app2", 0, true).is_ok());
            // Weights above 0 and ready keep it serving: no question.
            assert!(server_weight_plan(&b, "be_app", "app2", 5, false).is_ok());
            assert!(server_state_plan(&b, "be_app", "app2", ServerState::Ready, false).is_ok());
        }
        // A server going down still serves; one coming up does not yet.
        let going = Status::Going {
            from_up: true,
            done: 1,
            needed: 3,
        };
        let b = lb_with(BalancerKind::Haproxy, Some("/s.sock"), going);
        assert!(server_state_plan(&b, "be_app", "app2", ServerState::Drain, false).is_ok());
    }

    #[test]
    fn refusals_say_why() {
        let ok = lb(BalancerKind::Haproxy, Some("/s.sock"));
        assert!(
            server_state_plan(&ok, "be_app", "nope", ServerState::Ready, false)
                .unwrap_err()
                .to_string()
                .contains("no server")
        );
        assert!(server_state_plan(
            &lb(BalancerKind::Haproxy, None),
            "be_app",
            "app2",
            ServerState::Maint,
            false
        )
        .unwrap_err()
        .to_string()
        .contains("no stats socket"));
        assert!(server_state_plan(
            &lb(BalancerKind::Nginx, None),
            "be_app",
            "app2",
            ServerState::Drain,
            false
        )
        .unwrap_err()
        .to_string()
        .contains("read-only"));
        assert!(server_weight_plan(&ok, "be_app", "app2", 300, false)
            .unwrap_err()
            .to_string()
            .contains("0 to 256"));
        assert!(server_weight_plan(&ok, "be_app", "app2", 0, false).is_ok());
    }

    #[test]
    fn refusals_are_typed_by_what_to_do_about_them() {
        let ok = lb(BalancerKind::Haproxy, Some("/s.sock"));
        let plan = |b: &Balancer, server: &str, state| {
            server_state_plan(b, "be_app", server, state, false)
        };
        assert!(matches!(
            plan(&ok, "nope", ServerState::Ready),
            Err(PlanError::NotFound(_))
        ));
        assert!(matches!(
            server_weight_plan(&ok, "be_app", "app2", 300, false),
            Err(PlanError::Invalid(_))
        ));
        let last = lb_with(BalancerKind::Haproxy, Some("/s.sock"), Status::Down);
        assert!(matches!(
            plan(&last, "app2", ServerState::Drain),
            Err(PlanError::Refused(_))
        ));
    }
}
