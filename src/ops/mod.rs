//! Operations: every mutating action goes through here, so that read-only
//! refusal and the audit record cannot be skipped by any front end.

pub mod audit;
pub mod job;
pub mod plan;
pub mod runner;

use std::time::Instant;

pub use audit::{AuditLog, AuditRecord};

use crate::docker::{HostError, HostHandle};

/// Restart one container: refused in read-only mode, audited either way.
pub async fn restart_container(
    audit: &AuditLog,
    handle: &HostHandle,
    id: &str,
    name: &str,
) -> Result<(), HostError> {
    let started = Instant::now();
    let result = handle.restart_container(id).await;
    let outcome = match &result {
        Ok(()) => "ok".to_string(),
        Err(HostError::ReadOnly) => "refused: read-only".to_string(),
        Err(e) => format!("failed: {e}"),
    };
    let record = AuditRecord {
        time: audit::now_string(),
        user: audit::local_user(),
        host: handle.name.clone(),
        action: "restart".into(),
        target: name.to_string(),
        plan: vec![format!(
            "restart container {name} ({}) on {}",
            &id[..id.len().min(12)],
            handle.name
        )],
        outcome,
        duration_ms: started.elapsed().as_millis() as u64,
    };
    if let Err(e) = audit.append(&record) {
        tracing::error!("audit log {}: {e}", audit.path().display());
        if result.is_ok() {
            return Err(HostError::Engine(format!(
                "restarted, but the audit log could not be written: {e}"
            )));
        }
    }
    result
}
