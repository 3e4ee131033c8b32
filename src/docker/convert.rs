//! bollard's types → tugboat's model. Every string from the engine that can
//! carry container-controlled text is sanitized here, on the way in.

use std::collections::{BTreeMap, HashMap};

use bollard::models::{
    ContainerInspectResponse, ContainerState as EngineContainerState, ContainerStatsResponse,
    ContainerSummary, MountPoint, PortBinding, SystemInfo, SystemVersion, Volume as EngineVolume,
};

use crate::model::clock::parse_rfc3339_utc;
use crate::model::container::uptime_from_status;
use crate::model::secrets::{mask_args, mask_command_line, mask_label_value};
use crate::model::{
    sanitize, Container, ContainerState, EngineInfo, Health, Mount, MountKind, PortMapping,
    SafeText, Stats, Volume,
};

/// Labels as tugboat keeps them: a value under a secret-looking key, or a
/// URL's password in any value, is masked on the way in, so no view,
/// report or export can show it (no label tugboat acts on looks secret).
pub fn labels(map: Option<&HashMap<String, String>>) -> BTreeMap<SafeText, SafeText> {
    map.into_iter()
        .flatten()
        .map(|(k, v)| {
            (
                SafeText::from_foreign(k),
                SafeText::from_foreign(&mask_label_value(k, v)),
            )
        })
        .collect()
}

/// A container from the list endpoint. `now` (unix seconds) turns the
/// engine's "Up 5 minutes" into an estimated start time.
pub fn container(host: &str, summary: ContainerSummary, now: i64) -> Container {
    let name = summary
        .names
        .as_ref()
        .and_then(|names| names.first())
        .map(|n| n.trim_start_matches('/'))
        .unwrap_or_default();
    let status = summary.status.clone().unwrap_or_default();
    let state = summary
        .state
        .map(|s| ContainerState::parse(s.as_ref()))
        .unwrap_or(ContainerState::Unknown);
    let ports = summary
        .ports
        .unwrap_or_default()
        .into_iter()
        .map(|p| PortMapping {
            ip: p.ip.filter(|ip| !ip.is_empty()),
            private_port: p.private_port,
            public_port: p.public_port,
            protocol: p.typ.map(|t| t.to_string()).unwrap_or_else(|| "tcp".into()),
        })
        .collect();
    Container {
        host: host.to_string(),
        id: summary.id.unwrap_or_default(),
        name: SafeText::from_foreign(name),
        image: SafeText::from_foreign(summary.image.as_deref().unwrap_or_default()),
        command: SafeText::from_foreign(&mask_command_line(
            summary.command.as_deref().unwrap_or_default(),
        )),
        labels: labels(summary.labels.as_ref()),
        started_at: uptime_from_status(&status).map(|ago| now - ago),
        health: Health::from_status_text(&status),
        status: SafeText::from_foreign(&status),
        state,
        created: summary.created.unwrap_or_default(),
        ports,
        ips: sorted_ips(
            summary
                .network_settings
                .and_then(|n| n.networks)
                .unwrap_or_default()
                .into_values()
                .filter_map(|ep| ep.ip_address),
        ),
        mounts: summary
            .mounts
            .unwrap_or_default()
            .into_iter()
            .map(mount)
            .collect(),
    }
}

