//! The ZooKeeper pane: each ensemble's health on one row, loud when it is
//! in trouble, then its members with what `srvr` and `mntr` said.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::nodes::WIDE;
use super::table::{self, col, num, Column, Grid};
use super::text::{put, width};
use crate::app::rows::ZkRow;
use crate::app::State;
use crate::config::Theme;
use crate::model::answers::zookeeper::ZkMode;
use crate::model::container::human_duration;
use crate::model::ensemble::{Ensemble, EnsembleHealth, EnsembleWarning, ZkMember};
use crate::model::Host;

/// Member names sit under their ensemble row.
const INDENT: &str = "  ";

/// Seconds after which a probe answer reads as stale (the default interval
/// is 2s, the timeout 5s).
const STALE: i64 = 60;

const EMPTY: &str = "no ZooKeeper containers found (role detected from labels, image or command)";

/// `name_width`: the longest member name, with its indent. Below `WIDE`
/// HOST, OUTST and PROBED go. The name gets what it needs (up to a limit)
/// rather than all that is left, so the figures stay near the names.
fn columns(width: u16, name_width: u16) -> Vec<Column> {
    use Constraint::Length;
    let wide = width >= WIDE;
    let mut cols = vec![num("ID", Length(3)), col("  MEMBER", Length(0))];
    if wide {
        cols.push(col("HOST", Length(12)));
    }
    cols.push(col("MODE", Length(11)));
    cols.push(num("ZXID ep:tx", Length(if wide { 14 } else { 11 })));
    cols.push(num("LAT avg/max", Length(11)));
    cols.push(num("CONN", Length(5)));
    if wide {
        cols.push(num("OUTST", Length(5)));
    }
    cols.extend([num("NODES", Length(6)), num("SYNCED", Length(6))]);
    if wide {
        cols.push(num("PROBED", Length(8)));
    }
    // Everything but the name, with one cell between columns.
    let fixed = cols.iter().map(|c| table::length(c.width)).sum::<u16>()
        + u16::try_from(cols.len() - 1).unwrap_or(0);
    let name = name_width.clamp(12, 40).min(width.saturating_sub(fixed));
    cols[1].width = Length(name);
    cols
}

pub fn render(buf: &mut Buffer, area: Rect, state: &State, theme: &Theme) {
    let ensembles = state.ensembles();
    let rows = state.zookeeper_rows();
    let view = &state.zookeeper;
    let text = table::PaneText {
        name: "ZooKeeper",
        noun: ("ensemble", "ensembles"),
        empty: EMPTY,
    };
    let Some(inner) = table::pane_frame(buf, area, view, text, ensembles.len(), rows.len(), theme)
    else {
        return;
    };
    let name_width = ensembles
        .iter()
        .flat_map(|e| &e.members)
        .map(|m| width(&m.container) + INDENT.len())
        .max()
        .unwrap_or(0);
    let cols = columns(inner.width, u16::try_from(name_width).unwrap_or(u16::MAX));
    let wide = inner.width >= WIDE;
    // An error takes the place of the figures it explains: ZXID to SYNCED.
    let figures = cols.iter().position(|c| c.title == "MODE").unwrap_or(0) + 1
        ..cols.iter().position(|c| c.title == "SYNCED").unwrap_or(0) + 1;
    let rects = Layout::horizontal(cols.iter().map(|c| c.width))
        .spacing(1)
        .split(Rect::new(inner.x, inner.y, inner.width, 1));
    let grid = Grid::new(cols, inner);
    grid.header(buf, inner.y, theme.header);
    table::body(
        buf,
        inner,
        view,
        rows.len(),
        state.table_height(),
        theme,
        |buf, i, rect| match &rows[i] {
            ZkRow::Ensemble(name) => {
                if let Some(e) = ensembles.iter().find(|e| &e.name == name) {
                    put(buf, rect, &ensemble_line(e, usize::from(rect.width), theme));
                }
            }
            ZkRow::Member { ensemble, host, id } => {
                let Some(m) = ensembles
                    .iter()
                    .filter(|e| &e.name == ensemble)
                    .flat_map(|e| &e.members)
                    .find(|m| &m.host == host && &m.container_id == id)
                else {
                    return;
                };
                let cells = member_cells(m, state.now, theme, wide);
                let error = m.error.as_deref().filter(|_| m.stats.is_none());
                if let Some(error) = error {
                    let mut shown = cells.clone();
                    shown[figures.clone()].fill(Line::default());
                    grid.row(buf, rect.y, &shown);
                    // One cell in, so it doesn't run into the mode.
                    let x = rects[figures.start].x + 1;
                    // Narrow, nothing follows the figures: the error may use
                    // the rest of the row.
                    let end = if wide {
                        rects[figures.end - 1].right()
                    } else {
                        inner.right()
                    };
                    let span = Rect::new(x, rect.y, end.saturating_sub(x), 1);
                    put(buf, span, &Line::styled(error.to_string(), theme.muted));
                } else {
                    grid.row(buf, rect.y, &cells);
                }
                // Last known figures of a host we can't reach: show them, dimmed.
                if !state.inventory.host(host).is_some_and(Host::is_up) {
                    buf.set_style(rect, theme.muted);
                }
            }
        },
    );
}

/// Most important first: no quorum stops writes, two leaders may lose
/// them, a lagging epoch is a member that fell behind.
fn rank(w: &EnsembleWarning) -> u8 {
    match w {
        EnsembleWarning::NoQuorum { .. } => 0,
        EnsembleWarning::SplitBrain { .. } => 1,
        EnsembleWarning::EpochLag { .. } => 2,
    }
}

