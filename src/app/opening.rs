//! Opening what shows a container or cluster: its logs, a cluster's
//! merged logs, a shell in it, its inspect output.

use super::msg::Effect;
use super::operations;
use super::rows::{NodeRow, ZkRow};
use super::state::{Level, Pane, State};
use super::views::{InspectView, LogView, MergedView, Overlay, Target};
use crate::model::cluster::members_where;

/// Open a following log view; its session number routes the lines to it.
pub(super) fn open_logs(state: &mut State, effects: &mut Vec<Effect>) {
    with_container(state, "show logs of", |state, host, id, name| {
        let session = state.next_session;
        state.next_session += 1;
        state.overlays.push(Overlay::Logs(Box::new(LogView {
            session,
            host: host.clone(),
            container: name,
            follow: true,
            ..Default::default()
        })));
        effects.push(Effect::OpenLogs { session, host, id });
    })
}

/// Hand the terminal to a shell in the container, if it runs.
pub(super) fn open_shell(state: &mut State, effects: &mut Vec<Effect>) {
    with_container(state, "open a shell in", |state, host, id, name| {
        let runs = state
            .inventory
            .containers
            .get(&(host.clone(), id.clone()))
            .is_some_and(|c| c.is_running());
        if runs {
            effects.push(Effect::OpenShell { host, id, name });
        } else {
            state.set_status(
                Level::Warn,
                format!("{name} does not run: start it (t) to open a shell in it"),
            );
        }
    })
}

/// Open a following view of every member's log of the selected cluster.
pub(super) fn open_cluster_logs(state: &mut State, effects: &mut Vec<Effect>) {
    let Some(cluster) = state.selected_cluster() else {
        state.set_status(
            Level::Warn,
            "select a cluster (or one of its members) for its logs",
        );
        return;
    };
    let members: Vec<(String, String, String)> =
        members_where(state.inventory.containers.values(), |k| *k == cluster)
            .into_iter()
            .map(|c| (c.host.clone(), c.id.clone(), c.name.to_string()))
            .collect();
    let mut hosts: Vec<String> = members.iter().map(|m| m.0.clone()).collect();
    hosts.sort();
    hosts.dedup();
    let session = state.next_session;
    state.next_session += 1;
    state.overlays.push(Overlay::Logs(Box::new(LogView {
        session,
        host: hosts.join(", "),
        container: cluster.label(),
        follow: true,
        merged: Some(MergedView::new(
            members.iter().map(|m| m.2.clone()).collect(),
        )),
        ..Default::default()
    })));
    effects.push(Effect::OpenClusterLogs { session, members });
}

/// Open the inspect view empty; the runtime fills it in when the engine answers.
pub(super) fn open_inspect(state: &mut State, effects: &mut Vec<Effect>) {
    with_container(state, "inspect", |state, host, id, name| {
        state.overlays.push(Overlay::Inspect(InspectView {
            host: host.clone(),
            id: id.clone(),
            name,
            ..Default::default()
        }));
        effects.push(Effect::Inspect { host, id });
    })
}

/// The container the user means: the detail view's, else the selected
/// row's on the Nodes pane.
pub(super) fn meant_container(state: &State) -> Option<crate::model::ContainerKey> {
    match state.overlays.last() {
        Some(Overlay::Detail {
            target: Target::Container { host, id },
            ..
        }) => Some((host.clone(), id.clone())),
        _ => match (state.pane, state.selected_node()) {
            (Pane::Nodes, Some(NodeRow::Container { host, id })) => Some((host, id)),
            _ => None,
        },
    }
}

/// Run `f` on the container the user means (host, id, name), else say
/// that one must be selected to `verb` it.
pub(super) fn with_container(
    state: &mut State,
    verb: &str,
    f: impl FnOnce(&mut State, String, String, String),
) {
    let found = meant_container(state).and_then(|key| {
        state
            .inventory
            .containers
            .get(&key)
            .map(|c| (key, c.name.to_string()))
    });
    match found {
        Some(((host, id), name)) => f(state, host, id, name),
        None => state.set_status(Level::Warn, format!("select a container to {verb}")),
    }
}

/// Enter on a table: the selection's details (a balancer server jumps to
/// its node; a timeline entry to its container).
pub(super) fn open_detail(state: &mut State) {
    let target = match state.pane {
        Pane::Nodes => match state.selected_node() {
            Some(NodeRow::Host(host)) => Some(Target::Host(host)),
            Some(NodeRow::Container { host, id }) => Some(Target::Container { host, id }),
            Some(NodeRow::Cluster { .. }) => return no_details(state, MEMBERS_HAVE_THEM),
            Some(NodeRow::SwarmNode { .. }) => {
                return no_details(state, "a swarm node's row has no details of its own")
            }
            None => None,
        },
        Pane::Volumes => state
            .selected_volume()
            .map(|(host, name)| Target::Volume { host, name }),
        Pane::Zookeeper => match state.zookeeper_rows().get(state.zookeeper.selected) {
            Some(ZkRow::Member { host, id, .. }) => Some(Target::Container {
                host: host.clone(),
                id: id.clone(),
            }),
            Some(ZkRow::Ensemble(_)) => return no_details(state, MEMBERS_HAVE_THEM),
            None => None,
        },
        Pane::Balancer => {
            operations::jump_to_server_node(state);
            None
        }
        Pane::Jobs => state
            .jobs
            .get(state.jobs_view.selected)
            .map(|j| Target::Job(j.id)),
        Pane::Timeline => return super::timeline::open(state),
        Pane::Services => match state.selected_service_row() {
            Some(super::service_rows::ServiceRow::Swarm { host }) => Some(Target::Host(host)),
            Some(super::service_rows::ServiceRow::Service { host, id }) => {
                Some(Target::SwarmService { host, id })
            }
            Some(super::service_rows::ServiceRow::Task {
                host, service_id, ..
            }) => Some(Target::SwarmService {
                host,
                id: service_id,
            }),
            None => None,
        },
    };
    if let Some(target) = target {
        state.overlays.push(Overlay::detail(target));
    }
}

/// A cluster's or an ensemble's row: its members' rows have details.
const MEMBERS_HAVE_THEM: &str = "this row has no details of its own: Enter on one of its members";

/// Enter on a row that has no details of its own says so (and where
/// there are some), rather than nothing at all.
fn no_details(state: &mut State, text: &str) {
    state.set_status(Level::Info, text);
}
