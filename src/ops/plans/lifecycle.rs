//! A container's lifecycle, on the selected container or every marked
//! one: start, stop, kill, pause, unpause, remove. Taking members out of
//! service is guarded like a rolling restart (`lifecycle_guards`): refused
//! when it would cost an ensemble its quorum, a database its last healthy
//! replica or its primary, a backend its last UP server, and asked again
//! right before each container goes. The plan says which targets it leaves
//! out and why.

use crate::model::cluster::cluster_of;
use crate::model::container::{Container, ContainerState};
use crate::model::inventory::{ContainerKey, Inventory};
use crate::model::probed::ProbeBook;
use crate::ops::base::error::{PlanError, PlanResult};
use crate::ops::kernel::plan::{
    ContainerStep, Plan, PlanAction, PlanTarget, Step, StepOp, UP_SECS,
};

use super::lifecycle_guards::{guards_for, Going};

pub use crate::ops::base::lifecycle_kind::Lifecycle;

impl Lifecycle {
    /// The steps that do it to `c`, after its guards.
    fn steps(self, c: &Container) -> Vec<Step> {
        let (host, id, name) = (&c.host, c.id.clone(), &c.name);
        let step =
            |what: String, op: ContainerStep| Step::new(what, StepOp::Container(op)).on(host);
        match self {
            Self::Start => vec![
                step(
                    format!("start {name} on {host}"),
                    ContainerStep::Start { id: id.clone() },
                ),
                step(
                    format!("wait until {name} runs and passes its healthcheck, if any"),
                    ContainerStep::WaitUp {
                        id,
                        timeout_secs: UP_SECS,
                    },
                ),
            ],
            Self::Stop => vec![step(
                format!(
                    "stop {name} on {host} (up to {}s, then killed)",
                    crate::docker::RESTART_GRACE_SECS
                ),
                ContainerStep::Stop { id },
            )],
            Self::Kill => vec![step(
                format!("kill {name} on {host} (SIGKILL, no grace period)"),
                ContainerStep::Kill { id },
            )],
            Self::Pause => vec![step(
                format!("pause {name} on {host} (every process frozen)"),
                ContainerStep::Pause { id },
            )],
            Self::Unpause => vec![step(
                format!("unpause {name} on {host}"),
                ContainerStep::Unpause { id },
            )],
            // Final, but each on its own: a job stopped between two
            // removals ends there rather than removing the rest.
            Self::Remove => vec![step(
                format!("remove {name} on {host}{}", removal_note(c)),
                ContainerStep::Remove { id },
            )],
        }
    }
}

/// What a removal takes with it and what stays, said in its step.
fn removal_note(c: &Container) -> String {
    use crate::model::container::MountKind;
    let running = if c.is_running() {
        " (killed first: it runs)"
    } else {
        ""
    };
    let (mut named, mut anonymous) = (Vec::new(), 0);
    for m in c.mounts.iter().filter(|m| m.kind == MountKind::Volume) {
        match m.name.as_ref().map(|n| n.as_str()) {
            Some(n) if !is_anonymous(n) => named.push(n),
            _ => anonymous += 1,
        }
    }
    let mut out = running.to_string();
    if anonymous > 0 {
        out.push_str(&format!(", with its {anonymous} anonymous volume(s)"));
    }
    if !named.is_empty() {
        out.push_str(&format!("; named volumes stay: {}", named.join(", ")));
    }
    out
}

/// The engine names an anonymous volume by 64 hex digits.
fn is_anonymous(name: &str) -> bool {
    name.len() == 64 && name.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A lifecycle plan, with the targets it leaves out and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecyclePlan {
    pub plan: Plan,
    /// The containers it acts on, as "name on host", in the plan's order.
    pub targets: Vec<String>,
    /// Targets left out, each with its reason.
    pub left_out: Vec<String>,
}

/// `action` on the containers at `keys`, in name order with a ZooKeeper
/// leader last. Refused when nothing is left to act on, or when taking
/// them down would cost a cluster what the guards keep.
pub fn lifecycle_plan(
    inv: &Inventory,
    book: &ProbeBook,
    action: Lifecycle,
    keys: &[ContainerKey],
) -> PlanResult<LifecyclePlan> {
    let mut left_out = Vec::new();
    let mut chosen: Vec<(&ContainerKey, &Container)> = Vec::new();
    for key in keys {
        match inv.containers.get_key_value(key) {
            None => left_out.push(format!(
                "{} on {}: gone",
                crate::model::container::short_id(&key.1),
                key.0
            )),
            Some((k, c)) => match action.left_out(c.state) {
                Some(why) => left_out.push(format!("{} on {}: {why}", c.name, c.host)),
                None => chosen.push((k, c)),
            },
        }
    }
    if chosen.is_empty() {
        return Err(PlanError::NotFound(format!(
            "nothing to {}: {}",
            action.verb(),
            left_out.join("; ")
        )));
    }
    let going: Vec<Going> = chosen
        .iter()
        .filter(|(_, c)| action.takes_down() && c.state == ContainerState::Running)
        .map(|(k, c)| Going {
            key: k,
            container: c,
        })
        .collect();
    let guards = guards_for(inv, book, action.verb(), &going)?;
    chosen.sort_by_key(|(k, c)| {
        (
            guards.leads(k),
            cluster_of(c),
            c.name.clone(),
            c.host.clone(),
        )
    });
    let mut steps = Vec::new();
    for (key, c) in &chosen {
        steps.extend(guards.before(key));
        steps.extend(action.steps(c));
    }
    let targets: Vec<String> = chosen
        .iter()
        .map(|(_, c)| format!("{} on {}", c.name, c.host))
        .collect();
    let names: Vec<&str> = chosen.iter().map(|(_, c)| c.name.as_str()).collect();
    let plan = Plan {
        action: PlanAction::Lifecycle(action),
        host: chosen[0].1.host.clone(),
        target: PlanTarget::Containers(names.iter().map(|n| n.to_string()).collect()),
        steps,
    };
    Ok(LifecyclePlan {
        plan,
        targets,
        left_out,
    })
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
