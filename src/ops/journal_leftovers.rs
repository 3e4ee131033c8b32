//! What a journal entry records: what a job may leave behind if it is cut
//! off (containers it paused, helper containers, a partial archive,
//! balancer servers it drained for a while, objects it made, a primary it
//! fenced), derived from its plan, and the plan that makes those safe.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::backup::{partial_path, BackupStep};
use super::cleanup_step::CleanupStep;
use super::haproxy_command::{RuntimeCommand, ServerState};
use super::plan::{CreateStep, Plan, Step, StepOp};
use crate::model::new_objects::{JobToken, ObjectKind};

pub use super::leftover::Leftover;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    pub pid: u32,
    pub job: u64,
    /// Unix seconds.
    pub started: i64,
    pub action: String,
    pub target: String,
    pub leftovers: Vec<Leftover>,
}

/// The partial file an archive is written to (the backup's own name for it).
fn partial_file(dir: &str, file: &str) -> Leftover {
    Leftover::PartialFile {
        path: partial_path(&Path::new(dir).join(file))
            .display()
            .to_string(),
    }
}

/// What `plan` may leave if it is cut off at any step.
pub fn leftovers(plan: &Plan) -> Vec<Leftover> {
    let mut out = Vec::new();
    for (i, step) in plan.steps.iter().enumerate() {
        let host = step.host.as_deref().unwrap_or(&plan.host).to_string();
        match &step.op {
            StepOp::Backup(op) => out.extend(backup_leftovers(host, op)),
            StepOp::Scale(op) => out.extend(op.leftovers()),
            StepOp::Cleanup(op) => out.extend(op.leftovers()),
            StepOp::Create(CreateStep::Object {
                kind, name, job, ..
            }) => made_object(&mut out, plan, host, (*kind, name.clone()), job),
            StepOp::DbFence {
                container_id,
                flavor,
                action: super::db_fence::FenceAction::Raise { .. },
            } => out.extend(fenced_primary(plan, i, host, container_id, *flavor)),
            StepOp::HaproxyCommand {
                container_id,
                socket,
                command,
            } => out.extend(drained_server(plan, i, host, container_id, socket, command)),
            // Stopped for a while: the job starts it again (its undo).
            StepOp::StopContainer { id } => {
                let starts = step
                    .undo
                    .as_ref()
                    .is_some_and(|u| matches!(&u.op, StepOp::StartContainer { id: i } if i == id));
                if starts {
                    out.push(Leftover::Stopped {
                        host,
                        id: id.clone(),
                        name: step.what.clone(),
                    });
                }
            }
            // What these leave when cut off is what they were for (a
            // restart the engine finishes, a node drained, a server's
            // weight, a replica added or removed with its balancer
            // server), or is recorded by the steps above (a fence, a
            // creation's objects); guards, waits and reads leave nothing;
            // recovery's own steps are their own recovery. Listed, not
            // `_`: a new kind of step must say what it may leave.
            StepOp::Create(
                CreateStep::Preflight | CreateStep::Setup { .. } | CreateStep::Check { .. },
            )
            | StepOp::RestartContainer { .. }
            | StepOp::StartContainer { .. }
            | StepOp::GuardQuorum { .. }
            | StepOp::GuardServersLeft { .. }
            | StepOp::GuardReplicas { .. }
            | StepOp::WaitContainerUp { .. }
            | StepOp::WaitZkServing { .. }
            | StepOp::WaitNewLeader { .. }
            | StepOp::SetNodeAvailability { .. }
            | StepOp::WaitServerStatus { .. }
            | StepOp::HaproxyPersistServers { .. }
            | StepOp::WaitReplicaCaughtUp { .. }
            | StepOp::DbExec { .. }
            | StepOp::DbRejoinCheck { .. }
            | StepOp::DbGuardTopology(_)
            | StepOp::DbGuardGone { .. }
            | StepOp::DbRecoverFence { .. }
            | StepOp::DbKeepAccount { .. }
            | StepOp::DbPersistRole { .. }
            | StepOp::DbFence { .. }
            | StepOp::DbCatchUp { .. }
            | StepOp::DbWaitReplicating { .. }
            | StepOp::FreeLeases { .. } => {}
        }
    }
    out
}

