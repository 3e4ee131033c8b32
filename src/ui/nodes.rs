//! The Nodes pane: each host, its clusters and their containers.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::table::{self, col, num, widest, Column, Grid};
use super::text::{clock_since, put, tone};
use crate::app::detail::{health_tone, state_tone};
use crate::app::rows::NodeRow;
use crate::app::State;
use crate::config::Theme;
use crate::model::answers::mysql::DbRole;
use crate::model::container::{human_bytes, human_duration};
use crate::model::swarm::SwarmNode;
use crate::model::{detect_role, Container, ContainerState, Health, Host, HostState};

/// Container names sit under their cluster row.
const INDENT: &str = "    ";

/// Widest cells of the columns sized by them: names (with their indent),
/// hosts and ports.
struct Widths {
    name: usize,
    host: usize,
    ports: usize,
    /// Whether a replica has a lag history (the LAG column is worth its room).
    lag: bool,
}

/// Probe rounds the LAG column draws.
const LAG: usize = 10;

/// As they read: NAME, HOST, ROLE, STATE, HEALTH, UP, CPU, MEM, PORTS,
/// and LAG while a replica has a lag history (the first to go).
/// After the name, the state goes last, then the role, uptime, CPU and
/// memory; health, ports and host first (the host row above names the
/// host, and state colours carry most of what health says).
fn columns(w: &Widths) -> Vec<Column> {
    vec![
        col("    NAME", 0).identity().fit(12, w.name),
        col("HOST", 0).priority(8).whole(w.host),
        col("ROLE", 9).priority(2),
        col("STATE", 10).priority(1),
        col("HEALTH", 9).priority(6),
        num("UP", 5).priority(3),
        num("CPU", 7).priority(4),
        num("MEM", 6).priority(5),
        col("PORTS", 0).priority(7).fit(8, w.ports),
    ]
    .into_iter()
    // A replica's lag over the last rounds, where there is room for all else.
    .chain(w.lag.then(|| col("LAG", LAG as u16).priority(9)))
    .collect()
}

pub fn render(buf: &mut Buffer, area: Rect, state: &State, theme: &Theme) {
    let area = super::side_panel::nodes(buf, area, state, theme);
    let rows = state.node_rows();
    let view = &state.nodes;
    let containers = rows
        .iter()
        .filter(|r| matches!(r, NodeRow::Container { .. }))
        .count();
    let mut title = vec![
        Span::raw(" Nodes "),
        Span::styled(format!("· {containers} containers "), theme.muted),
    ];
    if !state.marks.is_empty() {
        title.push(Span::styled(
            format!("· {} marked ", state.marks.len()),
            theme.accent,
        ));
    }
    let title = Line::from(title);
    let inner = table::frame(buf, area, title, table::position(view, rows.len()), theme);
    if inner.height == 0 {
        return;
    }
    let containers: Vec<&Container> = rows
        .iter()
        .filter_map(|r| match r {
            NodeRow::Container { host, id } => {
                state.inventory.containers.get(&(host.clone(), id.clone()))
            }
            _ => None,
        })
        .collect();
    let widths = Widths {
        name: INDENT.len() + widest(containers.iter().map(|c| c.name.as_str())),
        host: widest(containers.iter().map(|c| c.host.as_str())),
        ports: widest(containers.iter().map(|c| c.ports_short())),
        lag: state.probes.history.has_lag(),
    };
    let grid = Grid::new(columns(&widths), inner);
    grid.header(buf, inner.y, theme.header);
    table::body(
        buf,
        inner,
        view,
        rows.len(),
        state.table_height(),
        theme,
        |buf, i, rect| {
            match &rows[i] {
                NodeRow::Host(name) => {
                    if let Some(host) = state.inventory.host(name) {
                        put(buf, rect, &host_line(host, state, theme, rect.width));
                    }
                }
                NodeRow::SwarmNode { host, id } => {
                    let node = state
                        .inventory
                        .host(host)
                        .and_then(|h| h.swarm_nodes.iter().find(|n| n.id == *id));
                    if let Some(n) = node {
                        put(buf, rect, &swarm_node_line(n, theme));
                    }
                }
                NodeRow::Cluster { cluster, count, .. } => {
                    let line =
                        Line::styled(format!("  ▸ {} · {count}", cluster.label()), theme.accent);
                    put(buf, rect, &line);
                }
                NodeRow::Container { host, id } => {
                    let key = (host.clone(), id.clone());
                    if let Some(c) = state.inventory.containers.get(&key) {
                        grid.row(buf, rect.y, &container_cells(c, state, theme));
                        // Last known data of a host we can't reach: show it, dimmed.
                        if !state.inventory.host(host).is_some_and(Host::is_up) {
                            buf.set_style(rect, theme.muted);
                        }
                    }
                }
            }
        },
    );
    let drawn = rows
        .len()
        .saturating_sub(view.offset)
        .min(state.table_height());
    super::first_run::render_under(buf, inner, drawn, state, theme);
    if containers.is_empty() && !super::first_run::shows(state) {
        no_match_under(buf, inner, drawn, view.active_filter(), theme);
    }
}

