//! `tugboat restart CONTAINER` and `tugboat restart --rolling CLUSTER`: the
//! same plans as `r` and `R` in the TUI, from one look at every host and
//! every service's probe.

use std::process::ExitCode;

use super::contract::CliError;
use super::interrupt::warn;
use super::{headless, status, Loaded};
use crate::docker::RESTART_GRACE_SECS;
use crate::model::probed::ProbeBook;
use crate::model::{cluster_of, ClusterKind, Inventory};
use crate::ops::db_rolling::cluster_rolling_plan;
use crate::ops::error::{PlanError, PlanResult};
use crate::ops::plan::Plan;
use crate::ops::rolling::{
    container_restart_plan, members_of, rolling_restart_plan, rolling_update_plan,
};

#[derive(Debug, clap::Args)]
pub struct RestartArgs {
    /// A container's name (or id prefix); with --rolling, a cluster's name.
    pub name: String,
    /// Restart the whole cluster, one member at a time.
    #[arg(long)]
    pub rolling: bool,
    /// With --rolling, for a cluster deployed as swarm services (one per
    /// member): put each member's service on IMAGE in turn, with the same
    /// checks; one that does not come up is rolled back by swarm and stops
    /// the job, and the members updated before it are rolled back too.
    #[arg(long, value_name = "IMAGE", requires = "rolling")]
    pub image: Option<String>,
    /// Only this host's containers (a configured host's name).
    #[arg(long = "on", value_name = "HOST")]
    pub host: Option<String>,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// The plan and outcome as JSON; an error as
    /// `{"error": {kind, message, exit}}`.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(loaded: &Loaded, args: RestartArgs, read_only: bool) -> ExitCode {
    let planned = match super::hosts_given::check_on(loaded, args.host.as_deref()) {
        Ok(()) => plan_for(loaded, &args).await,
        Err(e) => Err(e),
    };
    match planned {
        Ok(plan) => headless::run_plan(loaded, plan, args.yes, args.json, read_only).await,
        Err(e) => e.report(args.json),
    }
}

/// The plan; what is not found where hosts did not answer fails (exit
/// 1) naming them, as it may be on them, rather than "no such thing".
async fn plan_for(loaded: &Loaded, args: &RestartArgs) -> Result<Plan, CliError> {
    let (inventory, probes, _) = status::collect(&loaded.hosts, &loaded.settings).await;
    let silent = super::hosts_given::not_answering(&inventory, args.host.as_deref());
    plan_in(&inventory, &probes, args).map_err(|e| match e {
        PlanError::NotFound(what) if !silent.is_empty() => CliError::failed(format!(
            "{what} on the hosts that answered; not answering: {}",
            silent.join(", ")
        )),
        e => e.into(),
    })
}

fn plan_in(inventory: &Inventory, probes: &ProbeBook, args: &RestartArgs) -> PlanResult<Plan> {
    let on_host = |host: &str| args.host.as_deref().is_none_or(|h| h == host);
    if !args.rolling {
        let found: Vec<_> = inventory
            .containers
            .values()
            .filter(|c| on_host(&c.host) && (c.name == args.name || c.id.starts_with(&args.name)))
            .collect();
        return match found.as_slice() {
            [c] => container_restart_plan(inventory, probes, c),
            [] => Err(PlanError::NotFound(format!("no container `{}`", args.name))),
            _ => Err(PlanError::Invalid(format!(
                "`{}` names containers on several hosts: say which with --on HOST",
                args.name
            ))),
        };
    }
    let cluster = inventory
        .containers
        .values()
        .map(cluster_of)
        .find(|k| k.kind != ClusterKind::Ungrouped && k.name == args.name)
        .ok_or_else(|| {
            PlanError::NotFound(format!(
                "no cluster `{}` (a tugboat, compose or stack name; `tugboat status` lists them)",
                args.name
            ))
        })?;
    let database = cluster_rolling_plan(inventory, probes, &cluster, RESTART_GRACE_SECS)?;
    if let (Some(_), Some(image)) = (&database, &args.image) {
        return Err(PlanError::Refused(format!(
            "{} is a database cluster: its rolling update to {image} is not done by tugboat yet",
            cluster.name
        )));
    }
    if let Some(planned) = database {
        if let Some(host) = &args.host {
            return Err(PlanError::Invalid(format!(
                "{} is a database cluster: its rolling restart takes every server with one \
                 switchover and cannot be limited to host {host}",
                cluster.name
            )));
        }
        for note in &planned.notes {
            warn(format!("note: {note}"));
        }
        return Ok(planned.plan);
    }
    let mut members = members_of(inventory, probes, &cluster)?;
    members.retain(|m| on_host(&m.host));
    match &args.image {
        Some(image) => rolling_update_plan(&cluster.name, &members, image),
        None => rolling_restart_plan(&cluster.name, &members, RESTART_GRACE_SECS),
    }
}
