//! `tugboat failover CLUSTER [--to REPLICA]`: a database switchover when the
//! primary answers, a failover when it does not; the same plan builder and
//! job runner as the TUI's `f`.
//!
//! Exit codes: 0 done, 1 the job failed (the output says after which
//! step), 2 bad usage (no such cluster), 3 refused (no healthy candidate,
//! read-only, busy) or not confirmed.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use super::status;
use super::Loaded;
use crate::docker::spawn_hosts;
use crate::ops::db_failover::{db_cluster, failover_plan, FailoverKind};
use crate::ops::job::{JobEvent, JobOutcome};
use crate::ops::runner::JobRunner;
use crate::ops::AuditLog;

pub const EXIT_FAILED: u8 = 1;
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
        let Some(cluster) = db_cluster(&inventory, &probes, &args.cluster) else {
            eprintln!(
                "tugboat: no database cluster `{}` (the io.tugboat.cluster or compose project of its servers)",
                args.cluster
            );
            return ExitCode::from(super::EXIT_USAGE);
        };
        match failover_plan(&cluster, args.to.as_deref()) {
            Ok(p) => break (cluster, p),
            Err(_) if rounds < 2 => tokio::time::sleep(std::time::Duration::from_secs(1)).await,
            Err(e) => {
                eprintln!("tugboat: refused: {e}; nothing was changed");
                if args.json {
                    println!("{}", serde_json::json!({ "refused": e }));
                }
                return ExitCode::from(EXIT_REFUSED);
            }
        }
    };
    let kind = match planned.kind {
        FailoverKind::Switchover => "switchover",
        FailoverKind::Failover => "failover",
    };
    let plan = planned.plan.clone();
    if !args.json {
        println!(
            "Plan ({kind} of {}: {} -> {}):",
            cluster.name, planned.primary, planned.candidate
        );
        for line in plan.lines() {
            println!("  {line}");
        }
        for note in &planned.notes {
            println!("  note: {note}");
        }
    }
    if !args.yes && !confirmed() {
        eprintln!("tugboat: not confirmed; nothing was changed (use --yes to skip the question)");
        return ExitCode::from(EXIT_REFUSED);
    }
    let hosts = spawn_hosts(&loaded.hosts, &loaded.settings, args.read_only, |_| {});
    for h in &hosts {
        h.wait_connected(loaded.settings.request_timeout).await;
    }
    let runner = JobRunner::new(
        hosts,
        loaded.settings.clone(),
        AuditLog::new(loaded.paths.audit_log()),
    );
    let json = args.json;
    let sink = Arc::new(move |e: JobEvent| {
        if let (JobEvent::Step { index, detail, .. }, false) = (&e, json) {
            println!("step {}: {detail}", index + 1);
        }
    });
    let outcome = runner.run(plan.clone(), sink).await;
    if json {
        let report = serde_json::json!({
            "kind": kind,
            "cluster": cluster.name,
            "primary": planned.primary,
            "candidate": planned.candidate,
            "notes": planned.notes,
            "plan": plan,
            "outcome": outcome,
        });
        println!("{report}");
    } else {
        println!("{}", outcome.text(plan.steps.len()));
    }
    match outcome {
        JobOutcome::Done => ExitCode::SUCCESS,
        JobOutcome::Refused { .. } => ExitCode::from(EXIT_REFUSED),
        _ => ExitCode::from(EXIT_FAILED),
    }
}

/// Ask on the terminal; with no terminal to ask on, the answer is no.
fn confirmed() -> bool {
    if !std::io::stdin().is_terminal() {
        return false;
    }
    print!("Go ahead? [y/N] ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    matches!(answer.trim(), "y" | "Y" | "yes")
}
