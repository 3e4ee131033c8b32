//! What the step runners share: a runtime-API command through HAProxy's
//! stats socket, and asking again until a check passes.

use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::error::{StepError, StepResult};
use super::haproxy_command::RuntimeCommand;
use crate::docker::{ExecPurpose, HostError, HostHandle};
use crate::probes::haproxy;

/// Send one runtime-API command through a balancer's stats socket. HAProxy
/// accepts most commands silently and a few with a line of their own; any
/// other answer is its refusal, sanitized.
pub(crate) async fn send_command(
    handle: &HostHandle,
    timeout: Duration,
    container_id: &str,
    socket: &str,
    command: &RuntimeCommand,
) -> StepResult {
    let env = vec![
        format!("TUGBOAT_HAPROXY_SOCKET={socket}"),
        format!("TUGBOAT_HAPROXY_CMD={command}"),
    ];
    let out = handle
        .exec(
            container_id,
            &["sh", "-c", &haproxy::command_script()],
            &env,
            ExecPurpose::Change,
            timeout,
        )
        .await?;
    let answer = format!("{}{}", out.stdout.trim(), out.stderr.trim());
    let accepted = command.accepted_answers();
    if answer.is_empty() || accepted.iter().any(|a| answer.contains(a)) {
        return Ok(());
    }
    let answer = crate::model::sanitize_multiline(&answer);
    Err(StepError::Failed(format!(
        "`{command}`: HAProxy said: {answer}"
    )))
}

/// Why a wait is not over yet: what the check saw, in words (a mode, a
/// count, what the engine said). A timeout reports the last one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct NotYet(pub(crate) String);

impl From<HostError> for NotYet {
    /// An engine that fails is what the check saw this time.
    fn from(e: HostError) -> Self {
        Self(e.to_string())
    }
}

/// How often a waiting step looks again.
const POLL: Duration = Duration::from_millis(300);

/// Ask `check` until it is satisfied, the deadline passes or the job is
/// cancelled; `check` says what it saw, for the error.
pub(crate) async fn wait_until<Fut>(
    cancel: &watch::Receiver<bool>,
    timeout_secs: u64,
    mut check: impl FnMut() -> Fut,
) -> StepResult
where
    Fut: std::future::Future<Output = Result<(), NotYet>>,
{
    let deadline = Instant::now() + Duration::from_secs(timeout_secs);
    let mut last = NotYet("no answer".into());
    while Instant::now() < deadline {
        if *cancel.borrow() {
            return Err(StepError::Stopped("cancelled while waiting".into()));
        }
        match check().await {
            Ok(()) => return Ok(()),
            Err(seen) => last = seen,
        }
        tokio::time::sleep(POLL).await;
    }
    Err(StepError::TimedOut {
        seen: last.0,
        secs: timeout_secs,
    })
}

/// The balancer's `show stat` now, or None when it does not answer.
pub(crate) async fn stat_now(
    handle: &HostHandle,
    s: &crate::config::Settings,
    balancer_id: &str,
) -> Option<crate::model::answers::haproxy::HaproxyProbe> {
    use crate::probes::run::{probe, ProbeKind};
    match probe(handle, balancer_id, ProbeKind::Haproxy, s).await {
        crate::model::probed::ProbeResult::Haproxy(Ok(p)) => Some(p),
        _ => None,
    }
}
