//! `tugboat rejoin CLUSTER SERVER`: a server that left the cluster (a
//! former primary after a switchover or failover) replicates from its
//! primary again, once its transactions are compared with the primary's.
//!
//! Exit codes (src/cli/contract.rs): 0 done, 1 the job failed (a server
//! holding writes the primary lacks is refused at the first step, listing
//! them), 2 bad usage (no such cluster or server), 3 refused or not
//! confirmed.

use std::process::ExitCode;

use super::contract::CliError;
use super::failover::{refused, server_of};
use super::{headless, status, Loaded};
use crate::ops::db_failover::db_cluster;
use crate::ops::db_rejoin::rejoin_plan;

#[derive(Debug, clap::Args)]
pub struct RejoinArgs {
    /// The database cluster (io.tugboat.cluster label or compose project).
    pub cluster: String,
    /// The server (container name) to make a replica of the primary again.
    pub server: String,
    #[command(flatten)]
    pub account: super::failover::ReplAccountArgs,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// The plan and outcome as JSON; an error as
    /// `{"error": {kind, message, exit}}`.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(loaded: &Loaded, args: RejoinArgs, read_only: bool) -> ExitCode {
    if let Err(e) = args.account.give(&args.cluster) {
        return e.report(args.json);
    }
    // A second probe round before refusing: one probe can time out.
    let mut last = String::new();
    for round in 0..2 {
        if round > 0 {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
        let (inventory, probes, _) = status::collect(&loaded.hosts, &loaded.settings).await;
        let Some(cluster) = db_cluster(&inventory, &probes, &args.cluster) else {
            return CliError::not_found(format!("no database cluster `{}`", args.cluster))
                .report(args.json);
        };
        if let Err(e) = server_of(&cluster, &args.server) {
            return e.report(args.json);
        }
        match rejoin_plan(&cluster, &args.server) {
            Ok(plan) => {
                return headless::run_plan(loaded, plan, args.yes, args.json, read_only).await
            }
            Err(e) => last = e.to_string(),
        }
    }
    refused(&last, args.json)
}
