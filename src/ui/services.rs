//! The Services pane: each swarm once, with its managers' quorum, its
//! services (mode, tasks running of wanted, update, image, ports) and each
//! service's current task per slot, with why it is not running.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::table::{self, col, num, widest, Column, Grid};
use super::text::{put, tone};
use crate::app::service_detail::{node_name, state_since, task_name, task_tone, why};
use crate::app::service_rows::ServiceRow;
use crate::app::State;
use crate::config::Theme;
use crate::model::swarm_service::{
    slots_of, update_progress, ManagerQuorum, SwarmService, TaskPlace,
};
use crate::model::Host;

/// Widest cells of the columns sized by them.
struct Widths {
    name: usize,
    update: usize,
    image: usize,
    ports: usize,
}

/// As they read: NAME, MODE, TASKS, UPDATE, IMAGE, PORTS. After the name,
/// the tasks go last, then the update, the image; ports and mode first.
fn columns(w: &Widths) -> Vec<Column> {
    vec![
        col("  NAME", 0).identity().fit(10, w.name),
        col("MODE", 10).priority(5),
        num("TASKS", 5).priority(1),
        col("UPDATE", 0).priority(2).fit(7, w.update),
        col("IMAGE", 0).priority(3).fit(10, w.image),
        col("PORTS", 0).priority(4).fit(8, w.ports),
    ]
}

fn ports(s: &SwarmService) -> String {
    s.ports
        .iter()
        .map(|p| p.text())
        .collect::<Vec<_>>()
        .join(",")
}

/// `updating 2/3`, `rolled back`, or empty when never updated.
fn update_text(host: &Host, s: &SwarmService) -> String {
    let Some(u) = &s.update else {
        return String::new();
    };
    match update_progress(s, &host.swarm_tasks) {
        Some((done, of)) if u.state.is_moving() || u.state.is_paused() => {
            format!("{} {done}/{of}", u.state.word())
        }
        _ => u.state.word().to_string(),
    }
}

pub fn render(buf: &mut Buffer, area: Rect, state: &State, theme: &Theme) {
    let rows = state.service_rows();
    let view = &state.services;
    let count = rows
        .iter()
        .filter(|r| matches!(r, ServiceRow::Service { .. }))
        .count();
    let title = Line::from(vec![
        Span::raw(" Services "),
        Span::styled(format!("· {count} "), theme.muted),
    ]);
    let inner = table::frame(buf, area, title, table::position(view, rows.len()), theme);
    if inner.height == 0 {
        return;
    }
    let services = || {
        rows.iter().filter_map(|r| match r {
            ServiceRow::Service { host, id } => {
                let h = state.inventory.host(host)?;
                Some((h, h.swarm_services.iter().find(|s| s.id == *id)?))
            }
            ServiceRow::Swarm { .. } | ServiceRow::Task { .. } => None,
        })
    };
    let widths = Widths {
        name: widest(services().map(|(_, s)| format!("  {}", s.name.as_str()))),
        update: widest(services().map(|(h, s)| update_text(h, s))),
        image: widest(services().map(|(_, s)| s.image.as_str().to_string())),
        ports: widest(services().map(|(_, s)| ports(s))),
    };
    let grid = Grid::new(columns(&widths), inner);
    grid.header(buf, inner.y, theme.header);
    if rows.is_empty() && inner.height > 1 {
        let text =
            "no swarm: no configured host is a swarm manager (`docker swarm init` makes one)";
        put(
            buf,
            super::text::row(inner, 1),
            &Line::styled(text, theme.muted),
        );
        return;
    }
    table::body(
        buf,
        inner,
        view,
        rows.len(),
        state.table_height(),
        theme,
        |buf, i, rect| {
            let Some(host) = state.inventory.host(rows[i].host()) else {
                return;
            };
            match &rows[i] {
                ServiceRow::Swarm { .. } => put(buf, rect, &swarm_line(host, theme)),
                ServiceRow::Service { id, .. } => {
                    if let Some(s) = host.swarm_services.iter().find(|s| s.id == *id) {
                        grid.row(buf, rect.y, &service_cells(host, s, theme));
                    }
                }
                ServiceRow::Task {
                    service_id, place, ..
                } => {
                    if let Some(line) = task_line(host, service_id, place, state, theme) {
                        put(buf, rect, &line);
                    }
                }
            }
            // Last known data of a manager that cannot answer: dimmed.
            let stale = !host.is_up() || host.swarm_trouble.is_some();
            if stale && !matches!(rows[i], ServiceRow::Swarm { .. }) {
                buf.set_style(rect, theme.muted);
            }
        },
    );
}

