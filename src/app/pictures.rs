//! Small pictures drawn as text: a ZooKeeper ensemble (who leads, who
//! follows, who is down) and a replication tree (primary → replicas, their
//! threads and lag, a chained replica under its source). Pure functions of
//! the model to tagged lines; each mark is a character as well as a tone,
//! so the pictures read without colour.

use super::detail_text::{line, seg, DetailLine, Segment, Tone};
use crate::model::answers::mysql::{DbProbe, ThreadState};
use crate::model::answers::zookeeper::ZkMode;
use crate::model::ensemble::{Ensemble, ZkMember};
use crate::model::inventory::ContainerKey;
use crate::model::probe_history::ProbeHistory;
use crate::model::replication::TreeLine;

/// Rounds a lag sparkline draws in a picture.
pub const LAG_WIDTH: usize = 20;

/// Marks the member or server the picture is drawn for.
const THIS: &str = " ◂";

/// A member's mark and tone: the leader a diamond, those following a dot
/// (an observer hollow), the down a cross, the not-yet-probed a question.
fn mode_mark(mode: ZkMode) -> (&'static str, Tone) {
    match mode {
        ZkMode::Leader => ("◆", Tone::Accent),
        ZkMode::Follower | ZkMode::Standalone => ("●", Tone::Ok),
        ZkMode::Observer => ("○", Tone::Ok),
        ZkMode::NotServing | ZkMode::Unreachable => ("✗", Tone::Bad),
        ZkMode::Unknown => ("?", Tone::Muted),
    }
}

fn is_me(me: Option<&ContainerKey>, host: &str, id: &str) -> bool {
    me.is_some_and(|(h, i)| h == host && i == id)
}

/// `◆ zk2 #2 leader`, then `├─● zk1 #1 follower` and `└─✗ zk3 #3
/// unreachable: container restarting` under it; without one leader, the
/// first line says so and every member hangs under it.
pub fn ensemble(e: &Ensemble, me: Option<&ContainerKey>) -> Vec<DetailLine> {
    let health = e.health();
    let tone = if !health.has_quorum() {
        Tone::Bad
    } else if health.tolerates == 0 && health.total > 1 {
        Tone::Warn
    } else {
        Tone::Ok
    };
    // Short of quorum while members are still being probed: not known yet.
    let probing = e.members.iter().any(|m| m.mode == ZkMode::Unknown);
    let summary = if probing && !health.has_quorum() {
        seg("probing…", Tone::Muted)
    } else {
        seg(health.summary(), tone)
    };
    let mut out = vec![line(vec![
        seg(format!("  {}  ", e.name), Tone::Heading),
        summary,
    ])];
    let leaders: Vec<&ZkMember> = e
        .members
        .iter()
        .filter(|m| m.mode == ZkMode::Leader)
        .collect();
    let (root, rest): (Option<&ZkMember>, Vec<&ZkMember>) = match leaders.as_slice() {
        [one] => (
            Some(*one),
            e.members
                .iter()
                .filter(|m| m.mode != ZkMode::Leader)
                .collect(),
        ),
        _ => (None, e.members.iter().collect()),
    };
    match root {
        Some(m) => out.push(member(m, "  ", me)),
        // As the pane says it: no alarm before every member answered.
        None if probing && leaders.len() < 2 => {
            out.push(line(vec![seg("  ? leader probing…", Tone::Muted)]))
        }
        None if leaders.len() > 1 => out.push(line(vec![seg(
            format!("  ⚠ {} leaders", leaders.len()),
            Tone::Bad,
        )])),
        None => out.push(line(vec![seg("  ⚠ no leader", Tone::Bad)])),
    }
    for (i, m) in rest.iter().enumerate() {
        let branch = if i + 1 == rest.len() {
            "  └─"
        } else {
            "  ├─"
        };
        out.push(member(m, branch, me));
    }
    out
}

fn member(m: &ZkMember, prefix: &str, me: Option<&ContainerKey>) -> DetailLine {
    let (mark, tone) = mode_mark(m.mode);
    let this = is_me(me, &m.host, &m.container_id);
    let id = m.server_id.map_or(String::new(), |id| format!(" #{id}"));
    let mut segs = vec![
        seg(prefix, Tone::Muted),
        seg(format!("{mark} "), tone),
        seg(
            m.container.to_string(),
            if this { Tone::Accent } else { Tone::Value },
        ),
        seg(id, Tone::Muted),
        seg(format!(" {}", m.mode.as_str()), tone),
    ];
    if let Some(error) = m.error.as_ref().filter(|_| m.stats.is_none()) {
        segs.push(seg(format!(": {error}"), Tone::Muted));
    }
    if this {
        segs.push(seg(THIS, Tone::Accent));
    }
    line(segs)
}

/// How much a replication picture says beside each server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Role, source, threads, lag and its trend, GTID, read-only: a
    /// detail view's.
    Full,
    /// Threads, lag and a short trend: a side panel's (the branch shows
    /// the source, the panel's fields the rest).
    Compact,
}

/// Rounds a compact picture's sparkline draws.
const COMPACT_LAG_WIDTH: usize = 10;

