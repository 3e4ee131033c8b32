//! `tugboat drain`: a balancer server's state or weight, run like every
//! headless operation (src/cli/headless.rs).
//!
//! Exit codes (src/cli/contract.rs): 0 done, 1 the job failed, 2 bad
//! usage (no such balancer or server, a weight out of range), 3 refused
//! (read-only, a busy target, the backend's last UP server without
//! --force) or not confirmed: in both, nothing ran; 128 + N stopped
//! safely by signal N (130 SIGINT, 143 SIGTERM, 129 SIGHUP).

use std::process::ExitCode;

use super::contract::CliError;
use super::headless::run_plan;
use super::status;
use super::Loaded;
use crate::model::probed::balancers;
use crate::ops::error::{PlanError, PlanResult};
use crate::ops::plan::Plan;
use crate::ops::server_ops::{server_state_plan, server_weight_plan, ServerState};

#[derive(Debug, clap::Args)]
pub struct DrainArgs {
    /// The HAProxy container, as NAME or HOST/NAME.
    pub balancer: String,
    /// BACKEND/SERVER as HAProxy names them.
    pub server: String,
    /// drain (default), ready or maint.
    #[arg(long)]
    pub state: Option<StateArg>,
    /// Set the weight (0-256) instead of the state.
    #[arg(long, conflicts_with = "state")]
    pub weight: Option<u32>,
    /// Take the last UP server of its backend out all the same (refused
    /// without: every request to that backend would fail).
    #[arg(long)]
    pub force: bool,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// The plan and outcome as JSON; an error as
    /// `{"error": {kind, message, exit}}`.
    #[arg(long)]
    pub json: bool,
}

/// `--state`'s values. Its variants carry no doc comments: clap would list
/// them with their help under `--help`, changing the option's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StateArg {
    Drain,
    Ready,
    Maint,
}

impl From<StateArg> for ServerState {
    fn from(state: StateArg) -> Self {
        match state {
            StateArg::Drain => ServerState::Drain,
            StateArg::Ready => ServerState::Ready,
            StateArg::Maint => ServerState::Maint,
        }
    }
}

impl DrainArgs {
    /// The state to set: none when a weight is set instead, else `--state`,
    /// drain when not given.
    fn server_state(&self) -> Option<ServerState> {
        match self.weight {
            Some(_) => None,
            None => Some(self.state.unwrap_or(StateArg::Drain).into()),
        }
    }
}

pub async fn run(loaded: &Loaded, args: DrainArgs, read_only: bool) -> ExitCode {
    match plan_for(loaded, &args).await {
        Ok(plan) => run_plan(loaded, plan, args.yes, args.json, read_only).await,
        Err(e) => CliError::from(e).report(args.json),
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
    match (args.server_state(), args.weight) {
        (Some(state), None) => server_state_plan(b, backend, server, state, args.force),
        (None, Some(weight)) => server_weight_plan(b, backend, server, weight, args.force),
        _ => Err(PlanError::Invalid(
            "give exactly one of --state or --weight".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn drain(extra: &[&str]) -> Result<DrainArgs, clap::Error> {
        let words = ["tugboat", "drain", "lb", "be_app/app1"];
        match Cli::try_parse_from(words.iter().chain(extra))?.command {
            Some(Command::Drain(args)) => Ok(args),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_state_is_drain_by_default_and_none_when_a_weight_is_set() {
        let state = |extra: &[&str]| drain(extra).unwrap().server_state();
        assert_eq!(state(&[]), Some(ServerState::Drain));
        assert_eq!(state(&["--state", "drain"]), Some(ServerState::Drain));
        assert_eq!(state(&["--state", "ready"]), Some(ServerState::Ready));
        assert_eq!(state(&["--state", "maint"]), Some(ServerState::Maint));
        assert_eq!(state(&["--weight", "10"]), None);
    }

    #[test]
    fn a_state_and_a_weight_together_or_an_unknown_state_are_usage_errors() {
        use clap::error::ErrorKind;
        let kind = |extra: &[&str]| drain(extra).unwrap_err().kind();
        assert_eq!(
            kind(&["--state", "ready", "--weight", "1"]),
            ErrorKind::ArgumentConflict
        );
        assert_eq!(kind(&["--state", "up"]), ErrorKind::InvalidValue);
    }
}
