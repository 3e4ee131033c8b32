//! The Balancer pane: each HAProxy on one row (or why it has no stats),
//! then its frontends, its backends and under each backend its servers,
//! every server tied to the container it points at.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::table::{self, col, num, widest, Column, Grid};
use super::text::{put, width};
use crate::app::rows::BalancerRow;
use crate::app::State;
use crate::config::Theme;
use crate::model::answers::haproxy::{StatRow, Status};
use crate::model::balancer::{BackendView, Balancer, BalancerKind, ServerView};
use crate::model::container::human_duration;
use crate::model::probe_history::ServerKey;
use crate::model::{Host, SafeText};

/// Server names sit under their backend row.
const INDENT: &str = "    ";

/// Marks a backup server after its name.
const BACKUP: &str = " (backup)";

/// Seconds after which a probe answer reads as stale (as in the ZooKeeper pane).
const STALE: i64 = 60;

const EMPTY: &str = "no HAProxy or nginx containers found (role from labels, image or command)";

/// Widest cells of the columns sized by them.
struct Widths {
    /// Server names with their indent and backup mark.
    name: usize,
    address: usize,
    container: usize,
}

/// As they read: SERVER, STATUS, WEIGHT, CHECK, SESS, SESSIONS, CHANGED,
/// ADDRESS, CONTAINER. After the server, its status goes last, then the
/// container it points at, its check, weight and sessions; the sessions'
/// sparkline first, then when it last changed, then its address.
fn columns(w: &Widths) -> Vec<Column> {
    vec![
        col("    SERVER", 0).identity().fit(12, w.name),
        col("STATUS", 8).priority(1),
        num("WEIGHT", 6).priority(4),
        col("CHECK", 7).priority(3),
        num("SESS", 5).priority(5),
        col("SESSIONS", SESSIONS as u16).priority(8),
        num("CHANGED", 7).priority(7),
        col("ADDRESS", 0).priority(6).whole(w.address),
        col("CONTAINER", 0).priority(2).fit(12, w.container),
    ]
}

pub fn render(buf: &mut Buffer, area: Rect, state: &State, theme: &Theme) {
    let balancers = state.balancers();
    let rows = state.balancer_rows();
    let view = &state.balancer;
    let text = table::PaneText {
        name: "Balancer",
        noun: ("balancer", "balancers"),
        empty: EMPTY,
    };
    let Some(inner) = table::pane_frame(buf, area, view, text, balancers.len(), rows.len(), theme)
    else {
        return;
    };
    let servers = || {
        balancers
            .iter()
            .flat_map(|b| &b.backends)
            .flat_map(|be| &be.servers)
    };
    let widths = Widths {
        name: widest(servers().map(|s| {
            let backup = if s.stat.backup { BACKUP } else { "" };
            format!("{INDENT}{}{backup}", s.stat.name)
        })),
        address: widest(servers().map(|s| s.stat.address.as_str())),
        container: widest(servers().filter_map(|s| s.container_name.as_deref())),
    };
    // Frontend and backend names padded alike, so their states line up.
    let proxy_width = balancers
        .iter()
        .flat_map(|b| {
            b.frontends
                .iter()
                .chain(b.backends.iter().map(|be| &be.stat))
        })
        .map(|s| width(&s.proxy))
        .max()
        .unwrap_or(0);
    let grid = Grid::new(columns(&widths), inner);
    grid.header(buf, inner.y, theme.header);
    let find = |id: &str| balancers.iter().find(|b| b.container_id == id);
    table::body(
        buf,
        inner,
        view,
        rows.len(),
        state.table_height(),
        theme,
        |buf, i, rect| {
            let b = match &rows[i] {
                BalancerRow::Balancer { host, id } => {
                    let b = balancers
                        .iter()
                        .find(|b| &b.host == host && &b.container_id == id);
                    if let Some(b) = b {
                        put(buf, rect, &balancer_line(b, state.now, theme));
                    }
                    b
                }
                BalancerRow::Frontend { balancer, name } => {
                    let b = find(balancer);
                    let f = b.and_then(|b| b.frontends.iter().find(|f| &f.proxy == name));
                    if let Some(f) = f {
                        put(buf, rect, &frontend_line(f, proxy_width, theme));
                    }
                    b
                }
                BalancerRow::Backend { balancer, name } => {
                    let b = find(balancer);
                    if let Some(be) = b.and_then(|b| backend(b, name)) {
                        put(buf, rect, &backend_line(be, proxy_width, theme));
                    }
                    b
                }
                BalancerRow::Server {
                    balancer,
                    backend: be,
                    name,
                } => {
                    let b = find(balancer);
                    let be = b.and_then(|b| backend(b, be));
                    let s = be.and_then(|be| be.servers.iter().find(|s| &s.stat.name == name));
                    if let (Some(b), Some(be), Some(s)) = (b, be, s) {
                        let mut cells = server_cells(s, theme);
                        cells.insert(5, sessions_cell(state, b, be, s));
                        grid.row(buf, rect.y, &cells);
                    }
                    b
                }
            };
            // Last known stats of a host we can't reach: show them, dimmed.
            if let Some(b) = b {
                if !state.inventory.host(&b.host).is_some_and(Host::is_up) {
                    buf.set_style(rect, theme.muted);
                }
            }
        },
    );
}

