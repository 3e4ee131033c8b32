//! `tugboat failover CLUSTER [--to REPLICA]`: a database switchover when the
//! primary answers, a failover when it does not; for a ZooKeeper ensemble,
//! its leadership moved off the leader. The same plan builders and job
//! runner as the TUI's `f`.
//!
//! Exit codes: 0 done, 1 the job failed (the output says after which
//! step), 2 bad usage (no such cluster), 3 refused (no healthy candidate,
//! read-only, busy) or not confirmed.

use std::process::ExitCode;

use super::{headless, status, Loaded};
use crate::model::probed::ensembles;
use crate::ops::db_failover::{db_cluster, failover_plan, FailoverKind};
use crate::ops::plan::zookeeper_leader_move_plan;

pub const EXIT_REFUSED: u8 = 3;

pub struct FailoverArgs {
    pub cluster: String,
    pub to: Option<String>,
    pub yes: bool,
    pub json: bool,
    pub read_only: bool,
}

pub async fn run(loaded: &Loaded, args: FailoverArgs) -> ExitCode {
    // A second probe round before refusing: one probe can time out on a
    // busy host, and the refusal would be about that, not the cluster.
    let mut rounds = 0;
    let (cluster, planned) = loop {
        rounds += 1;
        let (inventory, probes, _) = status::collect(&loaded.hosts, &loaded.settings).await;
        // A ZooKeeper ensemble fails over by moving its leadership.
        if let Some(e) = ensembles(&inventory, &probes)
            .into_iter()
            .find(|e| e.name == args.cluster)
        {
            match zookeeper_leader_move_plan(&e) {
                Ok(plan) => {
                    return headless::run_plan(loaded, plan, args.yes, args.json, args.read_only)
                        .await
                }
                Err(_) if rounds < 2 => {
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    continue;
                }
                Err(e) => return refused(&e.to_string(), args.json),
            }
        }
        let Some(cluster) = db_cluster(&inventory, &probes, &args.cluster) else {
            eprintln!(
                "tugboat: no database cluster or ZooKeeper ensemble `{}` (the io.tugboat.cluster or compose project of its servers)",
                args.cluster
            );
            return ExitCode::from(super::EXIT_USAGE);
        };
        match failover_plan(&cluster, args.to.as_deref()) {
            Ok(p) => break (cluster, p),
            Err(_) if rounds < 2 => tokio::time::sleep(std::time::Duration::from_secs(1)).await,
            Err(e) => return refused(&e.to_string(), args.json),
        }
    };
    let kind = match planned.kind {
        FailoverKind::Switchover => "switchover",
        FailoverKind::Failover => "failover",
    };
    let mut report = headless::Report {
        heading: Some(format!(
            "Plan ({kind} of {}: {} -> {}):",
            cluster.name, planned.primary, planned.candidate
        )),
        notes: planned.notes.clone(),
        ..Default::default()
    };
    for (k, v) in [
        ("kind", serde_json::json!(kind)),
        ("cluster", serde_json::json!(cluster.name)),
        ("primary", serde_json::json!(planned.primary)),
        ("candidate", serde_json::json!(planned.candidate)),
        ("notes", serde_json::json!(planned.notes)),
    ] {
        report.fields.insert(k.into(), v);
    }
    headless::run_plan_with(
        loaded,
        planned.plan,
        report,
        args.yes,
        args.json,
        args.read_only,
    )
    .await
}

fn refused(reason: &str, json: bool) -> ExitCode {
    eprintln!("tugboat: refused: {reason}; nothing was changed");
    if json {
        println!("{}", serde_json::json!({ "refused": reason }));
    }
    ExitCode::from(EXIT_REFUSED)
}
