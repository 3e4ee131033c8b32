//! `tugboat failover CLUSTER [--to REPLICA]`: a database switchover when the
//! primary answers, a failover when it does not; for a ZooKeeper ensemble,
//! its leadership moved off the leader. The same plan builders and job
//! runner as the TUI's `f`.
//!
//! Exit codes (src/cli/contract.rs): 0 done, 1 the job failed (the
//! output says after which step), 2 bad usage (no such cluster, no such
//! server for --to), 3 refused (no healthy candidate, read-only, busy) or
//! not confirmed.

use std::process::ExitCode;

use super::contract::CliError;
use super::{headless, status, Loaded};
use crate::model::probed::ensembles;
use crate::ops::db_failover::{
    db_cluster, failover_plan, DbCluster, FailoverAsk, FailoverKind, FailoverPlan,
};
use crate::ops::job::JobOutcome;
use crate::ops::plan::zookeeper_leader_move_plan;
use crate::ops::plan::Plan;

#[derive(Debug, clap::Args)]
pub struct FailoverArgs {
    /// The cluster (io.tugboat.cluster label or compose project).
    pub cluster: String,
    /// The replica to promote [default: the most caught-up healthy one].
    #[arg(long, value_name = "REPLICA")]
    pub to: Option<String>,
    /// Go on although no HAProxy writer backend sends the cluster's writes
    /// (you point the writers at the new primary yourself).
    #[arg(long)]
    pub no_balancer: bool,
    /// The primary is gone for good: fail over although its host does not
    /// answer, or its container is paused or restarting. If it comes back
    /// it must not take writes: it would be a second primary.
    #[arg(long)]
    pub primary_is_gone: bool,
    /// How long a switchover's fence may wait for write statements running
    /// on the primary (their sessions are killed; a big one must roll back
    /// first) before it gives up and makes the primary writable again.
    #[arg(long, value_name = "SECS", default_value_t = crate::ops::db_fence::DEFAULT_FENCE_WAIT_SECS,
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub fence_wait: u64,
    #[command(flatten)]
    pub account: ReplAccountArgs,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// The plan and outcome (kind, cluster, primary, candidate, notes) as
    /// JSON; an error as `{"error": {kind, message, exit}}`.
    #[arg(long)]
    pub json: bool,
}

/// The replication account a former primary connects with, for clusters
/// whose servers name none in their environment and store none tugboat
/// can read.
#[derive(Debug, clap::Args)]
pub struct ReplAccountArgs {
    /// The replication account's user; its password is read from
    /// TUGBOAT_REPLICATION_PASSWORD (never an argument: other users of the
    /// machine see arguments).
    #[arg(long, value_name = "USER")]
    pub replication_user: Option<String>,
}

impl ReplAccountArgs {
    /// Keep the operator's account for `cluster`'s jobs.
    pub fn give(&self, cluster: &str) -> Result<(), CliError> {
        use crate::ops::db_account::{give, ReplAccount, PASSWORD_ENV};
        let Some(user) = &self.replication_user else {
            return Ok(());
        };
        match std::env::var(PASSWORD_ENV) {
            Ok(password) if !password.is_empty() => {
                give(
                    cluster,
                    ReplAccount {
                        user: user.clone(),
                        password,
                    },
                );
                Ok(())
            }
            _ => Err(CliError::usage(format!(
                "--replication-user needs the password in {PASSWORD_ENV}"
            ))),
        }
    }
}

pub async fn run(loaded: &Loaded, args: FailoverArgs, read_only: bool) -> ExitCode {
    if let Err(e) = args.account.give(&args.cluster) {
        return e.report(args.json);
    }
    let (cluster, planned) = match plan(loaded, &args, read_only).await {
        Planned::Db(both) => *both,
        Planned::Ended(code) => return code,
    };
    let (report, ran) = show_and_run(loaded, &args, &cluster, &planned, read_only).await;
    let Some(again) = replan_after(loaded, &args, &planned, ran.as_ref(), read_only).await else {
        return conclude(&planned, report, ran.as_ref(), args.json);
    };
    let first = serde_json::json!({
        "candidate": planned.candidate,
        "outcome": ran.as_ref().map(|r| &r.outcome),
    });
    let (cluster, planned) = again;
    let (mut report, ran) = show_and_run(loaded, &args, &cluster, &planned, read_only).await;
    report.fields.insert("first_plan".into(), first);
    conclude(&planned, report, ran.as_ref(), args.json)
}