fn backend<'a>(b: &'a Balancer, name: &str) -> Option<&'a BackendView> {
    b.backends.iter().find(|be| be.stat.proxy == name)
}

/// How loud a state reads: serving is fine, on the way down or out of
/// rotation on purpose warns, down or stopped is bad, unchecked is unknown.
pub fn status_style(status: &Status, theme: &Theme) -> Style {
    match status {
        Status::Up | Status::Open => theme.status_ok,
        Status::Down | Status::Maint | Status::Stop => theme.status_bad,
        Status::Drain | Status::NoLb | Status::Going { .. } | Status::Other { .. } => {
            theme.status_warn
        }
        Status::NoCheck => theme.muted,
    }
}

/// `▼ edge-lb on local · socket /var/run/haproxy.sock · probed 2s ago`; or
/// in place of the socket, why there are no stats (the error first, so
/// that the probe's age is what a narrow row cuts).
fn balancer_line<'a>(b: &'a Balancer, now: i64, theme: &Theme) -> Line<'a> {
    let sep = || Span::styled(" · ", theme.accent);
    let mut spans = vec![
        Span::styled("▼ ", theme.accent),
        Span::styled(
            b.container.as_str(),
            theme.accent.add_modifier(Modifier::BOLD),
        ),
        Span::styled(format!(" on {}", b.host), theme.accent),
        sep(),
    ];
    match (&b.error, &b.socket) {
        (Some(e), _) if e == "probing…" => spans.push(Span::styled(e.as_str(), theme.muted)),
        (Some(e), _) => spans.push(Span::styled(e.as_str(), theme.status_bad)),
        (None, Some(socket)) => spans.push(Span::styled(format!("socket {socket}"), theme.accent)),
        (None, None) if b.kind == BalancerKind::Nginx => {
            spans.push(Span::styled("nginx upstreams, read-only", theme.accent))
        }
        (None, None) => spans.push(Span::styled("no stats", theme.muted)),
    }
    if let Some(at) = b.probed_at {
        let style = if now - at > STALE {
            theme.status_warn
        } else {
            theme.accent
        };
        spans.push(sep());
        spans.push(Span::styled(
            format!("probed {} ago", human_duration(now - at)),
            style,
        ));
    }
    Line::from(spans)
}

/// `  frontend fe_app  OPEN  sessions 3  rate 1/s`
fn frontend_line<'a>(f: &'a StatRow, pad: usize, theme: &Theme) -> Line<'a> {
    Line::from(vec![
        Span::styled("  frontend ", theme.muted),
        Span::styled(format!("{:<pad$}", f.proxy), theme.base),
        Span::raw("  "),
        Span::styled(f.status.label(), status_style(&f.status, theme)),
        Span::styled("  sessions ", theme.muted),
        Span::styled(f.current_sessions.to_string(), theme.base),
        Span::styled("  rate ", theme.muted),
        Span::styled(format!("{}/s", f.session_rate), theme.base),
    ])
}

/// `  backend  be_app  UP  2 active · 0 backup  sessions 5`; fewer active
/// servers than the backend has (backups aside) warns, none is bad.
fn backend_line<'a>(be: &'a BackendView, pad: usize, theme: &Theme) -> Line<'a> {
    let s = &be.stat;
    let count = |n: Option<u64>| n.map_or_else(|| "-".to_string(), |n| n.to_string());
    let primaries = be.servers.iter().filter(|s| !s.stat.backup).count() as u64;
    let active_style = match s.active_servers {
        Some(0) if primaries > 0 => theme.status_bad,
        Some(n) if n < primaries => theme.status_warn,
        _ => theme.base,
    };
    Line::from(vec![
        Span::styled("  backend  ", theme.muted),
        Span::styled(format!("{:<pad$}", s.proxy), theme.base),
        Span::raw("  "),
        Span::styled(s.status.label(), status_style(&s.status, theme)),
        Span::raw("  "),
        Span::styled(format!("{} active", count(s.active_servers)), active_style),
        Span::styled(" · ", theme.muted),
        Span::styled(format!("{} backup", count(s.backup_servers)), theme.base),
        Span::styled("  sessions ", theme.muted),
        Span::styled(s.current_sessions.to_string(), theme.base),
    ])
}

