//! `tugboat destroy CLUSTER [--volumes]`: remove what `tugboat create`
//! made for a cluster — only objects carrying both `io.tugboat.created-by`
//! and the cluster's label: containers, then networks, then (only with
//! `--volumes`) volumes. A job of the one executor like every operation:
//! the plan shown first, confirmed, audited, refused read-only, stopped
//! safely by a signal. Exit codes as for the other operations.

use std::process::ExitCode;

use serde::Serialize;

use super::contract::CliError;
use super::headless::{run_plan_with, Report};
use super::Loaded;
use crate::docker::{spawn_hosts, Labelled, ObjectKind};
use crate::model::new_objects::LABEL_TUGBOAT_CREATED;
use crate::model::LABEL_TUGBOAT_CLUSTER;
use crate::ops::cleanup_step::CleanupStep;
use crate::ops::plan::{Plan, PlanAction, PlanTarget, Step, StepOp};

#[derive(Debug, clap::Args)]
pub struct DestroyArgs {
    /// The cluster's name.
    pub cluster: String,
    /// Remove its volumes too (their data is lost).
    #[arg(long)]
    pub volumes: bool,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// The plan and outcome as JSON; an error as
    /// `{"error": {kind, message, exit}}`.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Container,
    Network,
    Volume,
}

/// One removal: (host, kind, name), in the order they run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Removal {
    pub host: String,
    pub kind: Kind,
    pub name: String,
}

/// Containers first (they hold the networks and volumes), then networks,
/// then volumes when asked; the rest is listed as kept.
pub fn destroy_plan(found: &[(String, Labelled)], volumes: bool) -> (Vec<Removal>, Vec<String>) {
    let mut out = Vec::new();
    let mut kept = Vec::new();
    for (kind, pick) in [(Kind::Container, 0), (Kind::Network, 1), (Kind::Volume, 2)] {
        for (host, l) in found {
            let names = match pick {
                0 => &l.containers,
                1 => &l.networks,
                _ => &l.volumes,
            };
            for name in names {
                if kind == Kind::Volume && !volumes {
                    kept.push(format!(
                        "keep volume {name} on {host} (--volumes removes it)"
                    ));
                    continue;
                }
                out.push(Removal {
                    host: host.clone(),
                    kind,
                    name: name.clone(),
                });
            }
        }
    }
    (out, kept)
}

fn line(r: &Removal) -> String {
    let kind = match r.kind {
        Kind::Container => ObjectKind::Container,
        Kind::Network => ObjectKind::Network,
        Kind::Volume => ObjectKind::Volume,
    };
    format!("remove {} {} on {}", kind.word(), r.name, r.host)
}

/// The job: one step per removal, in order, on its host.
pub fn destroy_job(cluster: &str, removals: &[Removal]) -> Plan {
    let steps = removals
        .iter()
        .map(|r| {
            let kind = match r.kind {
                Kind::Container => ObjectKind::Container,
                Kind::Network => ObjectKind::Network,
                Kind::Volume => ObjectKind::Volume,
            };
            let op = StepOp::Cleanup(CleanupStep::RemoveObject {
                kind,
                name: r.name.clone(),
            });
            Step::new(line(r), op).on(&r.host)
        })
        .collect();
    Plan {
        action: PlanAction::Destroy,
        host: removals.first().map(|r| r.host.clone()).unwrap_or_default(),
        target: PlanTarget::Cluster(cluster.to_string()),
        steps,
    }
}

pub async fn run(loaded: &Loaded, args: DestroyArgs, read_only: bool) -> ExitCode {
    if crate::create::spec::check_name(&args.cluster).is_err() {
        return CliError::usage(format!("`{}` is not a cluster name", args.cluster))
            .report(args.json);
    }
    let hosts = spawn_hosts(&loaded.hosts, &loaded.settings, read_only, |_| {});
    let labels = vec![
        format!("{LABEL_TUGBOAT_CREATED}=tugboat"),
        format!("{LABEL_TUGBOAT_CLUSTER}={}", args.cluster),
    ];
    let mut found = Vec::new();
    for h in &hosts {
        if !h.wait_connected(loaded.settings.request_timeout * 2).await {
            return CliError::failed(format!(
                "host {} does not answer; nothing was changed",
                h.name
            ))
            .report(args.json);
        }
        match h.labelled(&labels).await {
            Ok(l) => found.push((h.name.clone(), l)),
            Err(e) => {
                return CliError::failed(format!("{}: {e}; nothing was changed", h.name))
                    .report(args.json)
            }
        }
    }
    drop(hosts);
    let (removals, kept) = destroy_plan(&found, args.volumes);
    if removals.is_empty() {
        let error = if kept.is_empty() {
            CliError::not_found(format!(
                "no cluster `{}` created by tugboat on any host",
                args.cluster
            ))
        } else {
            CliError::usage(format!(
                "cluster `{}`: only volumes are left ({}); --volumes removes them",
                args.cluster,
                kept.len()
            ))
        };
        return error.report(args.json);
    }
    let plan = destroy_job(&args.cluster, &removals);
    let report = Report {
        heading: Some(format!("Plan (destroy cluster/{}):", args.cluster)),
        notes: kept,
        fields: serde_json::Map::from_iter([("cluster".into(), args.cluster.clone().into())]),
    };
    run_plan_with(loaded, plan, report, args.yes, args.json, read_only).await
}
