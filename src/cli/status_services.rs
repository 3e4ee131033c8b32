//! The services part of `status --json`: ZooKeeper ensembles, balancers
//! and database replication, as probed once.

use serde::Serialize;

use crate::model::answers::mysql::DbProbe;
use crate::model::answers::ProbeOutcome;
use crate::model::balancer::{Balancer, BalancerKind};
use crate::model::ensemble::Ensemble;
use crate::model::{cluster_of, Container, SafeText};

#[derive(Serialize)]
pub struct BalancerReport {
    /// "haproxy", or "nginx" (upstreams, read-only).
    pub kind: BalancerKind,
    pub host: String,
    pub container: SafeText,
    /// The stats socket that answered.
    pub socket: Option<SafeText>,
    pub error: Option<SafeText>,
    pub frontends: Vec<FrontendReport>,
    pub backends: Vec<BackendReport>,
}

#[derive(Serialize)]
pub struct FrontendReport {
    pub name: SafeText,
    /// "OPEN" or "STOP".
    pub status: String,
    pub sessions: u64,
    pub session_rate: u64,
}

#[derive(Serialize)]
pub struct BackendReport {
    pub name: SafeText,
    pub status: String,
    pub active_servers: Option<u64>,
    pub backup_servers: Option<u64>,
    pub sessions: u64,
    pub servers: Vec<ServerReport>,
}

#[derive(Serialize)]
pub struct ServerReport {
    pub name: SafeText,
    /// As HAProxy says it: UP, DOWN, DRAIN, MAINT, "UP 1/3", "no check", …
    pub status: String,
    pub weight: Option<u64>,
    pub check_status: SafeText,
    pub sessions: u64,
    pub last_change_secs: Option<u64>,
    pub address: SafeText,
    pub backup: bool,
    /// "host/container" this server points at, when found.
    pub container: Option<String>,
}

/// One MySQL/MariaDB server as its probe saw it.
#[derive(Serialize)]
pub struct ReplicationReport {
    pub host: String,
    pub container: SafeText,
    pub cluster: String,
    /// "primary", "replica", "standalone", or null when the probe failed.
    pub role: Option<&'static str>,
    pub server_id: Option<u64>,
    pub read_only: Option<bool>,
    pub gtid: Option<SafeText>,
    /// The host a replica replicates from.
    pub source: Option<SafeText>,
    pub io_running: Option<&'static str>,
    pub sql_running: Option<&'static str>,
    pub seconds_behind: Option<u64>,
    pub last_error: Option<SafeText>,
    /// Why the server could not be probed.
    pub error: Option<SafeText>,
}

#[derive(Serialize)]
pub struct EnsembleReport {
    pub name: String,
    pub leader: Option<String>,
    pub members_up: usize,
    pub members_total: usize,
    pub quorum: usize,
    pub tolerates: usize,
    pub has_quorum: bool,
    /// "3/3 up · quorum OK · tolerates 1"
    pub summary: String,
    pub warnings: Vec<String>,
    pub members: Vec<ZkMemberReport>,
}

#[derive(Serialize)]
pub struct ZkMemberReport {
    pub host: String,
    pub container: SafeText,
    pub server_id: Option<u32>,
    pub mode: &'static str,
    /// The zxid as hex, and split into election epoch and counter.
    pub zxid: Option<String>,
    pub epoch: Option<u64>,
    pub counter: Option<u64>,
    pub latency_avg_ms: Option<f64>,
    pub latency_max_ms: Option<f64>,
    pub connections: Option<u64>,
    pub outstanding: Option<u64>,
    pub node_count: Option<u64>,
    /// Only from `mntr`, when the whitelist allows it (leader only).
    pub synced_followers: Option<u64>,
    pub pending_syncs: Option<u64>,
    pub error: Option<SafeText>,
}

pub(super) fn ensemble_report(e: &Ensemble) -> EnsembleReport {
    let health = e.health();
    EnsembleReport {
        name: e.name.clone(),
        leader: health.leader.clone(),
        members_up: health.up,
        members_total: health.total,
        quorum: health.quorum,
        tolerates: health.tolerates,
        has_quorum: health.has_quorum(),
        summary: health.summary(),
        warnings: health.warnings.iter().map(|w| w.text()).collect(),
        members: e
            .members
            .iter()
            .map(|m| {
                let s = m.stats.as_ref();
                ZkMemberReport {
                    host: m.host.clone(),
                    container: m.container.clone(),
                    server_id: m.server_id,
                    mode: m.mode.as_str(),
                    zxid: s.map(|s| format!("{:#x}", s.zxid)),
                    epoch: s.map(|s| s.epoch()),
                    counter: s.map(|s| s.counter()),
                    latency_avg_ms: s.map(|s| s.latency_avg),
                    latency_max_ms: s.map(|s| s.latency_max),
                    connections: s.map(|s| s.connections),
                    outstanding: s.map(|s| s.outstanding),
                    node_count: s.map(|s| s.node_count),
                    synced_followers: m.monitor.as_ref().and_then(|x| x.synced_followers),
                    pending_syncs: m.monitor.as_ref().and_then(|x| x.pending_syncs),
                    error: m.error.clone(),
                }
            })
            .collect(),
    }
}

