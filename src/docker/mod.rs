//! The only module that talks to Docker engines (the only user of bollard).

mod connect;
mod convert;
mod handle;
mod host_task;
pub mod raw;

use std::sync::Arc;

use tokio::sync::watch;

pub use handle::{HostError, HostHandle, RESTART_GRACE_SECS};
pub use host_task::{unix_now, UpdateSink};

use crate::config::{HostSpec, Settings};

/// Start one background task per host and return their handles, in order.
/// Must be called inside a tokio runtime.
pub fn spawn_hosts(
    specs: &[HostSpec],
    settings: &Settings,
    read_only: bool,
    sink: impl Fn(crate::model::HostUpdate) + Send + Sync + 'static,
) -> Vec<HostHandle> {
    let sink: UpdateSink = Arc::new(sink);
    specs
        .iter()
        .map(|spec| {
            let (tx, rx) = watch::channel(None);
            let task = host_task::HostTask {
                spec: spec.clone(),
                settings: settings.clone(),
                sink: sink.clone(),
                client: tx,
            };
            tokio::spawn(task.run());
            HostHandle {
                name: spec.name.clone(),
                client: rx,
                read_only,
                timeout: settings.request_timeout,
            }
        })
        .collect()
}
