//! What merging logs across hosts needs from each engine: its clock
//! against the local one, and a container's log with the engine's own
//! timestamps on every line.

use std::time::{SystemTime, UNIX_EPOCH};

use bollard::query_parameters::LogsOptions;
use futures_util::{Stream, StreamExt};

use super::connect::bounded;
use super::handle::{HostError, HostHandle};
use crate::model::log_time::{parse_rfc3339, ClockOffset};

/// Samples of the engine's clock taken to find its offset.
const CLOCK_SAMPLES: usize = 3;

/// This machine's clock, in nanoseconds since the epoch.
pub fn local_nanos() -> i128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
}

/// Which lines of a log to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogWindow {
    /// Lines written since this unix time (seconds), when set.
    pub since: Option<i64>,
    /// At most this many of the last lines, when set.
    pub tail: Option<usize>,
    /// Go on with new lines as they are written.
    pub follow: bool,
}

impl HostHandle {
    /// How far the engine's clock is from this machine's: the best of a
    /// few `/info` round trips (the engine's `SystemTime` against the
    /// local clock at the middle of each).
    pub async fn clock_offset(&self) -> Result<ClockOffset, HostError> {
        let docker = self.docker().await?;
        let mut samples = Vec::new();
        for _ in 0..CLOCK_SAMPLES {
            let before = local_nanos();
            let info = bounded(self.timeout, "info", docker.info()).await?;
            let after = local_nanos();
            let engine = info
                .system_time
                .as_deref()
                .and_then(parse_rfc3339)
                .ok_or_else(|| HostError::Engine("the engine did not say its time".into()))?;
            samples.push(ClockOffset::from_sample(before, engine, after));
        }
        ClockOffset::best(&samples).ok_or_else(|| HostError::Engine("no clock sample".into()))
    }

    /// A container's log (stdout and stderr), each line starting with the
    /// engine's RFC 3339 timestamp. Raw bytes: the caller splits lines and
    /// sanitizes them.
    pub async fn timestamped_logs(
        &self,
        id: &str,
        window: LogWindow,
    ) -> Result<impl Stream<Item = Result<Vec<u8>, HostError>> + Send + 'static, HostError> {
        let docker = self.docker().await?;
        let options = LogsOptions {
            follow: window.follow,
            stdout: true,
            stderr: true,
            timestamps: true,
            since: window
                .since
                .map_or(0, |s| i32::try_from(s).unwrap_or(i32::MAX)),
            tail: window.tail.map_or_else(|| "all".into(), |n| n.to_string()),
            ..Default::default()
        };
        Ok(docker.logs(id, Some(options)).map(super::handle::log_bytes))
    }
}

impl HostHandle {
    /// The engine's container, volume, network and node events between
    /// `since` and `until` (unix seconds), as they were: the stream ends
    /// at `until`.
    pub async fn events_between(
        &self,
        since: i64,
        until: i64,
    ) -> Result<Vec<crate::model::timeline::EngineEvent>, HostError> {
        use bollard::query_parameters::EventsOptions;
        let docker = self.docker().await?;
        let types = ["container", "volume", "network", "node"];
        let filters = std::collections::HashMap::from([(
            "type".to_string(),
            types.iter().map(|t| t.to_string()).collect(),
        )]);
        let options = EventsOptions {
            since: Some(since.to_string()),
            until: Some(until.to_string()),
            filters: Some(filters),
        };
        let read = docker.events(Some(options)).collect::<Vec<_>>();
        let events = tokio::time::timeout(self.timeout * 4, read)
            .await
            .map_err(|_| HostError::Engine("the engine's events did not end in time".into()))?;
        events
            .into_iter()
            .map(|e| {
                e.map(engine_event)
                    .map_err(|e| HostError::Engine(format!("events: {e}")))
            })
            .collect()
    }
}

/// An event as the timeline reads it.
pub(super) fn engine_event(
    e: bollard::models::EventMessage,
) -> crate::model::timeline::EngineEvent {
    let actor = e.actor.unwrap_or_default();
    crate::model::timeline::EngineEvent {
        at: e
            .time_nano
            .map(i128::from)
            .unwrap_or_else(|| i128::from(e.time.unwrap_or(0)) * 1_000_000_000),
        kind: e.typ.map(|t| t.to_string()).unwrap_or_default(),
        action: e.action.unwrap_or_default(),
        id: actor.id.unwrap_or_default(),
        attributes: actor.attributes.unwrap_or_default().into_iter().collect(),
    }
}