/// A filter no container matches says so under the host rows, as the
/// other panes say it in theirs (the host rows stay: they are not
/// filtered).
fn no_match_under(buf: &mut Buffer, inner: Rect, drawn: usize, filter: &str, theme: &Theme) {
    if filter.is_empty() {
        return;
    }
    // Under the header and the rows drawn, after a blank row if there is room.
    let below = u16::try_from(drawn).unwrap_or(u16::MAX).saturating_add(1);
    let y = if below.saturating_add(1) < inner.height {
        below + 1
    } else {
        below
    };
    if y >= inner.height {
        return;
    }
    let text = format!(" no containers match `{filter}`");
    put(
        buf,
        super::text::row(inner, y),
        &Line::styled(text, theme.muted),
    );
}

/// `  ◆ node worker-2 · worker · drain · ready`
fn swarm_node_line<'a>(n: &'a SwarmNode, theme: &Theme) -> Line<'a> {
    let availability = match n.availability.as_str() {
        "active" => theme.status_ok,
        _ => theme.status_warn,
    };
    let state = if n.state == "ready" {
        theme.base
    } else {
        theme.status_bad
    };
    let mut spans = vec![
        Span::styled("  ◆ node ", theme.muted),
        Span::raw(n.hostname.as_str()),
        Span::styled(" · ", theme.muted),
        Span::raw(n.role.as_str()),
    ];
    if n.leader {
        spans.push(Span::styled(" (leader)", theme.accent));
    }
    spans.extend([
        Span::styled(" · ", theme.muted),
        Span::styled(n.availability.as_str(), availability),
        Span::styled(" · ", theme.muted),
        Span::styled(n.state.as_str(), state),
    ]);
    Line::from(spans)
}

/// `▼ local · unix  Engine 20.10.24 API 1.41 · swarm manager · 3/5 running · up`.
/// Where that is wider than `room`, the engine version goes (the host's
/// details have it), so the transport and the state stay in sight.
fn host_line<'a>(host: &'a Host, state: &State, theme: &Theme, room: u16) -> Line<'a> {
    let line = host_line_with(host, state, theme, true);
    if line.width() <= usize::from(room) {
        return line;
    }
    host_line_with(host, state, theme, false)
}

/// How the row names the transport. Skip-verify is spelled out and warned
/// about: it must never read as verified TLS, colour or not.
fn transport_span(transport: &'static str, theme: &Theme) -> Option<Span<'static>> {
    match transport {
        "" => None,
        "tls (unverified)" => Some(Span::styled("tls unverified", theme.status_warn)),
        other => Some(Span::styled(other, theme.muted)),
    }
}

fn host_line_with<'a>(host: &'a Host, state: &State, theme: &Theme, version: bool) -> Line<'a> {
    let mut spans = vec![
        Span::styled("▼ ", theme.muted),
        Span::styled(host.name.as_str(), theme.title),
    ];
    if let Some(transport) = transport_span(host.transport, theme) {
        spans.extend([Span::styled(" · ", theme.muted), transport]);
    }
    spans.push(Span::raw("  "));
    match &host.state {
        HostState::Connecting => spans.push(Span::styled("connecting…", theme.muted)),
        HostState::Unreachable { since, error } => spans.push(Span::styled(
            format!(
                "unreachable since {}: {}",
                clock_since(*since, state.now),
                crate::model::host_fault::row_reason(error, !version)
            ),
            theme.status_bad,
        )),
        HostState::Up => {
            if let Some(engine) = &host.engine {
                let mut info = Vec::new();
                if version {
                    info.push(format!(
                        "Engine {} API {}",
                        engine.engine_version, engine.api_version
                    ));
                }
                if let Some(role) = &engine.swarm_role {
                    info.push(format!("swarm {role}"));
                }
                if !info.is_empty() {
                    spans.push(Span::raw(info.join(" · ")));
                    spans.push(Span::styled(" · ", theme.muted));
                }
            }
            let (running, total) = state.inventory.container_counts(&host.name);
            let counts_style = if running == total {
                theme.base
            } else {
                theme.status_warn
            };
            spans.push(Span::styled(
                format!("{running}/{total} running"),
                counts_style,
            ));
            spans.push(Span::styled(" · ", theme.muted));
            spans.push(Span::styled("up", theme.status_ok));
        }
    }
    Line::from(spans)
}

