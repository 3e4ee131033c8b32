//! The detail of a swarm service: its spec in brief, its update, and each
//! slot's task history, newest first, with the engine's error for the
//! tasks that failed, were rejected or wait (`docker service ps`, with
//! the why in full).

use super::detail_text::{clock_since, field, line, seg, value, Detail, DetailLine, Tone};
use super::state::State;
use crate::model::container::human_duration;
use crate::model::swarm_service::{slots_of, SwarmService, SwarmTask, TaskPlace, TaskState};
use crate::model::Host;

pub fn task_tone(state: TaskState) -> Tone {
    match state {
        TaskState::Running | TaskState::Complete => Tone::Ok,
        s if s.is_failure() => Tone::Bad,
        TaskState::Shutdown | TaskState::Remove => Tone::Muted,
        _ => Tone::Warn,
    }
}

/// `worker-2` for a node id the manager knows, else the id's start.
pub fn node_name(host: &Host, node_id: &str) -> String {
    if node_id.is_empty() {
        return "no node yet".into();
    }
    host.swarm_nodes
        .iter()
        .find(|n| n.id == node_id)
        .map_or_else(
            || node_id.chars().take(12).collect(),
            |n| n.hostname.clone(),
        )
}

/// `web.2`, or `web@worker-1` for a global service's task.
pub fn task_name(host: &Host, service: &SwarmService, place: &TaskPlace) -> String {
    match place {
        TaskPlace::Slot(n) => format!("{}.{n}", service.name.as_str()),
        TaskPlace::Node(node) => format!("{}@{}", service.name.as_str(), node_name(host, node)),
    }
}

/// `running 3m`, `pending 12s`.
pub fn state_since(task: &SwarmTask, now: i64) -> String {
    match task.at {
        Some(at) => format!("{} {}", task.state.word(), human_duration(now - at)),
        None => task.state.word().to_string(),
    }
}

/// Why a task is where it is: the engine's error, else its message.
pub fn why(task: &SwarmTask) -> &str {
    task.error
        .as_ref()
        .map_or(task.message.as_str(), |e| e.as_str())
}

pub fn service_detail(state: &State, host: &Host, service: &SwarmService) -> Detail {
    let mut fields = vec![
        field("service", value(service.name.as_str())),
        field("id", value(&service.id)),
        field("manager", value(&host.name)),
        field("mode", value(service.mode.word())),
        field("tasks", tasks_seg(service)),
        field("image", value(service.image.as_str())),
    ];
    if let Some(stack) = &service.stack {
        fields.push(field("stack", value(stack.as_str())));
    }
    let ports: Vec<String> = service.ports.iter().map(|p| p.text()).collect();
    if !ports.is_empty() {
        fields.push(field("ports", value(ports.join(", "))));
    }
    if let Some(u) = &service.update {
        let tone = match u.state {
            s if s.is_paused() => Tone::Warn,
            s if s.is_moving() => Tone::Warn,
            crate::model::swarm_service::UpdateState::RollbackCompleted => Tone::Bad,
            _ => Tone::Ok,
        };
        let since = u
            .started_at
            .map(|t| format!(" (since {})", clock_since(t, state.now)))
            .unwrap_or_default();
        fields.push(field(
            "update",
            seg(format!("{}{since}", u.state.word()), tone),
        ));
        if !u.message.as_str().is_empty() {
            fields.push(field("", value(u.message.as_str())));
        }
    }
    Detail {
        title: format!("Service {}", service.name.as_str()),
        fields,
        sections: history(state, host, service),
    }
}

fn tasks_seg(service: &SwarmService) -> super::detail_text::Segment {
    let tone = if service.running >= service.desired {
        Tone::Ok
    } else {
        Tone::Warn
    };
    seg(
        format!("{} running of {} wanted", service.running, service.desired),
        tone,
    )
}

/// Each slot's tasks, newest first: state, desired state, node, when,
/// and why.
fn history(state: &State, host: &Host, service: &SwarmService) -> Vec<DetailLine> {
    let mut lines = vec![line(vec![seg("Tasks (newest first):", Tone::Heading)])];
    let slots = slots_of(&host.swarm_tasks, &service.id);
    if slots.is_empty() {
        lines.push(line(vec![seg("  no tasks", Tone::Muted)]));
    }
    for slot in slots {
        lines.push(line(vec![seg(
            format!("  {}", task_name(host, service, &slot.place)),
            Tone::Label,
        )]));
        for t in &slot.tasks {
            let mut segs = vec![
                seg("    ", Tone::Value),
                seg(state_since(t, state.now), task_tone(t.state)),
                seg(
                    format!(
                        " · wants {} · on {}",
                        t.desired.word(),
                        node_name(host, &t.node_id)
                    ),
                    Tone::Muted,
                ),
            ];
            if let Some(code) = t.exit_code.filter(|c| *c != 0) {
                segs.push(seg(format!(" · exit {code}"), Tone::Bad));
            }
            lines.push(line(segs));
            // A running task's "started" says nothing; a waiting one's
            // message and any error say why.
            let why = why(t);
            if !why.is_empty() && (t.error.is_some() || t.state.is_on_the_way()) {
                let tone = if t.error.is_some() {
                    Tone::Bad
                } else {
                    Tone::Muted
                };
                lines.push(line(vec![seg(format!("      {why}"), tone)]));
            }
        }
    }
    lines
}
