//! The Volumes pane: named volumes on every host and who uses them.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::table::{self, col, num, widest, Column, Grid};
use super::text::put;
use crate::app::State;
use crate::config::Theme;
use crate::model::container::human_bytes;
use crate::model::{Host, Volume, VolumeUser};

/// Widest cells of the columns sized by them.
struct Widths {
    host: usize,
    name: usize,
    driver: usize,
    used_by: usize,
    mountpoint: usize,
    labels: usize,
}

impl Widths {
    fn of(state: &State, volumes: &[&Volume]) -> Self {
        let users = |v: &&Volume| used_by_text(&state.inventory.volume_users(&v.host, &v.name));
        let w = |f: &dyn Fn(&&Volume) -> String| widest(volumes.iter().map(f));
        Self {
            host: w(&|v| v.host.clone()),
            name: w(&|v| v.name.to_string()),
            driver: w(&|v| v.driver.to_string()),
            used_by: w(&users),
            mountpoint: w(&|v| v.mountpoint.to_string()),
            labels: w(&|v| labels(v)),
        }
    }
}

/// As they read: HOST, NAME, DRIVER, SIZE, USED BY, [BACKUPS],
/// MOUNTPOINT, LABELS. After the name, who uses a volume goes last, then
/// its host and size; the mountpoint first (long and all alike: shown
/// whole or not at all), then labels, the driver and the backups.
fn columns(w: &Widths, backups: bool) -> Vec<Column> {
    let mut cols = vec![
        col("HOST", 0).priority(2).whole(w.host),
        col("NAME", 0).identity().fit(12, w.name),
        col("DRIVER", 0).priority(5).fit(6, w.driver),
        num("SIZE", 6).priority(3),
        col("USED BY", 0).priority(1).fit(10, w.used_by),
    ];
    // Only once there is a backup, so the pane stays as it was without.
    if backups {
        cols.push(col("BACKUPS", 9).priority(4));
    }
    cols.extend([
        col("MOUNTPOINT", 0).priority(7).whole(w.mountpoint),
        col("LABELS", 0).priority(6).fit(12, w.labels),
    ]);
    cols
}

pub fn render(buf: &mut Buffer, area: Rect, state: &State, theme: &Theme) {
    let rows = state.volume_rows();
    let view = &state.volumes;
    let title = Line::from(vec![
        Span::raw(" Volumes "),
        Span::styled(format!("· {} ", rows.len()), theme.muted),
    ]);
    let inner = table::frame(buf, area, title, table::position(view, rows.len()), theme);
    if inner.height == 0 {
        return;
    }
    let backups = !state.backups.listing.complete.is_empty();
    let volumes: Vec<&Volume> = rows
        .iter()
        .filter_map(|key| state.inventory.volumes.get(key))
        .collect();
    let grid = Grid::new(columns(&Widths::of(state, &volumes), backups), inner);
    grid.header(buf, inner.y, theme.header);
    if rows.is_empty() && inner.height > 1 {
        let text = match state.volumes.active_filter() {
            "" => "no volumes".to_string(),
            f => format!("no volumes match `{f}`"),
        };
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
            let Some(v) = state.inventory.volumes.get(&rows[i]) else {
                return;
            };
            let users = state.inventory.volume_users(&v.host, &v.name);
            let mut cells = cells(v, &users, theme);
            if backups {
                let summary = crate::app::backups::summary(state, &v.host, &v.name);
                let cell = summary.map_or_else(|| Line::styled("-", theme.muted), Line::raw);
                cells.insert(5, cell);
            }
            grid.row(buf, rect.y, &cells);
            if !state.inventory.host(&v.host).is_some_and(Host::is_up) {
                buf.set_style(rect, theme.muted);
            }
        },
    );
}

fn cells<'a>(v: &'a Volume, users: &[VolumeUser], theme: &Theme) -> Vec<Line<'a>> {
    let size = v.size.map_or_else(
        || Line::styled("-", theme.muted),
        |s| Line::raw(human_bytes(s)),
    );
    vec![
        Line::raw(v.host.as_str()),
        Line::raw(v.name.as_str()),
        Line::raw(v.driver.as_str()),
        size,
        used_by(users, theme),
        Line::styled(v.mountpoint.as_str(), theme.muted),
        Line::raw(labels(v)),
    ]
}

/// `db-1,old-db(stopped)`, as `used_by` draws it.
fn used_by_text(users: &[VolumeUser]) -> String {
    let name = |u: &VolumeUser| {
        if u.running {
            u.container.to_string()
        } else {
            format!("{}(stopped)", u.container)
        }
    };
    users.iter().map(name).collect::<Vec<_>>().join(",")
}

/// `db-1,old-db(stopped)`: stopped users matter (they pin the volume) but
/// read as secondary.
fn used_by(users: &[VolumeUser], theme: &Theme) -> Line<'static> {
    if users.is_empty() {
        return Line::styled("-", theme.muted);
    }
    let mut spans = Vec::new();
    for (i, u) in users.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(","));
        }
        if u.running {
            spans.push(Span::raw(u.container.to_string()));
        } else {
            spans.push(Span::styled(
                format!("{}(stopped)", u.container),
                theme.muted,
            ));
        }
    }
    Line::from(spans)
}

pub fn labels(v: &Volume) -> String {
    v.labels
        .iter()
        .map(|(k, val)| format!("{k}={val}"))
        .collect::<Vec<_>>()
        .join(",")
}
