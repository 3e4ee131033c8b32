//! The ZooKeeper pane: each ensemble's health on one row, loud when it is
//! in trouble, then its members with what `srvr` and `mntr` said.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::table::{self, col, num, widest, Column, Grid};
use super::text::put;
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

/// As they read: ID, MEMBER, HOST, MODE, ZXID, LAT, CONN, OUTST, NODES,
/// SYNCED, PROBED; `name` the widest member name with its indent, `host`
/// the widest host. After the member, its mode goes last, then its id,
/// ZXID, followers in sync, latency, connections, znodes; outstanding
/// requests first, then the host and the probe's age.
fn columns(name: usize, host: usize) -> Vec<Column> {
    vec![
        num("ID", 3).priority(2),
        col("  MEMBER", 0).identity().fit(12, name),
        col("HOST", 0).priority(9).whole(host),
        col("MODE", 11).priority(1),
        // Epoch and counter grow as the ensemble works: a fixed width
        // (wider when there is room), so the column does not jump.
        num("ZXID ep:tx", 11).priority(3).upto(14),
        num("LAT avg/max", 11).priority(5),
        num("CONN", 5).priority(6),
        num("OUTST", 5).priority(10),
        num("NODES", 6).priority(7),
        num("SYNCED", 6).priority(4),
        num("PROBED", 8).priority(8),
    ]
}

pub fn render(buf: &mut Buffer, area: Rect, state: &State, theme: &Theme) {
    let area = super::side_panel::zookeeper(buf, area, state, theme);
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
    let members = || ensembles.iter().flat_map(|e| &e.members);
    let name = INDENT.len() + widest(members().map(|m| m.container.as_str()));
    let host = widest(members().map(|m| m.host.as_str()));
    let grid = Grid::new(columns(name, host), inner);
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
                let Some((e, m)) = ensembles
                    .iter()
                    .filter(|e| &e.name == ensemble)
                    .flat_map(|e| e.members.iter().map(move |m| (e, m)))
                    .find(|(_, m)| &m.host == host && &m.container_id == id)
                else {
                    return;
                };
                let cells = member_cells(m, e.configured, state.now, theme);
                match m.error.as_deref().filter(|_| m.stats.is_none()) {
                    Some(error) => error_row(buf, &grid, rect, cells, error, theme),
                    None => grid.row(buf, rect.y, &cells),
                }
                // Last known figures of a host we can't reach: show them, dimmed.
                if !state.inventory.host(host).is_some_and(Host::is_up) {
                    buf.set_style(rect, theme.muted);
                }
            }
        },
    );
}

/// A member that didn't answer: its error takes the place of the figures
/// it explains (ZXID to SYNCED), one cell in so it doesn't run into the
/// mode; to the end of the row when nothing shown follows them.
fn error_row(
    buf: &mut Buffer,
    grid: &Grid,
    rect: Rect,
    mut cells: Vec<Line<'_>>,
    error: &str,
    theme: &Theme,
) {
    cells[FIGURES].fill(Line::default());
    grid.row(buf, rect.y, &cells);
    let Some((mode, width)) = grid.span("MODE") else {
        return;
    };
    let x = mode + width + 2;
    let end = match grid.span("PROBED") {
        Some((probed, _)) => probed.saturating_sub(1),
        None => rect.right(),
    };
    let span = Rect::new(x, rect.y, end.saturating_sub(x), 1);
    put(buf, span, &Line::styled(error.to_string(), theme.muted));
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

/// The cells of `columns` an error replaces: ZXID to SYNCED.
const FIGURES: std::ops::Range<usize> = 4..10;

/// A cell for each of `columns`; `configured` the ensemble's voting
/// members (0 when unknown).
fn member_cells<'a>(m: &'a ZkMember, configured: usize, now: i64, theme: &Theme) -> Vec<Line<'a>> {
    let dash = || Line::styled("-", theme.muted);
    let stat = |f: &dyn Fn(&crate::model::answers::zookeeper::ZkServerStats) -> String| {
        m.stats.as_ref().map_or_else(dash, |s| Line::raw(f(s)))
    };
    let probed = m.probed_at.map_or_else(dash, |at| {
        let style = if now - at > STALE {
            theme.status_warn
        } else {
            theme.base
        };
        Line::styled(format!("{} ago", human_duration(now - at)), style)
    });
    vec![
        m.server_id
            .map_or_else(dash, |id| Line::raw(id.to_string())),
        Line::raw(format!("{INDENT}{}", m.container)),
        Line::raw(m.host.as_str()),
        Line::styled(m.mode.as_str(), mode_style(m.mode, theme)),
        stat(&|s| format!("{:#x}:{:#x}", s.epoch(), s.counter())),
        stat(&|s| format!("{}/{}", ms(s.latency_avg), ms(s.latency_max))),
        stat(&|s| s.connections.to_string()),
        stat(&|s| s.outstanding.to_string()),
        stat(&|s| s.node_count.to_string()),
        synced(m, configured, theme),
        probed,
    ]
}

