//! Operations from the panes: a balancer server's plan put up for
//! confirmation, the job runner's progress applied to the Jobs pane, and
//! the jump from a balancer server to its node.

use super::confirm::PlanQuestion;
use super::keymap::Action;
use super::line_editor::{Accepts, LineEditor};
use super::msg::Effect;
use super::rows::{BalancerRow, NodeRow, ZkRow};
use super::state::{JobView, Level, Pane, State};
use super::views::{Overlay, Prompt, PromptFor};
use crate::ops::db_rolling::cluster_rolling_plan;
use crate::ops::job::JobEvent;
use crate::ops::plan::zookeeper_leader_move_plan;
use crate::ops::rolling::{members_of, rolling_restart_plan};
use crate::ops::server_ops::{server_state_plan, server_weight_plan, ServerState, MAX_WEIGHT};

pub(super) fn on_job(state: &mut State, event: JobEvent) {
    match event {
        JobEvent::Started { id, plan, at_ms } => {
            // A job whose output was asked for (a user action) shows it
            // as it comes, unless something else is open on top by now.
            let follow =
                state.follow_job.as_ref() == Some(&(plan.action.clone(), plan.target.clone()));
            if follow && state.overlays.is_empty() {
                state.follow_job = None;
                state
                    .overlays
                    .push(Overlay::detail(super::views::Target::Job(id)));
            }
            state.jobs.push(JobView {
                id,
                plan,
                started_ms: at_ms,
                step: None,
                detail: "starting…".into(),
                outcome: None,
                millis: None,
                output: Default::default(),
                pause: Default::default(),
            })
        }
        JobEvent::Paused { id, index, paused } => {
            if let Some(job) = state.jobs.iter_mut().find(|j| j.id == id) {
                job.pause = if paused {
                    super::job_view::Pause::Waiting { index }
                } else {
                    super::job_view::Pause::Running
                };
            }
        }
        JobEvent::Step { id, index, detail } => {
            if let Some(job) = state.jobs.iter_mut().find(|j| j.id == id) {
                job.step = Some(index);
                job.detail = detail;
            }
        }
        JobEvent::Progress { id, text, .. } => {
            if let Some(job) = state.jobs.iter_mut().find(|j| j.id == id) {
                if job.output.len() == super::state::JOB_OUTPUT_LINES {
                    job.output.pop_front();
                }
                job.output.push_back(text.clone());
                job.detail = text;
            }
        }
        JobEvent::Finished {
            id,
            outcome,
            millis,
        } => {
            let Some(job) = state.jobs.iter_mut().find(|j| j.id == id) else {
                return;
            };
            let text = format!(
                "{} {}: {}",
                job.plan.action,
                job.plan.target,
                outcome.text(job.plan.steps.len())
            );
            let level = if outcome.is_done() {
                Level::Ok
            } else {
                Level::Error
            };
            job.outcome = Some(outcome);
            job.millis = Some(millis);
            state.set_status(level, text);
        }
    }
}

