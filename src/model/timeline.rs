//! One incident timeline: what the engines said happened (a container
//! died, was OOM-killed, failed its healthcheck; volumes, networks, swarm
//! nodes), and what the operators did (their jobs, from the audit log), in
//! one time order. Pure: the engines' events arrive as `EngineEvent`s.

use std::collections::BTreeMap;

use serde::Serialize;

use super::log_time::clock_of;
use super::sanitize;

/// How tugboat's job leases are named (`docker::LEASE_PREFIX`): volumes
/// the timeline leaves out.
pub const LEASE_VOLUME_PREFIX: &str = "tugboat-lease-";

/// An engine event as the engine reports it (`docker events`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EngineEvent {
    /// Nanoseconds since the epoch, on the engine's clock.
    pub at: i128,
    /// `container`, `volume`, `network`, `node`, …
    pub kind: String,
    /// `die`, `oom`, `health_status: unhealthy`, `create`, …
    pub action: String,
    /// The object's id (a container's, a volume's name, a node's id).
    pub id: String,
    pub attributes: BTreeMap<String, String>,
}

/// How much an entry matters: bad ones (an OOM kill, a failing
/// healthcheck, a crash) are highlighted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warn,
    Bad,
}

/// Where an entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Engine,
    Operator,
}

impl Source {
    /// As the serde name, so text and JSON say the same.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Engine => "engine",
            Self::Operator => "operator",
        }
    }
}

/// One line of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEntry {
    /// Nanoseconds since the epoch.
    pub at: i128,
    pub host: String,
    pub source: Source,
    /// What it is about: `container zk1`, `volume data`, `job stop`.
    pub object: String,
    pub what: String,
    pub severity: Severity,
}

fn attr<'a>(e: &'a EngineEvent, key: &str) -> Option<&'a str> {
    e.attributes.get(key).map(String::as_str)
}

/// What a container event says, or None for the noise (exec, attach, …).
fn container_entry(e: &EngineEvent) -> Option<(String, Severity)> {
    use Severity::{Bad, Info, Warn};
    let said = match e.action.as_str() {
        "oom" => (
            "out of memory: the kernel killed a process (OOM)".into(),
            Bad,
        ),
        "die" => {
            let code = attr(e, "exitCode").unwrap_or("?");
            let bad = if code == "0" { Info } else { Bad };
            (format!("exited with {code}"), bad)
        }
        "kill" => (
            format!(
                "sent {}",
                attr(e, "signal").map_or("a signal".into(), |s| format!("signal {s}"))
            ),
            Warn,
        ),
        "restart" => ("restarted".into(), Warn),
        "health_status: unhealthy" => ("healthcheck failing: unhealthy".into(), Bad),
        "health_status: healthy" => ("healthy again".into(), Info),
        "start" | "stop" | "pause" | "unpause" | "create" | "destroy" | "rename" | "update" => {
            (e.action.clone(), Info)
        }
        _ => return None,
    };
    Some(said)
}

/// An engine event as a timeline entry (host `host`), or None when it says
/// nothing an incident needs.
pub fn from_engine(host: &str, e: &EngineEvent) -> Option<TimelineEntry> {
    let name = attr(e, "name").unwrap_or(&e.id);
    let (object, (what, severity)) = match e.kind.as_str() {
        "container" => (format!("container {name}"), container_entry(e)?),
        // A job's lease comes and goes with every job: the job itself is
        // on the timeline.
        "volume" if e.id.starts_with(LEASE_VOLUME_PREFIX) => return None,
        "volume" if matches!(e.action.as_str(), "create" | "destroy") => (
            format!("volume {}", e.id),
            (e.action.clone(), Severity::Info),
        ),
        "network"
            if matches!(
                e.action.as_str(),
                "create" | "destroy" | "connect" | "disconnect"
            ) =>
        {
            let what = match (e.action.as_str(), attr(e, "container")) {
                ("connect" | "disconnect", Some(c)) => {
                    format!("{} {}", e.action, super::container::short_id(c))
                }
                _ => e.action.clone(),
            };
            (format!("network {name}"), (what, Severity::Info))
        }
        "node" => {
            let state = attr(e, "state").or(attr(e, "availability"));
            let what = state.map_or_else(|| e.action.clone(), |s| format!("{} ({s})", e.action));
            let bad = matches!(state, Some("down" | "disconnected" | "unknown"));
            (
                format!("node {name}"),
                (what, if bad { Severity::Bad } else { Severity::Warn }),
            )
        }
        _ => return None,
    };
    Some(TimelineEntry {
        at: e.at,
        host: host.into(),
        source: Source::Engine,
        object: sanitize(&object),
        what: sanitize(&what),
        severity,
    })
}

