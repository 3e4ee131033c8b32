//! `c` copies what is selected (a name, an id, an address, a log line, or
//! the marked containers' names) and `C` a diagnostics block of the
//! selected container for a ticket. The text is built here from what the
//! state holds (every piece of it already sanitized); the runtime adds the
//! last log lines to a diagnostics block and hands the text to the
//! terminal's clipboard (OSC 52).

use crate::model::cluster::{cluster_of, detect_role};
use crate::model::{Container, ContainerKey};

use super::msg::Effect;
use super::rows::{BalancerRow, NodeRow, ZkRow};
use super::state::{Level, Pane, State};
use super::views::{Overlay, Target};

/// What `c` copies where the user is, and what to call it in the status
/// line; None when nothing copyable is selected.
fn selection_text(state: &State) -> Option<(String, String)> {
    match state.top_overlay() {
        Some(Overlay::Logs(view)) => view.copy_text(),
        Some(Overlay::Detail {
            target: Target::Container { host, id },
            ..
        }) => {
            let c = state
                .inventory
                .containers
                .get(&(host.clone(), id.clone()))?;
            Some((format!("the id of {}", c.name), c.id.clone()))
        }
        Some(Overlay::Detail {
            target: Target::Volume { name, .. },
            ..
        }) => Some(("the volume's name".into(), name.clone())),
        Some(Overlay::Detail {
            target: Target::Host(name),
            ..
        }) => host_url(state, name),
        Some(Overlay::Detail {
            target: Target::Job(id),
            ..
        }) => {
            let j = state.jobs.iter().find(|j| j.id == *id)?;
            let of = j.plan.steps.len();
            let outcome = j.outcome.as_ref().map_or("running".into(), |o| o.text(of));
            let text = format!(
                "job {} {} {}: {outcome}",
                j.id, j.plan.action, j.plan.target
            );
            Some(("the job's outcome".into(), text))
        }
        Some(Overlay::Detail {
            target: Target::Messages,
            ..
        }) => {
            let text: Vec<String> = state
                .messages
                .iter()
                .map(|m| format!("{} {}", m.at, m.text))
                .collect();
            Some(("the messages".into(), text.join("\n")))
        }
        Some(_) => None,
        None => table_selection(state),
    }
}

fn host_url(state: &State, name: &str) -> Option<(String, String)> {
    let host = state.inventory.host(name)?;
    Some((format!("the address of {name}"), host.url.clone()))
}

use super::service_rows::ServiceRow;

fn table_selection(state: &State) -> Option<(String, String)> {
    match state.pane {
        Pane::Nodes if !state.marks.is_empty() => {
            let names: Vec<String> = state
                .marks
                .keys
                .iter()
                .filter_map(|k| state.inventory.containers.get(k))
                .map(|c| c.name.to_string())
                .collect();
            Some((format!("{} marked names", names.len()), names.join("\n")))
        }
        Pane::Nodes => match state.selected_node()? {
            NodeRow::Container { host, id } => {
                let c = state.inventory.containers.get(&(host, id))?;
                Some(("the name".into(), c.name.to_string()))
            }
            NodeRow::Host(name) => host_url(state, &name),
            NodeRow::Cluster { cluster, .. } => Some(("the cluster's name".into(), cluster.name)),
            NodeRow::SwarmNode { id, .. } => Some(("the node's id".into(), id)),
        },
        Pane::Volumes => {
            let (_, name) = state.selected_volume()?;
            Some(("the volume's name".into(), name))
        }
        Pane::Zookeeper => match state.zookeeper_rows().get(state.zookeeper.selected)? {
            ZkRow::Ensemble(name) => Some(("the ensemble's name".into(), name.clone())),
            ZkRow::Member { host, id, .. } => {
                let c = state
                    .inventory
                    .containers
                    .get(&(host.clone(), id.clone()))?;
                Some(("the name".into(), c.name.to_string()))
            }
        },
        Pane::Balancer => balancer_selection(state),
        Pane::Timeline => {
            let e = state.timeline.shown(state.timeline_view.selected)?;
            Some(("the entry".into(), crate::model::timeline::line(e)))
        }
        Pane::Services => match state.selected_service_row()? {
            ServiceRow::Swarm { host } => host_url(state, &host),
            row => Some(("the name".into(), state.service_row_label(&row))),
        },
        Pane::Jobs => {
            let job = state.jobs.get(state.jobs_view.selected)?;
            Some((
                "the job".into(),
                format!("{} {}", job.plan.action, job.plan.target),
            ))
        }
    }
}