/// d / a / m on a balancer server: the plan, shown for confirmation.
pub(super) fn server_operation(state: &mut State, action: Action) {
    let rows = state.balancer_rows();
    let Some(BalancerRow::Server {
        balancer,
        backend,
        name,
    }) = rows.get(state.balancer.selected)
    else {
        state.set_status(Level::Warn, "select a server (a row under a backend)");
        return;
    };
    let Some(b) = state
        .balancers()
        .into_iter()
        .find(|b| &b.container_id == balancer)
    else {
        return;
    };
    let server_state = match action {
        Action::DrainServer => ServerState::Drain,
        Action::ReadyServer => ServerState::Ready,
        _ => ServerState::Maint,
    };
    match server_state_plan(&b, backend, name, server_state, false) {
        Err(e) => state.plan_refused(e),
        Ok(plan) => {
            let question = format!(
                "Set {backend}/{name} on {} ({}) to {}?",
                b.container,
                b.host,
                server_state.as_str()
            );
            let title = format!("{} server", capitalized(server_state.as_str()));
            PlanQuestion::new(title, question, plan).ask(state);
        }
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// p on a running job: ask it to pause before its next member, or to
/// continue; refused for a job with no point to pause at.
pub(super) fn pause_job(state: &mut State, effects: &mut Vec<Effect>) {
    use super::job_view::Pause;
    let Some(job) = state.jobs.get_mut(state.jobs_view.selected) else {
        return;
    };
    let id = job.id;
    let (level, text) = if job.outcome.is_some() {
        (Level::Warn, "that job has finished".to_string())
    } else if !job.can_pause() {
        (
            Level::Warn,
            format!(
                "job {id} has no point to pause at: rolling restarts and updates pause between \
                 members; x cancels it"
            ),
        )
    } else if job.pausing() {
        job.pause = Pause::Running;
        effects.push(Effect::PauseJob { id, paused: false });
        (Level::Info, format!("job {id} continues"))
    } else {
        job.pause = Pause::Asked;
        effects.push(Effect::PauseJob { id, paused: true });
        (
            Level::Info,
            format!("job {id} pauses before its next member (p continues it, x cancels it)"),
        )
    };
    state.set_status(level, text);
}

/// x on a running job: ask it to stop at the next step boundary.
pub(super) fn cancel_job(state: &mut State, effects: &mut Vec<Effect>) {
    match state.jobs.get(state.jobs_view.selected) {
        Some(job) if job.outcome.is_none() => {
            effects.push(Effect::CancelJob(job.id));
            state.set_status(
                Level::Info,
                format!("cancelling job {}: it stops after the current step", job.id),
            );
        }
        Some(_) => state.set_status(Level::Warn, "that job has finished"),
        None => {}
    }
}

/// Enter on a balancer server: show the container it points at in the
/// Nodes pane; Esc there comes back to the server.
pub(super) fn jump_to_server_node(state: &mut State) {
    let rows = state.balancer_rows();
    let Some(BalancerRow::Server {
        balancer,
        backend,
        name,
    }) = rows.get(state.balancer.selected)
    else {
        if !rows.is_empty() {
            let text = "Enter on a server's row goes to its container";
            state.set_status(Level::Info, text);
        }
        return;
    };
    let target = state
        .balancers()
        .into_iter()
        .filter(|b| &b.container_id == balancer)
        .flat_map(|b| b.backends)
        .filter(|be| &be.stat.proxy == backend)
        .flat_map(|be| be.servers)
        .find(|s| &s.stat.name == name)
        .and_then(|s| s.container);
    let Some((host, id)) = target else {
        state.set_status(
            Level::Warn,
            format!("server {name}: no container found at its address"),
        );
        return;
    };
    state.nodes.filter.clear();
    let node_rows = state.node_rows();
    if let Some(i) = node_rows
        .iter()
        .position(|r| matches!(r, NodeRow::Container { host: h, id: c } if *h == host && *c == id))
    {
        state.nodes.selected = i;
        state.jump_back = Some(Pane::Balancer);
        state.pane = Pane::Nodes;
    }
}

/// R on a cluster (or a member): restart every running member in turn, a
/// ZooKeeper leader last. The leader must be known (probed) first.
pub(super) fn rolling_restart(state: &mut State) {
    let Some(cluster) = state.selected_cluster() else {
        state.set_status(
            Level::Warn,
            "select a cluster (or one of its members) to restart it in turn",
        );
        return;
    };
    let grace = crate::docker::RESTART_GRACE_SECS;
    match cluster_rolling_plan(&state.inventory, &state.probes, &cluster, grace) {
        Err(e) => return state.plan_refused(e),
        Ok(Some(planned)) => {
            let question = format!(
                "Restart the database servers of {} one at a time, with one switchover?",
                cluster.label()
            );
            PlanQuestion::new("Rolling restart", question, planned.plan)
                .notes(planned.notes)
                .ask(state);
            return;
        }
        Ok(None) => {}
    }
    let members = match members_of(&state.inventory, &state.probes, &cluster) {
        Ok(m) => m,
        Err(e) => {
            state.plan_refused(e);
            return;
        }
    };
    match rolling_restart_plan(&cluster.name, &members, crate::docker::RESTART_GRACE_SECS) {
        Err(e) => state.plan_refused(e),
        Ok(plan) => {
            let question = format!(
                "Restart the {} members of {} one at a time?",
                members.len(),
                cluster.label()
            );
            PlanQuestion::new("Rolling restart", question, plan).ask(state);
        }
    }
}

/// f on an ensemble (or a member): move leadership off its leader.
pub(super) fn leader_move(state: &mut State) {
    let rows = state.zookeeper_rows();
    let name = match rows.get(state.zookeeper.selected) {
        Some(ZkRow::Ensemble(name)) | Some(ZkRow::Member { ensemble: name, .. }) => name.clone(),
        None => return,
    };
    let Some(ensemble) = state.ensembles().into_iter().find(|e| e.name == name) else {
        return;
    };
    match zookeeper_leader_move_plan(&ensemble) {
        Err(e) => state.plan_refused(e),
        Ok(plan) => {
            let question = format!("Move the leadership of {name} off its leader?");
            PlanQuestion::new("Move ZooKeeper leader", question, plan).ask(state);
        }
    }
}

/// The input of a count or a weight: digits only, at most 6.
pub(super) fn number_input() -> LineEditor {
    LineEditor::new().accepting(Accepts::Digits).with_limit(6)
}

/// What became of a typed number (a weight, a count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Typed {
    /// Put up for confirmation, or what it was for is gone: the prompt closes.
    Done,
    /// Refused, the reason on the status line: the prompt stays up as
    /// typed, to be corrected rather than typed again.
    Refused,
}

/// w on a balancer server: ask its weight (then `confirm_weight`).
pub(super) fn ask_weight(state: &mut State) {
    let rows = state.balancer_rows();
    let Some(BalancerRow::Server {
        balancer,
        backend,
        name,
    }) = rows.get(state.balancer.selected).cloned()
    else {
        state.set_status(Level::Warn, "select a server (a row under a backend)");
        return;
    };
    let now = state
        .balancers()
        .into_iter()
        .filter(|b| b.container_id == balancer)
        .flat_map(|b| b.backends)
        .filter(|be| be.stat.proxy == backend)
        .flat_map(|be| be.servers)
        .find(|s| s.stat.name == name)
        .and_then(|s| s.stat.weight);
    let now = now.map_or_else(String::new, |w| format!(" (now {w})"));
    state.overlays.push(Overlay::Prompt(Prompt {
        title: "Server weight".into(),
        question: format!("Weight of {backend}/{name}{now}, 0 to {MAX_WEIGHT}?"),
        input: number_input(),
        about: PromptFor::Weight {
            balancer_id: balancer,
            backend,
            server: name,
        },
    }));
}

/// The weight plan for a typed weight, put up for confirmation; a weight
/// refused leaves its prompt up (`Typed::Refused`).
pub(super) fn confirm_weight(
    state: &mut State,
    balancer_id: &str,
    backend: &str,
    server: &str,
    weight: i64,
) -> Typed {
    let Some(b) = state
        .balancers()
        .into_iter()
        .find(|b| b.container_id == balancer_id)
    else {
        state.set_status(Level::Warn, "that balancer is gone");
        return Typed::Done;
    };
    let Ok(weight) = u32::try_from(weight) else {
        state.set_status(Level::Warn, format!("a weight is 0 to {MAX_WEIGHT}"));
        return Typed::Refused;
    };
    match server_weight_plan(&b, backend, server, weight, false) {
        Err(e) => {
            state.plan_refused(e);
            Typed::Refused
        }
        Ok(plan) => {
            let question = format!(
                "Set the weight of {backend}/{server} on {} ({}) to {weight}?",
                b.container, b.host
            );
            PlanQuestion::new("Server weight", question, plan).ask(state);
            Typed::Done
        }
    }
}