/// `▼ swarm via local · 3 nodes, 3 ready · 3 managers, 1 may be lost`, or
/// what keeps the manager from answering (its last listing stays below).
fn swarm_line<'a>(host: &'a Host, theme: &Theme) -> Line<'a> {
    let mut spans = vec![
        Span::styled("▼ swarm via ", theme.muted),
        Span::styled(host.name.as_str(), theme.title),
        Span::styled(" · ", theme.muted),
    ];
    if let Some(trouble) = &host.swarm_trouble {
        spans.push(Span::styled(
            format!("{} (last listing below)", trouble_text(trouble.as_str())),
            theme.status_bad,
        ));
        return Line::from(spans);
    }
    if !host.is_up() {
        spans.push(Span::styled(
            "manager unreachable (last listing below)",
            theme.status_bad,
        ));
        return Line::from(spans);
    }
    let nodes = &host.swarm_nodes;
    let ready = nodes.iter().filter(|n| n.state == "ready").count();
    let ready_style = if ready == nodes.len() {
        theme.base
    } else {
        theme.status_warn
    };
    spans.push(Span::styled(
        format!("{} nodes, {ready} ready", nodes.len()),
        ready_style,
    ));
    let q = ManagerQuorum::of(nodes);
    let (text, style) = match q.spare() {
        _ if !q.has_quorum() => (
            format!("{} managers, quorum lost", q.managers),
            theme.status_bad,
        ),
        0 if q.managers > 1 => (
            format!("{} managers, none may be lost", q.managers),
            theme.status_warn,
        ),
        0 => ("1 manager, none may be lost".to_string(), theme.muted),
        n => (
            format!("{} managers, {n} may be lost", q.managers),
            theme.base,
        ),
    };
    spans.extend([Span::styled(" · ", theme.muted), Span::styled(text, style)]);
    Line::from(spans)
}

/// The engine's long "does not have a leader" said as what it means for
/// the swarm; any other failure in its own words.
fn trouble_text(trouble: &str) -> String {
    if trouble.contains("does not have a leader") {
        "quorum lost: no leader, too few managers online".into()
    } else {
        format!("no answer for the swarm: {trouble}")
    }
}

fn service_cells<'a>(host: &Host, s: &'a SwarmService, theme: &Theme) -> Vec<Line<'a>> {
    let tasks_style = if s.running >= s.desired {
        theme.base
    } else {
        theme.status_warn
    };
    let update = update_text(host, s);
    let update_style = match &s.update {
        Some(u) if u.state.is_moving() || u.state.is_paused() => theme.status_warn,
        Some(u) if u.state == crate::model::swarm_service::UpdateState::RollbackCompleted => {
            theme.status_bad
        }
        _ => theme.muted,
    };
    vec![
        Line::from(vec![
            Span::raw("  "),
            Span::styled(s.name.as_str(), theme.title),
        ]),
        Line::styled(s.mode.word(), theme.muted),
        Line::styled(s.replicas_text(), tasks_style),
        Line::styled(update, update_style),
        Line::raw(s.image.as_str()),
        Line::styled(ports(s), theme.muted),
    ]
}

/// `    web.2 · worker-1 · running 3m · started`; a failed or waiting
/// task ends with the engine's why.
fn task_line<'a>(
    host: &Host,
    service_id: &str,
    place: &TaskPlace,
    state: &State,
    theme: &Theme,
) -> Option<Line<'a>> {
    let service = host.swarm_services.iter().find(|s| s.id == service_id)?;
    let slots = slots_of(&host.swarm_tasks, service_id);
    let slot = slots.iter().find(|s| s.place == *place)?;
    let task = slot.current();
    let mut spans = vec![
        Span::raw(format!("    {}", task_name(host, service, place))),
        Span::styled(" · ", theme.muted),
        Span::raw(node_name(host, &task.node_id)),
        Span::styled(" · ", theme.muted),
        Span::styled(
            state_since(task, state.now),
            tone(task_tone(task.state), theme),
        ),
    ];
    let why = why(task);
    if !why.is_empty() && task.state != crate::model::swarm_service::TaskState::Running {
        let style = if task.error.is_some() {
            theme.status_bad
        } else {
            theme.muted
        };
        spans.extend([
            Span::styled(" · ", theme.muted),
            Span::styled(why.to_string(), style),
        ]);
    }
    let failures = slot.tasks.iter().filter(|t| t.state.is_failure()).count();
    if failures > 0 && task.state == crate::model::swarm_service::TaskState::Running {
        spans.push(Span::styled(
            format!(" · {failures} failed before"),
            theme.status_warn,
        ));
    }
    Some(Line::from(spans))
}
