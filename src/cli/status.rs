//! `tugboat status`: hosts, clusters, containers and volumes, as a table or
//! as JSON with stable field names (documented in the README).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::{HostSpec, Settings};
use crate::docker::{snapshot, HostSnapshot};
use crate::model::probed::{
    balancers, database_targets, ensembles, haproxy_targets, nginx_targets, zookeeper_targets,
    ProbeBook,
};
use crate::model::{
    cluster_of, detect_role, ClusterKind, Container, HostUpdate, Inventory, SafeText, Volume,
    VolumeUser,
};
use crate::probes::run::{probe, ProbeKind};

use super::status_services as services;
pub use super::status_services::{
    BackendReport, BalancerReport, EnsembleReport, FrontendReport, ReplicationReport, ServerReport,
    ZkMemberReport,
};

#[derive(Serialize)]
pub struct StatusReport {
    pub hosts: Vec<HostReport>,
    pub clusters: Vec<ClusterReport>,
    pub containers: Vec<ContainerReport>,
    pub volumes: Vec<VolumeReport>,
    pub ensembles: Vec<EnsembleReport>,
    pub replication: Vec<ReplicationReport>,
    pub balancers: Vec<BalancerReport>,
}

#[derive(Serialize)]
pub struct HostReport {
    pub name: String,
    pub url: String,
    pub source: String,
    /// "unix", "ssh", "plain", "tls" or "tls (unverified)".
    pub transport: &'static str,
    /// "up" or "unreachable".
    pub state: &'static str,
    pub error: Option<String>,
    pub engine_version: Option<String>,
    pub api_version: Option<String>,
    pub swarm_role: Option<String>,
    pub containers_running: usize,
    pub containers_total: usize,
}

#[derive(Serialize)]
pub struct ClusterReport {
    pub name: String,
    pub kind: ClusterKind,
    /// Members as "host/container".
    pub members: Vec<String>,
}

#[derive(Serialize)]
pub struct ContainerReport {
    pub host: String,
    pub id: String,
    pub name: SafeText,
    pub image: SafeText,
    pub role: &'static str,
    pub cluster: String,
    pub cluster_kind: ClusterKind,
    pub state: &'static str,
    pub health: &'static str,
    pub status: SafeText,
    pub started_at: Option<i64>,
    pub ports: Vec<String>,
    pub mounts: Vec<crate::model::Mount>,
    pub labels: BTreeMap<SafeText, SafeText>,
}

#[derive(Serialize)]
pub struct VolumeReport {
    pub host: String,
    pub name: SafeText,
    pub driver: SafeText,
    pub size_bytes: Option<u64>,
    pub mountpoint: SafeText,
    pub labels: BTreeMap<SafeText, SafeText>,
    pub used_by: Vec<VolumeUser>,
}

/// Ask every host at once; a slow host costs its timeout, not the others'.
/// Every host's inventory, one probe round of its services, and whether
/// every host answered.
pub async fn collect(specs: &[HostSpec], settings: &Settings) -> (Inventory, ProbeBook, bool) {
    let (inv, handles, all_up) = list(specs, settings).await;
    let probes = probe_services(&handles, &inv, settings).await;
    (inv, probes, all_up)
}

/// What each manager says of its swarm (services, tasks, nodes), or why
/// it cannot say (no leader), asked at once.
async fn swarm_of_managers(inv: &mut Inventory, handles: &[crate::docker::HostHandle]) {
    let managers: Vec<&crate::docker::HostHandle> = handles
        .iter()
        .filter(|h| {
            inv.host(&h.name)
                .and_then(|host| host.engine.as_ref())
                .and_then(|e| e.swarm_role.as_deref())
                == Some("manager")
        })
        .collect();
    let listings = futures_util::future::join_all(managers.iter().map(|h| h.swarm_listing())).await;
    for (handle, listing) in managers.into_iter().zip(listings) {
        let host = handle.name.clone();
        match listing {
            Ok(listing) => {
                for update in listing.into_updates(&host) {
                    inv.apply(update);
                }
            }
            Err(e) => {
                let trouble = Some(crate::model::SafeText::from_foreign(&e.to_string()));
                inv.apply(HostUpdate::SwarmTrouble { host, trouble });
            }
        }
    }
}

