//! Everything the tasks tell the main loop, in lanes that stay bounded
//! however fast the tasks talk (issue 12: a log flood queued 500 MB and
//! `q` waited a minute behind it):
//!
//! - keys, resizes and signals: their own small channel, read first, so
//!   nothing starves them and none is ever dropped;
//! - one-off answers (inspect, jobs, backups, images): a bounded channel
//!   whose senders wait when it is full;
//! - host updates, stats and probe results: a newer value replaces an older
//!   one waiting for the same thing ([`Latest`]), so what waits is bounded
//!   by what exists, not by how often it changes;
//! - log lines: a bounded buffer per viewer that drops the oldest lines at
//!   the source and counts them ([`LogBuffer`]).
//!
//! The coalesced lanes wake the loop through one `Notify`.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use tokio::sync::mpsc::{self, error::TrySendError};
use tokio::sync::Notify;

use super::log_buffer::LogBuffer;
use super::probe_target::Target;
use crate::app::Msg;
use crate::model::HostUpdate;

/// Keys and signals waiting at once; a person cannot type faster than the
/// loop reads, so this is only slack for a paste.
const KEY_LANE: usize = 64;
/// One-off answers waiting at once before their senders wait.
const MSG_LANE: usize = 256;

/// Values by key, in the order they were last put: putting a key again
/// drops the older value and queues the new one at the end, so applying
/// what is taken gives the same end state as applying every value put
/// (for values that replace what they describe).
#[derive(Debug)]
pub struct Latest<K, V> {
    order: BTreeMap<u64, (K, V)>,
    index: HashMap<K, u64>,
    next: u64,
}

impl<K: Hash + Eq + Clone, V> Default for Latest<K, V> {
    fn default() -> Self {
        Self {
            order: BTreeMap::new(),
            index: HashMap::new(),
            next: 0,
        }
    }
}

impl<K: Hash + Eq + Clone, V> Latest<K, V> {
    /// Returns whether an older value for `key` was replaced.
    pub fn put(&mut self, key: K, value: V) -> bool {
        let seq = self.next;
        self.next += 1;
        let replaced = match self.index.insert(key.clone(), seq) {
            Some(old) => self.order.remove(&old).is_some(),
            None => false,
        };
        self.order.insert(seq, (key, value));
        replaced
    }

