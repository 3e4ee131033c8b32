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
        field("action", value(j.plan.action.to_string())),
        field("target", value(j.plan.target.to_string())),
        field("host", value(&j.plan.host)),
        field("started", value(clock_since(j.started(), state.now))),
    ];
    if j.millis.is_some() {
        fields.push(field("took", value(j.elapsed(state.now_ms))));
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
        sections: steps(j).into_iter().chain(output(j)).collect(),
    }
}

/// What the job's steps reported (a user action's program's lines), in
/// order: already sanitized where it was read.
fn output(j: &JobView) -> Vec<DetailLine> {
    if j.output.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![
        line(vec![]),
        line(vec![seg(
            format!("Output ({} lines)", j.output.len()),
            Tone::Heading,
        )]),
    ];
    lines.extend(
        j.output
            .iter()
            .map(|l| line(vec![seg(l.clone(), Tone::Value)])),
    );
    lines
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

#[cfg(test)]
mod tests {
    use super::super::state::JobView;
    use crate::ops::job::JobOutcome;
    use crate::ops::plan::restart_plan;

    fn job(started_ms: i64, millis: Option<u64>) -> JobView {
        JobView {
            id: 1,
            plan: restart_plan("local", "abc", "db1", 10),
            started_ms,
            step: Some(0),
            detail: String::new(),
            outcome: millis.map(|_| JobOutcome::Done),
            millis,
            output: Default::default(),
            pause: Default::default(),
        }
    }

    #[test]
    fn a_job_counts_tenths_below_ten_seconds_from_its_start_to_now_or_its_end() {
        let now = 1_700_000_000_000;
        // Running: from its start to now, not stuck at 0s.
        assert_eq!(job(now - 4_700, None).elapsed(now), "4.7s");
        assert_eq!(job(now - 99, None).elapsed(now), "0.0s");
        assert_eq!(job(now - 9_999, None).elapsed(now), "9.9s");
        assert_eq!(job(now - 10_000, None).elapsed(now), "10s");
        assert_eq!(job(now - 75_000, None).elapsed(now), "1m");
        // A start the clock has not caught up with yet reads 0.
        assert_eq!(job(now + 500, None).elapsed(now), "0.0s");
        // Ended: how long it ran, whatever the time now.
        assert_eq!(job(now - 60_000, Some(4_700)).elapsed(now), "4.7s");
        assert_eq!(job(now - 60_000, Some(12_300)).elapsed(now), "12s");
    }
}