pub(super) fn balancer_report(b: &Balancer) -> BalancerReport {
    BalancerReport {
        kind: b.kind,
        host: b.host.clone(),
        container: b.container.clone(),
        socket: b.socket.clone(),
        error: b.error.clone(),
        frontends: b
            .frontends
            .iter()
            .map(|f| FrontendReport {
                name: f.proxy.clone(),
                status: f.status.label(),
                sessions: f.current_sessions,
                session_rate: f.session_rate,
            })
            .collect(),
        backends: b
            .backends
            .iter()
            .map(|be| BackendReport {
                name: be.stat.proxy.clone(),
                status: be.stat.status.label(),
                active_servers: be.stat.active_servers,
                backup_servers: be.stat.backup_servers,
                sessions: be.stat.current_sessions,
                servers: be
                    .servers
                    .iter()
                    .map(|s| ServerReport {
                        name: s.stat.name.clone(),
                        status: s.stat.status.label(),
                        weight: s.stat.weight,
                        check_status: s.stat.check_status.clone(),
                        sessions: s.stat.current_sessions,
                        last_change_secs: s.stat.last_change_secs,
                        address: s.stat.address.clone(),
                        backup: s.stat.backup,
                        container: s.container.as_ref().map(|(h, _)| {
                            format!("{h}/{}", s.container_name.clone().unwrap_or_default())
                        }),
                    })
                    .collect(),
            })
            .collect(),
    }
}

pub(super) fn replication_report(
    c: &Container,
    result: &ProbeOutcome<DbProbe>,
) -> ReplicationReport {
    let ok = result.as_ref().ok();
    let replica = ok.and_then(|p| p.replica.as_ref());
    ReplicationReport {
        host: c.host.clone(),
        container: c.name.clone(),
        cluster: cluster_of(c).name,
        role: ok.map(|p| p.role().as_str()),
        server_id: ok.and_then(|p| p.server_id),
        read_only: ok.map(|p| p.read_only),
        gtid: ok.map(|p| p.gtid.clone()),
        source: replica.map(|r| r.source_host.clone()),
        io_running: replica.map(|r| r.io_running.as_str()),
        sql_running: replica.map(|r| r.sql_running.as_str()),
        seconds_behind: replica.and_then(|r| r.seconds_behind),
        last_error: replica
            .map(|r| {
                SafeText::from_foreign(format!("{} {}", r.last_io_error, r.last_sql_error).trim())
            })
            .filter(|e| !e.is_empty()),
        error: result.as_ref().err().map(|e| e.text().clone()),
    }
}

/// The REPLICATION table of `status`: a row per MySQL/MariaDB server, a
/// stopped thread or a probe that failed in plain sight.
pub(super) fn replication_rows(servers: &[ReplicationReport]) -> Vec<Vec<String>> {
    let dash = || "-".to_string();
    let mut rows: Vec<Vec<String>> = servers
        .iter()
        .map(|r| {
            vec![
                r.host.clone(),
                r.container.to_string(),
                r.cluster.clone(),
                r.role.unwrap_or("?").to_string(),
                r.source
                    .as_ref()
                    .map(|s| s.to_string())
                    .unwrap_or_else(dash),
                r.io_running.unwrap_or("-").to_string(),
                r.sql_running.unwrap_or("-").to_string(),
                r.seconds_behind
                    .map(|s| format!("{s}s"))
                    .unwrap_or_else(dash),
                r.error
                    .as_ref()
                    .or(r.last_error.as_ref())
                    .map(|e| e.to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    rows.sort();
    rows
}

/// The BALANCERS table of `status`: a row per server of every backend
/// (a balancer that did not answer: one row with its error).
pub(super) fn balancer_rows(balancers: &[BalancerReport]) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for b in balancers {
        let name = format!("{}/{}", b.host, b.container);
        if let Some(e) = &b.error {
            rows.push(vec![
                name.clone(),
                "-".into(),
                "error".into(),
                "-".into(),
                "-".into(),
                e.to_string(),
            ]);
        }
        for be in &b.backends {
            for s in &be.servers {
                rows.push(vec![
                    name.clone(),
                    format!("{}/{}", be.name, s.name),
                    s.status.clone(),
                    s.weight
                        .map(|w| w.to_string())
                        .unwrap_or_else(|| "-".into()),
                    s.sessions.to_string(),
                    s.container.clone().unwrap_or_default(),
                ]);
            }
        }
    }
    rows
}
