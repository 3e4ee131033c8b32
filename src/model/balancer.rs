//! HAProxy balancers as probed: frontends, backends and servers, each
//! server tied to the container it points at.

use serde::Serialize;

use super::answers::haproxy::{HaproxyProbe, ProxyKind, StatRow, Status};
use super::answers::nginx::{NginxProbe, Reach};
use super::answers::ProbeOutcome;
use super::container::LABEL_SWARM_SERVICE;
use super::inventory::{ContainerKey, Inventory};
use super::SafeText;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerView {
    pub stat: StatRow,
    /// The container this server is, found by address on the balancer's host
    /// or else by name.
    pub container: Option<ContainerKey>,
    pub container_name: Option<SafeText>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BackendView {
    /// The backend's own line (`BACKEND`).
    pub stat: StatRow,
    pub servers: Vec<ServerView>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BalancerKind {
    Haproxy,
    /// Upstreams from `nginx -T`, reachability tried from inside: read-only.
    Nginx,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Balancer {
    pub kind: BalancerKind,
    pub host: String,
    pub container: SafeText,
    pub container_id: String,
    /// The stats socket that answered.
    pub socket: Option<SafeText>,
    pub frontends: Vec<StatRow>,
    pub backends: Vec<BackendView>,
    pub probed_at: Option<i64>,
    /// Why there are no stats (no socket configured, no tool, not running…).
    pub error: Option<SafeText>,
}

/// A balancer with no figures yet, and the probe's answer when there is
/// one: without an answer the balancer says why (probing, stopped, error).
fn start<'a, T>(
    inv: &Inventory,
    key: &ContainerKey,
    kind: BalancerKind,
    probe: Option<&'a ProbeOutcome<T>>,
    probed_at: Option<i64>,
) -> Option<(Balancer, Option<&'a T>)> {
    let c = inv.containers.get(key)?;
    let error = match probe {
        None if c.is_running() => Some(SafeText::from_foreign("probing…")),
        None => Some(SafeText::from_foreign(&format!(
            "container {}",
            c.state.as_str()
        ))),
        Some(Err(e)) => Some(e.text().clone()),
        Some(Ok(_)) => None,
    };
    let b = Balancer {
        kind,
        host: c.host.clone(),
        container: c.name.clone(),
        container_id: c.id.clone(),
        socket: None,
        frontends: Vec::new(),
        backends: Vec::new(),
        probed_at,
        error,
    };
    Some((b, probe.and_then(|p| p.as_ref().ok())))
}

/// Tie a probe's stat lines together and to containers.
pub fn balancer_view(
    inv: &Inventory,
    key: &ContainerKey,
    probe: Option<&ProbeOutcome<HaproxyProbe>>,
    probed_at: Option<i64>,
) -> Option<Balancer> {
    let (mut b, answer) = start(inv, key, BalancerKind::Haproxy, probe, probed_at)?;
    match answer {
        None => {}
        Some(p) => {
            b.socket = Some(p.socket.clone());
            for row in &p.rows {
                match row.kind {
                    ProxyKind::Frontend => b.frontends.push(row.clone()),
                    ProxyKind::Backend => b.backends.push(BackendView {
                        stat: row.clone(),
                        servers: servers_of(inv, &b.host, &p.rows, &row.proxy),
                    }),
                    ProxyKind::Server | ProxyKind::Listener => {}
                }
            }
        }
    }
    Some(b)
}

fn servers_of(inv: &Inventory, host: &str, rows: &[StatRow], proxy: &str) -> Vec<ServerView> {
    rows.iter()
        .filter(|r| r.kind == ProxyKind::Server && r.proxy == proxy)
        .map(|r| {
            let found = server_container(inv, host, r);
            ServerView {
                stat: r.clone(),
                container_name: found
                    .as_ref()
                    .and_then(|k| inv.containers.get(k).map(|c| c.name.clone())),
                container: found,
            }
        })
        .collect()
}

/// The server's address is an IP on a network of a container on the same
/// host (HAProxy resolved the name) or a container's name (nginx keeps
/// names); failing that, a container named like the server; failing that,
/// the one running swarm task, on any host, with that IP (a balancer in a
/// swarm reaches tasks on other nodes over an overlay network).
fn server_container(inv: &Inventory, host: &str, server: &StatRow) -> Option<ContainerKey> {
    let ip = server
        .address
        .rsplit_once(':')
        .map_or(server.address.as_str(), |(ip, _)| ip);
    let on_host = || inv.containers.iter().filter(|((h, _), _)| h == host);
    on_host()
        .find(|(_, c)| !ip.is_empty() && (c.ips.iter().any(|i| i == ip) || c.name == ip))
        .or_else(|| on_host().find(|(_, c)| c.name == server.name))
        .map(|(k, _)| k.clone())
        .or_else(|| swarm_task_at(inv, ip))
}

/// The running swarm task container with `ip`, when exactly one has it:
/// an overlay network's addresses are the swarm's own, but bridge networks
/// of different hosts reuse theirs, and two swarms may too, so a second
/// match means the address says nothing.
fn swarm_task_at(inv: &Inventory, ip: &str) -> Option<ContainerKey> {
    if ip.is_empty() {
        return None;
    }
    let mut tasks = inv.containers.iter().filter(|(_, c)| {
        c.is_running()
            && c.labels.contains_key(LABEL_SWARM_SERVICE)
            && c.ips.iter().any(|i| i == ip)
    });
    match (tasks.next(), tasks.next()) {
        (Some((k, _)), None) => Some(k.clone()),
        _ => None,
    }
}

/// An nginx container as a read-only balancer: each upstream a backend,
/// each server UP or DOWN by whether nginx's container could connect to it.
pub fn nginx_view(
    inv: &Inventory,
    key: &ContainerKey,
    probe: Option<&ProbeOutcome<NginxProbe>>,
    probed_at: Option<i64>,
) -> Option<Balancer> {
    let (mut b, answer) = start(inv, key, BalancerKind::Nginx, probe, probed_at)?;
    match answer {
        None => {}
        Some(p) if p.upstreams.is_empty() => {
            b.error = Some(SafeText::from_foreign("no upstream blocks in nginx -T"));
        }
        Some(p) => {
            for up in &p.upstreams {
                let rows: Vec<StatRow> = up
                    .servers
                    .iter()
                    .map(|s| {
                        let (status, check) = match p.reach_of(s) {
                            Reach::Ok => (Status::Up, "TCP ok"),
                            Reach::Fail => (Status::Down, "TCP fail"),
                            Reach::Unchecked => (Status::NoCheck, "-"),
                        };
                        let status = if s.down { Status::Maint } else { status };
                        let mut row = nginx_row(&up.name, &s.address, ProxyKind::Server, status);
                        row.check_status = SafeText::from_foreign(check);
                        row.weight = s.weight.map(u64::from);
                        row.backup = s.backup;
                        row
                    })
                    .collect();
                let up_count = rows
                    .iter()
                    .filter(|r| r.status == Status::Up && !r.backup)
                    .count();
                let status = if up_count == 0 {
                    Status::Down
                } else {
                    Status::Up
                };
                let mut backend = nginx_row(&up.name, "BACKEND", ProxyKind::Backend, status);
                backend.active_servers = Some(up_count as u64);
                backend.backup_servers = Some(rows.iter().filter(|r| r.backup).count() as u64);
                b.backends.push(BackendView {
                    stat: backend,
                    servers: servers_of(inv, &b.host, &rows, &up.name),
                });
            }
        }
    }
    Some(b)
}

fn nginx_row(proxy: &SafeText, name: &str, kind: ProxyKind, status: Status) -> StatRow {
    let name = SafeText::from_foreign(name);
    StatRow {
        proxy: proxy.clone(),
        kind,
        status,
        weight: None,
        active_servers: None,
        backup_servers: None,
        current_sessions: 0,
        session_rate: 0,
        check_status: SafeText::default(),
        last_change_secs: None,
        address: if kind == ProxyKind::Server {
            name.clone()
        } else {
            SafeText::default()
        },
        name,
        backup: false,
    }
}

/// (server proxy, server name) of the balancer servers that point at `target`.
pub fn servers_pointing_at<'a>(
    balancers: &'a [Balancer],
    target: &ContainerKey,
) -> Vec<(&'a Balancer, &'a ServerView)> {
    balancers
        .iter()
        .flat_map(|b| {
            b.backends
                .iter()
                .flat_map(move |be| be.servers.iter().map(move |s| (b, s)))
        })
        .filter(|(_, s)| s.container.as_ref() == Some(target))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::container;

    fn row(name: &str, address: &str) -> StatRow {
        let mut r = nginx_row(&"be".into(), name, ProxyKind::Server, Status::Up);
        r.address = address.into();
        r
    }

    fn task(host: &str, name: &str, ip: &str) -> ((String, String), crate::model::Container) {
        let mut c = container(host, name);
        c.labels.insert(
            LABEL_SWARM_SERVICE.into(),
            name.split('.').next().unwrap().into(),
        );
        c.ips = vec![ip.to_string()];
        ((host.to_string(), c.id.clone()), c)
    }

    #[test]
    fn a_server_is_the_swarm_task_with_its_address_on_any_host_when_only_one_has_it() {
        let mut inv = Inventory::default();
        let (here, lb_node_task) = task("n1", "web.1", "10.0.1.3");
        let (there, other_node_task) = task("n2", "web.2", "10.0.1.4");
        inv.containers.insert(here.clone(), lb_node_task);
        inv.containers.insert(there.clone(), other_node_task);
        // On the balancer's host first, then on the others.
        assert_eq!(
            server_container(&inv, "n1", &row("web1", "10.0.1.3:8080")),
            Some(here)
        );
        assert_eq!(
            server_container(&inv, "n1", &row("web2", "10.0.1.4:8080")),
            Some(there.clone())
        );
        // A plain container elsewhere with that address is no match (bridge
        // networks of different hosts reuse addresses).
        let mut plain = container("n3", "app");
        plain.ips = vec!["172.17.0.2".into()];
        inv.containers
            .insert(("n3".into(), plain.id.clone()), plain);
        assert_eq!(
            server_container(&inv, "n1", &row("s", "172.17.0.2:80")),
            None
        );
        // Two tasks with one address (two swarms): the address says nothing.
        let (third, twin) = task("n3", "api.1", "10.0.1.4");
        inv.containers.insert(third, twin);
        assert_eq!(
            server_container(&inv, "n1", &row("web2", "10.0.1.4:8080")),
            None
        );
        // A task that ended keeps no address worth matching.
        inv.containers.retain(|k, _| k.0 != "n3");
        inv.containers.get_mut(&there).unwrap().state = crate::model::ContainerState::Exited;
        assert_eq!(
            server_container(&inv, "n1", &row("web2", "10.0.1.4:8080")),
            None
        );
    }
}
