//! What the detail view of a host, a container or a volume shows, as plain
//! lines of text tagged with what they mean (a `Tone`), not how they look.
//! `update` scrolls by their count; the UI maps tones to theme styles.

use std::collections::BTreeMap;

pub use super::detail_text::{
    clock, clock_since, Detail, DetailColumn, DetailLine, Segment, Tone, LABEL_WIDTH, TWO_COLUMNS,
};
use super::detail_text::{field, line, seg, value};
use super::pictures;
use super::state::State;
use super::views::Target;
use crate::model::balancer::servers_pointing_at;
use crate::model::container::human_bytes;
use crate::model::probed::ensembles;
use crate::model::replication::replication_tree;
use crate::model::{
    cluster_of, detect_role, Container, ContainerState, Health, Host, HostState, Mount, MountKind,
    Role, SafeText, Volume,
};

pub fn state_tone(state: ContainerState) -> Tone {
    match state {
        ContainerState::Running => Tone::Ok,
        ContainerState::Exited | ContainerState::Dead => Tone::Bad,
        ContainerState::Paused | ContainerState::Restarting => Tone::Warn,
        _ => Tone::Value,
    }
}

pub fn health_tone(health: Health) -> Tone {
    match health {
        Health::Unhealthy => Tone::Bad,
        Health::Starting => Tone::Warn,
        Health::Healthy => Tone::Ok,
        Health::None => Tone::Value,
    }
}

/// Every message the status line said, newest first, each in full with
/// its time; its level's tone marks warnings and errors.
fn messages(state: &State) -> Detail {
    use super::msg::Level;
    let lines: Vec<DetailLine> = state
        .messages
        .iter()
        .rev()
        .map(|m| {
            let tone = match m.level {
                Level::Info => Tone::Value,
                Level::Ok => Tone::Ok,
                Level::Warn => Tone::Warn,
                Level::Error => Tone::Bad,
            };
            line(vec![
                seg(format!("{}  ", clock_since(m.at, state.now)), Tone::Muted),
                seg(m.text.clone(), tone),
            ])
        })
        .collect();
    let empty = lines.is_empty();
    Detail {
        title: format!("Messages · {} (newest first)", state.messages.len()),
        fields: if empty {
            vec![line(vec![seg("nothing said yet", Tone::Muted)])]
        } else {
            lines
        },
        sections: Vec::new(),
    }
}

/// The detail view of `target`, or a note that it is gone.
pub fn detail_lines(state: &State, target: &Target) -> Detail {
    let inv = &state.inventory;
    let found = match target {
        Target::Host(name) => inv.host(name).map(|h| host(h, state)),
        Target::Container { host, id } => inv
            .containers
            .get(&(host.clone(), id.clone()))
            .map(|c| container(c, state)),
        Target::Volume { host, name } => inv
            .volumes
            .get(&(host.clone(), name.clone()))
            .map(|v| volume(v, state)),
        Target::Job(id) => state
            .jobs
            .iter()
            .find(|j| j.id == *id)
            .map(|j| super::job_detail::job(j, state)),
        Target::Messages => Some(messages(state)),
        Target::SwarmService { host, id } => inv.host(host).and_then(|h| {
            let s = h.swarm_services.iter().find(|s| s.id == *id)?;
            Some(super::service_detail::service_detail(state, h, s))
        }),
    };
    found.unwrap_or_else(|| Detail {
        title: "Detail".into(),
        fields: vec![line(vec![seg(
            "it no longer exists (removed since the view opened)",
            Tone::Muted,
        )])],
        sections: Vec::new(),
    })
}

fn heading(title: &str) -> DetailLine {
    line(vec![seg(format!("{title}:"), Tone::Heading)])
}

fn or_dash(s: impl Into<String>) -> Segment {
    let s = s.into();
    if s.is_empty() {
        seg("-", Tone::Muted)
    } else {
        value(s)
    }
}

