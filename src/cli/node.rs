//! `tugboat node CHANGE NODE`: a swarm node's availability, changed through
//! a manager and run like every headless operation (src/cli/headless.rs).

use std::process::ExitCode;

use super::{headless, Loaded, EXIT_USAGE};
use crate::ops::plan::node_availability_plan;

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
    /// The plan and outcome as JSON.
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
    let manager = match args.manager {
        Some(m) => m,
        None if loaded.hosts.len() == 1 => loaded.hosts[0].name.clone(),
        None => {
            eprintln!("tugboat: several hosts are configured: say which manager with --on HOST");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    match node_availability_plan(&manager, &args.node, args.change.availability()) {
        Ok(plan) => headless::run_plan(loaded, plan, args.yes, args.json, read_only).await,
        Err(e) => {
            eprintln!("tugboat: {e}");
            ExitCode::from(EXIT_USAGE)
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