/// Entries in time order (stable: equal times keep their order).
pub fn in_order(mut entries: Vec<TimelineEntry>) -> Vec<TimelineEntry> {
    entries.sort_by_key(|e| e.at);
    entries
}

/// `22:13:47.123  local   engine    container zk1   exited with 137`
pub fn line(e: &TimelineEntry) -> String {
    let mark = match e.severity {
        Severity::Bad => "!!",
        Severity::Warn => " !",
        Severity::Info => "  ",
    };
    format!(
        "{} {mark} {:<10} {:<8} {:<32} {}",
        clock_of(e.at),
        e.host,
        e.source.as_str(),
        e.object,
        e.what
    )
}

/// A Markdown table for a postmortem; `|` in a value is escaped.
pub fn markdown(entries: &[TimelineEntry]) -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut out =
        String::from("| time (UTC) | host | source | object | what |\n|---|---|---|---|---|\n");
    for e in entries {
        let what = match e.severity {
            Severity::Bad => format!("**{}**", cell(&e.what)),
            Severity::Warn | Severity::Info => cell(&e.what),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {what} |\n",
            clock_of(e.at),
            cell(&e.host),
            e.source.as_str(),
            cell(&e.object)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, action: &str, attrs: &[(&str, &str)]) -> EngineEvent {
        EngineEvent {
            at: 1_700_000_000_000_000_000,
            kind: kind.into(),
            action: action.into(),
            id: "3f9a1c2e7b5d".repeat(5),
            attributes: attrs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn incidents_are_told_and_noise_is_left_out() {
        let oom = from_engine("db1", &event("container", "oom", &[("name", "shop-db")])).unwrap();
        assert_eq!(
            (oom.object.as_str(), oom.severity),
            ("container shop-db", Severity::Bad)
        );
        let died = from_engine(
            "db1",
            &event(
                "container",
                "die",
                &[("name", "shop-db"), ("exitCode", "137")],
            ),
        )
        .unwrap();
        assert_eq!(
            (died.what.as_str(), died.severity),
            ("exited with 137", Severity::Bad)
        );
        let clean = from_engine("db1", &event("container", "die", &[("exitCode", "0")])).unwrap();
        assert_eq!(clean.severity, Severity::Info);
        let sick = from_engine(
            "h",
            &event("container", "health_status: unhealthy", &[("name", "web")]),
        )
        .unwrap();
        assert_eq!(sick.severity, Severity::Bad);
        let node = from_engine(
            "m",
            &event("node", "update", &[("name", "w2"), ("state", "down")]),
        )
        .unwrap();
        assert_eq!(
            (node.what.as_str(), node.severity),
            ("update (down)", Severity::Bad)
        );
        for noise in ["exec_start: sh", "attach", "resize", "top"] {
            assert_eq!(
                from_engine("h", &event("container", noise, &[])),
                None,
                "{noise}"
            );
        }
        assert_eq!(from_engine("h", &event("image", "pull", &[])), None);
        let mut lease = event("volume", "create", &[]);
        lease.id = format!("{LEASE_VOLUME_PREFIX}6a1f");
        assert_eq!(from_engine("h", &lease), None);
    }

    #[test]
    fn a_source_reads_as_in_json() {
        for s in [Source::Engine, Source::Operator] {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
    }

    #[test]
    fn hostile_names_are_sanitized_and_markdown_cells_escaped() {
        let e = from_engine(
            "h",
            &event("container", "oom", &[("name", "evil\u{1b}]0;x\u{7}|name")]),
        )
        .unwrap();
        assert!(
            !e.object.contains('\u{1b}') && !e.object.contains('\u{7}'),
            "{:?}",
            e.object
        );
        let table = markdown(&[e]);
        assert!(table.contains("\\|name"), "{table}");
        assert!(table.contains("**out of memory"), "{table}");
        assert!(
            line(&from_engine("h", &event("container", "restart", &[("name", "a")])).unwrap())
                .contains(" ! h")
        );
    }
}
