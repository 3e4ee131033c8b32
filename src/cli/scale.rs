//! `tugboat scale SERVICE COUNT`: the same scale plan as `s` in the TUI,
//! from one look at every host and balancer.

use std::process::ExitCode;

use super::interrupt::warn;
use super::{headless, status, Loaded};
use crate::model::probed::balancers;
use crate::model::service::find_service;
use crate::ops::error::{PlanError, PlanResult};
use crate::ops::plan::Plan;
use crate::ops::scale::{backend_links, scale_plan};

#[derive(Debug, clap::Args)]
pub struct ScaleArgs {
    /// SERVICE, PROJECT/SERVICE, or a swarm service's name.
    pub service: String,
    /// The number of replicas wanted.
    #[arg(allow_negative_numbers = true)]
    pub count: i64,
    /// The host the service runs on, when several have one by that name.
    #[arg(long = "on", value_name = "HOST")]
    pub host: Option<String>,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// The plan and outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(loaded: &Loaded, args: ScaleArgs, read_only: bool) -> ExitCode {
    match plan_for(loaded, &args).await {
        Ok(plan) => headless::run_plan(loaded, plan, args.yes, args.json, read_only).await,
        Err(e) => {
            warn(format!("tugboat: {e}"));
            ExitCode::from(super::EXIT_USAGE)
        }
    }
}

async fn plan_for(loaded: &Loaded, args: &ScaleArgs) -> PlanResult<Plan> {
    let (inventory, probes, _) = status::collect(&loaded.hosts, &loaded.settings).await;
    let found = find_service(&inventory, &args.service, args.host.as_deref());
    let svc = match found.as_slice() {
        [one] => one.clone(),
        [] => {
            return Err(PlanError::NotFound(format!(
                "no service `{}`{}: name a compose service (SERVICE or PROJECT/SERVICE) or a swarm service with running tasks",
                args.service,
                args.host
                    .as_ref()
                    .map(|h| format!(" on {h}"))
                    .unwrap_or_default()
            )))
        }
        many => {
            let names: Vec<String> = many
                .iter()
                .map(|s| format!("{} on {}", s.label(), s.host))
                .collect();
            return Err(PlanError::Invalid(format!(
                "`{}` is ambiguous: {}; say PROJECT/SERVICE or --on HOST",
                args.service,
                names.join(", ")
            )));
        }
    };
    let links = backend_links(&balancers(&inventory, &probes), &svc);
    scale_plan(&svc, args.count, &links)
}