/// A backup's copy may leave its paused users, its helpers and a partial
/// archive; a dump the archive; a restore its helpers.
fn backup_leftovers(host: String, op: &BackupStep) -> Vec<Leftover> {
    match op {
        BackupStep::Copy {
            volume,
            dir,
            file,
            pause,
            ..
        } => {
            let mut out: Vec<Leftover> = pause
                .iter()
                .map(|(id, name)| Leftover::Paused {
                    host: host.clone(),
                    id: id.clone(),
                    name: name.clone(),
                })
                .collect();
            out.push(Leftover::Helpers {
                host,
                volume: volume.clone(),
            });
            out.push(partial_file(dir, file));
            out
        }
        BackupStep::Dump { dir, file, .. } => vec![partial_file(dir, file)],
        BackupStep::Restore { volume, .. } => vec![Leftover::Helpers {
            host,
            volume: volume.clone(),
        }],
        // Checks and reads leave nothing.
        BackupStep::CheckDir { .. }
        | BackupStep::Verify { .. }
        | BackupStep::PrepareTarget { .. }
        | BackupStep::CheckRestored { .. } => Vec::new(),
    }
}

/// An object a creation makes joins its host's half-made cluster.
fn made_object(
    out: &mut Vec<Leftover>,
    plan: &Plan,
    host: String,
    object: (ObjectKind, String),
    job: &Option<JobToken>,
) {
    let mine = out.iter_mut().find_map(|l| match l {
        Leftover::HalfMadeCluster {
            host: h, objects, ..
        } if *h == host => Some(objects),
        _ => None,
    });
    match mine {
        Some(objects) => objects.push(object),
        None => out.push(Leftover::HalfMadeCluster {
            host,
            cluster: plan
                .target
                .strip_prefix("cluster/")
                .unwrap_or(&plan.target)
                .to_string(),
            objects: vec![object],
            job: job.clone(),
        }),
    }
}

/// A primary a switchover fences, with what makes it safe either way: the
/// candidate the plan promotes, the writer commands and haproxy.cfg after
/// the promotion (forward), and the undo of the writers taken from it
/// before the fence (back). Nothing when the plan promotes no one.
fn fenced_primary(
    plan: &Plan,
    fence_at: usize,
    host: String,
    id: &str,
    flavor: super::db_sql::DbFlavor,
) -> Option<Leftover> {
    let on = |s: &Step| s.host.clone().unwrap_or(plan.host.clone());
    let (at, candidate) = plan
        .steps
        .iter()
        .enumerate()
        .find_map(|(at, s)| match &s.op {
            StepOp::DbExec {
                container_id,
                statement: super::db_sql::DbStatement::Promote,
                ..
            } => Some((at, (on(s), container_id.clone()))),
            _ => None,
        })?;
    let writers_forward = plan.steps[at..]
        .iter()
        .filter_map(|s| match &s.op {
            StepOp::HaproxyCommand {
                container_id,
                socket,
                command,
            } if command.sets(ServerState::Ready) => {
                Some((on(s), container_id.clone(), socket.clone(), command.clone()))
            }
            _ => None,
        })
        .collect();
    let cfg_forward = plan.steps[at..]
        .iter()
        .filter_map(|s| match &s.op {
            StepOp::HaproxyPersistServers {
                container_id,
                backend,
                servers,
            } => Some((
                on(s),
                container_id.clone(),
                backend.clone(),
                servers.clone(),
            )),
            _ => None,
        })
        .collect();
    let writers_back = plan.steps[..fence_at]
        .iter()
        .filter_map(|s| {
            let undo = s.undo.as_ref()?;
            match &undo.op {
                StepOp::HaproxyCommand {
                    container_id,
                    socket,
                    command,
                } => Some((
                    undo.host.clone().unwrap_or(on(s)),
                    container_id.clone(),
                    socket.clone(),
                    command.clone(),
                )),
                _ => None,
            }
        })
        .collect();
    Some(Leftover::FencedPrimary {
        host,
        id: id.to_string(),
        flavor,
        candidate,
        writers_back,
        writers_forward,
        cfg_forward,
        members: db_members(plan),
    })
}

/// A drain the same plan undoes later (a rolling restart's).
fn drained_server(
    plan: &Plan,
    at: usize,
    host: String,
    balancer_id: &str,
    socket: &str,
    command: &RuntimeCommand,
) -> Option<Leftover> {
    if !command.sets(ServerState::Drain) {
        return None;
    }
    let server = command.server();
    let undone = plan.steps[at + 1..].iter().any(|s| {
        matches!(&s.op, StepOp::HaproxyCommand { command: c, container_id: b, .. }
            if c.sets(ServerState::Ready) && c.server() == server && b == balancer_id)
    });
    undone.then(|| Leftover::DrainedServer {
        host,
        balancer_id: balancer_id.to_string(),
        socket: socket.to_string(),
        server: server.clone(),
    })
}

