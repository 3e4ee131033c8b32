//! `tugboat drain`: a balancer server's state or weight, run like every
//! headless operation (src/cli/headless.rs).
//!
//! Exit codes: 0 done, 1 the job failed, 2 bad usage (no such balancer or
//! server, a weight out of range), 3 refused (read-only, a busy target) or
//! not confirmed: in both, nothing ran; 128 + N stopped safely by signal N
//! (130 SIGINT, 143 SIGTERM, 129 SIGHUP).

use std::process::ExitCode;

use super::headless::run_plan;
use super::interrupt::warn;
use super::status;
use super::Loaded;
use crate::model::probed::balancers;
use crate::ops::error::{PlanError, PlanResult};
use crate::ops::plan::Plan;
use crate::ops::server_ops::{server_state_plan, server_weight_plan, ServerState};

pub struct DrainArgs {
    /// "host/container" or "container" of the HAProxy.
    pub balancer: String,
    /// "backend/server".
    pub server: String,
    pub state: Option<ServerState>,
    pub weight: Option<u32>,
    /// Take the last UP server of its backend out all the same.
    pub force: bool,
    pub yes: bool,
    pub json: bool,
    pub read_only: bool,
}

pub async fn run(loaded: &Loaded, args: DrainArgs) -> ExitCode {
    match plan_for(loaded, &args).await {
        Ok(plan) => run_plan(loaded, plan, args.yes, args.json, args.read_only).await,
        Err(e) => {
            warn(format!("tugboat: {e}"));
            ExitCode::from(super::EXIT_USAGE)
        }
    }
}

/// Find the balancer and server with one probe round, and build the plan.
async fn plan_for(loaded: &Loaded, args: &DrainArgs) -> PlanResult<Plan> {
    let (backend, server) = args.server.split_once('/').ok_or_else(|| {
        PlanError::Invalid(format!("expected BACKEND/SERVER, got `{}`", args.server))
    })?;
    let (inventory, probes, _) = status::collect(&loaded.hosts, &loaded.settings).await;
    let all = balancers(&inventory, &probes);
    let wanted = |b: &&crate::model::balancer::Balancer| {
        args.balancer == b.container || args.balancer == format!("{}/{}", b.host, b.container)
    };
    let b = all.iter().find(wanted).ok_or_else(|| {
        PlanError::NotFound(format!(
            "no balancer `{}` (as CONTAINER or HOST/CONTAINER)",
            args.balancer
        ))
    })?;
    match (args.state, args.weight) {
        (Some(state), None) => server_state_plan(b, backend, server, state, args.force),
        (None, Some(weight)) => server_weight_plan(b, backend, server, weight, args.force),
        _ => Err(PlanError::Invalid(
            "give exactly one of --state or --weight".into(),
        )),
    }
}
