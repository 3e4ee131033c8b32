//! What an HAProxy answered on its runtime API (`show stat`), as
//! `probes::haproxy` parses it.

use serde::Serialize;

use crate::model::SafeText;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProxyKind {
    Frontend,
    Backend,
    Server,
    Listener,
}

/// A server's or proxy's state as HAProxy words it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    Up,
    Down,
    /// Weight 0 on purpose: finishing its sessions, taking no new ones.
    Drain,
    Maint,
    NoLb,
    /// Check disabled: HAProxy does not know.
    NoCheck,
    /// A transition, e.g. `UP 1/3` (failing checks, still up) or `DOWN 1/2`.
    Going {
        from_up: bool,
        done: u32,
        needed: u32,
    },
    /// Frontends: accepting.
    Open,
    /// Frontends: stopped.
    Stop,
    Other {
        text: SafeText,
    },
}

impl Status {
    /// Short text for a table cell, as HAProxy prints it.
    pub fn label(&self) -> String {
        match self {
            Status::Up => "UP".into(),
            Status::Down => "DOWN".into(),
            Status::Drain => "DRAIN".into(),
            Status::Maint => "MAINT".into(),
            Status::NoLb => "NOLB".into(),
            Status::NoCheck => "no check".into(),
            Status::Going {
                from_up,
                done,
                needed,
            } => {
                format!("{} {done}/{needed}", if *from_up { "UP" } else { "DOWN" })
            }
            Status::Open => "OPEN".into(),
            Status::Stop => "STOP".into(),
            Status::Other { text } => text.to_string(),
        }
    }

    /// Taking traffic (or able to): UP, an UP still passing, or unchecked.
    pub fn is_serving(&self) -> bool {
        matches!(
            self,
            Status::Up | Status::NoCheck | Status::Open | Status::Going { from_up: true, .. }
        )
    }
}

/// One line of `show stat`, its words sanitized.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatRow {
    pub proxy: SafeText,
    pub name: SafeText,
    pub kind: ProxyKind,
    pub status: Status,
    pub weight: Option<u64>,
    pub active_servers: Option<u64>,
    pub backup_servers: Option<u64>,
    pub current_sessions: u64,
    pub session_rate: u64,
    pub check_status: SafeText,
    /// Seconds since the last UP/DOWN change.
    pub last_change_secs: Option<u64>,
    /// "ip:port" of a server.
    pub address: SafeText,
    /// Whether this server is a backup (`bck` = 1).
    pub backup: bool,
}

/// One probe round of an HAProxy: the socket that answered and its stats.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HaproxyProbe {
    pub socket: SafeText,
    pub rows: Vec<StatRow>,
}

impl HaproxyProbe {
    /// The row of `backend`'s server `server`, if `show stat` listed it.
    pub fn server(&self, backend: &str, server: &str) -> Option<&StatRow> {
        self.rows
            .iter()
            .find(|r| r.kind == ProxyKind::Server && r.proxy == *backend && r.name == *server)
    }

    /// The rows of `backend`'s servers.
    pub fn servers_of<'a>(&'a self, backend: &'a str) -> impl Iterator<Item = &'a StatRow> + 'a {
        self.rows
            .iter()
            .filter(move |r| r.kind == ProxyKind::Server && r.proxy == *backend)
    }
}