/// What planning came to: a database plan, or an end already said (a
/// ZooKeeper leadership move run, a refusal, no such cluster).
enum Planned {
    Db(Box<(DbCluster, FailoverPlan)>),
    Ended(ExitCode),
}

async fn plan(loaded: &Loaded, args: &FailoverArgs, read_only: bool) -> Planned {
    let ask = FailoverAsk {
        to: args.to.clone(),
        no_balancer: args.no_balancer,
        primary_is_gone: args.primary_is_gone,
        fence_wait_secs: Some(args.fence_wait),
    };
    // A second probe round before refusing: one probe can time out on a
    // busy host, and the refusal would be about that, not the cluster.
    let mut rounds = 0;
    loop {
        rounds += 1;
        let (inventory, probes, _) = status::collect(&loaded.hosts, &loaded.settings).await;
        // A ZooKeeper ensemble fails over by moving its leadership.
        if let Some(e) = ensembles(&inventory, &probes)
            .into_iter()
            .find(|e| e.name == args.cluster)
        {
            match zookeeper_leader_move_plan(&e) {
                Ok(plan) => {
                    let code =
                        headless::run_plan(loaded, plan, args.yes, args.json, read_only).await;
                    return Planned::Ended(code);
                }
                Err(_) if rounds < 2 => {
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    continue;
                }
                Err(e) => return Planned::Ended(refused(&e.to_string(), args.json)),
            }
        }
        let Some(cluster) = db_cluster(&inventory, &probes, &args.cluster) else {
            return Planned::Ended(CliError::not_found(format!(
                "no database cluster or ZooKeeper ensemble `{}` (the io.tugboat.cluster or compose project of its servers)",
                args.cluster
            ))
            .report(args.json));
        };
        if let Some(to) = &args.to {
            if let Err(e) = server_of(&cluster, to) {
                return Planned::Ended(e.report(args.json));
            }
        }
        match failover_plan(&cluster, &ask) {
            Ok(p) => return Planned::Db(Box::new((cluster, p))),
            Err(_) if rounds < 2 => tokio::time::sleep(std::time::Duration::from_secs(1)).await,
            Err(e) => return Planned::Ended(refused(&e.to_string(), args.json)),
        }
    }
}

fn kind_word(kind: FailoverKind) -> &'static str {
    match kind {
        FailoverKind::Switchover => "switchover",
        FailoverKind::Failover => "failover",
    }
}

/// The plan shown, confirmed and run; its report for the end.
async fn show_and_run(
    loaded: &Loaded,
    args: &FailoverArgs,
    cluster: &DbCluster,
    planned: &FailoverPlan,
    read_only: bool,
) -> (headless::Report, Option<headless::Ran>) {
    let kind = kind_word(planned.kind);
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
    headless::show_plan(&planned.plan, &report, args.json);
    if let Some(notice) = super::cut_off::notice(loaded, false) {
        super::interrupt::warn(format!("tugboat: note: {notice}"));
    }
    let ran =
        headless::confirm_and_run(loaded, &planned.plan, args.yes, None, args.json, read_only)
            .await;
    (report, ran)
}