/// Every host's inventory, without probing: the handles of the hosts that
/// answered, and whether every host did.
pub async fn list(
    specs: &[HostSpec],
    settings: &Settings,
) -> (Inventory, Vec<crate::docker::HostHandle>, bool) {
    let results = futures_util::future::join_all(specs.iter().map(|s| snapshot(s, settings))).await;
    let hosts = specs
        .iter()
        .map(|s| {
            crate::model::Host::new(&s.name, &s.url, &s.source.to_string())
                .with_transport(s.transport())
        })
        .collect();
    let mut inv = Inventory::new(hosts);
    let mut all_up = true;
    let mut handles = Vec::new();
    for (spec, result) in specs.iter().zip(results) {
        let host = spec.name.clone();
        match result {
            Ok(HostSnapshot {
                handle,
                engine,
                containers,
                volumes,
            }) => {
                handles.push(handle);
                inv.apply(HostUpdate::Connected {
                    host: host.clone(),
                    engine,
                });
                inv.apply(HostUpdate::Listed {
                    host,
                    containers,
                    volumes,
                });
            }
            Err(error) => {
                all_up = false;
                inv.apply(HostUpdate::Unreachable {
                    host,
                    at: crate::docker::unix_now(),
                    error: error.to_string(),
                });
            }
        }
    }
    swarm_of_managers(&mut inv, &handles).await;
    (inv, handles, all_up)
}

/// One probe round of every service the report shows, all at once.
pub async fn probe_services(
    handles: &[crate::docker::HostHandle],
    inv: &Inventory,
    settings: &Settings,
) -> ProbeBook {
    let targets = zookeeper_targets(inv)
        .into_iter()
        .map(|k| (k, ProbeKind::Zookeeper))
        .chain(
            database_targets(inv)
                .into_iter()
                .map(|k| (k, ProbeKind::Mysql)),
        )
        .chain(
            haproxy_targets(inv)
                .into_iter()
                .map(|k| (k, ProbeKind::Haproxy)),
        )
        .chain(
            nginx_targets(inv)
                .into_iter()
                .map(|k| (k, ProbeKind::Nginx)),
        );
    let rounds = targets.filter_map(|(key, kind)| {
        let handle = handles.iter().find(|h| h.name == key.0)?.clone();
        Some(async move {
            let result = probe(&handle, &key.1, kind, settings).await;
            (key, result)
        })
    });
    let mut book = ProbeBook::default();
    for (key, result) in futures_util::future::join_all(rounds).await {
        book.record(key, crate::docker::unix_now(), result);
    }
    book
}

pub fn report(inv: &Inventory, probes: &ProbeBook) -> StatusReport {
    let hosts = inv
        .hosts
        .iter()
        .map(|h| {
            let (running, total) = inv.container_counts(&h.name);
            let error = match &h.state {
                crate::model::HostState::Unreachable { error, .. } => Some(error.clone()),
                _ => None,
            };
            HostReport {
                name: h.name.clone(),
                url: h.url.clone(),
                source: h.source.clone(),
                transport: h.transport,
                state: if h.is_up() { "up" } else { "unreachable" },
                error,
                engine_version: h.engine.as_ref().map(|e| e.engine_version.clone()),
                api_version: h.engine.as_ref().map(|e| e.api_version.clone()),
                swarm_role: h.engine.as_ref().and_then(|e| e.swarm_role.clone()),
                containers_running: running,
                containers_total: total,
            }
        })
        .collect();
    let mut clusters: BTreeMap<(ClusterKind, String), Vec<String>> = BTreeMap::new();
    for c in inv.containers.values() {
        let key = cluster_of(c);
        clusters
            .entry((key.kind, key.name))
            .or_default()
            .push(format!("{}/{}", c.host, c.name));
    }
    StatusReport {
        hosts,
        clusters: clusters
            .into_iter()
            .map(|((kind, name), mut members)| {
                members.sort();
                ClusterReport {
                    name,
                    kind,
                    members,
                }
            })
            .collect(),
        containers: sorted_containers(inv),
        volumes: inv
            .volumes
            .values()
            .map(|v| volume_report(inv, v))
            .collect(),
        ensembles: ensembles(inv, probes)
            .iter()
            .map(services::ensemble_report)
            .collect(),
        balancers: balancers(inv, probes)
            .iter()
            .map(services::balancer_report)
            .collect(),
        replication: probes
            .mysql
            .iter()
            .filter_map(|(key, probed)| {
                let c = inv.containers.get(key)?;
                Some(services::replication_report(c, &probed.result))
            })
            .collect(),
    }
}

