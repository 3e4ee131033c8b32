//! The operations layer's errors: why a step did not do what it said.
//! The kind matters to the executor (a stop is not a failure, a guard's
//! refusal is not an engine fault); the text is what the outcome says.

use super::backup_error::{BackupError, RestoreError};
use crate::docker::HostError;
use crate::model::sanitize;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// The engine refused or failed (or read-only, or not connected).
    #[error(transparent)]
    Host(#[from] HostError),
    /// A guard re-checked at run time said no: nothing was changed.
    /// Texts below may quote a service's answer: shown sanitized.
    #[error("{}", sanitize(.0))]
    Refused(String),
    /// A wait ran out of time; `seen` is the last thing it saw.
    #[error("still {} after {secs}s", sanitize(seen))]
    TimedOut { seen: String, secs: u64 },
    /// The job was asked to stop while this step ran; the step made safe
    /// what it had done and says so.
    #[error("{}", sanitize(.0))]
    Stopped(String),
    /// A backup or dump was not kept, or kept with problems. Boxed (as
    /// below) to keep every step's result small.
    #[error(transparent)]
    Backup(Box<BackupError>),
    /// A restore did not write the archive, or wrote it with problems.
    #[error(transparent)]
    Restore(Box<RestoreError>),
    /// No configured host by that name.
    #[error("unknown host {0}")]
    UnknownHost(String),
    /// What a service answered, a file that could not be written, …
    #[error("{}", sanitize(.0))]
    Failed(String),
}

impl From<String> for StepError {
    fn from(text: String) -> Self {
        Self::Failed(text)
    }
}

impl From<BackupError> for StepError {
    fn from(e: BackupError) -> Self {
        Self::Backup(Box::new(e))
    }
}

impl From<RestoreError> for StepError {
    fn from(e: RestoreError) -> Self {
        Self::Restore(Box::new(e))
    }
}

impl From<&str> for StepError {
    fn from(text: &str) -> Self {
        Self::Failed(text.to_string())
    }
}

pub type StepResult<T = ()> = Result<T, StepError>;

/// Why no plan was made: nothing was done. The text says what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// What the plan would act on is not there (no such server, cluster,
    /// member, replica).
    #[error("{0}")]
    NotFound(String),
    /// What it needs to know is not known yet (a probe round, an election):
    /// asking again in a moment may work.
    #[error("{0}")]
    NotReady(String),
    /// It is there, but acting now would be unsafe or cannot work.
    #[error("{0}")]
    Refused(String),
    /// A value out of range or a name tugboat will not use.
    #[error("{0}")]
    Invalid(String),
}

pub type PlanResult<T> = Result<T, PlanError>;

#[cfg(test)]
mod tests {
    use super::StepError;

    #[test]
    fn quoted_answers_are_shown_sanitized() {
        let e =
            StepError::Failed("HAProxy said: \u{1b}]52;c;eA==\u{7}No such server\u{202e}".into());
        assert_eq!(e.to_string(), "HAProxy said: No such server?");
        let e = StepError::TimedOut {
            seen: "mode \u{9b}31mleader\u{e0041}".into(),
            secs: 3,
        };
        assert_eq!(e.to_string(), "still mode leader? after 3s");
    }
}
