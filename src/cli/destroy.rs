//! `tugboat destroy CLUSTER [--volumes]`: remove what `tugboat create`
//! made for a cluster — only objects carrying both `io.tugboat.created-by`
//! and the cluster's label: containers, then networks, then (only with
//! `--volumes`) volumes. The plan is shown first, confirmed, audited, and
//! refused read-only. Exit codes as for the other operations.

use std::process::ExitCode;
use std::time::Instant;

use serde::Serialize;

use super::drain::EXIT_NOT_CONFIRMED;
use super::{Loaded, EXIT_USAGE};
use crate::create::plan::LABEL_TUGBOAT_CREATED;
use crate::docker::{spawn_hosts, HostHandle, Labelled};
use crate::model::LABEL_TUGBOAT_CLUSTER;
use crate::ops::audit::{local_user, now_string, AuditLog, AuditRecord};

pub struct DestroyArgs {
    pub cluster: String,
    pub volumes: bool,
    pub yes: bool,
    pub json: bool,
    pub read_only: bool,
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
        Kind::Container => "container",
        Kind::Network => "network",
        Kind::Volume => "volume",
    };
    format!("remove {kind} {} on {}", r.name, r.host)
}

async fn remove(h: &HostHandle, r: &Removal) -> Result<(), String> {
    match r.kind {
        Kind::Container => h.remove_created_container(&r.name).await,
        Kind::Network => h.remove_network(&r.name).await,
        Kind::Volume => h.remove_volume(&r.name).await,
    }
    .map_err(|e| e.to_string())
}

pub async fn run(loaded: &Loaded, args: DestroyArgs) -> ExitCode {
    if crate::create::spec::check_name(&args.cluster).is_err() {
        eprintln!("tugboat: `{}` is not a cluster name", args.cluster);
        return ExitCode::from(EXIT_USAGE);
    }
    let hosts = spawn_hosts(&loaded.hosts, &loaded.settings, args.read_only, |_| {});
    let labels = vec![
        format!("{LABEL_TUGBOAT_CREATED}=tugboat"),
        format!("{LABEL_TUGBOAT_CLUSTER}={}", args.cluster),
    ];
    let mut found = Vec::new();
    for h in &hosts {
        if !h.wait_connected(loaded.settings.request_timeout * 2).await {
            eprintln!(
                "tugboat: host {} does not answer; nothing was changed",
                h.name
            );
            return ExitCode::from(1);
        }
        match h.labelled(&labels).await {
            Ok(l) => found.push((h.name.clone(), l)),
            Err(e) => {
                eprintln!("tugboat: {}: {e}; nothing was changed", h.name);
                return ExitCode::from(1);
            }
        }
    }
    let (removals, kept) = destroy_plan(&found, args.volumes);
    if removals.is_empty() && kept.is_empty() {
        eprintln!(
            "tugboat: no cluster `{}` created by tugboat on any host",
            args.cluster
        );
        return ExitCode::from(EXIT_USAGE);
    }
    let mut lines: Vec<String> = removals.iter().map(line).collect();
    lines.extend(kept.iter().cloned());
    if !args.json {
        println!("Plan (destroy cluster/{}):", args.cluster);
        for l in &lines {
            println!("  {l}");
        }
    }
    if !args.yes && !super::drain::confirmed() {
        eprintln!("tugboat: not confirmed; nothing was changed (use --yes to skip the question)");
        return ExitCode::from(EXIT_NOT_CONFIRMED);
    }
    let started = Instant::now();
    let mut failed = Vec::new();
    let mut removed = 0;
    let refused = hosts.iter().any(|h| h.is_read_only());
    if !refused {
        for r in &removals {
            let result = match hosts.iter().find(|h| h.name == r.host) {
                Some(h) => remove(h, r).await,
                None => Err(format!("unknown host {}", r.host)),
            };
            match result {
                Ok(()) => {
                    removed += 1;
                    if !args.json {
                        println!("{}: done", line(r));
                    }
                }
                Err(e) => failed.push(format!("{}: {e}", line(r))),
            }
        }
    }
    let outcome = if refused {
        "refused: tugboat is running read-only (started with --read-only)".to_string()
    } else if failed.is_empty() {
        "done".to_string()
    } else {
        format!("failed: {}", failed.join("; "))
    };
    let record = AuditRecord {
        time: now_string(),
        user: local_user(),
        host: found
            .iter()
            .map(|(h, _)| h.as_str())
            .collect::<Vec<_>>()
            .join(","),
        action: "destroy".into(),
        target: format!("cluster/{}", args.cluster),
        plan: lines.clone(),
        outcome: outcome.clone(),
        duration_ms: started.elapsed().as_millis() as u64,
    };
    let audit = AuditLog::new(loaded.paths.audit_log());
    if let Err(e) = audit.append(&record) {
        tracing::error!("audit log {}: {e}", audit.path().display());
    }
    if args.json {
        let report = serde_json::json!({
            "cluster": args.cluster, "plan": lines, "removed": removed, "outcome": outcome,
        });
        println!("{report}");
    } else {
        println!("{outcome}");
    }
    if refused {
        ExitCode::from(EXIT_NOT_CONFIRMED)
    } else if outcome == "done" {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_go_first_and_volumes_only_when_asked() {
        let found = vec![(
            "local".to_string(),
            Labelled {
                containers: vec!["zk-zk1".into()],
                volumes: vec!["zk-zk1-data".into()],
                networks: vec!["zk".into()],
            },
        )];
        let (plan, kept) = destroy_plan(&found, false);
        let lines: Vec<String> = plan.iter().map(line).collect();
        assert_eq!(
            lines,
            [
                "remove container zk-zk1 on local",
                "remove network zk on local"
            ]
        );
        assert_eq!(kept.len(), 1);
        let (plan, kept) = destroy_plan(&found, true);
        assert_eq!(plan.last().unwrap().kind, Kind::Volume);
        assert!(kept.is_empty());
    }
}
