//! Scaling from the Nodes pane: `+` and `-` by one, `s` to a typed count;
//! each builds the scale plan and puts it up for confirmation. The typed
//! prompt also asks a balancer server's weight (`w`).

use crossterm::event::KeyEvent;

use super::confirm::PlanQuestion;
use super::operations::{number_input, Typed};
use super::rows::NodeRow;
use super::state::{Level, Pane, State};
use super::views::{Overlay, Prompt, PromptFor};
use crate::model::probed::balancers;
use crate::model::service::{service_of, Service, ServiceKind};
use crate::model::ContainerKey;
use crate::ops::scale::{backend_links, scale_plan};

fn selected_service(state: &mut State) -> Option<(ContainerKey, Service)> {
    let key = match state.selected_node() {
        Some(NodeRow::Container { host, id }) => (host, id),
        _ => {
            state.set_status(Level::Warn, "select a replica of the service to scale");
            return None;
        }
    };
    match service_of(&state.inventory, &key) {
        Some(svc) => Some((key, svc)),
        None => {
            state.set_status(
                Level::Warn,
                "not part of a compose or swarm service: nothing to scale it by",
            );
            None
        }
    }
}

/// A swarm task's service as a manager lists it: its count is the
/// service's, not the tasks this host happens to run, and only a manager
/// can change it.
fn swarm_of(
    state: &State,
    svc: &Service,
) -> Option<(String, crate::model::swarm_service::SwarmService)> {
    match &svc.kind {
        ServiceKind::Swarm { service } => super::swarm_ops::through_manager(state, service),
        ServiceKind::Compose { .. } | ServiceKind::Cluster { .. } => None,
    }
}

/// `+` / `-`: one replica more or fewer.
pub(super) fn scale_by(state: &mut State, delta: i64) {
    if state.pane == Pane::Services {
        return super::swarm_ops::scale_by(state, delta);
    }
    if let Some((_, svc)) = selected_service(state) {
        if let Some((manager, service)) = swarm_of(state, &svc) {
            return super::swarm_ops::scale_task_by(state, &manager, &service, delta);
        }
        confirm_scale(state, &svc, svc.replicas.len() as i64 + delta);
    }
}

/// `s`: ask for the count.
pub(super) fn open_prompt(state: &mut State) {
    if state.pane == Pane::Services {
        return super::swarm_ops::open_prompt(state);
    }
    if let Some((key, svc)) = selected_service(state) {
        if let Some((manager, service)) = swarm_of(state, &svc) {
            return super::swarm_ops::open_task_prompt(state, manager, service);
        }
        state.overlays.push(Overlay::Prompt(Prompt {
            title: "Scale".into(),
            question: format!(
                "Scale {} on {} (now {} replicas) to how many?",
                svc.label(),
                svc.host,
                svc.replicas.len()
            ),
            input: number_input(),
            about: PromptFor::Scale(key),
        }));
    }
}

/// Keys while the count (or the weight) is typed.
pub(super) fn on_prompt_key(state: &mut State, key: KeyEvent) {
    if super::prompt_edit::submitted(state, &key, "cancelled: nothing was changed") {
        submit(state);
    }
}

/// Enter: the number typed goes to its confirmation.
fn submit(state: &mut State) {
    let Some(Overlay::Prompt(prompt)) = state.overlays.pop() else {
        return;
    };
    let typed = match prompt.input.text().parse::<i64>() {
        Err(_) => {
            state.set_status(Level::Warn, "type a number");
            Typed::Refused
        }
        Ok(number) => match &prompt.about {
            PromptFor::Scale(key) => match service_of(&state.inventory, key) {
                Some(svc) => confirm_scale(state, &svc, number),
                None => {
                    state.set_status(Level::Warn, "that service is gone");
                    Typed::Done
                }
            },
            PromptFor::ScaleSwarm { host, id } => {
                let (host, id) = (host.clone(), id.clone());
                super::swarm_ops::scale_typed(state, &host, &id, number)
            }
            PromptFor::Weight {
                balancer_id,
                backend,
                server,
            } => super::operations::confirm_weight(state, balancer_id, backend, server, number),
            // Typed as text: src/app/repl_account.rs.
            // Typed as text: src/app/repl_account.rs, src/app/rolling_update.rs.
            PromptFor::ReplUser { .. }
            | PromptFor::ReplPassword { .. }
            | PromptFor::UpdateImage { .. } => Typed::Done,
        },
    };
    if typed == Typed::Refused {
        state.overlays.push(Overlay::Prompt(prompt));
    }
}

fn confirm_scale(state: &mut State, svc: &Service, want: i64) -> Typed {
    let links = backend_links(&balancers(&state.inventory, &state.probes), svc);
    match scale_plan(svc, want, &links) {
        Err(e) => {
            state.plan_refused(e);
            Typed::Refused
        }
        Ok(plan) => {
            let question = format!(
                "Scale {} on {} from {} to {want} replicas?",
                svc.label(),
                svc.host,
                svc.replicas.len()
            );
            // Balancers are probed only while shown: say what was seen.
            let unseen = links.is_empty().then(|| {
                "No HAProxy backend seen with these replicas (open the Balancer pane, 4, \
                 first if one should be)."
                    .to_string()
            });
            PlanQuestion::new("Scale service", question, plan)
                .after(unseen)
                .ask(state);
            Typed::Done
        }
    }
}

#[cfg(test)]
#[path = "prompt_tests.rs"]
mod tests;
