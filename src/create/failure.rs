//! What a failed create says about the member that failed: its state and
//! its last log lines, read before the rollback removes the container, so
//! the cause (`cannot bind UNIX socket (Permission denied)`) does not go
//! with it.

use super::plan::Check;
use crate::docker::{HostHandle, RunState};
use crate::ops::error::StepError;

/// Enough for a server's last complaint, short enough for one outcome.
const LINES: usize = 6;
const LINE_WIDTH: usize = 240;

/// `; last log lines of NAME: a | b`, or nothing when it wrote none or the
/// engine would not say.
pub async fn log_tail(h: &HostHandle, container: &str) -> String {
    match h.last_log_lines(container, LINES).await {
        Ok(lines) if !lines.is_empty() => {
            let lines: Vec<String> = lines
                .iter()
                .map(|l| l.trim().chars().take(LINE_WIDTH).collect())
                .collect();
            format!("; last log lines of {container}: {}", lines.join(" | "))
        }
        _ => String::new(),
    }
}

/// The error for a member that stopped while it was being made.
pub async fn stopped(h: &HostHandle, container: &str, state: &RunState) -> StepError {
    StepError::Failed(format!(
        "container {container} on {} stopped ({}{}){}",
        h.name,
        state.status,
        state
            .exit_code
            .map(|c| format!(", exit code {c}"))
            .unwrap_or_default(),
        log_tail(h, container).await
    ))
}

/// The containers a check asks: (host, container).
pub fn checked_containers(check: &Check) -> Vec<(String, String)> {
    match check {
        Check::ZookeeperQuorum { members } => members.clone(),
        Check::Replication { host, replicas } => {
            replicas.iter().map(|r| (host.clone(), r.clone())).collect()
        }
        Check::BalancerUp { host, balancer, .. } => vec![(host.clone(), balancer.clone())],
    }
}
