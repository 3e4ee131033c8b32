//! The Timeline pane: what the engines said, what the probes saw change
//! and what the operators did, in time order; OOM kills, failing
//! healthchecks and crashes marked `!!` and in the bad colour, so they
//! show without colour too.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::table::{self, col, widest, Column, Grid, PaneText};
use crate::app::State;
use crate::config::Theme;
use crate::model::timeline::{Severity, TimelineEntry};

const EMPTY: &str = "nothing happened yet: deaths, OOM kills, health, leaders and jobs show here";

/// The time's title: it fits the narrowest time, `23:12:40`.
const TIME: &str = "TIME UTC";
/// Wide enough for milliseconds: `23:12:40.123`.
const CLOCK: u16 = 12;

/// As they read: TIME, the `!!` mark, HOST, SOURCE, OBJECT, WHAT;
/// `widest` the widest host, object and what. After what it is about,
/// what happened goes last, then the mark, the time and the host; the
/// source first.
fn columns([host, object, what]: [usize; 3]) -> Vec<Column> {
    vec![
        col(TIME, 8).priority(3).upto(CLOCK),
        col("", 2).priority(2),
        col("HOST", 0).priority(4).whole(host),
        col("SOURCE", 8).priority(5),
        col("OBJECT", 0).identity().fit(12, object),
        col("WHAT", 0).priority(1).fit(12, what),
    ]
}

pub fn render(buf: &mut Buffer, area: Rect, state: &State, theme: &Theme) {
    let text = PaneText {
        name: "Timeline",
        noun: ("event", "events"),
        empty: EMPTY,
    };
    let view = &state.timeline_view;
    let shown = state.timeline.shown_len();
    let Some(inner) = table::pane_frame(
        buf,
        area,
        view,
        text,
        shown,
        state.timeline.entries().len(),
        theme,
    ) else {
        return;
    };
    let entries = || (0..shown).filter_map(|i| state.timeline.shown(i));
    let widths = [
        widest(entries().map(|e| e.host.as_str())),
        widest(entries().map(|e| e.object.as_str())),
        widest(entries().map(|e| e.what.as_str())),
    ];
    let grid = Grid::new(columns(widths), inner);
    grid.header(buf, inner.y, theme.header);
    let millis = grid.span(TIME).is_some_and(|(_, w)| w >= CLOCK);
    table::body(
        buf,
        inner,
        view,
        shown,
        state.table_height(),
        theme,
        |buf, i, rect| {
            if let Some(e) = state.timeline.shown(i) {
                grid.row(buf, rect.y, &entry_cells(e, millis, theme));
            }
        },
    );
}

/// A cell for each of `columns`; the time with its milliseconds when
/// `millis`.
fn entry_cells<'a>(e: &'a TimelineEntry, millis: bool, theme: &Theme) -> Vec<Line<'a>> {
    let (mark, style) = match e.severity {
        Severity::Bad => ("!!", theme.status_bad),
        Severity::Warn => (" !", theme.status_warn),
        Severity::Info => ("  ", theme.base),
    };
    let mut clock = crate::model::log_time::clock_of(e.at);
    if !millis {
        clock.truncate(8);
    }
    vec![
        Line::styled(clock, style),
        Line::styled(mark, style),
        Line::styled(e.host.as_str(), style),
        Line::styled(e.source.as_str(), style),
        Line::styled(e.object.as_str(), style),
        Line::styled(e.what.as_str(), style),
    ]
}
