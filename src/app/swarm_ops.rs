//! Swarm operations from the panes: a service scaled from the Services
//! pane (through the manager that lists it), a node promoted or demoted,
//! and the guard a drain asks first. Each builds its plan and puts it up
//! for confirmation; the steps ask the manager again right before acting.

use super::confirm::PlanQuestion;
use super::operations::{number_input, Typed};
use super::rows::NodeRow;
use super::service_rows::ServiceRow;
use super::state::{Level, State};
use super::views::{Overlay, Prompt, PromptFor};
use crate::model::cluster::role_from_image;
use crate::model::swarm_guard::SwarmView;
use crate::model::swarm_service::{ManagerQuorum, SwarmService};
use crate::model::swarm_sources::swarm_service_named;
use crate::model::Host;
use crate::ops::error::PlanError;
use crate::ops::plan::{node_availability_plan, node_role_plan, NodeRole};
use crate::ops::scale::swarm_scale_plan;

fn view(host: &Host) -> SwarmView<'_> {
    SwarmView {
        nodes: &host.swarm_nodes,
        services: &host.swarm_services,
        tasks: &host.swarm_tasks,
    }
}

/// The manager and the service of the selected Services row (a task's
/// row stands for its service).
fn selected_swarm_service(state: &mut State) -> Option<(String, SwarmService)> {
    let (host, id) = match state.selected_service_row() {
        Some(ServiceRow::Service { host, id }) => (host, id),
        Some(ServiceRow::Task {
            host, service_id, ..
        }) => (host, service_id),
        Some(ServiceRow::Swarm { .. }) | None => {
            state.set_status(Level::Warn, "select a service (or one of its tasks)");
            return None;
        }
    };
    let service = swarm_service(state, &host, &id)?;
    Some((host, service))
}

fn swarm_service(state: &State, host: &str, id: &str) -> Option<SwarmService> {
    state
        .inventory
        .host(host)?
        .swarm_services
        .iter()
        .find(|s| s.id == id)
        .cloned()
}

/// A swarm service by name, as a manager that answers for its swarm
/// lists it: a task's container on a worker is scaled through it.
pub(super) fn through_manager(state: &State, name: &str) -> Option<(String, SwarmService)> {
    swarm_service_named(&state.inventory, name, None).map(|(h, s)| (h.name.clone(), s.clone()))
}

/// A task's replica on the Nodes pane: its service through a manager.
pub(super) fn scale_task_by(state: &mut State, host: &str, service: &SwarmService, delta: i64) {
    confirm_scale(state, host, service, service.desired as i64 + delta);
}

/// `s` on a task's replica: the swarm service's count, through a manager.
pub(super) fn open_task_prompt(state: &mut State, host: String, service: SwarmService) {
    state.overlays.push(Overlay::Prompt(Prompt {
        title: "Scale".into(),
        question: format!(
            "Scale swarm service {} (wants {} now) to how many replicas?",
            service.name.as_str(),
            service.desired
        ),
        input: number_input(),
        about: PromptFor::ScaleSwarm {
            host,
            id: service.id,
        },
    }));
}

/// `+` / `-` on the Services pane: one replica more or fewer than the
/// service wants now.
pub(super) fn scale_by(state: &mut State, delta: i64) {
    if let Some((host, service)) = selected_swarm_service(state) {
        confirm_scale(state, &host, &service, service.desired as i64 + delta);
    }
}

/// `s` on the Services pane: ask for the count.
pub(super) fn open_prompt(state: &mut State) {
    if let Some((host, service)) = selected_swarm_service(state) {
        open_task_prompt(state, host, service);
    }
}

/// The count typed for a swarm service.
pub(super) fn scale_typed(state: &mut State, host: &str, id: &str, want: i64) -> Typed {
    match swarm_service(state, host, id) {
        Some(service) => confirm_scale(state, host, &service, want),
        None => {
            state.set_status(Level::Warn, "that service is gone");
            Typed::Done
        }
    }
}