/// A server's address, else the name of what is selected.
fn balancer_selection(state: &State) -> Option<(String, String)> {
    let row = state.balancer_rows().get(state.balancer.selected)?.clone();
    match row {
        BalancerRow::Server {
            balancer,
            backend,
            name,
        } => {
            let all = state.balancers();
            let server = all
                .iter()
                .filter(|b| b.container_id == balancer)
                .flat_map(|b| &b.backends)
                .filter(|be| be.stat.proxy == backend)
                .flat_map(|be| &be.servers)
                .find(|s| s.stat.name == name)?;
            Some((
                format!("the address of {backend}/{name}"),
                server.stat.address.to_string(),
            ))
        }
        BalancerRow::Balancer { host, id } => {
            let c = state.inventory.containers.get(&(host, id))?;
            Some(("the name".into(), c.name.to_string()))
        }
        BalancerRow::Frontend { name, .. } | BalancerRow::Backend { name, .. } => {
            Some(("the name".into(), name))
        }
    }
}

/// `c`: copy the selection, or say there is nothing to copy.
pub(super) fn copy(state: &mut State, effects: &mut Vec<Effect>) {
    match selection_text(state) {
        Some((what, text)) => effects.push(Effect::Copy { what, text }),
        None => state.set_status(Level::Warn, "nothing here to copy"),
    }
}

/// `C`: a diagnostics block of the selected container (the runtime adds
/// its last log lines before copying).
pub(super) fn copy_diagnostics(state: &mut State, effects: &mut Vec<Effect>) {
    let key = match (state.detail_container(), state.selected_node()) {
        (Some(c), _) => (c.host.clone(), c.id.clone()),
        (None, Some(NodeRow::Container { host, id })) if state.pane == Pane::Nodes => (host, id),
        _ => {
            state.set_status(Level::Warn, "select a container for its diagnostics");
            return;
        }
    };
    let Some(c) = state.inventory.containers.get(&key) else {
        return;
    };
    effects.push(Effect::CopyDiagnostics {
        host: key.0.clone(),
        id: key.1.clone(),
        text: diagnostics(state, &key, c),
    });
}

/// The container's summary and its cluster's members, as plain text.
pub fn diagnostics(state: &State, key: &ContainerKey, c: &Container) -> String {
    let mut out = vec![
        format!("container {} ({}) on host {}", c.name, c.short_id(), c.host),
        format!("image: {}", c.image),
        format!("state: {} — {}", c.state.as_str(), c.status),
    ];
    if !c.health.as_str().is_empty() {
        out.push(format!("health: {}", c.health.as_str()));
    }
    if !c.ports.is_empty() {
        out.push(format!("ports: {}", c.ports_short()));
    }
    for m in &c.mounts {
        let name = m.name.as_ref().map_or(m.source.as_str(), |n| n.as_str());
        out.push(format!(
            "mount: {} {name} -> {}",
            m.kind.as_str(),
            m.destination
        ));
    }
    if let Some(stats) = state.inventory.stats.get(key) {
        out.push(format!(
            "cpu {:.1}% · memory {}",
            stats.cpu_percent,
            crate::model::container::human_bytes(stats.memory_bytes)
        ));
    }
    let cluster = cluster_of(c);
    out.push(format!("cluster: {}", cluster.label()));
    let mut members: Vec<&Container> = state
        .inventory
        .containers
        .values()
        .filter(|m| cluster_of(m) == cluster)
        .collect();
    members.sort_by(|a, b| (&a.name, &a.host).cmp(&(&b.name, &b.host)));
    for m in members {
        out.push(format!(
            "  {} on {}: {} {}{}",
            m.name,
            m.host,
            detect_role(m).as_str(),
            m.state.as_str(),
            member_role(state, m)
        ));
    }
    out.join("\n")
}

/// What the probes say a member is: a ZooKeeper mode, a database role.
fn member_role(state: &State, m: &Container) -> String {
    let key = (m.host.clone(), m.id.clone());
    state
        .probes
        .service_role(&key)
        .map(|role| format!(" ({role})"))
        .unwrap_or_default()
}
