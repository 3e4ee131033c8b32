//! Marks on the Nodes pane: the containers a lifecycle action acts on when
//! any are marked (else the selected one). Space marks one, a range mark
//! everything between the last mark and the selection, a role mark every
//! member of the selected one's cluster in the same role ("all
//! followers", "all replicas").

use crate::model::cluster::{cluster_of, detect_role};
use crate::model::{Container, ContainerKey};

pub use super::mark_set::Marks;
use super::rows::NodeRow;
use super::state::{Level, State};

fn selected_container(state: &State) -> Option<ContainerKey> {
    match state.selected_node()? {
        NodeRow::Container { host, id } => Some((host, id)),
        NodeRow::Host(_) | NodeRow::Cluster { .. } | NodeRow::SwarmNode { .. } => None,
    }
}

/// Space: mark the selected container (or unmark it), then move down so
/// the next Space marks the next row.
pub(super) fn toggle(state: &mut State) {
    let Some(key) = selected_container(state) else {
        state.set_status(Level::Warn, "only containers can be marked");
        return;
    };
    if state.marks.keys.remove(&key) {
        state.marks.anchor = None;
    } else {
        state.marks.keys.insert(key.clone());
        state.marks.anchor = Some(key);
    }
    let last = state.node_rows().len().saturating_sub(1);
    state.nodes.selected = (state.nodes.selected + 1).min(last);
    say_count(state);
}

/// Mark every container between the last mark and the selected row.
pub(super) fn range(state: &mut State) {
    let rows = state.node_rows();
    let here = state.nodes.selected;
    let anchor = state.marks.anchor.as_ref().and_then(|a| {
        rows.iter().position(
            |r| matches!(r, NodeRow::Container { host, id } if (host, id) == (&a.0, &a.1)),
        )
    });
    let Some(from) = anchor else {
        state.set_status(
            Level::Warn,
            "mark a container first (Space): a range runs from the last mark to here",
        );
        return;
    };
    let (lo, hi) = (from.min(here), from.max(here));
    for row in &rows[lo..=hi.min(rows.len().saturating_sub(1))] {
        if let NodeRow::Container { host, id } = row {
            state.marks.keys.insert((host.clone(), id.clone()));
        }
    }
    say_count(state);
}

/// What a member is within its cluster, for marks by role: what the probes
/// say (a ZooKeeper mode, a database role), else its detected role.
fn role_in_cluster(state: &State, key: &ContainerKey, c: &Container) -> &'static str {
    state
        .probes
        .service_role(key)
        .unwrap_or_else(|| detect_role(c).as_str())
}

/// Mark every member of the selected container's cluster that has its role.
/// A member the probes have not answered for yet has no role to compare
/// when the selected one's came from a probe: it is named as left out,
/// first on the status line, so a "mark every follower" never silently
/// marks fewer than there are.
pub(super) fn by_role(state: &mut State) {
    let Some(key) = selected_container(state) else {
        state.set_status(
            Level::Warn,
            "select a member of a cluster: its role picks the members to mark",
        );
        return;
    };
    let Some(c) = state.inventory.containers.get(&key) else {
        return;
    };
    let cluster = cluster_of(c);
    let role = role_in_cluster(state, &key, c);
    let probed = state.probes.service_role(&key).is_some();
    let members: Vec<(&ContainerKey, &Container)> = state
        .inventory
        .containers
        .iter()
        .filter(|(_, m)| cluster_of(m) == cluster)
        .collect();
    let same: Vec<(ContainerKey, String)> = members
        .iter()
        .filter(|(k, m)| role_in_cluster(state, k, m) == role)
        .map(|(k, m)| ((*k).clone(), m.name.to_string()))
        .collect();
    let unknown: Vec<&str> = members
        .iter()
        .filter(|(k, m)| {
            probed
                && m.is_running()
                && detect_role(m) == detect_role(c)
                && state.probes.service_role(k).is_none()
        })
        .map(|(_, m)| m.name.as_str())
        .collect();
    let names: Vec<&str> = same.iter().map(|(_, n)| n.as_str()).collect();
    let in_all = state.marks.len()
        + same
            .iter()
            .filter(|(k, _)| !state.marks.contains(k))
            .count();
    let marked = format!(
        "marked every {role} of {}: {} ({in_all} marked in all)",
        cluster.label(),
        names.join(", "),
    );
    state.marks.keys.extend(same.into_iter().map(|(k, _)| k));
    if unknown.is_empty() {
        state.set_status(Level::Info, marked);
    } else {
        let text = format!(
            "not probed yet, so not marked: {}; {marked}",
            unknown.join(", ")
        );
        state.set_status(Level::Warn, text);
    }
}

pub(super) fn clear(state: &mut State) {
    let n = state.marks.len();
    state.marks = Marks::default();
    state.set_status(Level::Info, format!("{n} mark(s) cleared"));
}

fn say_count(state: &mut State) {
    let n = state.marks.len();
    state.set_status(
        Level::Info,
        format!("{n} marked: actions act on every marked container (M clears)"),
    );
}

/// What a container action acts on: the container whose details are
/// open, else every marked container, else the selected one.
pub(super) fn targets(state: &State) -> Vec<ContainerKey> {
    if let Some(c) = state.detail_container() {
        return vec![(c.host.clone(), c.id.clone())];
    }
    if !state.marks.is_empty() {
        return state.marks.keys.iter().cloned().collect();
    }
    selected_container(state).into_iter().collect()
}
