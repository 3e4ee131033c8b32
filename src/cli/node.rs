//! `tugboat node CHANGE NODE`: a swarm node's availability, changed through
//! a manager and run like every headless operation (src/cli/headless.rs).
//! Refused before any plan when the host is not a swarm manager; a node
//! the manager does not know is not found (src/cli/contract.rs).

use std::process::ExitCode;

use super::contract::CliError;
use super::{headless, Loaded};
use crate::ops::plan::{node_availability_plan, Plan};

#[derive(Debug, clap::Args)]
pub struct NodeArgs {
    /// drain, activate or pause.
    pub change: NodeChange,
    /// The node's hostname or id.
    pub node: String,
    /// The configured host that is a swarm manager [default: the only host].
    #[arg(long = "on", value_name = "HOST")]
    pub manager: Option<String>,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// The plan and outcome as JSON; an error as
    /// `{"error": {kind, message, exit}}`.
    #[arg(long)]
    pub json: bool,
}

/// `CHANGE`'s values. Its variants carry no doc comments: clap would list
/// them with their help under `--help`, changing the argument's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NodeChange {
    Drain,
    Activate,
    Pause,
}

impl NodeChange {
    /// The availability as Docker names it (`active`, not `activate`).
    fn availability(self) -> &'static str {
        match self {
            NodeChange::Drain => "drain",
            NodeChange::Activate => "active",
            NodeChange::Pause => "pause",
        }
    }
}

pub async fn run(loaded: &Loaded, args: NodeArgs, read_only: bool) -> ExitCode {
    match plan_for(loaded, &args).await {
        Ok(plan) => headless::run_plan(loaded, plan, args.yes, args.json, read_only).await,
        Err(e) => e.report(args.json),
    }
}

/// The plan, once the manager is one and knows the node.
async fn plan_for(loaded: &Loaded, args: &NodeArgs) -> Result<Plan, CliError> {
    let manager = super::hosts_given::the_host(loaded, args.manager.as_deref())?;
    let spec: Vec<_> = loaded
        .hosts
        .iter()
        .filter(|h| h.name == manager)
        .cloned()
        .collect();
    let (inv, handles, _) = super::status::list(&spec, &loaded.settings).await;
    let (Some(host), Some(handle)) = (inv.host(&manager), handles.first()) else {
        return Err(CliError::failed(format!("host {manager} does not answer")));
    };
    let role = host.engine.as_ref().and_then(|e| e.swarm_role.as_deref());
    if role != Some("manager") {
        let is = match role {
            Some(r) => format!("a swarm {r}"),
            None => "not in a swarm".to_string(),
        };
        return Err(CliError::refused(format!(
            "{manager} is not a swarm manager (its engine is {is}): name a manager with --on HOST"
        )));
    }
    if let Err(e) = handle.node_availability(&args.node).await {
        let said = e.to_string();
        return Err(if said.contains("404") || said.contains("not found") {
            CliError::not_found(format!(
                "no swarm node `{}` on manager {manager}",
                args.node
            ))
        } else {
            CliError::failed(said)
        });
    }
    Ok(node_availability_plan(
        &manager,
        &args.node,
        args.change.availability(),
    )?)
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn change(word: &str) -> Result<NodeChange, clap::Error> {
        match Cli::try_parse_from(["tugboat", "node", word, "node1"])?.command {
            Some(Command::Node(args)) => Ok(args.change),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn activate_is_docker_s_active_and_other_words_are_usage_errors() {
        assert_eq!(change("activate").unwrap().availability(), "active");
        assert_eq!(change("drain").unwrap().availability(), "drain");
        assert_eq!(change("pause").unwrap().availability(), "pause");
        for bad in ["active", "Drain", "ready"] {
            let e = change(bad).unwrap_err();
            assert_eq!(e.kind(), clap::error::ErrorKind::InvalidValue, "{bad}");
        }
    }

    /// The plan takes the availability as a string: each one the enum
    /// gives must be one it accepts.
    #[test]
    fn every_change_makes_a_plan() {
        use clap::ValueEnum;
        for change in NodeChange::value_variants() {
            let plan = node_availability_plan("manager", "node1", change.availability());
            assert!(plan.is_ok(), "{change:?}: {plan:?}");
        }
    }
}
