//! What the job runner reports: plain data for the Jobs pane, the headless
//! commands and the audit log.

use serde::Serialize;

use super::plan::Plan;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum JobOutcome {
    Done,
    /// Step `step` (1-based) failed; the steps before it were done.
    Failed {
        step: usize,
        error: String,
    },
    /// Stopped on request (`why`: cancelled in the Jobs pane, interrupted
    /// by a signal) after `completed` steps; `detail` is what the step in
    /// flight said as it stopped and made safe what it had done.
    Cancelled {
        completed: usize,
        why: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// Never started: read-only, or the target is busy with another job.
    Refused {
        reason: String,
    },
}

impl JobOutcome {
    /// One line for the status line, the Jobs pane and the audit log.
    pub fn text(&self, of: usize) -> String {
        match self {
            Self::Done => "done".into(),
            Self::Failed { step, error } => format!("failed at step {step} of {of}: {error}"),
            Self::Cancelled {
                completed,
                why,
                detail,
            } => {
                let detail = detail
                    .as_ref()
                    .map(|d| format!(" (step {}: {d})", completed + 1))
                    .unwrap_or_default();
                format!("{why} after {completed} of {of} steps{detail}; the rest was not done")
            }
            Self::Refused { reason } => format!("refused: {reason}"),
        }
    }

    pub fn is_done(&self) -> bool {
        *self == Self::Done
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobEvent {
    Started {
        id: u64,
        plan: Plan,
        at: i64,
    },
    Step {
        id: u64,
        index: usize,
        detail: String,
    },
    Finished {
        id: u64,
        outcome: JobOutcome,
        millis: u64,
    },
}