/// Containers by host, then name (the inventory keeps them by id).
fn sorted_containers(inv: &Inventory) -> Vec<ContainerReport> {
    let mut all: Vec<ContainerReport> = inv.containers.values().map(container_report).collect();
    all.sort_by(|a, b| (&a.host, a.name.as_str()).cmp(&(&b.host, b.name.as_str())));
    all
}

/// Each published port once: an engine binds it on IPv4 and IPv6 alike,
/// which read the same once shortened.
fn distinct_ports(c: &Container) -> Vec<String> {
    let mut ports: Vec<String> = Vec::new();
    for p in c.ports.iter().map(|p| p.short()) {
        if !ports.contains(&p) {
            ports.push(p);
        }
    }
    ports
}

fn container_report(c: &Container) -> ContainerReport {
    let cluster = cluster_of(c);
    ContainerReport {
        host: c.host.clone(),
        id: c.id.clone(),
        name: c.name.clone(),
        image: c.image.clone(),
        role: detect_role(c).as_str(),
        cluster: cluster.name,
        cluster_kind: cluster.kind,
        state: c.state.as_str(),
        health: c.health.as_str(),
        status: c.status.clone(),
        started_at: c.started_at,
        ports: distinct_ports(c),
        mounts: c.mounts.clone(),
        labels: c.labels.clone(),
    }
}

fn volume_report(inv: &Inventory, v: &Volume) -> VolumeReport {
    VolumeReport {
        host: v.host.clone(),
        name: v.name.clone(),
        driver: v.driver.clone(),
        size_bytes: v.size,
        mountpoint: v.mountpoint.clone(),
        labels: v.labels.clone(),
        used_by: inv.volume_users(&v.host, &v.name),
    }
}

/// Plain-text tables, one section each, columns padded to fit.
pub fn render_table(report: &StatusReport) -> String {
    let mut out = String::new();
    section(
        &mut out,
        "HOSTS",
        &[
            "NAME", "STATE", "VIA", "ENGINE", "API", "SWARM", "RUNNING", "ERROR",
        ],
        host_rows(&report.hosts),
    );
    section(
        &mut out,
        "CLUSTERS",
        &["NAME", "KIND", "MEMBERS"],
        cluster_rows(&report.clusters),
    );
    section(
        &mut out,
        "CONTAINERS",
        &[
            "HOST", "NAME", "CLUSTER", "ROLE", "STATE", "HEALTH", "PORTS",
        ],
        container_rows(&report.containers),
    );
    section(
        &mut out,
        "VOLUMES",
        &["HOST", "NAME", "DRIVER", "SIZE", "USED BY"],
        volume_rows(&report.volumes),
    );
    section(
        &mut out,
        "ZOOKEEPER",
        &["ENSEMBLE", "LEADER", "HEALTH", "WARNINGS"],
        ensemble_rows(&report.ensembles),
    );
    section(
        &mut out,
        "REPLICATION",
        &[
            "HOST", "SERVER", "CLUSTER", "ROLE", "SOURCE", "IO", "SQL", "BEHIND", "ERROR",
        ],
        services::replication_rows(&report.replication),
    );
    section(
        &mut out,
        "BALANCERS",
        &[
            "BALANCER",
            "BACKEND/SERVER",
            "STATUS",
            "WEIGHT",
            "SESSIONS",
            "CONTAINER",
        ],
        services::balancer_rows(&report.balancers),
    );
    out
}