    /// The `max` oldest values, in order.
    pub fn take(&mut self, max: usize) -> Vec<V> {
        let mut out = Vec::with_capacity(max.min(self.order.len()));
        while out.len() < max {
            let Some((_, (key, value))) = self.order.pop_first() else {
                break;
            };
            self.index.remove(&key);
            out.push(value);
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
}

/// What a host update replaces: the same kind about the same host (and
/// container). A change and a removal of one container share a key (both
/// say what the container now is); a `die` does not, as it only edits a
/// container the inventory already holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HostKey {
    host: String,
    kind: u8,
    id: String,
}

impl HostKey {
    pub fn of(update: &HostUpdate) -> Self {
        let (host, kind, id) = match update {
            HostUpdate::Connecting { host } => (host, 0, ""),
            HostUpdate::Connected { host, .. } => (host, 1, ""),
            HostUpdate::Unreachable { host, .. } => (host, 2, ""),
            HostUpdate::Listed { host, .. } => (host, 3, ""),
            HostUpdate::ContainerChanged { container } => (&container.host, 4, &*container.id),
            HostUpdate::ContainerRemoved { host, id } => (host, 4, &**id),
            HostUpdate::ContainerDied { host, id, .. } => (host, 5, &**id),
            HostUpdate::VolumesListed { host, .. } => (host, 6, ""),
            HostUpdate::VolumeSizes { host, .. } => (host, 7, ""),
            HostUpdate::EventSeen { host, .. } => (host, 8, ""),
            HostUpdate::Stats { host, id, .. } => (host, 9, &**id),
            HostUpdate::SwarmNodes { host, .. } => (host, 10, ""),
            HostUpdate::Leases { host, .. } => (host, 11, ""),
            HostUpdate::SwarmServices { host, .. } => (host, 13, ""),
            HostUpdate::SwarmTrouble { host, .. } => (host, 14, ""),
            HostUpdate::Events { host, batch, .. } => {
                return Self {
                    host: host.clone(),
                    kind: 12,
                    id: batch.to_string(),
                }
            }
        };
        Self {
            host: host.clone(),
            kind,
            id: id.to_string(),
        }
    }
}

/// A log viewer's waiting lines and, once its stream ended, why.
#[derive(Debug)]
struct LogSlot {
    buffer: LogBuffer,
    ended: Option<String>,
}

#[derive(Default)]
struct Shared {
    hosts: Mutex<Latest<HostKey, HostUpdate>>,
    probes: Mutex<Latest<Target, Msg>>,
    logs: Mutex<BTreeMap<u64, LogSlot>>,
    wake: Notify,
}

/// A poisoned lane still holds valid data (every change is one call), so
/// a panic elsewhere must not silence the screen.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The tasks' side: cheap to clone, one per task.
#[derive(Clone)]
pub struct Outbox {
    /// With the moment each was read, for the key-to-frame figures.
    keys: mpsc::Sender<(Instant, Msg)>,
    msgs: mpsc::Sender<Msg>,
    shared: Arc<Shared>,
}

/// The main loop's side, in fields it can wait on together.
pub struct Inbox {
    pub keys: mpsc::Receiver<(Instant, Msg)>,
    pub msgs: mpsc::Receiver<Msg>,
    pub coalesced: Coalesced,
}

/// The lanes where newer values replace older ones, and the log buffers.
pub struct Coalesced {
    shared: Arc<Shared>,
}

pub fn channel() -> (Outbox, Inbox) {
    let (keys_tx, keys) = mpsc::channel(KEY_LANE);
    let (msgs_tx, msgs) = mpsc::channel(MSG_LANE);
    let shared = Arc::new(Shared::default());
    let outbox = Outbox {
        keys: keys_tx,
        msgs: msgs_tx,
        shared: shared.clone(),
    };
    let coalesced = Coalesced { shared };
    (
        outbox,
        Inbox {
            keys,
            msgs,
            coalesced,
        },
    )
}

impl Outbox {
    /// A key, resize or signal; waits (never drops) when the lane is full.
    /// False once the loop is gone.
    pub async fn key(&self, msg: Msg) -> bool {
        self.keys.send((Instant::now(), msg)).await.is_ok()
    }

    /// A one-off answer; waits for room when the loop is behind.
    pub async fn send(&self, msg: Msg) -> bool {
        self.msgs.send(msg).await.is_ok()
    }

    /// `send` for callers that cannot await (job sinks, blocking tasks).
    /// Room is nearly always there; when not, the caller's thread waits for
    /// it rather than drop a job's progress or outcome.
    pub fn send_sync(&self, msg: Msg) {
        let msg = match self.msgs.try_send(msg) {
            Ok(()) | Err(TrySendError::Closed(_)) => return,
            Err(TrySendError::Full(msg)) => msg,
        };
        let tx = self.msgs.clone();
        match tokio::runtime::Handle::try_current() {
            Ok(rt) if rt.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread => {
                // Only whether it went matters (not the message back).
                tokio::task::block_in_place(move || tx.blocking_send(msg).is_ok());
            }
            // A single-threaded runtime cannot block its only thread.
            Ok(rt) => {
                rt.spawn(async move { tx.send(msg).await });
            }
            Err(_) => {
                let _ = tx.blocking_send(msg);
            }
        }
    }

    pub fn host(&self, update: HostUpdate) {
        lock(&self.shared.hosts).put(HostKey::of(&update), update);
        self.shared.wake.notify_one();
    }

    /// A probe's answer, replacing one of the same target not yet shown.
    pub fn probed(&self, target: Target, msg: Msg) {
        lock(&self.shared.probes).put(target, msg);
        self.shared.wake.notify_one();
    }

    /// Make room for a log viewer's lines; only an opened session takes any.
    pub fn open_log(&self, session: u64, capacity: usize) {
        lock(&self.shared.logs).insert(
            session,
            LogSlot {
                buffer: LogBuffer::new(capacity),
                ended: None,
            },
        );
    }