/// The tree `replication_tree` gives, drawn: roots flush, each replica on
/// a `├─▸`/`└─▸` branch under its source (`│` carrying on past a chained
/// replica's own), with its threads, its lag now and over the last rounds.
pub fn replication(
    tree: &[TreeLine],
    history: &ProbeHistory,
    me: Option<&ContainerKey>,
    detail: Detail,
) -> Vec<DetailLine> {
    let mut out = Vec::new();
    for (i, l) in tree.iter().enumerate() {
        let mut segs = vec![seg(format!("  {}", branches(tree, i)), Tone::Muted)];
        // Where this server sits, once there is more than one to tell apart.
        let this = me == Some(&l.key) && tree.len() > 1;
        segs.push(seg(
            l.name.clone(),
            if this { Tone::Accent } else { Tone::Value },
        ));
        match &l.probe {
            None => segs.push(seg("  probing…", Tone::Muted)),
            Some(Err(e)) => segs.push(seg(format!("  {e}"), Tone::Bad)),
            Some(Ok(p)) if detail == Detail::Compact => segs.extend(compact(p, history, &l.key)),
            Some(Ok(p)) => segs.extend(db_summary(p, lag_trend(history, &l.key, LAG_WIDTH))),
        }
        if this {
            segs.push(seg(THIS, Tone::Accent));
        }
        out.push(line(segs));
    }
    out
}

/// The branches left of line `i`: for each level above it, `│   ` while
/// that ancestor has a later sibling, then its own `├─▸ ` or `└─▸ `.
fn branches(tree: &[TreeLine], i: usize) -> String {
    let depth = tree[i].depth;
    // Whether another line at `level` follows `from` before the tree
    // climbs above that level.
    let sibling_after = |from: usize, level: usize| {
        tree[from + 1..]
            .iter()
            .take_while(|l| l.depth >= level)
            .any(|l| l.depth == level)
    };
    let mut out = String::new();
    for level in 1..depth {
        // The ancestor at `level` is the last line before `i` that deep.
        let ancestor = (0..i).rev().find(|&j| tree[j].depth == level);
        let more = ancestor.is_some_and(|a| sibling_after(a, level));
        out.push_str(if more { "│   " } else { "    " });
    }
    if depth > 0 {
        out.push_str(if sibling_after(i, depth) {
            "├─▸ "
        } else {
            "└─▸ "
        });
    }
    out
}

/// The lag of `key` over the last `width` rounds, once there are two
/// (one figure is not a trend).
pub fn lag_trend(history: &ProbeHistory, key: &ContainerKey, width: usize) -> Option<String> {
    history.lag(key).filter(|s| s.len() > 1)?;
    history.lag_line(key, width)
}

/// `  primary`, or a replica's `  io yes sql no  lag -  ▁▂··`.
fn compact(p: &DbProbe, history: &ProbeHistory, key: &ContainerKey) -> Vec<Segment> {
    let Some(r) = &p.replica else {
        return vec![seg(format!("  {}", p.role().as_str()), Tone::Label)];
    };
    let thread = |name: &str, t: ThreadState| {
        let tone = if t == ThreadState::Yes {
            Tone::Ok
        } else {
            Tone::Bad
        };
        seg(format!(" {name} {}", t.as_str()), tone)
    };
    let mut segs = vec![
        seg(" ", Tone::Value),
        thread("io", r.io_running),
        thread("sql", r.sql_running),
        lag_segment(r.seconds_behind),
    ];
    if let Some(trend) = lag_trend(history, key, COMPACT_LAG_WIDTH) {
        segs.push(seg(format!(" {trend}"), Tone::Value));
    }
    segs
}

/// `  replica of db1  io yes  sql yes  lag 3s ▁▂▁  gtid 0-1-8  read-only`,
/// `trend` the lag over the last rounds.
pub fn db_summary(p: &DbProbe, trend: Option<String>) -> Vec<Segment> {
    let mut segs = vec![seg(format!("  {}", p.role().as_str()), Tone::Label)];
    if let Some(r) = &p.replica {
        let thread = |name: &str, t: ThreadState| {
            let tone = if t == ThreadState::Yes {
                Tone::Ok
            } else {
                Tone::Bad
            };
            seg(format!("  {name} {}", t.as_str()), tone)
        };
        segs.push(seg(format!(" of {}", r.source_host), Tone::Value));
        segs.push(thread("io", r.io_running));
        segs.push(thread("sql", r.sql_running));
        segs.push(lag_segment(r.seconds_behind));
        if let Some(trend) = trend {
            segs.push(seg(format!(" {trend}"), Tone::Value));
        }
        let error = format!("{} {}", r.last_io_error, r.last_sql_error);
        if !error.trim().is_empty() {
            segs.push(seg(format!("  {}", error.trim()), Tone::Bad));
        }
    }
    segs.push(seg(
        format!("  gtid {}", if p.gtid.is_empty() { "-" } else { &p.gtid }),
        Tone::Muted,
    ));
    if p.read_only {
        segs.push(seg("  read-only", Tone::Muted));
    }
    segs
}

/// `  lag 3s`: none is fine, up to half a minute warns, more (or unknown,
/// a thread stopped) is bad.
pub fn lag_segment(seconds_behind: Option<u64>) -> Segment {
    match seconds_behind {
        Some(0) => seg("  lag 0s", Tone::Ok),
        Some(s) => seg(
            format!("  lag {s}s"),
            if s > 30 { Tone::Bad } else { Tone::Warn },
        ),
        None => seg("  lag -", Tone::Bad),
    }
}

#[cfg(test)]
#[path = "pictures_tests.rs"]
mod tests;