fn host(h: &Host, state: &State) -> Detail {
    let (running, total) = state.inventory.container_counts(&h.name);
    let mut fields = vec![
        field("url", value(&h.url)),
        field("source", value(&h.source)),
    ];
    // TLS is worth a line; the others show in the URL's scheme.
    match h.transport {
        "tls" => fields.push(field("TLS", seg("verified", Tone::Ok))),
        "tls (unverified)" => fields.push(field(
            "TLS",
            seg(
                "unverified: the engine's certificate is not checked",
                Tone::Warn,
            ),
        )),
        _ => {}
    }
    match &h.state {
        HostState::Up => fields.push(field("state", seg("up", Tone::Ok))),
        HostState::Connecting => fields.push(field("state", seg("connecting…", Tone::Muted))),
        HostState::Unreachable { since, error } => {
            let text = format!("unreachable since {}", clock_since(*since, state.now));
            fields.push(field("state", seg(text, Tone::Bad)));
            fields.push(field("error", seg(error, Tone::Bad)));
        }
    }
    match &h.engine {
        Some(e) => {
            fields.push(field("engine", value(&e.engine_version)));
            fields.push(field("API", value(&e.api_version)));
            fields.push(field("OS", or_dash(&e.os)));
            let role = e.swarm_role.as_deref().unwrap_or("not in a swarm");
            fields.push(field("swarm", value(role)));
        }
        None => fields.push(field("engine", seg("not known yet", Tone::Muted))),
    }
    fields.push(field(
        "containers",
        value(format!("{running} running of {total}")),
    ));
    let last = h
        .last_event
        .map_or_else(|| "none seen yet".to_string(), clock);
    fields.push(field("last event", value(last)));
    Detail {
        title: format!("Host — {}", h.name),
        fields,
        sections: Vec::new(),
    }
}

/// What it is and, once probed, what it does in its cluster (`mariadb,
/// replica`), as Nodes and the side panel say it.
fn role_text(c: &Container, state: &State) -> String {
    let kind = detect_role(c).as_str();
    let key = (c.host.clone(), c.id.clone());
    match state.probes.service_role(&key) {
        Some(role) if role != kind => format!("{kind}, {role}"),
        Some(_) | None => kind.to_string(),
    }
}

fn container(c: &Container, state: &State) -> Detail {
    let health = match c.health {
        Health::None => seg("no healthcheck", Tone::Muted),
        h => seg(h.as_str(), health_tone(h)),
    };
    let fields = vec![
        field("name", value(&c.name)),
        field("id", value(c.short_id())),
        field("host", value(&c.host)),
        field("image", value(&c.image)),
        field("command", or_dash(&c.command)),
        field("role", value(role_text(c, state))),
        field("cluster", value(cluster_of(c).label())),
        field("state", seg(c.state.as_str(), state_tone(c.state))),
        field("status", value(&c.status)),
        field("health", health),
        field("ports", or_dash(c.ports_short())),
    ];
    let mut fields = fields;
    fields.extend(usage(c, state));
    let mut sections = mounts(&c.mounts);
    sections.extend(replication(c, state));
    sections.extend(ensemble(c, state));
    sections.extend(balanced_by(c, state));
    sections.push(heading("Labels"));
    sections.extend(labels(&c.labels));
    Detail {
        title: format!("Container — {}", c.name),
        fields,
        sections,
    }
}

/// Samples a sparkline draws at most: the detail's value column at 80x24.
const SPARK_WIDTH: usize = 40;

/// CPU and memory now, and over the last samples as sparklines (only
/// while the container runs and is sampled).
fn usage(c: &Container, state: &State) -> Vec<DetailLine> {
    let key = (c.host.clone(), c.id.clone());
    let (Some(now), Some(history)) = (
        state.inventory.stats.get(&key),
        state.inventory.stats_history.get(&key),
    ) else {
        return Vec::new();
    };
    // One sample is a number, not a trend.
    let trend = |line: String| match history.len() {
        0 | 1 => String::new(),
        n => format!("  {line} (last {} samples)", n.min(SPARK_WIDTH)),
    };
    let memory = match now.memory_limit {
        0 => human_bytes(now.memory_bytes),
        limit => format!(
            "{} of {}",
            human_bytes(now.memory_bytes),
            human_bytes(limit)
        ),
    };
    vec![
        field(
            "cpu",
            value(format!(
                "{:.1}%{}",
                now.cpu_percent,
                trend(history.cpu_line(SPARK_WIDTH))
            )),
        ),
        field(
            "memory",
            value(format!(
                "{memory}{}",
                trend(history.memory_line(SPARK_WIDTH))
            )),
        ),
    ]
}

/// For a database: its cluster's replication tree, lag beside each replica.
fn replication(c: &Container, state: &State) -> Vec<DetailLine> {
    if !matches!(detect_role(c), Role::Mysql | Role::Mariadb) {
        return Vec::new();
    }
    let cluster = cluster_of(c);
    let tree = replication_tree(&state.inventory, &state.probes, &cluster);
    let me = (c.host.clone(), c.id.clone());
    let mut out = vec![heading(&format!("Replication — {}", cluster.label()))];
    out.extend(pictures::replication(
        &tree,
        &state.probes.history,
        Some(&me),
        pictures::Detail::Full,
    ));
    out
}