    /// The viewer is closed: its lines are no longer wanted.
    pub fn close_log(&self, session: u64) {
        lock(&self.shared.logs).remove(&session);
    }

    /// Queue lines for the viewer without waking the loop (the follower
    /// wakes it once per batch). False when the viewer is closed.
    pub fn log_lines(&self, session: u64, lines: impl IntoIterator<Item = String>) -> bool {
        let mut logs = lock(&self.shared.logs);
        let Some(slot) = logs.get_mut(&session) else {
            return false;
        };
        for line in lines {
            slot.buffer.push(line);
        }
        true
    }

    pub fn log_ended(&self, session: u64, reason: String) {
        if let Some(slot) = lock(&self.shared.logs).get_mut(&session) {
            slot.ended = Some(reason);
        }
        self.wake();
    }

    pub fn wake(&self) {
        self.shared.wake.notify_one();
    }
}

/// With a listing of a host's leases, who holds each and whether that
/// process runs (a read of `/proc`, kept out of `update`).
fn held_in(update: &HostUpdate) -> Option<Msg> {
    let HostUpdate::Leases { host, leases } = update else {
        return None;
    };
    let held = leases
        .iter()
        .map(|lease| crate::ops::leases::held_of(host, lease))
        .collect();
    Some(Msg::LeasesHeld {
        host: host.clone(),
        held,
    })
}

impl Coalesced {
    /// Ready when a coalesced lane may hold something.
    pub async fn woken(&self) {
        self.shared.wake.notified().await;
    }