/// The plan that makes `entry`'s leftovers safe: unpause what it paused,
/// remove its helpers and partial files, make drained servers ready.
pub fn recover_plan(entry: &JournalEntry, host: &str) -> Plan {
    let steps = entry
        .leftovers
        .iter()
        .map(|l| match l {
            Leftover::Paused { host, id, name } => Step::new(
                format!("unpause {name} on {host} if it is still paused"),
                StepOp::Cleanup(CleanupStep::Unpause {
                    id: id.clone(),
                    name: name.clone(),
                }),
            )
            .on(host),
            Leftover::Helpers { host, volume } => Step::new(
                format!("remove helper containers of volume {volume} on {host}"),
                StepOp::Cleanup(CleanupStep::RemoveHelpers {
                    volume: volume.clone(),
                }),
            )
            .on(host),
            Leftover::PartialFile { path } => Step::new(
                format!("remove the partial archive {path} if it is there"),
                StepOp::Cleanup(CleanupStep::RemoveFile { path: path.clone() }),
            ),
            Leftover::HalfMadeCluster {
                host,
                cluster,
                objects,
                job,
            } => Step::new(
                format!(
                    "remove what the cut-off create of cluster {cluster} made on {host} ({}), newest first: {}",
                    match job {
                        Some(t) => format!("each only while it carries that job's label {}", t.short()),
                        None => "no job token recorded: nothing there is taken for its own".into(),
                    },
                    objects
                        .iter()
                        .rev()
                        .map(|(k, n)| format!("{} {n}", k.word()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                StepOp::Cleanup(CleanupStep::RemoveMade {
                    cluster: cluster.clone(),
                    objects: objects.clone(),
                    job: job.clone(),
                }),
            )
            .on(host),
            Leftover::FencedPrimary {
                host,
                id,
                flavor,
                candidate,
                writers_back,
                writers_forward,
                cfg_forward,
                members,
            } => Step::new(
                format!(
                    "make the fenced primary {} safe, if it is still as the switchover left it (the same container, \
                     read-only, its writers in MAINT, no server but the candidate writable; else refused, nothing changed): \
                     if {} was promoted, writes go to it and the old primary stays read-only, its lock released \
                     (then rejoin it); else its writers back and writable again",
                    short(id),
                    short(&candidate.1)
                ),
                StepOp::DbRecoverFence {
                    container_id: id.clone(),
                    flavor: *flavor,
                    candidate: candidate.clone(),
                    writers_back: writers_back.clone(),
                    writers_forward: writers_forward.clone(),
                    cfg_forward: cfg_forward.clone(),
                    members: members.clone(),
                },
            )
            .on(host),
            Leftover::Stopped { host, id, name } => Step::new(
                format!(
                    "start container {} on {host} again, the very one the cut-off job stopped ({name})",
                    short(id)
                ),
                StepOp::StartContainer { id: id.clone() },
            )
            .on(host),
            Leftover::DrainedServer {
                host,
                balancer_id,
                socket,
                server,
            } => Step::new(
                format!("make {server} ready again"),
                StepOp::HaproxyCommand {
                    container_id: balancer_id.clone(),
                    socket: socket.clone(),
                    command: RuntimeCommand::SetState {
                        on: server.clone(),
                        state: ServerState::Ready,
                    },
                },
            )
            .on(host),
        })
        .collect();
    Plan {
        action: "recover".into(),
        host: host.into(),
        target: format!(
            "job {} of process {} ({} {})",
            entry.job, entry.pid, entry.action, entry.target
        ),
        steps,
    }
}

/// The database servers (host, id) `plan` acts on, in plan order.
fn db_members(plan: &Plan) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    for step in &plan.steps {
        let host = step.host.as_deref().unwrap_or(&plan.host);
        let servers: Vec<(String, String)> = match &step.op {
            StepOp::DbKeepAccount { donors, .. } => donors.clone(),
            StepOp::DbGuardTopology(g) => std::iter::once(&g.primary)
                .chain(&g.followers)
                .chain(&g.left_out)
                .map(|m| (m.host.clone(), m.id.clone()))
                .collect(),
            StepOp::DbExec { container_id, .. }
            | StepOp::DbFence { container_id, .. }
            | StepOp::DbCatchUp { container_id, .. }
            | StepOp::DbPersistRole { container_id, .. }
            | StepOp::DbWaitReplicating { container_id, .. } => {
                vec![(host.to_string(), container_id.clone())]
            }
            // Not a step on a database server.
            _ => Vec::new(),
        };
        for member in servers {
            if !found.contains(&member) {
                found.push(member);
            }
        }
    }
    found
}

/// The first characters of a container id, for a line (whole characters:
/// an id read from a file may be anything).
pub(super) fn short(id: &str) -> &str {
    id.char_indices().nth(12).map_or(id, |(at, _)| &id[..at])
}
