//! What a plan touches (containers, volumes, balancer servers, swarm nodes
//! and services, its own target), and the claims the job runner holds on
//! them: a job whose plan touches anything a running job holds is refused,
//! naming that job. Targets alone are not enough: a restart of one member
//! is `local/zk1`, the rolling restart around it `cluster/zk`.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use super::backup::{partial_path, BackupStep};
use super::error::StepError;
use super::plan::{CreateStep, Plan, StepOp};

/// Why a job may not start: nothing ran.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimError {
    /// A running job holds something the plan touches; `thing` is the
    /// claim name as people read it.
    #[error("job {job} ({what}) is already working on {thing}")]
    Held {
        job: u64,
        what: String,
        thing: String,
    },
    /// A host the plan acts on runs read-only.
    #[error("read-only mode (--read-only) changes nothing")]
    ReadOnly,
    /// Whether a host is read-only could not be told (no such host).
    #[error(transparent)]
    HostUnchecked(#[from] StepError),
}

/// A short, stable name for a container id in messages and claims.
fn short(id: &str) -> &str {
    id.get(..12).unwrap_or(id)
}

/// The server a runtime-API command acts on (`set server B/S state …`).
fn command_server(command: &str) -> Option<&str> {
    let mut words = command.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some("set" | "del" | "add" | "enable" | "disable"), Some("server"), Some(s)) => Some(s),
        (Some("enable" | "disable"), Some("health" | "agent"), Some(s)) => Some(s),
        _ => None,
    }
}

/// Everything `plan` acts on, as claim names (`container HOST/ID`, `volume
/// HOST/NAME`, `server HOST/BALANCER/BACKEND/SERVER`, …) plus its target.
pub fn touches(plan: &Plan) -> BTreeSet<String> {
    let mut all = BTreeSet::from([format!("target {}", plan.target)]);
    for step in &plan.steps {
        let h = step.host.as_deref().unwrap_or(&plan.host);
        let container = |id: &str| format!("container {h}/{}", short(id));
        let server = |lb: &str, backend: &str, server: &str| {
            format!("server {h}/{}/{backend}/{server}", short(lb))
        };
        let volume = |name: &str| format!("volume {h}/{name}");
        match &step.op {
            StepOp::RestartContainer { id }
            | StepOp::StopContainer { id }
            | StepOp::StartContainer { id }
            | StepOp::WaitContainerUp { id, .. }
            | StepOp::WaitZkServing { id, .. }
            | StepOp::WaitReplicaCaughtUp { id, .. }
            | StepOp::RemoveContainer { id, .. } => {
                all.insert(container(id));
            }
            StepOp::GuardQuorum { restarting, .. } | StepOp::GuardReplicas { restarting, .. } => {
                all.insert(container(restarting));
            }
            StepOp::Unpause { id, .. } => {
                all.insert(container(id));
            }
            StepOp::RemoveHelpers { volume: v } => {
                all.insert(volume(v));
            }
            StepOp::RemoveFile { path } => {
                all.insert(format!("file {path}"));
            }
            StepOp::DbGuardTopology(g) => {
                // Asked only: the servers it reads are claimed by the steps
                // that change them.
                all.insert(format!("container {h}/{}", short(&g.primary.id)));
            }
            StepOp::DbExec { container_id, .. }
            | StepOp::DbFence { container_id, .. }
            | StepOp::DbPersistRole { container_id, .. }
            | StepOp::DbGuardGone { container_id, .. }
            | StepOp::DbRecoverFence { container_id, .. }
            | StepOp::DbRejoinCheck {
                pair:
                    super::db_rejoin::RejoinPair {
                        server_id: container_id,
                        ..
                    },
                ..
            }
            | StepOp::DbCatchUp { container_id, .. }
            | StepOp::DbWaitReplicating { container_id, .. } => {
                all.insert(container(container_id));
            }
            StepOp::HaproxyCommand {
                container_id,
                command,
                ..
            } => {
                if let Some((b, s)) = command_server(command).and_then(|s| s.split_once('/')) {
                    all.insert(server(container_id, b, s));
                }
            }
            StepOp::GuardServersLeft {
                container_id,
                backend,
                server: s,
            }
            | StepOp::WaitServerStatus {
                container_id,
                backend,
                server: s,
                ..
            }
            | StepOp::WaitServerIdle {
                container_id,
                backend,
                server: s,
                ..
            }
            | StepOp::HaproxyAddServer {
                container_id,
                backend,
                server: s,
                ..
            }
            | StepOp::HaproxyRemoveServer {
                container_id,
                backend,
                server: s,
                ..
            } => {
                all.insert(server(container_id, backend, s));
            }
            StepOp::HaproxyPersistServers {
                container_id,
                backend,
                servers,
            } => {
                for (s, _) in servers {
                    all.insert(server(container_id, backend, s));
                }
            }
            // Reads only: what it reads is claimed by the job's other steps.
            StepOp::DbKeepAccount { .. } => {}
            StepOp::SetNodeAvailability { node, .. } => {
                all.insert(format!("node {h}/{node}"));
            }
            StepOp::ScaleService { service, .. } | StepOp::WaitServiceTasks { service, .. } => {
                all.insert(format!("service {h}/{service}"));
            }
            StepOp::Backup(BackupStep::Copy {
                volume: v,
                pause,
                dir,
                file,
                ..
            }) => {
                all.insert(volume(v));
                let partial = partial_path(&std::path::Path::new(dir).join(file));
                all.insert(format!("file {}", partial.display()));
                all.extend(pause.iter().map(|(id, _)| container(id)));
            }
            StepOp::Backup(BackupStep::Dump {
                volume: v,
                container_id,
                ..
            }) => {
                all.insert(volume(v));
                all.insert(container(container_id));
            }
            StepOp::Backup(
                BackupStep::PrepareTarget { volume: v, .. }
                | BackupStep::Restore { volume: v, .. }
                | BackupStep::CheckRestored { volume: v, .. },
            ) => {
                all.insert(volume(v));
            }
            StepOp::RemoveObject { kind, name }
            | StepOp::Create(CreateStep::Object { kind, name, .. }) => {
                all.insert(format!("{} {h}/{name}", kind.word()));
            }
            StepOp::RemoveMade { cluster, .. } => {
                all.insert(format!("target cluster/{cluster}"));
            }
            StepOp::Backup(BackupStep::CheckDir { .. } | BackupStep::Verify { .. })
            | StepOp::WaitNewLeader { .. }
            | StepOp::CreateReplica { .. }
            | StepOp::Create(_) => {}
        }
    }
    all
}

