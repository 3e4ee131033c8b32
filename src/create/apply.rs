//! Applying a create plan: preflight (hosts connected, images present,
//! names free) before anything is created, then every object in order with
//! progress, the setup, and the checks with a deadline. On any failure or a
//! cancel, exactly the objects this run created are removed, newest first;
//! nothing that existed before is touched. Every run is audited.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::watch;

use super::plan::{CreatePlan, Object};
use super::reach_check::{check_reach, Reached};
use super::setup::run_setup;
use super::verify::check_once;
use crate::config::Settings;
use crate::docker::{HostHandle, ObjectKind};
use crate::ops::audit::{local_user, now_string, AuditLog, AuditRecord};

/// Progress of a run, for the wizard's progress list and the headless
/// command's lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ApplyEvent {
    Checked {
        detail: String,
    },
    Created {
        index: usize,
        total: usize,
        object: String,
    },
    SetUp {
        detail: String,
    },
    Verified {
        detail: String,
    },
    Failed {
        error: String,
    },
    Removed {
        object: String,
    },
}

impl ApplyEvent {
    pub fn text(&self) -> String {
        match self {
            Self::Checked { detail } => format!("preflight: {detail}"),
            Self::Created {
                index,
                total,
                object,
            } => format!("[{index}/{total}] created {object}"),
            Self::SetUp { detail } => format!("setup: {detail}"),
            Self::Verified { detail } => format!("verified: {detail}"),
            Self::Failed { error } => format!("failed: {error}"),
            Self::Removed { object } => format!("rollback: removed {object}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ApplyOutcome {
    Done,
    /// Stopped by `error`; `removed` is what the rollback removed,
    /// `not_removed` what it could not (with the reason).
    Failed {
        error: String,
        removed: Vec<String>,
        not_removed: Vec<String>,
    },
    Cancelled {
        removed: Vec<String>,
        not_removed: Vec<String>,
    },
    /// Nothing was attempted (read-only).
    Refused {
        reason: String,
    },
}

impl ApplyOutcome {
    /// One line for the audit log and the status line.
    pub fn text(&self) -> String {
        let rollback = |removed: &[String], not_removed: &[String]| {
            if removed.is_empty() && not_removed.is_empty() {
                return String::new();
            }
            let mut t = format!("; rolled back: {} removed", removed.len());
            if !not_removed.is_empty() {
                t.push_str(&format!(", NOT removed: {}", not_removed.join("; ")));
            }
            t
        };
        match self {
            Self::Done => "done".into(),
            Self::Failed {
                error,
                removed,
                not_removed,
            } => format!("failed: {error}{}", rollback(removed, not_removed)),
            Self::Cancelled {
                removed,
                not_removed,
            } => format!("cancelled{}", rollback(removed, not_removed)),
            Self::Refused { reason } => format!("refused: {reason}"),
        }
    }
}

pub struct ApplyOptions {
    pub settings: Settings,
    /// From the last object created to every check passing.
    pub verify_timeout: Duration,
}

/// Something this run created, to remove on rollback.
#[derive(Debug, Clone)]
enum Made {
    Network {
        host: String,
        name: String,
    },
    Volume {
        host: String,
        name: String,
    },
    Container {
        host: String,
        name: String,
        id: String,
    },
}

impl Made {
    fn describe(&self) -> String {
        match self {
            Self::Network { host, name } => format!("network {name} on {host}"),
            Self::Volume { host, name } => format!("volume {name} on {host}"),
            Self::Container { host, name, .. } => format!("container {name} on {host}"),
        }
    }
}

enum Stop {
    Failed(String),
    Cancelled,
}

impl From<String> for Stop {
    fn from(e: String) -> Self {
        Stop::Failed(e)
    }
}

fn kind_of(o: &Object) -> (ObjectKind, &'static str) {
    match o {
        Object::Network { .. } => (ObjectKind::Network, "network"),
        Object::Volume { .. } => (ObjectKind::Volume, "volume"),
        Object::Container(_) => (ObjectKind::Container, "container"),
    }
}

struct Run<'a> {
    plan: &'a CreatePlan,
    hosts: &'a [HostHandle],
    options: &'a ApplyOptions,
    cancel: watch::Receiver<bool>,
    sink: &'a (dyn Fn(ApplyEvent) + Send + Sync),
    made: Vec<Made>,
}

impl Run<'_> {
    fn host(&self, name: &str) -> Result<&HostHandle, String> {
        self.hosts
            .iter()
            .find(|h| h.name == name)
            .ok_or_else(|| format!("no configured host {name}"))
    }

    fn go_on(&self) -> Result<(), Stop> {
        if *self.cancel.borrow() {
            Err(Stop::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Hosts answer, images are here, no name is taken: checked before
    /// anything is created.
    async fn preflight(&self) -> Result<(), Stop> {
        let hosts: BTreeSet<&str> = self.plan.objects.iter().map(|o| o.host()).collect();
        for name in &hosts {
            let h = self.host(name)?;
            let limit = self.options.settings.request_timeout * 3;
            if !h.wait_connected(limit).await {
                return Err(Stop::Failed(format!(
                    "host {name} is not reachable: nothing was created"
                )));
            }
        }
        (self.sink)(ApplyEvent::Checked {
            detail: format!("{} host(s) connected", hosts.len()),
        });
        let mut missing = Vec::new();
        let mut seen = BTreeSet::new();
        for o in &self.plan.objects {
            let Object::Container(c) = o else { continue };
            if !seen.insert((c.host.as_str(), c.image.as_str())) {
                continue;
            }
            let h = self.host(&c.host)?;
            if !h.image_present(&c.image).await.map_err(|e| e.to_string())? {
                let role = c
                    .labels
                    .get(crate::model::LABEL_TUGBOAT_ROLE)
                    .map(String::as_str)
                    .unwrap_or("");
                let local = h.local_images().await.unwrap_or_default();
                let fits = images_that_fit(&c.image, role, &local);
                missing.push(format!(
                    "image {} is not on {} and there is no registry to pull it from (local images that would fit: {})",
                    c.image,
                    c.host,
                    if fits.is_empty() { "none".to_string() } else { fits.join(", ") }
                ));
            }
        }
        if !missing.is_empty() {
            return Err(Stop::Failed(format!(
                "{}: nothing was created",
                missing.join("; ")
            )));
        }
        (self.sink)(ApplyEvent::Checked {
            detail: format!("{} image(s) present", seen.len()),
        });
        for o in &self.plan.objects {
            let (kind, word) = kind_of(o);
            let exists = self
                .host(o.host())?
                .object_exists(kind, o.name())
                .await
                .map_err(|e| e.to_string())?;
            if exists {
                return Err(Stop::Failed(format!(
                    "{word} {} already exists on {}: nothing was created",
                    o.name(),
                    o.host()
                )));
            }
        }
        (self.sink)(ApplyEvent::Checked {
            detail: "every name is free".into(),
        });
        if !self.plan.reach.is_empty() {
            let detail = match check_reach(&self.plan.reach, |n| self.host(n)).await {
                Ok(Reached::All(d) | Reached::Unchecked(d)) => d,
                Err(e) => return Err(Stop::Failed(format!("{e}: nothing was created"))),
            };
            (self.sink)(ApplyEvent::Checked { detail });
        }
        Ok(())
    }

    async fn create(&mut self, o: &Object) -> Result<(), String> {
        let h = self.host(o.host())?.clone();
        let err = |e: crate::docker::HostError| format!("{}: {e}", o.name());
        match o {
            Object::Network { host, name, labels } => {
                h.create_network(name, labels).await.map_err(err)?;
                self.made.push(Made::Network {
                    host: host.clone(),
                    name: name.clone(),
                });
            }
            Object::Volume { host, name, labels } => {
                // The engine answers "created" for a volume that already
                // exists: ask first, so a volume made by someone else is
                // never taken for ours (and never removed by a rollback).
                if h.object_exists(ObjectKind::Volume, name)
                    .await
                    .map_err(err)?
                {
                    return Err(format!("volume {name} already exists on {host}"));
                }
                h.create_volume(name, labels).await.map_err(err)?;
                self.made.push(Made::Volume {
                    host: host.clone(),
                    name: name.clone(),
                });
            }
            Object::Container(c) => {
                let id = h.create_planned(c).await.map_err(err)?;
                self.made.push(Made::Container {
                    host: c.host.clone(),
                    name: c.name.clone(),
                    id: id.clone(),
                });
                h.upload_files(&id, &c.files).await.map_err(err)?;
                h.start(&id).await.map_err(err)?;
            }
        }
        Ok(())
    }

    /// Every container this run started still runs.
    async fn all_running(&self) -> Result<(), String> {
        for m in &self.made {
            if let Made::Container { host, name, id } = m {
                let state = self
                    .host(host)?
                    .run_state(id)
                    .await
                    .map_err(|e| e.to_string())?;
                if !state.running {
                    return Err(format!(
                        "container {name} on {host} stopped ({}{})",
                        state.status,
                        state
                            .exit_code
                            .map(|c| format!(", exit code {c}"))
                            .unwrap_or_default()
                    ));
                }
            }
        }
        Ok(())
    }

    async fn apply(&mut self) -> Result<(), Stop> {
        self.preflight().await?;
        let total = self.plan.objects.len();
        for (i, o) in self.plan.objects.iter().enumerate() {
            self.go_on()?;
            self.create(o).await?;
            let (_, word) = kind_of(o);
            (self.sink)(ApplyEvent::Created {
                index: i + 1,
                total,
                object: format!("{word} {} on {}", o.name(), o.host()),
            });
        }
        let deadline = Instant::now() + self.options.verify_timeout;
        for step in &self.plan.setup {
            self.go_on()?;
            self.all_running().await?;
            let host = match step {
                super::plan::Setup::ReplicationUser { host, .. }
                | super::plan::Setup::StartReplica { host, .. } => host,
            };
            let h = self.host(host)?.clone();
            // Waiting for a server can be long: a cancel cuts it short.
            let mut cancel = self.cancel.clone();
            let cancelled = async move {
                if cancel.wait_for(|c| *c).await.is_err() {
                    // No one can cancel any more: never.
                    std::future::pending::<()>().await;
                }
            };
            let detail = tokio::select! {
                r = run_setup(self.plan, step, &h, deadline) => r?,
                _ = cancelled => return Err(Stop::Cancelled),
            };
            (self.sink)(ApplyEvent::SetUp { detail });
        }
        for check in &self.plan.checks {
            loop {
                self.go_on()?;
                self.all_running().await?;
                let hosts = self.hosts;
                let lookup = |n: &str| hosts.iter().find(|h| h.name == n).cloned();
                match check_once(check, lookup, &self.options.settings).await {
                    Ok(detail) => {
                        (self.sink)(ApplyEvent::Verified { detail });
                        break;
                    }
                    Err(why) if Instant::now() >= deadline => {
                        return Err(Stop::Failed(format!(
                            "verification timed out after {}s: {why}",
                            self.options.verify_timeout.as_secs()
                        )))
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
                }
            }
        }
        Ok(())
    }

    /// Remove what this run made, newest first.
    async fn rollback(&mut self) -> (Vec<String>, Vec<String>) {
        let (mut removed, mut not_removed) = (Vec::new(), Vec::new());
        while let Some(m) = self.made.pop() {
            let result = match self.host(match &m {
                Made::Network { host, .. }
                | Made::Volume { host, .. }
                | Made::Container { host, .. } => host,
            }) {
                Err(e) => Err(e),
                Ok(h) => match &m {
                    Made::Network { name, .. } => h.remove_network(name).await,
                    Made::Volume { name, .. } => h.remove_volume(name).await,
                    Made::Container { id, .. } => h.remove_created_container(id).await,
                }
                .map_err(|e| e.to_string()),
            };
            match result {
                Ok(()) => {
                    (self.sink)(ApplyEvent::Removed {
                        object: m.describe(),
                    });
                    removed.push(m.describe());
                }
                Err(e) => not_removed.push(format!("{}: {e}", m.describe())),
            }
        }
        (removed, not_removed)
    }
}

/// Local images of the same repository (or named after the role), for the
/// message about a missing one.
pub fn images_that_fit(image: &str, role: &str, local: &[String]) -> Vec<String> {
    let repo = |i: &str| -> String {
        let last = i.rsplit('/').next().unwrap_or(i);
        last.split(':').next().unwrap_or(last).to_string()
    };
    let wanted = repo(image);
    local
        .iter()
        .filter(|l| {
            let r = repo(l);
            r == wanted || (!role.is_empty() && role != "app" && r.contains(role))
        })
        .cloned()
        .collect()
}

/// Apply `plan` on `hosts` and say how it ended. Refused at once when a
/// host is read-only; a cancel (the flag turning true) stops at the next
/// step or poll and rolls back.
pub async fn apply(
    plan: &CreatePlan,
    hosts: &[HostHandle],
    options: &ApplyOptions,
    cancel: watch::Receiver<bool>,
    sink: &(dyn Fn(ApplyEvent) + Send + Sync),
) -> ApplyOutcome {
    let targets: BTreeSet<&str> = plan.objects.iter().map(|o| o.host()).collect();
    if hosts
        .iter()
        .any(|h| targets.contains(h.name.as_str()) && h.is_read_only())
    {
        return ApplyOutcome::Refused {
            reason: "tugboat is running read-only (started with --read-only)".into(),
        };
    }
    let mut run = Run {
        plan,
        hosts,
        options,
        cancel,
        sink,
        made: Vec::new(),
    };
    match run.apply().await {
        Ok(()) => ApplyOutcome::Done,
        Err(stop) => {
            if let Stop::Failed(error) = &stop {
                sink(ApplyEvent::Failed {
                    error: error.clone(),
                });
            }
            let (removed, not_removed) = run.rollback().await;
            match stop {
                Stop::Failed(error) => ApplyOutcome::Failed {
                    error,
                    removed,
                    not_removed,
                },
                Stop::Cancelled => ApplyOutcome::Cancelled {
                    removed,
                    not_removed,
                },
            }
        }
    }
}

/// `apply`, then the audit record (action `create`, target
/// `cluster/NAME`, the plan's lines, which hold no secret). Returns the
/// outcome and the milliseconds from start to verified (or rolled back).
pub async fn apply_audited(
    plan: &CreatePlan,
    hosts: &[HostHandle],
    options: &ApplyOptions,
    cancel: watch::Receiver<bool>,
    sink: &(dyn Fn(ApplyEvent) + Send + Sync),
    audit: &AuditLog,
) -> (ApplyOutcome, u64) {
    let started = Instant::now();
    let outcome = apply(plan, hosts, options, cancel, sink).await;
    let millis = started.elapsed().as_millis() as u64;
    let targets: BTreeSet<&str> = plan.objects.iter().map(|o| o.host()).collect();
    let record = AuditRecord {
        time: now_string(),
        user: local_user(),
        host: targets.into_iter().collect::<Vec<_>>().join(","),
        action: "create".into(),
        target: format!("cluster/{}", plan.cluster),
        plan: plan.lines(),
        outcome: outcome.text(),
        duration_ms: millis,
    };
    if let Err(e) = audit.append(&record) {
        tracing::error!("audit log {}: {e}", audit.path().display());
    }
    (outcome, millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_that_fit_share_the_repository_or_the_role() {
        let local = vec![
            "tugboat-test/zookeeper:3.8".to_string(),
            "tugboat-test/busybox:latest".to_string(),
            "zookeeper:3.9".to_string(),
            "tugboat-test/mariadb:10.11".to_string(),
        ];
        assert_eq!(
            images_that_fit("zookeeper:3.8", "zookeeper", &local),
            ["tugboat-test/zookeeper:3.8", "zookeeper:3.9"]
        );
        assert_eq!(
            images_that_fit("mysql:8.0", "mysql", &local),
            Vec::<String>::new()
        );
        assert_eq!(
            images_that_fit("mariadb:11", "mariadb", &local),
            ["tugboat-test/mariadb:10.11"]
        );
    }

    #[test]
    fn outcomes_say_what_was_rolled_back() {
        let o = ApplyOutcome::Failed {
            error: "port taken".into(),
            removed: vec!["a".into(), "b".into()],
            not_removed: vec![],
        };
        assert_eq!(o.text(), "failed: port taken; rolled back: 2 removed");
        assert_eq!(ApplyOutcome::Done.text(), "done");
    }
}