/// Rounds the SESSIONS column draws.
const SESSIONS: usize = 12;

/// A server's sessions over the last rounds, scaled to the busiest server
/// of its backend over them, so the servers of a backend compare.
fn sessions_cell<'a>(state: &State, b: &Balancer, be: &BackendView, s: &ServerView) -> Line<'a> {
    let key = |name: &SafeText| ServerKey {
        balancer: (b.host.clone(), b.container_id.clone()),
        backend: be.stat.proxy.clone(),
        server: name.clone(),
    };
    let history = &state.probes.history;
    let top = be
        .servers
        .iter()
        .filter_map(|s| history.sessions(&key(&s.stat.name)))
        .map(|h| h.peak(SESSIONS))
        .max()
        .unwrap_or(0);
    // One round is a figure (SESS has it), not a trend.
    history
        .sessions(&key(&s.stat.name))
        .filter(|h| h.len() > 1)
        .map_or_else(Line::default, |h| Line::raw(h.line(SESSIONS, top)))
}

/// HAProxy's check result: passing (`L4OK`, `L7OK`…) plain, not run yet
/// (`INI`) or none muted, anything else (`L4TOUT`, `L4CON`, `L7STS`…) bad.
fn check_cell<'a>(check: &'a str, theme: &Theme) -> Line<'a> {
    match check {
        "" => Line::styled("-", theme.muted),
        c if c.ends_with("OK") => Line::styled(c, theme.base),
        c if c.starts_with("INI") => Line::styled(c, theme.muted),
        c => Line::styled(c, theme.status_bad),
    }
}

/// A cell for each of `columns`.
fn server_cells<'a>(s: &'a ServerView, theme: &Theme) -> Vec<Line<'a>> {
    let st = &s.stat;
    let dash = || Line::styled("-", theme.muted);
    let mut name = vec![Span::styled(format!("{INDENT}{}", st.name), theme.base)];
    if st.backup {
        name.push(Span::styled(BACKUP, theme.muted));
    }
    vec![
        Line::from(name),
        Line::styled(st.status.label(), status_style(&st.status, theme)),
        st.weight.map_or_else(dash, |w| Line::raw(w.to_string())),
        check_cell(&st.check_status, theme),
        Line::raw(st.current_sessions.to_string()),
        st.last_change_secs.map_or_else(dash, |secs| {
            Line::raw(human_duration(i64::try_from(secs).unwrap_or(i64::MAX)))
        }),
        match st.address.as_str() {
            "" => dash(),
            a => Line::raw(a),
        },
        s.container_name
            .as_deref()
            .map_or_else(dash, |n| Line::styled(n, theme.base)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_name_goes_last_and_the_container_after_it() {
        let widths = Widths {
            name: 20,
            address: 15,
            container: 14,
        };
        let titles = |room| {
            let cols = columns(&widths);
            let shown = table::layout(&cols, room);
            cols.iter()
                .zip(shown)
                .filter_map(|(c, w)| Some((c.title.trim(), w?)))
                .collect::<Vec<_>>()
        };
        // Narrow: the whole name and the status; the container once it
        // fits at 12 cells, up to all its name needs.
        assert_eq!(titles(36), [("SERVER", 20), ("STATUS", 8)]);
        assert_eq!(
            titles(46),
            [("SERVER", 20), ("STATUS", 8), ("CONTAINER", 14)]
        );
        // An address is shown whole or not at all; CHANGED goes first.
        let at_78: Vec<_> = titles(78).iter().map(|(t, _)| *t).collect();
        assert_eq!(
            at_78,
            ["SERVER", "STATUS", "WEIGHT", "CHECK", "SESS", "CONTAINER"]
        );
        // The sessions' sparkline is the first to go: only with room for all.
        assert!(!titles(101).iter().any(|(t, _)| *t == "SESSIONS"));
        assert_eq!(titles(102).len(), 9);
    }

    #[test]
    fn transitions_warn_and_down_is_bad() {
        let theme = Theme::builtin_default();
        let going = Status::Going {
            from_up: true,
            done: 1,
            needed: 3,
        };
        assert_eq!(status_style(&going, &theme), theme.status_warn);
        assert_eq!(status_style(&Status::Drain, &theme), theme.status_warn);
        assert_eq!(status_style(&Status::Down, &theme), theme.status_bad);
        assert_eq!(status_style(&Status::NoCheck, &theme), theme.muted);
        assert_eq!(check_cell("L4TOUT", &theme).style, theme.status_bad);
        assert_eq!(check_cell("L7OK", &theme).style, theme.base);
    }
}