/// A container from inspect. Inspect reads the engine's live container
/// object, while the list lags behind exits by up to a second on Engine
/// 20.10, so event-driven refreshes use this. The status text is composed
/// the way the engine's list composes it.
pub fn container_from_inspect(host: &str, r: ContainerInspectResponse, now: i64) -> Container {
    let st = r.state.as_ref();
    let state = inspected_state(st);
    let started_at = st
        .and_then(|s| s.started_at.as_deref())
        .and_then(parse_rfc3339_utc);
    let finished_at = st
        .and_then(|s| s.finished_at.as_deref())
        .and_then(parse_rfc3339_utc);
    let health = inspected_health(st);
    let exit_code = st.and_then(|s| s.exit_code).unwrap_or(0);
    let status = status_text(state, health, exit_code, started_at, finished_at, now);
    let config = r.config.as_ref();
    Container {
        host: host.to_string(),
        id: r.id.clone().unwrap_or_default(),
        name: SafeText::from_foreign(
            r.name
                .as_deref()
                .unwrap_or_default()
                .trim_start_matches('/'),
        ),
        image: SafeText::from_foreign(config.and_then(|c| c.image.as_deref()).unwrap_or_default()),
        command: SafeText::from_foreign(&inspected_command(&r)),
        labels: labels(config.and_then(|c| c.labels.as_ref())),
        state,
        status: SafeText::from_foreign(&status),
        health,
        created: r
            .created
            .as_deref()
            .and_then(parse_rfc3339_utc)
            .unwrap_or_default(),
        // As from the list, which knows a start time only from "Up …".
        started_at: if matches!(state, ContainerState::Running | ContainerState::Paused) {
            started_at
        } else {
            None
        },
        ports: inspected_ports(&r),
        ips: inspected_ips(&r),
        mounts: r
            .mounts
            .unwrap_or_default()
            .into_iter()
            .map(mount)
            .collect(),
    }
}

/// The engine's state word ("running", "exited") as tugboat's state.
fn inspected_state(st: Option<&EngineContainerState>) -> ContainerState {
    st.and_then(|s| s.status)
        .map(|s| ContainerState::parse(s.as_ref()))
        .unwrap_or(ContainerState::Unknown)
}

/// The healthcheck's verdict; a container without a healthcheck has none.
fn inspected_health(st: Option<&EngineContainerState>) -> Health {
    st.and_then(|s| s.health.as_ref())
        .and_then(|h| h.status)
        .map(|h| match h.to_string().as_str() {
            "healthy" => Health::Healthy,
            "unhealthy" => Health::Unhealthy,
            "starting" => Health::Starting,
            _ => Health::None,
        })
        .unwrap_or(Health::None)
}

/// Path and args as one masked line: inspect keeps them apart, but a
/// password flag is only recognisable next to the program it is for.
fn inspected_command(r: &ContainerInspectResponse) -> String {
    mask_args(
        &std::iter::once(r.path.clone().unwrap_or_default())
            .chain(r.args.clone().unwrap_or_default())
            .collect::<Vec<_>>(),
    )
    .join(" ")
}

/// Every exposed port with its host bindings, sorted the way the list
/// endpoint's ports come out so both sources show the same order.
fn inspected_ports(r: &ContainerInspectResponse) -> Vec<PortMapping> {
    let mut ports: Vec<PortMapping> = r
        .network_settings
        .as_ref()
        .and_then(|n| n.ports.as_ref())
        .into_iter()
        .flatten()
        .flat_map(|(spec, bindings)| port_mappings(spec, bindings.as_deref()))
        .collect();
    ports.sort_by_key(|p| (p.private_port, p.public_port));
    ports
}

/// One exposed port ("80/tcp") as mappings: one per host binding, or a
/// single unpublished one, as the list endpoint reports an exposed port.
fn port_mappings(spec: &str, bindings: Option<&[PortBinding]>) -> Vec<PortMapping> {
    let (port, proto) = spec.split_once('/').unwrap_or((spec, "tcp"));
    let private_port: u16 = port.parse().unwrap_or(0);
    let proto = proto.to_string();
    match bindings {
        Some(list) if !list.is_empty() => list
            .iter()
            .map(|b| PortMapping {
                ip: b.host_ip.clone().filter(|ip| !ip.is_empty()),
                private_port,
                public_port: b.host_port.as_deref().and_then(|p| p.parse().ok()),
                protocol: proto.clone(),
            })
            .collect(),
        _ => vec![PortMapping {
            ip: None,
            private_port,
            public_port: None,
            protocol: proto.clone(),
        }],
    }
}

