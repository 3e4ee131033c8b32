//! HAProxy runtime-API commands, typed: plans build them, the step that
//! sends one renders it, and claims and the journal read the server it acts
//! on from its fields (a command is never parsed back from its text).

use crate::model::answers::haproxy::Status;
use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

/// A runtime command for a balancer: (host, balancer id, socket, command).
pub type BalancerCommand = (String, String, String, RuntimeCommand);
/// A backend's servers as haproxy.cfg should list them: (host, balancer
/// id, backend, [(server, enabled)]).
pub type BalancerServers = (String, String, String, Vec<(String, bool)>);

/// The administrative states of a balancer server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ServerState {
    Ready,
    Drain,
    Maint,
}

impl ServerState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ready => "ready",
            Self::Drain => "drain",
            Self::Maint => "maint",
        }
    }

    /// `show stat` words that mean the state took.
    pub fn shows_as(self) -> Vec<String> {
        let words: &[&str] = match self {
            Self::Ready => &["UP", "no check"],
            Self::Drain => &["DRAIN"],
            Self::Maint => &["MAINT"],
        };
        words.iter().map(|w| w.to_string()).collect()
    }
}

/// A backend's server, as the runtime API names it (`backend/server`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ServerRef {
    pub backend: String,
    pub server: String,
}

impl ServerRef {
    pub fn new(backend: impl Into<String>, server: impl Into<String>) -> Self {
        Self {
            backend: backend.into(),
            server: server.into(),
        }
    }
}

impl fmt::Display for ServerRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.backend, self.server)
    }
}

/// One command of HAProxy's runtime API (its management guide, section 9.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum RuntimeCommand {
    /// `set server B/S state …`.
    SetState { on: ServerRef, state: ServerState },
    /// Maint, then the server's open sessions shut, so no client keeps
    /// writing on a connection it already had (a fenced writer).
    MaintAndShutSessions { on: ServerRef },
    /// `set weight B/S N`.
    SetWeight { on: ServerRef, weight: u32 },
    /// `add server B/S IP:PORT OPTIONS…` (options copied from the backend's
    /// `default-server` line and its servers, see `haproxy_cfg`).
    Add {
        on: ServerRef,
        addr: IpAddr,
        port: u16,
        options: Vec<String>,
    },
    /// `enable health B/S`: an added server's checks start disabled.
    EnableHealth { on: ServerRef },
    /// `enable server B/S`: an added server starts in maintenance.
    Enable { on: ServerRef },
    /// `del server B/S` (only a server in maintenance).
    Delete { on: ServerRef },
}

impl RuntimeCommand {
    /// `set server B/S state …`.
    pub fn set_state(backend: &str, server: &str, state: ServerState) -> Self {
        Self::SetState {
            on: ServerRef::new(backend, server),
            state,
        }
    }

    /// The server the command acts on.
    pub fn server(&self) -> &ServerRef {
        match self {
            Self::SetState { on, .. }
            | Self::MaintAndShutSessions { on }
            | Self::SetWeight { on, .. }
            | Self::Add { on, .. }
            | Self::EnableHealth { on }
            | Self::Enable { on }
            | Self::Delete { on } => on,
        }
    }

    /// Whether it puts the server in `state` (maint also when it shuts
    /// sessions too).
    pub fn sets(&self, want: ServerState) -> bool {
        match self {
            Self::SetState { state, .. } => *state == want,
            Self::MaintAndShutSessions { .. } => want == ServerState::Maint,
            Self::SetWeight { .. }
            | Self::Add { .. }
            | Self::EnableHealth { .. }
            | Self::Enable { .. }
            | Self::Delete { .. } => false,
        }
    }

    /// The answer lines that mean it was done, besides the empty answer
    /// most commands give.
    pub fn accepted_answers(&self) -> &'static [&'static str] {
        match self {
            Self::Add { .. } => &["New server registered"],
            Self::Delete { .. } => &["Server deleted"],
            Self::SetState { .. }
            | Self::MaintAndShutSessions { .. }
            | Self::SetWeight { .. }
            | Self::EnableHealth { .. }
            | Self::Enable { .. } => &[],
        }
    }
}

