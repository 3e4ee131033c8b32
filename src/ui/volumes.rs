//! The Volumes pane: named volumes on every host and who uses them.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};

use super::table::{self, col, num, Column, Grid};
use super::text::put;
use crate::app::State;
use crate::config::Theme;
use crate::model::container::human_bytes;
use crate::model::{Host, Volume, VolumeUser};

/// Mountpoints are long and all alike; show them only when there is room.
const MOUNTPOINT_WIDTH: u16 = 120;
const LABELS_WIDTH: u16 = 160;

fn columns(width: u16, backups: bool) -> Vec<Column> {
    use Constraint::{Fill, Length};
    let mut cols = vec![
        col("HOST", Length(10)),
        col("NAME", Fill(1)),
        col("DRIVER", Length(8)),
        num("SIZE", Length(6)),
        col("USED BY", Fill(2)),
    ];
    // Only once there is a backup, so the pane stays as it was without.
    if backups {
        cols.push(col("BACKUPS", Length(9)));
    }
    if width >= MOUNTPOINT_WIDTH {
        cols.push(col("MOUNTPOINT", Fill(2)));
    }
    if width >= LABELS_WIDTH {
        cols.push(col("LABELS", Fill(2)));
    }
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
    let grid = Grid::new(columns(inner.width, backups), inner);
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