/// The container's address on each of its networks.
fn inspected_ips(r: &ContainerInspectResponse) -> Vec<String> {
    sorted_ips(
        r.network_settings
            .as_ref()
            .and_then(|n| n.networks.clone())
            .unwrap_or_default()
            .into_values()
            .filter_map(|ep| ep.ip_address),
    )
}

/// "Up 5 minutes (healthy)", "Exited (137) 2 seconds ago", as `docker ps` says it.
fn status_text(
    state: ContainerState,
    health: Health,
    exit_code: i64,
    started: Option<i64>,
    finished: Option<i64>,
    now: i64,
) -> String {
    let ago = |t: Option<i64>| t.map(|t| engine_duration(now - t)).unwrap_or_default();
    let health = match health {
        Health::None => String::new(),
        Health::Starting => " (health: starting)".into(),
        h => format!(" ({})", h.as_str()),
    };
    match state {
        ContainerState::Running => format!("Up {}{health}", ago(started)),
        ContainerState::Paused => format!("Up {} (Paused)", ago(started)),
        ContainerState::Restarting => format!("Restarting ({exit_code}) {} ago", ago(finished)),
        ContainerState::Exited => format!("Exited ({exit_code}) {} ago", ago(finished)),
        ContainerState::Created => "Created".into(),
        ContainerState::Removing => "Removal In Progress".into(),
        ContainerState::Dead => "Dead".into(),
        ContainerState::Unknown => String::new(),
    }
}

/// The engine's wording of a duration ("Less than a second", "About a minute").
fn engine_duration(secs: i64) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    match secs.max(0) {
        0 => "Less than a second".into(),
        s if s < 60 => plural(s, "second"),
        s if s < 120 => "About a minute".into(),
        s if s < 3600 => plural(s / 60, "minute"),
        s if s < 7200 => "About an hour".into(),
        s if s < 172_800 => plural(s / 3600, "hour"),
        s if s < 1_209_600 => plural(s / 86_400, "day"),
        s if s < 5_184_000 => plural(s / 604_800, "week"),
        s if s < 63_072_000 => plural(s / 2_592_000, "month"),
        s => plural(s / 31_536_000, "year"),
    }
}

fn sorted_ips(ips: impl Iterator<Item = String>) -> Vec<String> {
    let mut ips: Vec<String> = ips.filter(|ip| !ip.is_empty()).collect();
    ips.sort();
    ips
}

/// A swarm node as a manager lists it; the hostname is the node's own text.
pub fn swarm_node(n: bollard::models::Node) -> crate::model::swarm::SwarmNode {
    let spec = n.spec.unwrap_or_default();
    let status = n.status.unwrap_or_default();
    let manager = n.manager_status;
    let text = |v: Option<String>| crate::model::sanitize(&v.unwrap_or_default());
    crate::model::swarm::SwarmNode {
        id: n.id.unwrap_or_default(),
        hostname: text(n.description.and_then(|d| d.hostname)),
        role: spec.role.map(|r| r.to_string()).unwrap_or_default(),
        availability: spec.availability.map(|a| a.to_string()).unwrap_or_default(),
        state: status.state.map(|s| s.to_string()).unwrap_or_default(),
        leader: manager.as_ref().and_then(|m| m.leader).unwrap_or(false),
        reachability: manager
            .and_then(|m| m.reachability)
            .map(|r| r.to_string())
            .unwrap_or_default(),
        addr: text(status.addr),
    }
}

pub fn mount(m: MountPoint) -> Mount {
    Mount {
        kind: MountKind::parse(m.typ.as_deref().unwrap_or_default()),
        name: m
            .name
            .filter(|n| !n.is_empty())
            .map(|n| SafeText::from_foreign(&n)),
        source: SafeText::from_foreign(m.source.as_deref().unwrap_or_default()),
        destination: SafeText::from_foreign(m.destination.as_deref().unwrap_or_default()),
        read_write: m.rw.unwrap_or(true),
    }
}

