//! The detail of one of this tugboat's jobs (Enter on the Jobs pane): what
//! it does, where it stands, every step of its plan with how far it got,
//! and its outcome in full — the Jobs pane's row cuts it at the screen's
//! width.

use super::detail_text::{clock_since, field, line, seg, value, Detail, DetailLine, Tone};
use super::state::{JobView, State};
use crate::ops::job::JobOutcome;

pub(super) fn job(j: &JobView, state: &State) -> Detail {
    let of = j.plan.steps.len();
    let mut fields = vec![
        field("action", value(&j.plan.action)),
        field("target", value(&j.plan.target)),
        field("host", value(&j.plan.host)),
        field("started", value(clock_since(j.started, state.now))),
    ];
    let took = j.millis.map(|ms| format!("{:.1}s", ms as f64 / 1000.0));
    if let Some(took) = took {
        fields.push(field("took", value(took)));
    }
    let (state_text, tone) = match &j.outcome {
        None => (
            format!(
                "running step {} of {of}: {}",
                j.step.map_or(1, |s| s + 1),
                j.detail
            ),
            Tone::Warn,
        ),
        Some(o) if o.is_done() => ("done".to_string(), Tone::Ok),
        Some(o) => (o.text(of), Tone::Bad),
    };
    fields.push(field("outcome", seg(state_text, tone)));
    Detail {
        title: format!("Job {} — {} {}", j.id, j.plan.action, j.plan.target),
        fields,
        sections: steps(j),
    }
}

/// `✓ 1. …` done; `▶` running, `✗` failed or `■` stopped at the next;
/// the steps not reached plain.
fn steps(j: &JobView) -> Vec<DetailLine> {
    let reached = match (&j.outcome, j.step) {
        (Some(JobOutcome::Done), _) => j.plan.steps.len(),
        (Some(JobOutcome::Failed { step, .. }), _) => step - 1,
        (Some(JobOutcome::Cancelled { completed, .. }), _) => *completed,
        (Some(JobOutcome::Refused { .. }), _) => 0,
        (None, step) => step.unwrap_or(0),
    };
    // The step where it stands: running, failed, or where it stopped.
    let at_reached = match &j.outcome {
        None => ("▶", Tone::Warn),
        Some(JobOutcome::Failed { .. }) => ("✗", Tone::Bad),
        Some(JobOutcome::Cancelled { .. }) => ("■", Tone::Warn),
        Some(JobOutcome::Done | JobOutcome::Refused { .. }) => (" ", Tone::Muted),
    };
    let mut lines = vec![line(vec![seg("Plan", Tone::Heading)])];
    for (i, step) in j.plan.steps.iter().enumerate() {
        let (mark, tone) = match i.cmp(&reached) {
            std::cmp::Ordering::Less => ("✓", Tone::Ok),
            std::cmp::Ordering::Equal => at_reached,
            std::cmp::Ordering::Greater => (" ", Tone::Muted),
        };
        lines.push(line(vec![
            seg(format!("{mark} {}. ", i + 1), tone),
            seg(step.what.clone(), Tone::Value),
        ]));
    }
    lines
}