/// For a ZooKeeper member: its ensemble, who leads and who is down.
fn ensemble(c: &Container, state: &State) -> Vec<DetailLine> {
    // Unfiltered: the ZooKeeper pane's filter is no business of a detail.
    let ensembles = ensembles(&state.inventory, &state.probes);
    let me = (c.host.clone(), c.id.clone());
    let Some(e) = ensembles.iter().find(|e| {
        e.members
            .iter()
            .any(|m| m.host == c.host && m.container_id == c.id)
    }) else {
        return Vec::new();
    };
    let mut out = vec![heading("Ensemble")];
    out.extend(pictures::ensemble(e, Some(&me)));
    out
}

/// Balancer servers that point at this container.
fn balanced_by(c: &Container, state: &State) -> Vec<DetailLine> {
    let balancers = state.balancers();
    let key = (c.host.clone(), c.id.clone());
    let servers = servers_pointing_at(&balancers, &key);
    if servers.is_empty() {
        return Vec::new();
    }
    let mut out = vec![heading("Behind balancers")];
    for (b, s) in servers {
        let tone = if s.stat.status.is_serving() {
            Tone::Ok
        } else {
            Tone::Bad
        };
        out.push(line(vec![
            seg(
                format!("  {} {}/{} ", b.container, s.stat.proxy, s.stat.name),
                Tone::Value,
            ),
            seg(s.stat.status.label(), tone),
        ]));
    }
    out
}

/// Mounts grouped by kind: what is data (volumes), what comes from the
/// host's disk (binds), and what is gone on restart (tmpfs).
fn mounts(mounts: &[Mount]) -> Vec<DetailLine> {
    let groups = [
        (MountKind::Volume, "Volumes"),
        (MountKind::Bind, "Binds"),
        (MountKind::Tmpfs, "Tmpfs"),
        (MountKind::Other, "Other mounts"),
    ];
    let mut out = Vec::new();
    for (kind, title) in groups {
        let of_kind: Vec<&Mount> = mounts.iter().filter(|m| m.kind == kind).collect();
        if of_kind.is_empty() {
            continue;
        }
        out.push(heading(title));
        out.extend(of_kind.into_iter().map(mount_line));
    }
    if out.is_empty() {
        out.push(heading("Mounts"));
        out.push(line(vec![seg("  none", Tone::Muted)]));
    }
    out
}

/// `  data → /var/lib/mysql (rw)`; tmpfs has no source, so just the destination.
fn mount_line(m: &Mount) -> DetailLine {
    let source = m
        .name
        .as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or(&m.source);
    let mut segments = vec![value("  ")];
    if !source.is_empty() {
        segments.push(value(source));
        segments.push(seg(" → ", Tone::Muted));
    }
    segments.push(value(&m.destination));
    segments.push(if m.read_write {
        seg(" (rw)", Tone::Muted)
    } else {
        seg(" (ro)", Tone::Accent)
    });
    line(segments)
}

fn labels(labels: &BTreeMap<SafeText, SafeText>) -> Vec<DetailLine> {
    if labels.is_empty() {
        return vec![line(vec![seg("  none", Tone::Muted)])];
    }
    labels
        .iter()
        .map(|(k, v)| {
            line(vec![
                value("  "),
                seg(k, Tone::Label),
                value(format!("={v}")),
            ])
        })
        .collect()
}

fn volume(v: &Volume, state: &State) -> Detail {
    let size = v
        .size
        .map_or_else(|| seg("unknown", Tone::Muted), |s| value(human_bytes(s)));
    let fields = vec![
        field("host", value(&v.host)),
        field("name", value(&v.name)),
        field("driver", value(&v.driver)),
        field("size", size),
        field("mountpoint", value(&v.mountpoint)),
    ];
    let mut sections = vec![heading("Used by")];
    let users = state.inventory.volume_users(&v.host, &v.name);
    if users.is_empty() {
        sections.push(line(vec![seg("  no container", Tone::Muted)]));
    }
    for u in users {
        let word = if u.running {
            seg("running", Tone::Ok)
        } else {
            seg("stopped", Tone::Muted)
        };
        sections.push(line(vec![
            value(format!("  {}", u.container)),
            seg(" → ", Tone::Muted),
            value(u.destination),
            value(" ("),
            word,
            value(")"),
        ]));
    }
    sections.push(heading("Labels"));
    sections.extend(labels(&v.labels));
    Detail {
        title: format!("Volume — {}", v.name),
        fields,
        sections,
    }
}

#[cfg(test)]
#[path = "detail_tests.rs"]
mod tests;