pub fn state_style(state: ContainerState, theme: &Theme) -> Style {
    tone(state_tone(state), theme)
}

pub fn health_style(health: Health, theme: &Theme) -> Style {
    tone(health_tone(health), theme)
}

/// Uptime while up (a paused container is still up), from the state's
/// clock (render never reads one).
fn uptime(c: &Container, now: i64) -> Option<String> {
    c.started_at
        .filter(|_| matches!(c.state, ContainerState::Running | ContainerState::Paused))
        .map(|start| human_duration(now - start))
}

/// The role; for a probed database its replication role instead, marked
/// bad when a replica's threads are not both running or it lags by more
/// than half a minute, and warn while it lags at all.
fn role_cell<'a>(c: &Container, state: &State, theme: &Theme) -> Line<'a> {
    let role = detect_role(c);
    let probe = state
        .probes
        .mysql
        .get(&(c.host.clone(), c.id.clone()))
        .and_then(|p| p.result.as_ref().ok());
    let Some(p) = probe else {
        return Line::raw(role.as_str());
    };
    let (text, style) = match (&p.replica, p.role()) {
        (Some(r), _) if !r.is_healthy() => ("replica!".to_string(), theme.status_bad),
        (Some(r), _) => match r.seconds_behind {
            Some(0) => ("replica".to_string(), theme.status_ok),
            Some(s) if s <= 30 => (format!("repl +{s}s"), theme.status_warn),
            Some(s) => (format!("repl +{s}s"), theme.status_bad),
            None => ("replica!".to_string(), theme.status_bad),
        },
        (None, DbRole::Primary) => ("primary".to_string(), theme.accent),
        (None, _) => (role.as_str().to_string(), theme.base),
    };
    Line::styled(text, style)
}

/// A cell for each of `columns`.
fn container_cells<'a>(c: &'a Container, state: &State, theme: &Theme) -> Vec<Line<'a>> {
    let stats = state.inventory.stats.get(&(c.host.clone(), c.id.clone()));
    let dash = || Line::styled("-", theme.muted);
    // A mark is a `*` where the indent was, so it shows without colour.
    let marked = state.marks.contains(&(c.host.clone(), c.id.clone()));
    let name = if marked {
        Line::styled(format!("  * {}", c.name), theme.accent)
    } else {
        Line::raw(format!("{INDENT}{}", c.name))
    };
    vec![
        name,
        Line::raw(c.host.as_str()),
        role_cell(c, state, theme),
        Line::styled(c.state.as_str(), state_style(c.state, theme)),
        Line::styled(c.health.as_str(), health_style(c.health, theme)),
        uptime(c, state.now).map_or_else(dash, Line::raw),
        stats.map_or_else(dash, |s| Line::raw(format!("{:.1}%", s.cpu_percent))),
        stats.map_or_else(dash, |s| Line::raw(human_bytes(s.memory_bytes))),
        Line::styled(c.ports_short(), theme.muted),
        lag_cell(c, state),
    ]
}

/// A replica's lag over the last rounds (two at least: one is no trend).
fn lag_cell<'a>(c: &Container, state: &State) -> Line<'a> {
    let key = (c.host.clone(), c.id.clone());
    let history = &state.probes.history;
    history
        .lag(&key)
        .filter(|s| s.len() > 1)
        .and_then(|_| history.lag_line(&key, LAG))
        .map_or_else(Line::default, Line::raw)
}
