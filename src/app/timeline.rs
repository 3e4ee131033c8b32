//! What goes into the incident timeline from inside tugboat: the engines'
//! events as the host tasks pass them on, hosts that stop answering, the
//! probes' changes (a new ZooKeeper leader, a balancer server going DOWN,
//! replication stopping) and this tugboat's own jobs. Enter on an entry
//! about a container jumps to it on the Nodes pane.

use crate::model::answers::haproxy::{ProxyKind, Status};
use crate::model::answers::zookeeper::ZkMode;
use crate::model::probed::ProbeResult;
use crate::model::timeline::{Severity, Source, TimelineEntry};
use crate::model::ContainerKey;
use crate::ops::job::{JobEvent, JobOutcome};
use crate::ops::plans::rolling::MAX_REPLICA_LAG_SECS;

use super::rows::NodeRow;
use super::state::{Pane, State};

const NANOS: i128 = 1_000_000_000;

/// An entry at unix seconds `at` (what the message says, not the clock
/// tick: entries from many sources must sort together).
fn entry(
    at: i64,
    host: &str,
    source: Source,
    object: String,
    what: String,
    severity: Severity,
) -> TimelineEntry {
    TimelineEntry {
        at: i128::from(at) * NANOS,
        host: host.to_string(),
        source,
        object,
        what,
        severity,
    }
}

pub(super) fn on_events(state: &mut State, entries: &[TimelineEntry]) {
    for e in entries {
        push(state, e.clone());
    }
}

pub(super) fn on_unreachable(state: &mut State, host: &str, at: i64, error: &str, was_up: bool) {
    if was_up {
        let e = entry(
            at,
            host,
            Source::Engine,
            format!("host {host}"),
            format!("stopped answering: {error}"),
            Severity::Bad,
        );
        push(state, e);
    }
}

pub(super) fn on_job(state: &mut State, event: &JobEvent) {
    let (plan, at, what, severity) = match event {
        JobEvent::Started { plan, at_ms, .. } => (
            plan,
            i128::from(*at_ms) * 1_000_000,
            "started".to_string(),
            Severity::Info,
        ),
        JobEvent::Finished {
            id,
            outcome,
            millis,
        } => {
            let Some(job) = state.jobs.iter().find(|j| j.id == *id) else {
                return;
            };
            let severity = match outcome {
                JobOutcome::Done => Severity::Info,
                JobOutcome::Failed { .. } => Severity::Bad,
                JobOutcome::Cancelled { .. } | JobOutcome::Refused { .. } => Severity::Warn,
            };
            let at = (i128::from(job.started_ms) + i128::from(*millis)) * 1_000_000;
            (&job.plan, at, outcome.text(job.plan.steps.len()), severity)
        }
        JobEvent::Step { .. } | JobEvent::Progress { .. } | JobEvent::Paused { .. } => return,
    };
    let object = format!("job {} {}", plan.action, plan.target);
    let e = TimelineEntry {
        at,
        ..entry(0, &plan.host, Source::Operator, object, what, severity)
    };
    push(state, e);
}

