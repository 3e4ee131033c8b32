//! Every member's log of a cluster, across hosts, as lines stamped with
//! local time: each host's clock offset is measured first, then each
//! member's log is read with the engine's timestamps and every complete
//! line sent on, sanitized, with its corrected time. Merging them in time
//! order is the reader's (`MergedLog`): the TUI's viewer and
//! `tugboat logs` both read from here.

use std::collections::BTreeMap;

use futures_util::StreamExt;
use tokio::sync::mpsc;

use super::logs::LineSplitter;
use crate::docker::{HostHandle, LogWindow};
use crate::model::log_time::{split_timestamp, ClockOffset, MergedLine};

/// A member whose log is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogMember {
    pub host: String,
    pub id: String,
    pub name: String,
}

/// Each host's measured clock offset, or why it could not be measured
/// (its lines then keep the engine's times).
pub type Offsets = BTreeMap<String, Result<ClockOffset, String>>;

/// Measure the clocks of the hosts `members` live on, at once.
pub async fn measure_offsets(handles: &[HostHandle], members: &[LogMember]) -> Offsets {
    let mut hosts: Vec<&str> = members.iter().map(|m| m.host.as_str()).collect();
    hosts.sort_unstable();
    hosts.dedup();
    let asks = hosts.iter().map(|h| async move {
        let offset = match handles.iter().find(|x| x.name == *h) {
            Some(handle) => handle.clock_offset().await.map_err(|e| e.to_string()),
            None => Err("not connected".to_string()),
        };
        (h.to_string(), offset)
    });
    futures_util::future::join_all(asks)
        .await
        .into_iter()
        .collect()
}

/// Start reading every member's log; each line goes to `tx` with member
/// index `i` (its place in `members`). `tx` closes when every log ended.
/// Errors (a member's log that cannot be read) go as a line of its own.
/// Dropping what this returns stops the readers.
pub fn stream_members(
    handles: &[HostHandle],
    members: &[LogMember],
    offsets: &Offsets,
    window: LogWindow,
    tx: mpsc::Sender<MergedLine>,
) -> Readers {
    let mut readers = Readers(Vec::new());
    for (i, m) in members.iter().enumerate() {
        let handle = handles.iter().find(|h| h.name == m.host).cloned();
        let offset = offsets
            .get(&m.host)
            .and_then(|o| o.as_ref().ok())
            .copied()
            .unwrap_or_default();
        let (id, tx) = (m.id.clone(), tx.clone());
        let task = tokio::spawn(async move {
            let Some(handle) = handle else { return };
            if let Err(e) = read_member(&handle, &id, i, offset, window, &tx).await {
                let now = crate::docker::local_nanos();
                let text = format!("(tugboat: this log could not be read: {e})");
                let _ = tx
                    .send(MergedLine {
                        at: now,
                        member: i,
                        text,
                    })
                    .await;
            }
        });
        readers.0.push(task.abort_handle());
    }
    readers
}

/// The member readers: stopped when dropped (a closed viewer, an ended
/// command), so no stream stays open behind them.
pub struct Readers(Vec<tokio::task::AbortHandle>);

impl Drop for Readers {
    fn drop(&mut self) {
        for r in &self.0 {
            r.abort();
        }
    }
}

/// One member's log, line by line, until it ends (or nobody listens).
async fn read_member(
    handle: &HostHandle,
    id: &str,
    member: usize,
    offset: ClockOffset,
    window: LogWindow,
    tx: &mpsc::Sender<MergedLine>,
) -> Result<(), crate::docker::HostError> {
    let stream = handle.timestamped_logs(id, window).await?;
    let mut stream = std::pin::pin!(stream);
    let mut split = LineSplitter::default();
    let mut last_at = 0;
    while let Some(chunk) = stream.next().await {
        let mut lines = Vec::new();
        split.feed(&chunk?, &mut lines);
        for line in lines {
            // A piece of a long line has no stamp: it keeps its line's time.
            let (at, text) = match split_timestamp(&line) {
                Some((stamp, text)) => (offset.to_local(stamp), text),
                None => (last_at, line.as_str()),
            };
            last_at = at;
            let text = crate::model::sanitize(text);
            if tx.send(MergedLine { at, member, text }).await.is_err() {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// How the offsets read for a note above the log: `db1 +0.003s (±0.001s)`.
pub fn offsets_note(offsets: &Offsets) -> String {
    let parts: Vec<String> = offsets
        .iter()
        .map(|(host, o)| match o {
            Ok(o) => format!(
                "{host} {:+.3}s (±{:.3}s)",
                o.nanos as f64 / 1e9,
                o.error_nanos as f64 / 1e9
            ),
            Err(e) => format!("{host} unmeasured ({e})"),
        })
        .collect();
    format!("clock offsets corrected: {}", parts.join(", "))
}
