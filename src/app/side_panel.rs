//! What the side panel of a wide screen says about the selected row, as
//! tagged lines like a detail view's: a container's state, health, role
//! and its CPU, memory and lag over time, with its ensemble or replication
//! picture; a host's engine; on the ZooKeeper pane the ensemble's
//! picture. (The Balancer pane has none: its rows need the width, and
//! each server's sessions over time are a column of its own.)

use super::detail::{detail_lines, health_tone, state_tone};
use super::detail_text::{field, line, seg, value, DetailLine, Tone, LABEL_WIDTH};
use super::pictures;
use super::rows::{NodeRow, ZkRow};
use super::state::State;
use super::views::Target;
use crate::model::container::human_bytes;
use crate::model::ensemble::Ensemble;
use crate::model::inventory::ContainerKey;
use crate::model::replication::replication_tree;
use crate::model::{cluster_of, detect_role, ClusterKey, Container, Health, Role};

/// A panel's title and its lines, top first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panel {
    pub title: String,
    pub lines: Vec<DetailLine>,
}

/// Room a figure takes before its sparkline (`  12.3%`, `  1.2 GiB`).
const FIGURE: usize = 11;

/// The panel for the selected Nodes row, `width` cells of text wide.
pub fn nodes(state: &State, row: &NodeRow, width: usize) -> Option<Panel> {
    match row {
        NodeRow::Host(name) => {
            let d = detail_lines(state, &Target::Host(name.clone()));
            Some(Panel {
                title: d.title,
                lines: d.fields,
            })
        }
        NodeRow::Container { host, id } => {
            let c = state
                .inventory
                .containers
                .get(&(host.clone(), id.clone()))?;
            Some(container(state, c, width))
        }
        NodeRow::Cluster { cluster, .. } => {
            let lines = picture(state, cluster, None);
            (!lines.is_empty()).then(|| Panel {
                title: cluster.label(),
                lines,
            })
        }
        NodeRow::SwarmNode { .. } => None,
    }
}

fn container(state: &State, c: &Container, width: usize) -> Panel {
    let key = (c.host.clone(), c.id.clone());
    let spark = width.saturating_sub(LABEL_WIDTH + FIGURE).max(1);
    let role = state
        .probes
        .service_role(&key)
        .unwrap_or(detect_role(c).as_str());
    let health = match c.health {
        Health::None => seg("no healthcheck", Tone::Muted),
        h => seg(h.as_str(), health_tone(h)),
    };
    let mut lines = vec![
        field("state", seg(c.state.as_str(), state_tone(c.state))),
        field("health", health),
        field("role", value(role)),
    ];
    let inv = &state.inventory;
    if let (Some(now), Some(h)) = (inv.stats.get(&key), inv.stats_history.get(&key)) {
        let trend = |line: String| if h.len() > 1 { line } else { String::new() };
        let cpu = format!("{:<FIGURE$}", format!("{:.1}%", now.cpu_percent));
        lines.push(field(
            "cpu",
            value(format!("{cpu}{}", trend(h.cpu_line(spark)))),
        ));
        let mem = format!("{:<FIGURE$}", human_bytes(now.memory_bytes));
        lines.push(field(
            "memory",
            value(format!("{mem}{}", trend(h.memory_line(spark)))),
        ));
    }
    let history = &state.probes.history;
    if let Some(series) = history.lag(&key).filter(|s| s.len() > 1) {
        let now = series
            .last()
            .map_or_else(|| "-".to_string(), |s| format!("{s}s"));
        let trend = history.lag_line(&key, spark).unwrap_or_default();
        lines.push(field("lag", value(format!("{:<FIGURE$}{trend}", now))));
    }
    // Only a member's: a web server of the cluster has no place in its tree.
    let member = matches!(
        detect_role(c),
        Role::Zookeeper | Role::Mysql | Role::Mariadb
    );
    let picture = match member {
        true => picture(state, &cluster_of(c), Some(&key)),
        false => Vec::new(),
    };
    if !picture.is_empty() {
        lines.push(DetailLine::default());
        lines.extend(picture);
    }
    Panel {
        title: c.name.to_string(),
        lines,
    }
}

/// The ensemble or replication tree `cluster` forms, if it is one.
fn picture(state: &State, cluster: &ClusterKey, me: Option<&ContainerKey>) -> Vec<DetailLine> {
    let inv = &state.inventory;
    let in_cluster = |role: &[Role]| {
        inv.containers
            .iter()
            .filter(|(_, c)| role.contains(&detect_role(c)) && cluster_of(c) == *cluster)
            .map(|(k, _)| k.clone())
            .collect::<Vec<_>>()
    };
    let zookeepers = in_cluster(&[Role::Zookeeper]);
    if !zookeepers.is_empty() {
        let pick = me.filter(|k| zookeepers.contains(k)).or(zookeepers.first());
        return pick
            .and_then(|k| ensemble_of(state, k))
            .map(|e| pictures::ensemble(&e, me))
            .unwrap_or_default();
    }
    if in_cluster(&[Role::Mysql, Role::Mariadb]).is_empty() {
        return Vec::new();
    }
    let tree = replication_tree(inv, &state.probes, cluster);
    let mut out = vec![line(vec![seg("Replication", Tone::Heading)])];
    out.extend(pictures::replication(
        &tree,
        &state.probes.history,
        me,
        pictures::Detail::Compact,
    ));
    out
}

/// The ensemble the member `key` belongs to (unfiltered).
fn ensemble_of(state: &State, key: &ContainerKey) -> Option<Ensemble> {
    crate::model::probed::ensembles(&state.inventory, &state.probes)
        .into_iter()
        .find(|e| {
            e.members
                .iter()
                .any(|m| m.host == key.0 && m.container_id == key.1)
        })
}

/// The ZooKeeper pane's panel: the selected ensemble's picture, the
/// selected member marked.
pub fn zookeeper(state: &State, row: &ZkRow) -> Option<Panel> {
    let (name, me) = match row {
        ZkRow::Ensemble(name) => (name, None),
        ZkRow::Member { ensemble, host, id } => (ensemble, Some((host.clone(), id.clone()))),
    };
    let e = state.ensembles().into_iter().find(|e| e.name == *name)?;
    Some(Panel {
        title: format!("Ensemble — {name}"),
        lines: pictures::ensemble(&e, me.as_ref()),
    })
}

#[cfg(test)]
#[path = "side_panel_tests.rs"]
mod tests;