/// A failover the operator left the choice of, stopped before its
/// promotion (nothing promoted, the steps before undone), planned again
/// from probes taken now when they choose another replica: the one that
/// got further than the plan knew (the guard before the promotion stops
/// on that). None: the outcome stands.
async fn replan_after(
    loaded: &Loaded,
    args: &FailoverArgs,
    planned: &FailoverPlan,
    ran: Option<&headless::Ran>,
    read_only: bool,
) -> Option<(DbCluster, FailoverPlan)> {
    let failed_before = ran.is_some_and(|r| failed_before_promotion(&planned.plan, &r.outcome));
    if !failed_before || args.to.is_some() || planned.kind != FailoverKind::Failover {
        return None;
    }
    let (cluster, again) = match plan(loaded, args, read_only).await {
        Planned::Db(both) => *both,
        Planned::Ended(_) => return None,
    };
    if again.kind != FailoverKind::Failover || again.candidate == planned.candidate {
        return None;
    }
    if !args.json {
        if let Some(r) = ran {
            super::interrupt::say(r.outcome.text(planned.plan.steps.len()));
        }
        super::interrupt::say(format!(
            "Planning again from probes taken now: {} is further than {} was thought to be.",
            again.candidate, planned.candidate
        ));
    }
    Some((cluster, again))
}

/// The job failed at a step before its point of no return: nothing was
/// promoted and what ran was undone. A plan without one never qualifies.
fn failed_before_promotion(plan: &Plan, outcome: &JobOutcome) -> bool {
    let Some(promotion) = plan.steps.iter().position(|s| s.no_return) else {
        return false;
    };
    matches!(outcome, JobOutcome::Failed { step, .. } if *step <= promotion)
}

/// The outcome said, the exit code given.
fn conclude(
    planned: &FailoverPlan,
    report: headless::Report,
    ran: Option<&headless::Ran>,
    json: bool,
) -> ExitCode {
    let secs = ran.map(|r| r.confirmed.elapsed().as_secs_f64());
    let done = |text: String| format!("{text} ({:.1}s)", secs.unwrap_or_default());
    headless::conclude(&planned.plan, report.fields, ran, json, done)
}

/// A plan refused: said (as JSON too with `json`), exit 3.
pub(super) fn refused(reason: &str, json: bool) -> ExitCode {
    CliError::refused(format!("refused: {reason}; nothing was changed")).report(json)
}

/// `server` must be one of the cluster's (else: not found, naming them).
pub(super) fn server_of(cluster: &DbCluster, server: &str) -> Result<(), CliError> {
    if cluster.nodes.iter().any(|n| n.name == server) {
        return Ok(());
    }
    let names: Vec<&str> = cluster.nodes.iter().map(|n| n.name.as_str()).collect();
    Err(CliError::not_found(format!(
        "no server `{server}` in cluster {} (its servers: {})",
        cluster.name,
        names.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::plan::{PlanAction, PlanTarget, Step, StepOp};

    #[test]
    fn only_a_failure_before_the_promotion_is_planned_again() {
        let step = |what: &str| {
            Step::new(
                what,
                StepOp::Db(crate::ops::db_step::DbStep::GuardGone {
                    container_id: "id".into(),
                    stated: false,
                }),
            )
        };
        let plan = Plan {
            action: PlanAction::Failover,
            host: "local".into(),
            target: PlanTarget::Cluster("db".into()),
            steps: vec![
                step("catch up"),
                step("none further"),
                step("promote").point_of_no_return(),
                step("repoint"),
            ],
        };
        let failed = |step| JobOutcome::Failed {
            step,
            error: "refused".into(),
        };
        assert!(failed_before_promotion(&plan, &failed(2)));
        // At the promotion or after: something may be promoted.
        assert!(!failed_before_promotion(&plan, &failed(3)));
        assert!(!failed_before_promotion(&plan, &failed(4)));
        assert!(!failed_before_promotion(&plan, &JobOutcome::Done));
        let stopped = JobOutcome::Cancelled {
            completed: 1,
            why: "stopped".into(),
            detail: None,
        };
        assert!(!failed_before_promotion(&plan, &stopped));
        let mut no_promotion = plan.clone();
        no_promotion.steps.truncate(2);
        assert!(!failed_before_promotion(&no_promotion, &failed(1)));
    }
}
