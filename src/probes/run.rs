//! One probe round against one container, through `docker exec`.

use std::time::Duration;

use crate::docker::{ExecPurpose, HostHandle};
use crate::model::probed::ProbeResult;

use super::zookeeper;

/// Which service a container is probed as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProbeKind {
    Zookeeper,
}

/// Ask the container what its service says. Errors (exec refused, container
/// gone, timeout) come back as the result's `Err`, for the panes to show.
pub async fn probe(handle: &HostHandle, id: &str, kind: ProbeKind, limit: Duration) -> ProbeResult {
    match kind {
        ProbeKind::Zookeeper => {
            let out = handle
                .exec(
                    id,
                    &["sh", "-c", zookeeper::PROBE_SCRIPT],
                    &[],
                    ExecPurpose::Probe,
                    limit,
                )
                .await;
            ProbeResult::Zookeeper(match out {
                Ok(out) => Ok(zookeeper::parse_probe(&out.stdout)),
                Err(e) => Err(e.to_string()),
            })
        }
    }
}