    /// Up to about `max` messages from the coalesced lanes; wakes itself
    /// again when it left some behind.
    pub fn take(&self, max: usize) -> Vec<Msg> {
        let mut out: Vec<Msg> = Vec::new();
        // Every lane gets its turn, so a storm of host updates cannot
        // starve the probes or the logs.
        let hosts_left = {
            let mut hosts = lock(&self.shared.hosts);
            for update in hosts.take(max) {
                let held = held_in(&update);
                out.push(Msg::Host(update));
                out.extend(held);
            }
            !hosts.is_empty()
        };
        let probes_left = {
            let mut probes = lock(&self.shared.probes);
            out.extend(probes.take(max));
            !probes.is_empty()
        };
        let mut logs = lock(&self.shared.logs);
        logs.retain(|&session, slot| {
            if !slot.buffer.is_empty() {
                let (skipped, lines) = slot.buffer.take();
                out.push(Msg::LogLines {
                    session,
                    lines,
                    skipped,
                });
            }
            match slot.ended.take() {
                Some(reason) => {
                    out.push(Msg::LogEnded { session, reason });
                    false
                }
                None => true,
            }
        });
        if hosts_left || probes_left {
            self.shared.wake.notify_one();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newer_value_replaces_the_older_and_queues_last() {
        let mut l = Latest::default();
        assert!(!l.put("a", 1));
        assert!(!l.put("b", 2));
        assert!(l.put("a", 3));
        assert_eq!(l.take(10), [2, 3]);
        assert!(l.is_empty());
        // Taken keys start afresh.
        assert!(!l.put("a", 4));
    }

    #[test]
    fn take_gives_the_oldest_first_and_leaves_the_rest() {
        let mut l = Latest::default();
        for i in 0..5 {
            l.put(i, i * 10);
        }
        assert_eq!(l.take(2), [0, 10]);
        l.put(0, 1);
        assert_eq!(l.take(10), [20, 30, 40, 1]);
    }

    #[test]
    fn a_storm_of_host_updates_waits_as_one_per_container() {
        use crate::model::testing::container;
        let (outbox, inbox) = channel();
        let c = container("h", "web");
        for _ in 0..10_000 {
            outbox.host(HostUpdate::ContainerDied {
                host: "h".into(),
                id: c.id.clone(),
                exit_code: 1,
            });
            outbox.host(HostUpdate::ContainerChanged {
                container: c.clone(),
            });
            outbox.host(HostUpdate::EventSeen {
                host: "h".into(),
                at: 1,
            });
        }
        let msgs = inbox.coalesced.take(100);
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        // The last of each, in the order they last came.
        assert!(matches!(
            msgs[0],
            Msg::Host(HostUpdate::ContainerDied { .. })
        ));
        assert!(matches!(
            msgs[1],
            Msg::Host(HostUpdate::ContainerChanged { .. })
        ));
        assert!(matches!(msgs[2], Msg::Host(HostUpdate::EventSeen { .. })));
    }

    #[test]
    fn a_listing_of_leases_comes_with_its_holders_read_as_it_came_in() {
        let (outbox, inbox) = channel();
        let mut labels = std::collections::BTreeMap::new();
        labels.insert(
            crate::docker::LEASE_LABEL.to_string(),
            "cluster/shop".into(),
        );
        let lease = crate::model::lease::LeaseRecord {
            name: "tugboat-lease-1".into(),
            labels,
        };
        outbox.host(HostUpdate::Leases {
            host: "h".into(),
            leases: vec![lease],
        });
        let msgs = inbox.coalesced.take(10);
        assert!(
            matches!(msgs[0], Msg::Host(HostUpdate::Leases { .. })),
            "{msgs:?}"
        );
        let Msg::LeasesHeld { host, held } = &msgs[1] else {
            panic!("the holders follow the listing: {msgs:?}");
        };
        assert_eq!(host, "h");
        assert_eq!(held.len(), 1);
        assert_eq!(held[0].thing, "cluster/shop");
        assert!(!held[0].ours, "no lease of this process");
    }

    #[test]
    fn a_storm_does_not_starve_the_other_lanes() {
        use crate::model::testing::container;
        use crate::probes::run::ProbeKind;
        let (outbox, inbox) = channel();
        for i in 0..50 {
            outbox.host(HostUpdate::ContainerChanged {
                container: container("h", &format!("c{i}")),
            });
        }
        let target = (("h".to_string(), "zk".to_string()), ProbeKind::Zookeeper);
        // Any message stands for the probe's answer here.
        outbox.probed(target, Msg::Tick(7));
        outbox.open_log(1, 10);
        outbox.log_lines(1, ["line".to_string()]);
        let woken = || futures_util::FutureExt::now_or_never(inbox.coalesced.woken()).is_some();
        assert!(woken(), "the first put woke the loop");
        assert!(!woken(), "once");
        let first = inbox.coalesced.take(10);
        assert_eq!(first.len(), 12, "{first:?}");
        assert!(first.contains(&Msg::Tick(7)));
        assert!(matches!(first.last(), Some(Msg::LogLines { .. })));
        // The hosts left behind wake the loop again.
        assert!(woken(), "woken again for what was left");
        assert_eq!(inbox.coalesced.take(100).len(), 40);
        assert!(!woken(), "nothing left, no wake");
    }

    #[test]
    fn log_lines_go_only_to_an_open_viewer_and_end_after_the_last() {
        let (outbox, inbox) = channel();
        assert!(!outbox.log_lines(1, ["x".to_string()]));
        outbox.open_log(1, 3);
        assert!(outbox.log_lines(1, (0..5).map(|i| i.to_string())));
        outbox.log_ended(1, "stopped".into());
        let msgs = inbox.coalesced.take(100);
        assert_eq!(
            msgs,
            [
                Msg::LogLines {
                    session: 1,
                    lines: vec!["2".into(), "3".into(), "4".into()],
                    skipped: 2,
                },
                Msg::LogEnded {
                    session: 1,
                    reason: "stopped".into()
                }
            ]
        );
        // Ended: the slot is gone.
        assert!(!outbox.log_lines(1, ["y".to_string()]));
        outbox.open_log(2, 3);
        outbox.close_log(2);
        assert!(!outbox.log_lines(2, ["z".to_string()]));
    }

    #[tokio::test]
    async fn one_off_answers_wait_for_room_instead_of_piling_up() {
        let (outbox, mut inbox) = channel();
        for _ in 0..MSG_LANE {
            assert!(outbox.send(Msg::Tick(0)).await);
        }
        let waiting = tokio::spawn({
            let outbox = outbox.clone();
            async move { outbox.send(Msg::Tick(1)).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "the lane is full: the sender waits");
        assert_eq!(inbox.msgs.recv().await, Some(Msg::Tick(0)));
        assert!(waiting.await.unwrap());
    }
}
