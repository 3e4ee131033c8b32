//! `tugboat node CHANGE NODE`: a swarm node's availability or role,
//! changed through a manager and run like every headless operation
//! (src/cli/headless.rs). Refused before any plan when the host is not a
//! swarm manager, when a drain would take a ZooKeeper ensemble below its
//! quorum or a database to its last server, or when a promotion or
//! demotion would cost the managers their raft quorum (the step asks the
//! manager again right before it acts); a node the manager does not know
//! is not found (src/cli/contract.rs).

use std::process::ExitCode;

use super::contract::CliError;
use super::{headless, Loaded};
use crate::model::swarm_guard::SwarmView;
use crate::ops::plan::{node_availability_plan, node_role_plan, NodeRole, Plan};

#[derive(Debug, clap::Args)]
pub struct NodeArgs {
    /// drain, activate, pause, promote or demote.
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
    Promote,
    Demote,
}

/// What a change sets: an availability as Docker names it (`active`, not
/// `activate`), or a role.
enum NodeSetting {
    Availability(&'static str),
    Role(NodeRole),
}

impl NodeChange {
    fn setting(self) -> NodeSetting {
        match self {
            NodeChange::Drain => NodeSetting::Availability("drain"),
            NodeChange::Activate => NodeSetting::Availability("active"),
            NodeChange::Pause => NodeSetting::Availability("pause"),
            NodeChange::Promote => NodeSetting::Role(NodeRole::Manager),
            NodeChange::Demote => NodeSetting::Role(NodeRole::Worker),
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
    // What would the change cost? From the manager's listing just taken
    // with its containers; the step asks again right before it acts.
    if let Some(trouble) = &host.swarm_trouble {
        return Err(CliError::failed(format!(
            "{manager} cannot list its swarm: {trouble}"
        )));
    }
    let view = SwarmView {
        nodes: &host.swarm_nodes,
        services: &host.swarm_services,
        tasks: &host.swarm_tasks,
    };
    match args.change.setting() {
        NodeSetting::Availability(availability) => {
            if availability == "drain" {
                let costs = view
                    .drain_cost(&args.node)
                    .map_err(|e| CliError::refused(e.to_string()))?;
                if !costs.is_empty() {
                    let said: Vec<String> = costs.iter().map(ToString::to_string).collect();
                    return Err(CliError::refused(said.join("; ")));
                }
            }
            Ok(node_availability_plan(&manager, &args.node, availability)?)
        }
        NodeSetting::Role(role) => {
            view.role_change_cost(&args.node, role == NodeRole::Manager)
                .map_err(|e| CliError::refused(e.to_string()))?;
            Ok(node_role_plan(&manager, &args.node, role))
        }
    }
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

    fn availability(change: NodeChange) -> &'static str {
        match change.setting() {
            NodeSetting::Availability(a) => a,
            NodeSetting::Role(r) => r.verb(),
        }
    }

    #[test]
    fn activate_is_docker_s_active_and_other_words_are_usage_errors() {
        assert_eq!(availability(change("activate").unwrap()), "active");
        assert_eq!(availability(change("drain").unwrap()), "drain");
        assert_eq!(availability(change("pause").unwrap()), "pause");
        assert_eq!(availability(change("promote").unwrap()), "promote");
        assert_eq!(availability(change("demote").unwrap()), "demote");
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
            if let NodeSetting::Availability(a) = change.setting() {
                let plan = node_availability_plan("manager", "node1", a);
                assert!(plan.is_ok(), "{change:?}: {plan:?}");
            }
        }
    }
}
