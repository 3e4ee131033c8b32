//! What the job runner reports: plain data for the Jobs pane, the headless
//! commands and the audit log.

use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::watch;

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
        /// Unix milliseconds: the Jobs pane counts tenths of a second.
        at_ms: i64,
    },
    Step {
        id: u64,
        index: usize,
        detail: String,
    },
    /// The job waits before step `index` (asked to pause), or goes on
    /// (asked to continue).
    Paused { id: u64, index: usize, paused: bool },
    /// What step `index` found or did while running (a create's checks),
    /// or, while the job makes safe what it did, what an undo step did.
    Progress { id: u64, index: usize, text: String },
    Finished {
        id: u64,
        outcome: JobOutcome,
        millis: u64,
    },
}

/// Ask a running job to stop at its next safe point: between steps, or
/// inside a long step that watches for it (and then makes safe what it
/// did). The first reason given is the one reported and audited.
/// Also asks it to pause at its next pause point (between a rolling
/// restart's members) and to continue from there.
#[derive(Clone)]
pub struct JobControl {
    stop: Arc<watch::Sender<bool>>,
    why: Arc<Mutex<Option<String>>>,
    pause: Arc<watch::Sender<bool>>,
}

impl Default for JobControl {
    fn default() -> Self {
        Self {
            stop: Arc::new(watch::channel(false).0),
            why: Arc::default(),
            pause: Arc::new(watch::channel(false).0),
        }
    }
}

impl JobControl {
    /// A signal arrived (`SIGTERM`, `SIGHUP`: the session is gone, …).
    pub fn interrupt(&self, signal: &str) {
        self.stop_because(&format!("interrupted by {signal}"));
    }

    /// Stop for `why` (said in the outcome and the audit record).
    pub fn stop_because(&self, why: &str) {
        self.why
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert_with(|| why.to_string());
        self.stop.send_replace(true);
    }

    pub fn is_stopped(&self) -> bool {
        *self.stop.borrow()
    }

    pub(crate) fn why(&self) -> String {
        self.why
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .unwrap_or_else(|| "cancelled".into())
    }

    /// A receiver that turns true when the job is asked to stop.
    pub fn watch(&self) -> watch::Receiver<bool> {
        self.stop.subscribe()
    }

    /// Pause at the next pause point (true) or continue (false).
    pub fn set_paused(&self, paused: bool) {
        self.pause.send_replace(paused);
    }

    pub fn is_paused(&self) -> bool {
        *self.pause.borrow()
    }

    /// Wait while the job is asked to pause, until it is asked to
    /// continue or to stop.
    pub(crate) async fn paused(&self) {
        let mut pause = self.pause.subscribe();
        let mut stop = self.stop.subscribe();
        tokio::select! {
            _ = pause.wait_for(|p| !*p) => {}
            _ = stop.wait_for(|s| *s) => {}
        }
    }
}