/// `2/2`: followers in sync with the leader, from `mntr` (leader only).
/// ZooKeeper 3.6 and later no longer say `zk_followers`: the followers
/// then are the other voting members the configuration names, and where
/// that is unknown too the count in sync shows alone (`2`).
fn synced<'a>(m: &ZkMember, configured: usize, theme: &Theme) -> Line<'a> {
    let Some(mon) = m.monitor.as_ref().filter(|_| m.mode == ZkMode::Leader) else {
        return Line::styled("-", theme.muted);
    };
    let Some(synced) = mon.synced_followers else {
        return Line::styled("-", theme.muted);
    };
    let others = configured.checked_sub(1).filter(|n| *n > 0);
    let followers = mon.followers.or(others.and_then(|n| u64::try_from(n).ok()));
    match followers {
        Some(followers) => {
            let style = if synced < followers {
                theme.status_warn
            } else {
                theme.base
            };
            Line::styled(format!("{synced}/{followers}"), style)
        }
        None => Line::raw(synced.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::answers::zookeeper::ZkReply;
    use crate::model::text::SafeText;

    /// The leader of a 3-member ensemble as ZooKeeper 3.8 answers `mntr`
    /// (`zk_synced_followers 2`, no `zk_followers`: it says `zk_learners`).
    fn leader() -> ZkMember {
        let text = include_str!("../../tests/fixtures/zookeeper/mntr-leader.txt");
        let ZkReply::Ok(monitor) = crate::probes::zookeeper::parse_mntr(text) else {
            panic!("the fixture parses");
        };
        assert_eq!(
            (monitor.synced_followers, monitor.followers),
            (Some(2), None)
        );
        ZkMember {
            host: "local".into(),
            container: SafeText::from_foreign("zk1"),
            container_id: "id1".into(),
            server_id: Some(1),
            mode: ZkMode::Leader,
            stats: None,
            monitor: Some(monitor),
            probed_at: None,
            error: None,
        }
    }

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn a_leader_without_zk_followers_shows_its_synced_count() {
        let theme = Theme::builtin_default();
        let m = leader();
        // Three voting members configured: two followers, both in sync.
        let cell = synced(&m, 3, &theme);
        assert_eq!(text(&cell), "2/2");
        assert_eq!(cell.style, theme.base);
        // Five configured, two in sync: it warns.
        let cell = synced(&m, 5, &theme);
        assert_eq!(text(&cell), "2/4");
        assert_eq!(cell.style, theme.status_warn);
        // The configuration unknown: the count alone, as status --json says.
        assert_eq!(text(&synced(&m, 0, &theme)), "2");
    }

    #[test]
    fn zk_followers_wins_and_a_follower_shows_a_dash() {
        let theme = Theme::builtin_default();
        let mut m = leader();
        if let Some(mon) = m.monitor.as_mut() {
            mon.followers = Some(3);
        }
        assert_eq!(text(&synced(&m, 3, &theme)), "2/3");
        m.mode = ZkMode::Follower;
        assert_eq!(text(&synced(&m, 3, &theme)), "-");
    }
}
