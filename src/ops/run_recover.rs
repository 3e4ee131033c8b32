//! Running the steps of `tugboat recover`: each makes one leftover of a
//! cut-off job safe, and does nothing when it already is.

use super::error::{StepError, StepResult};
use super::plan::StepOp;
use crate::docker::{HostHandle, HELPER_LABEL, HELPER_VOLUME_LABEL};
use crate::model::new_objects::ObjectKind;
use crate::model::ContainerState;

/// Remove an object; one already gone counts as removed.
pub(super) async fn remove_object(handle: &HostHandle, kind: ObjectKind, name: &str) -> StepResult {
    let what = |e: crate::docker::HostError| format!("{} {name}: {e}", kind.word());
    if !handle.object_exists(kind, name).await.map_err(what)? {
        return Ok(());
    }
    match kind {
        ObjectKind::Container => handle.remove_created_container(name).await,
        ObjectKind::Network => handle.remove_network(name).await,
        ObjectKind::Volume => handle.remove_volume(name).await,
    }
    .map_err(|e| StepError::Failed(what(e)))
}

pub(super) async fn step(handle: &HostHandle, op: &StepOp) -> StepResult {
    match op {
        StepOp::Unpause { id, name } => {
            let (state, _) = handle
                .container_status(id)
                .await
                .map_err(|e| format!("{name}: {e}"))?;
            if state == ContainerState::Paused {
                handle
                    .unpause_container(id)
                    .await
                    .map_err(|e| format!("{name}: {e}"))?;
            }
            Ok(())
        }
        StepOp::RemoveHelpers { volume } => {
            let labels = [
                HELPER_LABEL.to_string(),
                format!("{HELPER_VOLUME_LABEL}={volume}"),
            ];
            let found = handle.labelled(&labels).await?;
            for c in found.containers {
                handle
                    .remove_helper(&c)
                    .await
                    .map_err(|e| format!("helper {c}: {e}"))?;
            }
            Ok(())
        }
        StepOp::RemoveFile { path } => match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(StepError::Failed(format!("{path}: {e}")))
            }
            _ => Ok(()),
        },
        StepOp::RemoveObject { kind, name } => remove_object(handle, *kind, name).await,
        StepOp::RemoveMade { objects, .. } => {
            for (kind, name) in objects.iter().rev() {
                remove_object(handle, *kind, name).await?;
            }
            Ok(())
        }
        _ => Err("not a recovery step".into()),
    }
}