fn confirm_scale(state: &mut State, host: &str, service: &SwarmService, want: i64) -> Typed {
    let name = service.name.as_str();
    if !service.mode.is_scalable() {
        state.set_status(
            Level::Warn,
            format!(
                "{name} is a {} service: the swarm runs its tasks by node or by job, \
                 not by a replica count",
                service.mode.word()
            ),
        );
        return Typed::Refused;
    }
    let role = role_from_image(service.image.as_str());
    match swarm_scale_plan(host, name, role, service.desired, want) {
        Err(e) => {
            state.plan_refused(e);
            Typed::Refused
        }
        Ok(plan) => {
            let question = format!(
                "Scale swarm service {name} from {} to {want} replicas, through manager {host}?",
                service.desired
            );
            PlanQuestion::new("Scale service", question, plan).ask(state);
            Typed::Done
        }
    }
}

/// Why draining `node` through manager `host` is refused, by what the
/// manager listed last (the step asks again right before it drains).
pub(super) fn drain_refusal(state: &State, host: &str, node: &str) -> Option<PlanError> {
    let manager = state.inventory.host(host)?;
    let costs = match view(manager).drain_cost(node) {
        Ok(costs) => costs,
        Err(e) => return Some(PlanError::Refused(e.to_string())),
    };
    (!costs.is_empty()).then(|| {
        let said: Vec<String> = costs.iter().map(ToString::to_string).collect();
        PlanError::Refused(said.join("; "))
    })
}

/// d / a on a swarm node row: drain it or make it active, through the
/// manager that lists it.
pub(super) fn node_availability(state: &mut State, availability: &str) {
    let Some(NodeRow::SwarmNode { host, id }) = state.selected_node() else {
        state.set_status(Level::Warn, "select a swarm node (a ◆ row under a manager)");
        return;
    };
    let Some(node) = state
        .inventory
        .host(&host)
        .and_then(|h| h.swarm_nodes.iter().find(|n| n.id == id))
        .cloned()
    else {
        return;
    };
    if availability == "drain" {
        if let Some(refused) = drain_refusal(state, &host, &node.hostname) {
            return state.plan_refused(refused);
        }
    }
    match node_availability_plan(&host, &node.hostname, availability) {
        Err(e) => state.plan_refused(e),
        Ok(plan) => {
            let what = if availability == "drain" {
                "Drain swarm node {} (its tasks move to other nodes)"
            } else {
                "Make swarm node {} active (it takes tasks again)"
            };
            let question = format!(
                "{}, through manager {host}?",
                what.replace("{}", &node.hostname)
            );
            PlanQuestion::new("Swarm node", question, plan).ask(state);
        }
    }
}

/// `m` / `W` on a swarm node row: make it a manager or a worker, if the
/// managers keep their raft quorum.
pub(super) fn node_role(state: &mut State, role: NodeRole) {
    let Some(NodeRow::SwarmNode { host, id }) = state.selected_node() else {
        state.set_status(Level::Warn, "select a swarm node (a ◆ row under a manager)");
        return;
    };
    let Some(manager) = state.inventory.host(&host) else {
        return;
    };
    let Some(node) = manager.swarm_nodes.iter().find(|n| n.id == id).cloned() else {
        return;
    };
    let quorum = ManagerQuorum::of(&manager.swarm_nodes);
    let to_manager = role == NodeRole::Manager;
    if node.is_manager() == to_manager {
        let is = role.as_str();
        state.set_status(Level::Info, format!("{} is a {is} already", node.hostname));
        return;
    }
    if let Err(e) = view(manager).role_change_cost(&node.hostname, to_manager) {
        state.plan_refused(PlanError::Refused(e.to_string()));
        return;
    }
    let plan = node_role_plan(&host, &node.hostname, role);
    let question = format!(
        "Make swarm node {} a {}, through manager {host}?",
        node.hostname,
        role.as_str()
    );
    let now = format!(
        "Managers now: {} ({} reachable); {} may be lost before the swarm stops taking changes.",
        quorum.managers,
        quorum.reachable,
        quorum.spare()
    );
    PlanQuestion::new("Swarm node role", question, plan)
        .after(Some(now))
        .ask(state);
}