/// What changed between two answers of one service worth a line.
fn probe_change(old: Option<&ProbeResult>, new: &ProbeResult) -> Vec<(String, Severity)> {
    match (old, new) {
        (Some(ProbeResult::Zookeeper(Ok(o))), ProbeResult::Zookeeper(Ok(n))) => {
            let (was, now) = (o.mode(), n.mode());
            match (was == now, now) {
                (false, ZkMode::Leader) => {
                    vec![("became the ZooKeeper leader".into(), Severity::Warn)]
                }
                (false, ZkMode::NotServing) => {
                    vec![("stopped serving (no quorum?)".into(), Severity::Bad)]
                }
                _ => Vec::new(),
            }
        }
        (Some(ProbeResult::Mysql(Ok(o))), ProbeResult::Mysql(Ok(n))) => {
            let healthy = |p: &crate::model::answers::mysql::DbProbe| {
                p.replica.as_ref().map(|r| r.is_healthy())
            };
            // Over the bound the guards of rolling restarts and bulk stops
            // wait for: the moment a replica falls behind is worth a line.
            let behind = |p: &crate::model::answers::mysql::DbProbe| {
                p.replica
                    .as_ref()
                    .and_then(|r| r.seconds_behind)
                    .filter(|&lag| lag > MAX_REPLICA_LAG_SECS)
            };
            match (healthy(o), healthy(n)) {
                (Some(true), Some(false)) => vec![("replication stopped".into(), Severity::Bad)],
                (Some(false), Some(true)) => vec![("replicating again".into(), Severity::Info)],
                (Some(true), Some(true)) => match (behind(o), behind(n)) {
                    (None, Some(lag)) => vec![(
                        format!("replication lag {lag}s, over {MAX_REPLICA_LAG_SECS}s"),
                        Severity::Warn,
                    )],
                    (Some(_), None) => vec![(
                        format!("replication lag back under {MAX_REPLICA_LAG_SECS}s"),
                        Severity::Info,
                    )],
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            }
        }
        (Some(ProbeResult::Haproxy(Ok(o))), ProbeResult::Haproxy(Ok(n))) => n
            .rows
            .iter()
            .filter(|row| row.kind == ProxyKind::Server && row.status == Status::Down)
            .filter(|row| {
                o.server(&row.proxy, &row.name)
                    .is_some_and(|was| was.status != Status::Down)
            })
            .map(|row| {
                let what = format!("DOWN: server {}/{}", row.proxy, row.name);
                (what, Severity::Bad)
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Before a probe's answer is recorded: note what changed.
pub(super) fn on_probed(state: &mut State, key: &ContainerKey, at: i64, new: &ProbeResult) {
    let old = match new {
        ProbeResult::Zookeeper(_) => state
            .probes
            .zookeeper
            .get(key)
            .map(|p| ProbeResult::Zookeeper(p.result.clone())),
        ProbeResult::Mysql(_) => state
            .probes
            .mysql
            .get(key)
            .map(|p| ProbeResult::Mysql(p.result.clone())),
        ProbeResult::Haproxy(_) => state
            .probes
            .haproxy
            .get(key)
            .map(|p| ProbeResult::Haproxy(p.result.clone())),
        ProbeResult::Nginx(_) => None,
    };
    let changes = probe_change(old.as_ref(), new);
    if changes.is_empty() {
        return;
    }
    let name = state
        .inventory
        .containers
        .get(key)
        .map_or_else(|| key.1.clone(), |c| c.name.to_string());
    for (what, severity) in changes {
        let e = entry(
            at,
            &key.0,
            Source::Engine,
            format!("container {name}"),
            what,
            severity,
        );
        push(state, e);
    }
}

/// Add an entry; a selection on the newest row stays on the newest, so
/// the pane follows what happens like a log.
fn push(state: &mut State, e: TimelineEntry) {
    let len = state.timeline.refilter(state.timeline_view.active_filter());
    let at_newest = state.timeline_view.selected + 1 >= len;
    state.timeline.push(e);
    if at_newest {
        state.timeline_view.selected = state.timeline.shown_len().saturating_sub(1);
    }
}

/// Enter: the container an entry is about, on the Nodes pane.
pub(super) fn open(state: &mut State) {
    let Some(e) = state.timeline.shown(state.timeline_view.selected) else {
        return;
    };
    let Some(name) = e.object.strip_prefix("container ") else {
        return;
    };
    let host = e.host.clone();
    let name = name.to_string();
    state.pane = Pane::Nodes;
    let at = state.node_rows().iter().position(|r| match r {
        NodeRow::Container { host: h, id } => {
            *h == host
                && state
                    .inventory
                    .containers
                    .get(&(h.clone(), id.clone()))
                    .is_some_and(|c| c.name == name)
        }
        NodeRow::Host(_) | NodeRow::Cluster { .. } | NodeRow::SwarmNode { .. } => false,
    });
    match at {
        Some(i) => state.nodes.selected = i,
        None => state.set_status(
            super::state::Level::Warn,
            format!("{name} is no longer on {host}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::answers::mysql::{DbProbe, ReplicaStatus, ThreadState};

    fn replica(lag: Option<u64>, sql: ThreadState) -> ProbeResult {
        ProbeResult::Mysql(Ok(DbProbe {
            server_id: Some(2),
            read_only: true,
            version: "10.11.19-MariaDB".into(),
            gtid: "0-1-5".into(),
            replica: Some(ReplicaStatus {
                source_host: "db1".into(),
                source_port: Some(3306),
                io_running: ThreadState::Yes,
                sql_running: sql,
                seconds_behind: lag,
                gtid_position: "0-1-5".into(),
                last_io_error: Default::default(),
                last_sql_error: Default::default(),
            }),
            replicas: vec![],
        }))
    }

    #[test]
    fn a_replica_falling_behind_and_catching_up_are_lines() {
        let yes = ThreadState::Yes;
        let bound = MAX_REPLICA_LAG_SECS;
        let (fine, behind) = (replica(Some(0), yes), replica(Some(bound + 25), yes));
        assert_eq!(
            probe_change(Some(&fine), &behind),
            [(
                format!("replication lag {}s, over {bound}s", bound + 25),
                Severity::Warn
            )]
        );
        // Still behind: no new line each round.
        let further = replica(Some(bound + 40), yes);
        assert!(probe_change(Some(&behind), &further).is_empty());
        assert_eq!(
            probe_change(Some(&further), &fine),
            [(
                format!("replication lag back under {bound}s"),
                Severity::Info
            )]
        );
        // At the bound is not over it.
        assert!(probe_change(Some(&fine), &replica(Some(bound), yes)).is_empty());
        // A stop is said as a stop, not as lag.
        assert_eq!(
            probe_change(Some(&behind), &replica(None, ThreadState::No)),
            [("replication stopped".to_string(), Severity::Bad)]
        );
    }
}