impl fmt::Display for RuntimeCommand {
    /// The text the runtime API reads. Backend and server names come from
    /// the balancer's own configuration and listing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SetState { on, state } => write!(f, "set server {on} state {}", state.as_str()),
            Self::MaintAndShutSessions { on } => {
                write!(
                    f,
                    "set server {on} state maint; shutdown sessions server {on}"
                )
            }
            Self::SetWeight { on, weight } => write!(f, "set weight {on} {weight}"),
            Self::Add {
                on,
                addr,
                port,
                options,
            } => {
                let addr = match addr {
                    IpAddr::V4(ip) => ip.to_string(),
                    IpAddr::V6(ip) => format!("[{ip}]"),
                };
                write!(f, "add server {on} {addr}:{port}")?;
                options.iter().try_for_each(|o| write!(f, " {o}"))
            }
            Self::EnableHealth { on } => write!(f, "enable health {on}"),
            Self::Enable { on } => write!(f, "enable server {on}"),
            Self::Delete { on } => write!(f, "del server {on}"),
        }
    }
}

/// Does a server with this status take traffic?
pub fn serves(status: &Status) -> bool {
    matches!(
        status,
        Status::Up | Status::NoCheck | Status::Going { from_up: true, .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on() -> ServerRef {
        ServerRef::new("be_app", "app2")
    }

    #[test]
    fn commands_render_as_the_runtime_api_reads_them() {
        let cases = [
            (
                RuntimeCommand::SetState {
                    on: on(),
                    state: ServerState::Drain,
                },
                "set server be_app/app2 state drain",
            ),
            (
                RuntimeCommand::MaintAndShutSessions { on: on() },
                "set server be_app/app2 state maint; shutdown sessions server be_app/app2",
            ),
            (
                RuntimeCommand::SetWeight {
                    on: on(),
                    weight: 0,
                },
                "set weight be_app/app2 0",
            ),
            (
                RuntimeCommand::Add {
                    on: on(),
                    addr: "10.0.0.7".parse().unwrap(),
                    port: 8080,
                    options: vec!["check".into(), "inter".into(), "2s".into()],
                },
                "add server be_app/app2 10.0.0.7:8080 check inter 2s",
            ),
            (
                RuntimeCommand::Add {
                    on: on(),
                    addr: "fd00::7".parse().unwrap(),
                    port: 80,
                    options: vec![],
                },
                "add server be_app/app2 [fd00::7]:80",
            ),
            (
                RuntimeCommand::EnableHealth { on: on() },
                "enable health be_app/app2",
            ),
            (
                RuntimeCommand::Enable { on: on() },
                "enable server be_app/app2",
            ),
            (
                RuntimeCommand::Delete { on: on() },
                "del server be_app/app2",
            ),
        ];
        for (command, text) in cases {
            assert_eq!(command.to_string(), text);
            assert_eq!(command.server(), &on(), "{text}");
        }
    }

    #[test]
    fn maint_is_set_by_both_maint_commands_and_by_nothing_else() {
        let maint = [
            RuntimeCommand::MaintAndShutSessions { on: on() },
            RuntimeCommand::SetState {
                on: on(),
                state: ServerState::Maint,
            },
        ];
        assert!(maint.iter().all(|c| c.sets(ServerState::Maint)));
        assert!(!maint.iter().any(|c| c.sets(ServerState::Ready)));
        assert!(!RuntimeCommand::Delete { on: on() }.sets(ServerState::Maint));
    }

    #[test]
    fn a_journal_keeps_commands_as_fields() {
        let command = RuntimeCommand::SetState {
            on: on(),
            state: ServerState::Ready,
        };
        let json = serde_json::to_string(&command).unwrap();
        assert_eq!(
            json,
            r#"{"command":"set_state","on":{"backend":"be_app","server":"app2"},"state":"ready"}"#
        );
        assert_eq!(
            serde_json::from_str::<RuntimeCommand>(&json).unwrap(),
            command
        );
    }
}
