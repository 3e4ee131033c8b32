//! The Jobs pane: operations running and finished, newest last, with their
//! step, a progress gauge, elapsed time, the current step and the outcome.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::table::{self, col, num, Column, Grid, PaneText};
use crate::app::job_view::Pause;
use crate::app::state::{JobView, OtherJob};
use crate::app::State;
use crate::config::Theme;
use crate::ops::journal_holder::Liveness;

/// Every action that changes something runs as a job, not only the
/// balancer's: say so, without keys a keymap may have moved.
const EMPTY: &str = "no jobs yet: restarts, drains, backups and every other action show here";
/// Cells of the progress gauge.
const GAUGE: usize = 10;

/// As they read: JOB, ACTION, PROGRESS, TIME, then what it works on and
/// how it stands. That goes last (what it works on first in it), then the
/// job's number, its time and its action (shown whole or not at all);
/// the progress gauge first. `widest` holds the widest cell of each.
fn columns(widest: [usize; 5]) -> Vec<Column> {
    let [job, action, progress, _, tail] = widest;
    vec![
        num("JOB", 0).priority(1).whole(job),
        col("ACTION", 0).priority(3).whole(action),
        col("PROGRESS", 0).priority(4).whole(progress),
        // `4.7s`, `12s`, `3m`: a fixed width, as it counts.
        num("TIME", 5).priority(2),
        col("TARGET · STEP OR OUTCOME", 0).identity().fit(12, tail),
    ]
}

pub fn render(buf: &mut Buffer, area: Rect, state: &State, theme: &Theme) {
    let text = PaneText {
        name: "Jobs",
        noun: ("job", "jobs"),
        empty: EMPTY,
    };
    let view = &state.jobs_view;
    let Some(inner) = table::pane_frame(
        buf,
        area,
        view,
        text,
        state.row_count(),
        state.row_count(),
        theme,
    ) else {
        return;
    };
    // Every row's cells, so that the columns fit them all, scrolled or not.
    let rows: Vec<Vec<Line>> = state
        .jobs
        .iter()
        .map(|job| job_cells(job, state.now_ms, theme))
        .chain(state.elsewhere.iter().map(|o| other_cells(o, theme)))
        .collect();
    let mut widest = [0; 5];
    for cells in &rows {
        for (w, cell) in widest.iter_mut().zip(cells) {
            *w = (*w).max(cell.width());
        }
    }
    let grid = Grid::new(columns(widest), inner);
    grid.header(buf, inner.y, theme.header);
    table::body(
        buf,
        inner,
        view,
        rows.len(),
        state.table_height(),
        theme,
        |buf, i, rect| grid.row(buf, rect.y, &rows[i]),
    );
}

/// A cell for each of `columns`.
fn job_cells<'a>(job: &'a JobView, now_ms: i64, theme: &Theme) -> Vec<Line<'a>> {
    let of = job.plan.steps.len();
    // Steps finished: all when done, else the ones before the current step.
    let done = match (&job.outcome, job.step) {
        (Some(o), _) if o.is_done() => of,
        (_, step) => step.unwrap_or(0),
    };
    let filled = (done * GAUGE).checked_div(of).unwrap_or(GAUGE);
    let gauge = format!("[{}{}]", "#".repeat(filled), "-".repeat(GAUGE - filled));
    let (tail, style) = match (&job.outcome, job.pause) {
        (None, Pause::Waiting { index }) => (
            format!(
                "{} · paused before step {}/{of} (p continues)",
                job.plan.target,
                index + 1
            ),
            theme.status_warn,
        ),
        (None, pause) => (
            format!(
                "{} · step {}/{of}{}: {}",
                job.plan.target,
                done + 1,
                if pause == Pause::Asked {
                    " (then pauses)"
                } else {
                    ""
                },
                job.detail
            ),
            theme.accent,
        ),
        (Some(o), _) if o.is_done() => (format!("{} · done", job.plan.target), theme.status_ok),
        (Some(o), _) => (
            format!("{} · {}", job.plan.target, o.text(of)),
            theme.status_bad,
        ),
    };
    vec![
        Line::raw(job.id.to_string()),
        Line::raw(job.plan.action.to_string()),
        Line::styled(format!("{gauge} {done}/{of}"), style),
        Line::raw(job.elapsed(now_ms)),
        Line::styled(tail, style),
    ]
}

/// Another tugboat's job, as its leases say: who runs it and whether its
/// process runs (a gone one's leases wait for its `tugboat recover`).
fn other_cells<'a>(job: &'a OtherJob, theme: &Theme) -> Vec<Line<'a>> {
    let (state, style) = match job.liveness {
        Liveness::Running => ("runs", theme.accent),
        Liveness::OtherMachine => ("elsewhere", theme.accent),
        Liveness::Gone => ("cut off", theme.status_bad),
    };
    vec![
        Line::raw("·"),
        Line::raw("other"),
        Line::styled(state, style),
        Line::default(),
        Line::styled(
            format!(
                "{} · {} · holds {} · since {}",
                job.job, job.who, job.holds, job.since
            ),
            style,
        ),
    ]
}
