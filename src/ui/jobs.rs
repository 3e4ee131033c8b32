//! The Jobs pane: operations running and finished, newest last, with their
//! step, a progress gauge, elapsed time, the current step and the outcome.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::table::{self, PaneText};
use super::text::put;
use crate::app::state::{JobView, OtherJob};
use crate::app::State;
use crate::config::Theme;
use crate::model::container::human_duration;
use crate::ops::journal_holder::Liveness;

const EMPTY: &str = "no operations yet: d / a / m on a balancer server start one";
/// Cells of the progress gauge.
const GAUGE: usize = 10;

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
    let header = format!(
        "{:>4} {:<6} {:<17}{:>6}  {}",
        "JOB", "ACTION", "PROGRESS", "TIME", "TARGET · STEP OR OUTCOME"
    );
    let header = Line::styled(header, theme.header);
    put(buf, super::text::row(inner, 0), &header);
    table::body(
        buf,
        inner,
        view,
        state.row_count(),
        state.table_height(),
        theme,
        |buf, i, rect| match state.jobs.get(i) {
            Some(job) => put(buf, rect, &job_line(job, state.now, theme)),
            None => {
                if let Some(other) = state.elsewhere.get(i - state.jobs.len()) {
                    put(buf, rect, &other_line(other, theme));
                }
            }
        },
    );
}

fn job_line<'a>(job: &'a JobView, now: i64, theme: &Theme) -> Line<'a> {
    let of = job.plan.steps.len();
    // Steps finished: all when done, else the ones before the current step.
    let done = match (&job.outcome, job.step) {
        (Some(o), _) if o.is_done() => of,
        (_, step) => step.unwrap_or(0),
    };
    let filled = (done * GAUGE).checked_div(of).unwrap_or(GAUGE);
    let gauge = format!("[{}{}]", "#".repeat(filled), "-".repeat(GAUGE - filled));
    let time = match job.millis {
        Some(ms) => format!("{:.1}s", ms as f64 / 1000.0),
        None => human_duration(now - job.started),
    };
    let (tail, style) = match &job.outcome {
        None => (
            format!(
                "{} · step {}/{of}: {}",
                job.plan.target,
                done + 1,
                job.detail
            ),
            theme.accent,
        ),
        Some(o) if o.is_done() => (format!("{} · done", job.plan.target), theme.status_ok),
        Some(o) => (
            format!("{} · {}", job.plan.target, o.text(of)),
            theme.status_bad,
        ),
    };
    Line::from(vec![
        Span::raw(format!("{:>4} {:<6} ", job.id, job.plan.action)),
        Span::styled(format!("{gauge} {done}/{of} "), style),
        Span::raw(format!("{time:>6}  ")),
        Span::styled(tail, style),
    ])
}

/// Another tugboat's job, as its leases say: who runs it and whether its
/// process runs (a gone one's leases wait for its `tugboat recover`).
fn other_line<'a>(job: &'a OtherJob, theme: &Theme) -> Line<'a> {
    let (state, style) = match job.liveness {
        Liveness::Running => ("runs", theme.accent),
        Liveness::OtherMachine => ("elsewhere", theme.accent),
        Liveness::Gone => ("cut off", theme.status_bad),
    };
    Line::from(vec![
        Span::raw(format!("{:>4} {:<6} ", "·", "other")),
        Span::styled(format!("{state:<17}"), style),
        Span::raw(format!("{:>6}  ", "")),
        Span::styled(
            format!(
                "{} · {} · holds {} · since {}",
                job.job, job.who, job.holds, job.since
            ),
            style,
        ),
    ])
}
