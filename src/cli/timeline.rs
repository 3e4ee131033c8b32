//! `tugboat timeline [--since 1h] [--json | --markdown]`: the incident
//! timeline for a postmortem — every host's engine events (deaths, OOM
//! kills, failing healthchecks, restarts, volumes, networks, swarm nodes)
//! with each engine's clock offset corrected, and the operators' jobs
//! from the audit log, in one time order. Bad entries are marked `!!`
//! (bold in Markdown).

use std::process::ExitCode;

use clap::Args;

use super::interrupt::{say, say_json, warn};
use super::{Loaded, EXIT_OK, EXIT_SOME_HOSTS_DOWN};
use crate::docker::{local_nanos, unix_now};
use crate::model::log_time::parse_age;
use crate::model::log_time::parse_rfc3339;
use crate::model::timeline::{self, from_engine, Severity, Source, TimelineEntry};
use crate::ops::{AuditLog, AuditRecord};

#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// How far back: 30s, 10m, 2h or 1d.
    #[arg(long, value_name = "AGE", default_value = "1h")]
    pub since: String,
    /// One JSON object per line; an error as
    /// `{"error": {kind, message, exit}}`.
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// A Markdown table, for a postmortem document.
    #[arg(long)]
    pub markdown: bool,
}

/// A job's audit record as an entry: failed ones are bad, stopped or
/// refused ones worth a look.
fn from_audit(r: &AuditRecord) -> Option<TimelineEntry> {
    let severity = if r.outcome.starts_with("failed") {
        Severity::Bad
    } else if ["stopped", "cancelled", "refused", "interrupted"]
        .iter()
        .any(|w| r.outcome.starts_with(w))
    {
        Severity::Warn
    } else {
        Severity::Info
    };
    Some(TimelineEntry {
        at: parse_rfc3339(&r.time)?,
        host: r.host.clone(),
        source: Source::Operator,
        object: format!("job {} {}", r.action, r.target),
        what: format!("{} (by {})", r.outcome, r.user),
        severity,
    })
}

pub async fn run(loaded: &Loaded, args: TimelineArgs) -> ExitCode {
    let Some(age) = parse_age(&args.since) else {
        return super::contract::CliError::usage(format!(
            "--since {}: give an age such as 30s, 10m, 2h or 1d",
            args.since
        ))
        .report(args.json);
    };
    let until = unix_now();
    let since = until - age.as_secs() as i64;
    let (inv, handles, all_up) = super::status::list(&loaded.hosts, &loaded.settings).await;
    let mut entries = Vec::new();
    for host in inv.hosts.iter().filter(|h| !h.is_up()) {
        entries.push(TimelineEntry {
            at: local_nanos(),
            host: host.name.clone(),
            source: Source::Engine,
            object: format!("host {}", host.name),
            what: "did not answer".into(),
            severity: Severity::Bad,
        });
    }
    let asks = handles.iter().map(|h| async move {
        let offset = h.clock_offset().await.unwrap_or_default();
        (h.name.clone(), offset, h.events_between(since, until).await)
    });
    for (host, offset, events) in futures_util::future::join_all(asks).await {
        match events {
            Ok(events) => entries.extend(events.iter().filter_map(|e| {
                let mut entry = from_engine(&host, e)?;
                entry.at = offset.to_local(entry.at);
                Some(entry)
            })),
            Err(e) => warn(format!("tugboat: {host}: events not read: {e}")),
        }
    }
    let audit = AuditLog::new(loaded.paths.audit_log());
    let from = i128::from(since) * 1_000_000_000;
    match audit.read_all() {
        Ok(records) => entries.extend(
            records
                .iter()
                .filter_map(from_audit)
                .filter(|e| e.at >= from),
        ),
        Err(e) => warn(format!("tugboat: {}: {e}", audit.path().display())),
    }
    let entries = timeline::in_order(entries);
    if args.json {
        for e in &entries {
            say_json(e);
        }
    } else if args.markdown {
        say(timeline::markdown(&entries));
    } else {
        for e in &entries {
            say(timeline::line(e));
        }
        if entries.is_empty() {
            say(format!("nothing happened in the last {}", args.since));
        }
    }
    ExitCode::from(if all_up {
        EXIT_OK
    } else {
        EXIT_SOME_HOSTS_DOWN
    })
}