/// The HOSTS table; "-" for what an unreachable host could not tell.
fn host_rows(hosts: &[HostReport]) -> Vec<Vec<String>> {
    hosts
        .iter()
        .map(|h| {
            vec![
                h.name.clone(),
                h.state.to_string(),
                h.transport.to_string(),
                h.engine_version.clone().unwrap_or_else(|| "-".into()),
                h.api_version.clone().unwrap_or_else(|| "-".into()),
                h.swarm_role.clone().unwrap_or_else(|| "-".into()),
                format!("{}/{}", h.containers_running, h.containers_total),
                h.error.clone().unwrap_or_default(),
            ]
        })
        .collect()
}

/// The CLUSTERS table: a member count (the JSON lists the members).
fn cluster_rows(clusters: &[ClusterReport]) -> Vec<Vec<String>> {
    clusters
        .iter()
        .map(|c| {
            vec![
                c.name.clone(),
                c.kind.as_str().into(),
                c.members.len().to_string(),
            ]
        })
        .collect()
}

fn container_rows(containers: &[ContainerReport]) -> Vec<Vec<String>> {
    containers
        .iter()
        .map(|c| {
            vec![
                c.host.clone(),
                c.name.to_string(),
                c.cluster.clone(),
                c.role.into(),
                c.state.into(),
                c.health.into(),
                c.ports.join(","),
            ]
        })
        .collect()
}

/// The VOLUMES table; "-" for a size the engine did not report.
fn volume_rows(volumes: &[VolumeReport]) -> Vec<Vec<String>> {
    volumes
        .iter()
        .map(|v| {
            vec![
                v.host.clone(),
                v.name.to_string(),
                v.driver.to_string(),
                v.size_bytes
                    .map(crate::model::container::human_bytes)
                    .unwrap_or_else(|| "-".into()),
                v.used_by
                    .iter()
                    .map(|u| u.container.clone())
                    .collect::<Vec<_>>()
                    .join(","),
            ]
        })
        .collect()
}

/// The ZOOKEEPER table: a row per ensemble, then its members indented
/// under it, in the same columns (mode, zxid, error).
fn ensemble_rows(ensembles: &[EnsembleReport]) -> Vec<Vec<String>> {
    ensembles
        .iter()
        .flat_map(|e| {
            let head = vec![
                e.name.clone(),
                e.leader.clone().unwrap_or_else(|| "-".into()),
                e.summary.clone(),
                e.warnings.join("; "),
            ];
            let members = e.members.iter().map(|m| {
                vec![
                    format!("  {}/{}", m.host, m.container),
                    m.mode.to_string(),
                    m.zxid.clone().unwrap_or_else(|| "-".into()),
                    m.error.as_ref().map(|e| e.to_string()).unwrap_or_default(),
                ]
            });
            std::iter::once(head).chain(members)
        })
        .collect()
}

fn section(out: &mut String, title: &str, header: &[&str], rows: Vec<Vec<String>>) {
    out.push_str(title);
    out.push('\n');
    let empty = rows.is_empty();
    let table = columns(header, rows);
    let mut lines = table.lines();
    if let Some(head) = lines.next() {
        out.push_str(&format!("  {head}\n"));
    }
    if empty {
        out.push_str("  (none)\n");
    }
    for l in lines {
        out.push_str(&format!("  {l}\n"));
    }
    out.push('\n');
}

/// A header and rows, each column as wide as its widest cell (counted in
/// characters), two spaces apart, no trailing blanks.
pub(super) fn columns(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut out = line(header.iter().map(|h| h.to_string()).collect());
    for row in rows {
        out.push_str(&line(row));
    }
    out
}
