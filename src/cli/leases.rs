//! `tugboat leases`: what every tugboat's jobs hold on the engines — this
//! one's, another terminal's, another bastion's — with who holds it, since
//! when, and whether its process runs (seen from here).
//!
//! `tugboat leases free LEASE`: the way out when a holder's job was cut
//! off and `tugboat recover` cannot run where it ran (another user,
//! another machine that is gone). It frees every lease that holder left,
//! after a confirmation, as a job of its own (audited, refused read-only).
//! Refused while the holder's process runs here; a holder on another
//! machine needs `--force`, since only that machine can tell whether its
//! job still runs.
//!
//! Exit codes: 0 listed or freed; 1 an engine did not answer, or freeing
//! failed; 2 bad usage (no such lease); 3 refused or not confirmed.

use std::process::ExitCode;

use super::contract::CliError;
use super::headless::{run_plan_with, Report};
use super::interrupt::{say, say_json, warn};
use super::{Loaded, EXIT_SOME_HOSTS_DOWN};
use crate::docker::spawn_hosts;
use crate::ops::journal_holder::Liveness;
use crate::ops::leases::Held;
use crate::ops::plan::{CleanupStep, Plan, PlanAction, PlanTarget, Step, StepOp};

#[derive(Debug, clap::Args)]
pub struct LeasesArgs {
    #[command(subcommand)]
    pub free: Option<LeasesCommand>,
    /// JSON instead of a table; an error as
    /// `{"error": {kind, message, exit}}`.
    #[arg(long)]
    pub json: bool,
}

impl LeasesArgs {
    /// `--json`, given before or after `free`.
    pub fn json(&self) -> bool {
        match &self.free {
            Some(LeasesCommand::Free { json, .. }) => *json || self.json,
            None => self.json,
        }
    }
}

#[derive(Debug, clap::Subcommand)]
pub enum LeasesCommand {
    /// Free every lease the holder of LEASE left (its job cut off).
    Free {
        /// The lease's name, as `tugboat leases` lists it.
        lease: String,
        /// The holder runs on another machine and its operator says its job
        /// is not running any more.
        #[arg(long)]
        force: bool,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
        /// The plan and outcome as JSON; an error as
        /// `{"error": {kind, message, exit}}`.
        #[arg(long)]
        json: bool,
    },
}

fn liveness_text(l: Liveness) -> &'static str {
    match l {
        Liveness::Running => "its process runs",
        Liveness::Gone => "its process is gone",
        Liveness::OtherMachine => "on another machine",
    }
}

/// Every engine's leases; an engine that did not answer is said on stderr.
async fn every_lease(loaded: &Loaded) -> (Vec<Held>, bool) {
    let hosts = spawn_hosts(&loaded.hosts, &loaded.settings, true, |_| {});
    for h in &hosts {
        h.wait_connected(loaded.settings.request_timeout).await;
    }
    let mut all_answered = true;
    let mut leases = Vec::new();
    for (host, found) in crate::ops::leases::list(&hosts).await {
        match found {
            Ok(found) => leases.extend(found),
            Err(e) => {
                warn(format!("tugboat: {host}: {e}"));
                all_answered = false;
            }
        }
    }
    (leases, all_answered)
}

fn as_json(h: &Held) -> serde_json::Value {
    serde_json::json!({
        "host": h.host, "lease": h.lease, "thing": h.thing, "job": h.job,
        "user": h.user, "machine": h.machine, "pid": h.pid, "since": h.since,
        "liveness": liveness_text(h.liveness),
    })
}

pub async fn run(loaded: &Loaded, args: LeasesArgs, read_only: bool) -> ExitCode {
    let any_json = args.json();
    match args.free {
        None => list(loaded, args.json).await,
        Some(LeasesCommand::Free {
            lease,
            force,
            yes,
            json,
        }) => free(loaded, &lease, force, yes, json || any_json, read_only).await,
    }
}

async fn list(loaded: &Loaded, json: bool) -> ExitCode {
    let (leases, all_answered) = every_lease(loaded).await;
    if json {
        say_json(&serde_json::json!({
            "leases": leases.iter().map(as_json).collect::<Vec<_>>()
        }));
    } else if leases.is_empty() {
        say("no leases: no tugboat job holds anything on these engines");
    } else {
        for h in &leases {
            say(format!(
                "{}  {}  {}  job: {}  by {}@{} (pid {}) since {}; {}",
                h.host,
                h.lease,
                h.thing,
                h.job,
                h.user,
                h.machine,
                h.pid,
                h.since,
                liveness_text(h.liveness)
            ));
        }
    }
    if all_answered {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_SOME_HOSTS_DOWN)
    }
}

async fn free(
    loaded: &Loaded,
    lease: &str,
    force: bool,
    yes: bool,
    json: bool,
    read_only: bool,
) -> ExitCode {
    let (leases, _) = every_lease(loaded).await;
    let Some(found) = leases.iter().find(|h| h.lease == lease) else {
        return CliError::not_found(format!(
            "no lease {lease} on the engines that answered (`tugboat leases` lists them)"
        ))
        .report(json);
    };
    match (found.liveness, force) {
        (Liveness::Running, _) => {
            return CliError::refused(format!(
                "refused: {found}; stop that job instead (q in its TUI, Ctrl-C headless)"
            ))
            .report(json);
        }
        (Liveness::OtherMachine, false) => {
            return CliError::refused(format!("refused: {found}")).report(json);
        }
        (Liveness::OtherMachine, true) | (Liveness::Gone, _) => {}
    }
    let holder = found.holder.clone();
    let of_holder: Vec<&Held> = leases.iter().filter(|h| h.holder == holder).collect();
    let plan = Plan {
        action: PlanAction::FreeLeases,
        host: found.host.clone(),
        target: PlanTarget::Leases {
            pid: found.pid.clone(),
            machine: found.machine.clone(),
        },
        steps: vec![Step::new(
            format!(
                "free the {} lease(s) of {}@{} (pid {}), job {}",
                of_holder.len(),
                found.user,
                found.machine,
                found.pid,
                found.job
            ),
            StepOp::Cleanup(CleanupStep::FreeLeases { holder }),
        )],
    };
    let report = Report {
        heading: Some(format!("Free the leases of a cut-off job ({}):", found.job)),
        notes: of_holder
            .iter()
            .map(|h| format!("{} on {} ({})", h.thing, h.host, h.lease))
            .chain(std::iter::once(
                "what the job may have left paused or drained stays so: `tugboat recover`, run \
                 where it ran, makes that safe"
                    .to_string(),
            ))
            .collect(),
        fields: Default::default(),
    };
    run_plan_with(loaded, plan, report, yes, json, read_only).await
}
