//! Running the steps of `tugboat recover`: each makes one leftover of a
//! cut-off job safe, and does nothing when it already is.

use super::plan::StepOp;
use crate::docker::{HostHandle, HELPER_LABEL, HELPER_VOLUME_LABEL};
use crate::model::ContainerState;

pub(super) async fn step(handle: &HostHandle, op: &StepOp) -> Result<(), String> {
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
            let found = handle.labelled(&labels).await.map_err(|e| e.to_string())?;
            for c in found.containers {
                handle
                    .remove_helper(&c)
                    .await
                    .map_err(|e| format!("helper {c}: {e}"))?;
            }
            Ok(())
        }
        StepOp::RemoveFile { path } => match std::fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(format!("{path}: {e}")),
            _ => Ok(()),
        },
        _ => Err("not a recovery step".into()),
    }
}
