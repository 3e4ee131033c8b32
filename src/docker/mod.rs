//! The only module that talks to Docker engines (the only user of bollard).

mod clone;
mod connect;
mod convert;
mod convert_inspect;
mod create;
mod error;
mod exec;
mod fault;
mod handle;
mod host_task;
mod lease;
mod logs;
mod moves;
mod no_engine;
pub mod raw;
mod reach;
mod scale;
mod service;
mod shell;
mod ssh;
mod swarm_list;
mod tarball;
mod tls;
mod transport;
mod volume_io;

use std::sync::Arc;

use tokio::sync::watch;

pub use crate::model::new_objects::ObjectKind;
pub use clone::CloneOf;
pub use create::{container_body, Labelled, RunState};
pub use error::{
    ConnectError, DockerError, RawError, ReplicaError, RequestError, TarError, TlsError,
};
pub use exec::{ExecBytes, ExecOutput, ExecPurpose, EXEC_OUTPUT_LIMIT};
pub use handle::{HostError, HostHandle, ProbeContext, RESTART_GRACE_SECS};
pub use host_task::{unix_now, unix_now_ms, UpdateSink};
pub use lease::{LeaseLabels, LEASE_LABEL, LEASE_PREFIX};
pub use logs::{local_nanos, LogWindow};
pub use moves::Moves;
pub use no_engine::{ConnectFailure, NoEngine};
pub use reach::{ReachSend, NO_LISTEN};
pub use service::{replacements, RunningTask, ServiceNow};
pub use shell::{ShellExec, ShellOutput};
pub use swarm_list::SwarmListing;
pub use volume_io::{ExecChunk, HELPER_LABEL, HELPER_VOLUME_LABEL};

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
            let (tx, rx) = watch::channel(handle::Link::Down(None));
            let task = host_task::HostTask {
                spec: spec.clone(),
                settings: settings.clone(),
                sink: sink.clone(),
                client: tx,
                last_swarm: Default::default(),
                sizes_asked: Default::default(),
            };
            tokio::spawn(task.run());
            HostHandle {
                name: spec.name.clone(),
                client: rx,
                read_only,
                timeout: settings.request_timeout,
                moves: Moves::default(),
            }
        })
        .collect()
}

/// Everything one host says in one go, for the headless `status` command.
pub struct HostSnapshot {
    /// A read-only handle on the same connection, for probes.
    pub handle: HostHandle,
    pub engine: crate::model::EngineInfo,
    pub containers: Vec<crate::model::Container>,
    pub volumes: Vec<crate::model::Volume>,
}

/// Connect, list containers and volumes (with sizes), and return. Every
/// request is bounded by `settings.request_timeout`.
pub async fn snapshot(spec: &HostSpec, settings: &Settings) -> Result<HostSnapshot, DockerError> {
    let timeout = settings.request_timeout;
    let docker = connect::open(spec)?;
    // Sizes are slow for the engine to compute: ask at once, but give up on
    // them as soon as the host proves unreachable.
    let sizes = {
        let (docker, spec) = (docker.clone(), spec.clone());
        tokio::spawn(async move { host_task::volume_sizes(&docker, &spec, timeout * 6).await })
    };
    let listed = tokio::try_join!(
        host_task::hello(&docker, timeout),
        host_task::list_containers(&docker, &spec.name, timeout, None),
        host_task::list_volumes(&docker, &spec.name, timeout),
    );
    let (engine, containers, (mut volumes, _leases)) = match listed {
        Ok(listed) => listed,
        Err(e) => {
            sizes.abort();
            return Err(connect::first_contact(spec, e));
        }
    };
    if let Ok(Ok(sizes)) = sizes.await {
        for v in &mut volumes {
            v.size = v.size.or(sizes.get(v.name.as_str()).copied());
        }
    }
    let (_, client) = watch::channel(handle::Link::Up(docker));
    Ok(HostSnapshot {
        handle: HostHandle {
            name: spec.name.clone(),
            client,
            read_only: true,
            timeout,
            moves: Moves::default(),
        },
        engine,
        containers,
        volumes,
    })
}