pub fn volume(host: &str, v: EngineVolume) -> Volume {
    Volume {
        host: host.to_string(),
        name: SafeText::from_foreign(&v.name),
        driver: SafeText::from_foreign(&v.driver),
        mountpoint: SafeText::from_foreign(&v.mountpoint),
        labels: labels(Some(&v.labels)),
        // The list endpoint reports -1 or nothing; real sizes come from /system/df.
        size: v.usage_data.and_then(|u| u64::try_from(u.size).ok()),
    }
}

pub fn engine_info(version: &SystemVersion, info: Option<&SystemInfo>) -> EngineInfo {
    let swarm_role = info.and_then(|i| i.swarm.as_ref()).and_then(|s| {
        let active = s
            .local_node_state
            .as_ref()
            .is_some_and(|state| state.to_string() == "active");
        active.then(|| {
            if s.control_available.unwrap_or(false) {
                "manager".to_string()
            } else {
                "worker".to_string()
            }
        })
    });
    EngineInfo {
        engine_version: sanitize(version.version.as_deref().unwrap_or("?")),
        api_version: sanitize(version.api_version.as_deref().unwrap_or("?")),
        os: sanitize(version.os.as_deref().unwrap_or_default()),
        swarm_role,
        swarm_id: info
            .and_then(|i| i.swarm.as_ref())
            .and_then(|s| s.cluster.as_ref())
            .and_then(|c| c.id.clone()),
    }
}

/// CPU % the way `docker stats` computes it: the container's share of the
/// host's CPU time between two samples, times the number of CPUs.
pub fn stats(s: &ContainerStatsResponse) -> Option<Stats> {
    let cpu = s.cpu_stats.as_ref()?;
    let pre = s.precpu_stats.as_ref();
    let total = cpu.cpu_usage.as_ref()?.total_usage?;
    let pre_total = pre
        .and_then(|p| p.cpu_usage.as_ref())
        .and_then(|u| u.total_usage)
        .unwrap_or(0);
    let system = cpu.system_cpu_usage.unwrap_or(0);
    let pre_system = pre.and_then(|p| p.system_cpu_usage).unwrap_or(0);
    let cpus = cpu
        .online_cpus
        .map(f64::from)
        .or_else(|| {
            cpu.cpu_usage
                .as_ref()
                .and_then(|u| u.percpu_usage.as_ref())
                .map(|v| v.len() as f64)
        })
        .unwrap_or(1.0);
    let mem = s.memory_stats.as_ref();
    // Like the CLI: page cache is not the container's working set.
    let cache = mem
        .and_then(|m| m.stats.as_ref())
        .and_then(|st| {
            st.get("inactive_file")
                .or_else(|| st.get("total_inactive_file"))
                .copied()
        })
        .unwrap_or(0);
    let usage = mem.and_then(|m| m.usage).unwrap_or(0);
    Some(Stats {
        cpu_percent: cpu_percent(total, pre_total, system, pre_system, cpus),
        memory_bytes: usage.saturating_sub(cache),
        memory_limit: mem.and_then(|m| m.limit).unwrap_or(0),
    })
}

pub fn cpu_percent(total: u64, pre_total: u64, system: u64, pre_system: u64, cpus: f64) -> f64 {
    let cpu_delta = total.saturating_sub(pre_total) as f64;
    let system_delta = system.saturating_sub(pre_system) as f64;
    if cpu_delta > 0.0 && system_delta > 0.0 {
        cpu_delta / system_delta * cpus * 100.0
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_masks_the_command_and_labels() {
        let s = ContainerSummary {
            command: Some("docker-entrypoint.sh mysqld --password=hunter2".into()),
            labels: Some(HashMap::from([("API_TOKEN".into(), "hunter2".into())])),
            ..Default::default()
        };
        let c = container("local", s, 0);
        assert_eq!(c.command, "docker-entrypoint.sh mysqld --password=********");
        assert_eq!(c.labels["API_TOKEN"], "********");
    }
}
