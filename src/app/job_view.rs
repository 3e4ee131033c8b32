//! One operation as the Jobs pane shows it: its plan, where it is, how it
//! ended, what it said, and whether it is paused.

/// One operation as the Jobs pane shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobView {
    pub id: u64,
    pub plan: crate::ops::plan::Plan,
    /// Unix milliseconds.
    pub started_ms: i64,
    /// Index of the step running now (or last run).
    pub step: Option<usize>,
    pub detail: String,
    pub outcome: Option<crate::ops::job::JobOutcome>,
    /// How long it ran, once it ended.
    pub millis: Option<u64>,
    /// What its steps reported, in order (a user action's output); the
    /// last `JOB_OUTPUT_LINES` of it.
    pub output: std::collections::VecDeque<String>,
    /// Whether it was asked to pause at its next pause point, and whether
    /// it waits at one now.
    pub pause: Pause,
}

/// A job's pause, as the Jobs pane shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pause {
    #[default]
    Running,
    /// Asked to pause: it goes on until its next pause point.
    Asked,
    /// Waiting before step `index` until asked to continue or stop.
    Waiting { index: usize },
}

/// Lines of a job's output kept for its detail.
pub const JOB_OUTPUT_LINES: usize = 2_000;

impl JobView {
    /// Whether it is asked to pause (waiting or on its way to a pause
    /// point).
    pub fn pausing(&self) -> bool {
        self.pause != Pause::Running
    }

    /// Whether its plan has a point it can pause at.
    pub fn can_pause(&self) -> bool {
        self.plan.steps.iter().any(|s| s.pause_point)
    }

    /// Unix seconds.
    pub fn started(&self) -> i64 {
        self.started_ms.div_euclid(1000)
    }

    /// How long it ran, or has run by `now_ms`: tenths of a second below
    /// ten seconds (`4.7s`), then as uptimes read (`12s`, `3m`).
    pub fn elapsed(&self, now_ms: i64) -> String {
        let ms = self.millis.map_or(now_ms - self.started_ms, |m| {
            i64::try_from(m).unwrap_or(i64::MAX)
        });
        let tenths = ms.max(0) / 100;
        if tenths < 100 {
            format!("{}.{}s", tenths / 10, tenths % 10)
        } else {
            crate::model::container::human_duration(tenths / 10)
        }
    }
}
