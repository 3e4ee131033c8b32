//! What a journal entry records: what a job may leave behind if it is cut
//! off (containers it paused, helper containers, a partial archive,
//! balancer servers it drained for a while, objects it made, a primary it
//! fenced), derived from its plan, and the plan that makes those safe.

use serde::{Deserialize, Serialize};

use super::plan::{
    BalancerStep, CleanupStep, ContainerStep, DbStep, Plan, PlanAction, PlanTarget, RecoverFence,
    Step, StepOp,
};
use crate::model::new_objects::{JobToken, ObjectKind};
pub(crate) use crate::ops::base::claim::short;
use crate::ops::base::haproxy_command::{RuntimeCommand, ServerRef, ServerState};
use crate::ops::base::leftover::SwitchoverFacts;

pub use crate::ops::base::leftover::Leftover;

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

/// What `plan` may leave if it is cut off at any step: each kind says it
/// of its own steps, given what of the plan it needs.
pub fn leftovers(plan: &Plan) -> Vec<Leftover> {
    let mut out = Vec::new();
    for (i, step) in plan.steps.iter().enumerate() {
        let host = step.host.as_deref().unwrap_or(&plan.host);
        let left = match &step.op {
            StepOp::Container(op) => {
                let undo = step.undo.as_ref().and_then(|u| match &u.op {
                    StepOp::Container(undo) => Some(undo),
                    _ => None,
                });
                op.leftovers(host, &step.what, undo)
            }
            StepOp::Zk(op) => op.leftovers(),
            StepOp::Balancer(op) => {
                let later: Vec<&BalancerStep> = plan.steps[i + 1..]
                    .iter()
                    .filter_map(|s| match &s.op {
                        StepOp::Balancer(b) => Some(b),
                        _ => None,
                    })
                    .collect();
                op.leftovers(host, &later)
            }
            StepOp::Db(op) => op.leftovers(host, || switchover_facts(plan, i)),
            StepOp::Backup(op) => op.leftovers(host),
            StepOp::Create(op) => op.leftovers(host, &cluster_of(plan)),
            StepOp::Scale(op) => op.leftovers(),
            StepOp::Cleanup(op) => op.leftovers(),
            StepOp::User(op) => op.leftovers(),
        };
        for l in left {
            merge(&mut out, l);
        }
    }
    out
}

/// The cluster a plan's target names (a creation's always does).
fn cluster_of(plan: &Plan) -> String {
    match plan.target.cluster() {
        Some(name) => name.to_string(),
        None => plan.target.to_string(),
    }
}

/// Add `l` to `out`: the objects a creation made on one host are one
/// half-made cluster, in creation order.
fn merge(out: &mut Vec<Leftover>, l: Leftover) {
    if let Leftover::HalfMadeCluster {
        host, objects: new, ..
    } = &l
    {
        let same_host = out.iter_mut().find_map(|o| match o {
            Leftover::HalfMadeCluster {
                host: h, objects, ..
            } if h == host => Some(objects),
            _ => None,
        });
        if let Some(objects) = same_host {
            objects.extend(new.iter().cloned());
            return;
        }
    }
    out.push(l);
}