/// `▼ zk-prod  leader zk2 · 3/3 up · quorum OK · tolerates 1`, then any
/// warnings; when the row is too narrow for all of it, the warnings come
/// first so that they are what gets cut last.
fn ensemble_line<'a>(e: &'a Ensemble, room: usize, theme: &Theme) -> Line<'a> {
    let health = e.health();
    let head = vec![
        Span::styled("▼ ", theme.accent),
        Span::styled(e.name.as_str(), theme.accent.add_modifier(Modifier::BOLD)),
        Span::raw("  "),
    ];
    let mut info = leader(e, &health, theme);
    // One more failure from losing quorum reads as degraded.
    let summary = if !health.has_quorum() {
        theme.status_bad
    } else if health.tolerates == 0 && health.total > 1 {
        theme.status_warn
    } else {
        theme.accent
    };
    info.push(Span::styled(health.summary(), summary));
    let mut warnings: Vec<&EnsembleWarning> = health.warnings.iter().collect();
    warnings.sort_by_key(|w| rank(w));
    let mut warn = Vec::new();
    for w in warnings {
        warn.push(Span::styled(format!("⚠ {}", w.text()), theme.status_bad));
        warn.push(Span::raw("  "));
    }
    warn.pop();
    let total = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>();
    let mut spans = head;
    if warn.is_empty() || total(&spans) + total(&info) + 2 + total(&warn) <= room {
        spans.extend(info);
        if !warn.is_empty() {
            spans.push(Span::raw("  "));
        }
        spans.extend(warn);
    } else {
        spans.extend(warn);
        spans.push(Span::raw("  "));
        spans.extend(info);
    }
    Line::from(spans)
}

/// `leader zk2 · `; nothing when two claim it (the warning names them).
fn leader<'a>(e: &Ensemble, health: &EnsembleHealth, theme: &Theme) -> Vec<Span<'a>> {
    let sep = Span::styled(" · ", theme.accent);
    if let Some(name) = &health.leader {
        return vec![
            Span::styled("leader ", theme.accent),
            Span::styled(name.clone(), theme.accent.add_modifier(Modifier::BOLD)),
            sep,
        ];
    }
    let leaders = e.members.iter().filter(|m| m.mode == ZkMode::Leader);
    if leaders.count() > 1 {
        return Vec::new();
    }
    if e.members.iter().any(|m| m.mode == ZkMode::Unknown) {
        return vec![Span::styled("leader probing…", theme.muted), sep];
    }
    if e.members.iter().any(|m| m.mode == ZkMode::Standalone) {
        return Vec::new();
    }
    vec![Span::styled("no leader", theme.status_bad), sep]
}

pub fn mode_style(mode: ZkMode, theme: &Theme) -> Style {
    match mode {
        ZkMode::Leader => theme.accent.add_modifier(Modifier::BOLD),
        ZkMode::Follower | ZkMode::Observer | ZkMode::Standalone => theme.status_ok,
        ZkMode::NotServing | ZkMode::Unreachable => theme.status_bad,
        ZkMode::Unknown => theme.muted,
    }
}

/// Milliseconds as `srvr` gives them, short: `0.3`, `12`.
fn ms(v: f64) -> String {
    if v >= 10.0 || v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// ID, MEMBER, [HOST], MODE, ZXID, LAT, CONN, [OUTST], NODES, SYNCED, [PROBED].
fn member_cells<'a>(m: &'a ZkMember, now: i64, theme: &Theme, wide: bool) -> Vec<Line<'a>> {
    let dash = || Line::styled("-", theme.muted);
    let stat = |f: &dyn Fn(&crate::model::answers::zookeeper::ZkServerStats) -> String| {
        m.stats.as_ref().map_or_else(dash, |s| Line::raw(f(s)))
    };
    let mut cells = vec![
        m.server_id
            .map_or_else(dash, |id| Line::raw(id.to_string())),
        Line::raw(format!("{INDENT}{}", m.container)),
    ];
    if wide {
        cells.push(Line::raw(m.host.as_str()));
    }
    cells.push(Line::styled(m.mode.as_str(), mode_style(m.mode, theme)));
    cells.push(stat(&|s| format!("{:#x}:{:#x}", s.epoch(), s.counter())));
    cells.push(stat(&|s| {
        format!("{}/{}", ms(s.latency_avg), ms(s.latency_max))
    }));
    cells.push(stat(&|s| s.connections.to_string()));
    if wide {
        cells.push(stat(&|s| s.outstanding.to_string()));
    }
    cells.push(stat(&|s| s.node_count.to_string()));
    cells.push(synced(m, theme));
    if wide {
        cells.push(m.probed_at.map_or_else(dash, |at| {
            let style = if now - at > STALE {
                theme.status_warn
            } else {
                theme.base
            };
            Line::styled(format!("{} ago", human_duration(now - at)), style)
        }));
    }
    cells
}

/// `2/2`: followers in sync with the leader, from `mntr` (leader only).
fn synced<'a>(m: &ZkMember, theme: &Theme) -> Line<'a> {
    let figures = m
        .monitor
        .as_ref()
        .filter(|_| m.mode == ZkMode::Leader)
        .and_then(|mon| Some((mon.synced_followers?, mon.followers?)));
    match figures {
        Some((synced, followers)) => {
            let style = if synced < followers {
                theme.status_warn
            } else {
                theme.base
            };
            Line::styled(format!("{synced}/{followers}"), style)
        }
        None => Line::styled("-", theme.muted),
    }
}