/// The claims of the running jobs: claim name -> (job id, "action target").
#[derive(Default)]
pub struct Claims(Mutex<HashMap<String, (u64, String)>>);

impl Claims {
    /// Claim everything `plan` touches for job `id`, or nothing when a
    /// running job holds any of it.
    pub fn claim(&self, id: u64, plan: &Plan) -> Result<(), ClaimError> {
        let wanted = touches(plan);
        let mut held = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((thing, (other, what))) =
            wanted.iter().find_map(|t| held.get(t).map(|h| (t, h)))
        {
            return Err(ClaimError::Held {
                job: *other,
                what: what.clone(),
                thing: thing.strip_prefix("target ").unwrap_or(thing).into(),
            });
        }
        let what = format!("{} {}", plan.action, plan.target);
        for t in wanted {
            held.insert(t, (id, what.clone()));
        }
        Ok(())
    }

    /// Job `id` ended: its claims go.
    pub fn release(&self, id: u64) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, (job, _)| *job != id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::plan::{restart_plan, Step};
    use crate::ops::rolling::{rolling_restart_plan, Member};

    fn member(name: &str) -> Member {
        Member {
            host: "local".into(),
            id: format!("{name}-0123456789abcdef"),
            name: name.into(),
            zookeeper: true,
            voters: 3,
            ..Member::default()
        }
    }

    #[test]
    fn a_restart_of_a_member_overlaps_the_rolling_restart_around_it() {
        let rolling =
            rolling_restart_plan("zk", &[member("zk1"), member("zk2"), member("zk3")], 10).unwrap();
        let claims = Claims::default();
        claims.claim(1, &rolling).unwrap();
        let one = restart_plan("local", "zk2-0123456789abcdef", "zk2", 10);
        let e = claims.claim(2, &one).unwrap_err();
        assert_eq!(
            e.to_string(),
            "job 1 (rolling restart cluster/zk) is already working on container local/zk2-01234567"
        );
        // Another container is free; the member is free again once job 1 ends.
        claims
            .claim(3, &restart_plan("local", "other-id", "other", 10))
            .unwrap();
        claims.release(1);
        claims.claim(2, &one).unwrap();
    }

    #[test]
    fn a_backup_overlaps_a_restore_of_the_same_volume_and_servers_by_name() {
        let copy = |v: &str| Plan {
            action: "backup".into(),
            host: "local".into(),
            target: format!("volume/{v}"),
            steps: vec![Step::new(
                "copy",
                StepOp::Backup(BackupStep::Copy {
                    volume: v.into(),
                    dir: "/b".into(),
                    file: "f".into(),
                    image: None,
                    users: vec![],
                    pause: vec![("db-id".into(), "db".into())],
                }),
            )],
        };
        let restore = Plan {
            action: "restore".into(),
            host: "local".into(),
            target: "archive".into(),
            steps: vec![Step::new(
                "restore",
                StepOp::Backup(BackupStep::Restore {
                    archive: "a".into(),
                    volume: "data".into(),
                    sha256: "x".into(),
                    image: None,
                }),
            )],
        };
        let claims = Claims::default();
        claims.claim(1, &restore).unwrap();
        let e = claims.claim(2, &copy("data")).unwrap_err();
        assert!(
            e.to_string().ends_with("working on volume local/data"),
            "{e}"
        );
        claims.claim(3, &copy("other")).unwrap();

        let drain = |cmd: &str| Plan {
            action: "drain".into(),
            host: "lb".into(),
            target: cmd.into(),
            steps: vec![Step::new(
                cmd,
                StepOp::HaproxyCommand {
                    container_id: "lb-id".into(),
                    socket: "/s".into(),
                    command: cmd.into(),
                },
            )],
        };
        claims
            .claim(4, &drain("set server app/web1 state drain"))
            .unwrap();
        let e = claims
            .claim(5, &drain("set server app/web1 weight 10"))
            .unwrap_err();
        assert!(e.to_string().ends_with("server lb/lb-id/app/web1"), "{e}");
    }
}