/// What makes a primary fenced at step `fence_at` safe either way: the
/// candidate the plan promotes, the writer commands and haproxy.cfg after
/// the promotion (forward), and the undo of the writers taken from it
/// before the fence (back). None when the plan promotes no one.
fn switchover_facts(plan: &Plan, fence_at: usize) -> Option<SwitchoverFacts> {
    let on = |s: &Step| s.host.clone().unwrap_or(plan.host.clone());
    let (at, candidate) = plan
        .steps
        .iter()
        .enumerate()
        .find_map(|(at, s)| match &s.op {
            StepOp::Db(DbStep::Exec {
                container_id,
                statement: crate::ops::base::db_sql::DbStatement::Promote,
                ..
            }) => Some((at, (on(s), container_id.clone()))),
            _ => None,
        })?;
    let writers_forward = plan.steps[at..]
        .iter()
        .filter_map(|s| match &s.op {
            StepOp::Balancer(BalancerStep::Command {
                container_id,
                socket,
                command,
            }) if command.sets(ServerState::Ready) => {
                Some((on(s), container_id.clone(), socket.clone(), command.clone()))
            }
            _ => None,
        })
        .collect();
    let cfg_forward = plan.steps[at..]
        .iter()
        .filter_map(|s| match &s.op {
            StepOp::Balancer(BalancerStep::PersistServers {
                container_id,
                backend,
                servers,
            }) => Some((
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
                StepOp::Balancer(BalancerStep::Command {
                    container_id,
                    socket,
                    command,
                }) => Some((
                    undo.host.clone().unwrap_or(on(s)),
                    container_id.clone(),
                    socket.clone(),
                    command.clone(),
                )),
                _ => None,
            }
        })
        .collect();
    Some(SwitchoverFacts {
        candidate,
        writers_back,
        writers_forward,
        cfg_forward,
        members: db_members(plan),
    })
}

/// The plan that makes `entry`'s leftovers safe: unpause what it paused,
/// remove its helpers and partial files, make drained servers ready.
pub fn recover_plan(entry: &JournalEntry, host: &str) -> Plan {
    let steps = entry.leftovers.iter().map(recover_step).collect();
    Plan {
        action: PlanAction::Recover,
        host: host.into(),
        target: PlanTarget::Recovery {
            job: entry.job,
            pid: entry.pid,
            action: entry.action.clone(),
            target: entry.target.clone(),
        },
        steps,
    }
}

/// The step that makes one leftover safe.
fn recover_step(l: &Leftover) -> Step {
    match l {
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
        } => recover_half_made(host, cluster, objects, job),
        Leftover::FencedPrimary {
            host,
            id,
            flavor,
            candidate,
            writers_back,
            writers_forward,
            cfg_forward,
            members,
        } => recover_fenced_primary(
            host,
            RecoverFence {
                container_id: id.clone(),
                flavor: *flavor,
                candidate: candidate.clone(),
                writers_back: writers_back.clone(),
                writers_forward: writers_forward.clone(),
                cfg_forward: cfg_forward.clone(),
                members: members.clone(),
            },
        ),
        Leftover::Stopped { host, id, name } => Step::new(
            format!(
                "start container {} on {host} again, the very one the cut-off job stopped ({name})",
                short(id)
            ),
            StepOp::Container(ContainerStep::Start { id: id.clone() }),
        )
        .on(host),
        Leftover::DrainedServer {
            host,
            balancer_id,
            socket,
            server,
        } => recover_drained_server(host, balancer_id, socket, server),
    }
}

/// Remove what a cut-off create of `cluster` made on `host`, undoing the
/// creation newest first; with the job's token, only objects that still
/// carry its label, since one without it was made by someone else (a
/// later create).
fn recover_half_made(
    host: &str,
    cluster: &str,
    objects: &[(ObjectKind, String)],
    job: &Option<JobToken>,
) -> Step {
    Step::new(
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
            cluster: cluster.to_string(),
            objects: objects.to_vec(),
            job: job.clone(),
        }),
    )
    .on(host)
}

/// Make a primary a cut-off switchover fenced on `host` safe: which way
/// (forward to the candidate or back to the primary) is decided when the
/// step runs, by whether the candidate was promoted.
fn recover_fenced_primary(host: &str, fence: RecoverFence) -> Step {
    Step::new(
        format!(
            "make the fenced primary {} safe, if it is still as the switchover left it (the same container, \
             read-only, its writers in MAINT, no server but the candidate writable; else refused, nothing changed): \
             if {} was promoted, writes go to it and the old primary stays read-only, its lock released \
             (then rejoin it); else its writers back and writable again",
            short(&fence.container_id),
            short(&fence.candidate.1)
        ),
        StepOp::Db(DbStep::RecoverFence(fence)),
    )
    .on(host)
}

/// Make a server a cut-off job drained ready again, so the balancer sends
/// it traffic as before.
fn recover_drained_server(host: &str, balancer_id: &str, socket: &str, server: &ServerRef) -> Step {
    Step::new(
        format!("make {server} ready again"),
        StepOp::Balancer(BalancerStep::Command {
            container_id: balancer_id.to_string(),
            socket: socket.to_string(),
            command: RuntimeCommand::SetState {
                on: server.clone(),
                state: ServerState::Ready,
            },
        }),
    )
    .on(host)
}

/// The database servers (host, id) `plan` acts on, in plan order.
fn db_members(plan: &Plan) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    for step in &plan.steps {
        let StepOp::Db(op) = &step.op else { continue };
        for member in op.servers(step.host.as_deref().unwrap_or(&plan.host)) {
            if !found.contains(&member) {
                found.push(member);
            }
        }
    }
    found
}
