//! The Timeline pane: what the engines said, what the probes saw change
//! and what the operators did, in time order; OOM kills, failing
//! healthchecks and crashes marked `!!` and in the bad colour, so they
//! show without colour too.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::table::{self, PaneText};
use super::text::put;
use crate::app::State;
use crate::config::Theme;
use crate::model::timeline::{Severity, TimelineEntry};

const EMPTY: &str = "nothing happened yet: deaths, OOM kills, health, leaders and jobs show here";

/// Below this width the SOURCE column goes.
const WIDE: u16 = 120;

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
    let wide = inner.width >= WIDE;
    let header = if wide {
        format!(
            "{:<12}    {:<10} {:<8} {:<32} {}",
            "TIME (UTC)", "HOST", "SOURCE", "OBJECT", "WHAT"
        )
    } else {
        format!("{:<8}    {:<8} {:<24} {}", "TIME", "HOST", "OBJECT", "WHAT")
    };
    put(
        buf,
        super::text::row(inner, 0),
        &Line::styled(header, theme.header),
    );
    table::body(
        buf,
        inner,
        view,
        shown,
        state.table_height(),
        theme,
        |buf, i, rect| {
            if let Some(e) = state.timeline.shown(i) {
                put(buf, rect, &entry_line(e, wide, theme));
            }
        },
    );
}

fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        format!("{s:<n$}")
    } else {
        let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

fn entry_line<'a>(e: &TimelineEntry, wide: bool, theme: &Theme) -> Line<'a> {
    let (mark, style) = match e.severity {
        Severity::Bad => ("!!", theme.status_bad),
        Severity::Warn => (" !", theme.status_warn),
        Severity::Info => ("  ", theme.base),
    };
    let clock = crate::model::log_time::clock_of(e.at);
    let text = if wide {
        format!(
            "{clock} {mark} {} {:<8} {} {}",
            cut(&e.host, 10),
            e.source.as_str(),
            cut(&e.object, 32),
            e.what
        )
    } else {
        format!(
            "{} {mark} {} {} {}",
            &clock[..8],
            cut(&e.host, 8),
            cut(&e.object, 24),
            e.what
        )
    };
    Line::styled(text, style)
}
