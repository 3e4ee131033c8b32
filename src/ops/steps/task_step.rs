//! One task of a swarm service replaced, not all of them: its container
//! stopped on its node, and a new task waited for in its place. Swarm has
//! no call for this (a forced update replaces every task at its own pace),
//! but its restart policy starts a new task where one stopped, which is
//! what lets a rolling restart go one task at a time with the service's
//! own health checked between.

use tokio::sync::watch;

use crate::docker::{replacements, HostHandle, RunningTask};
use crate::model::container::short_id;
use crate::ops::base::error::{StepError, StepResult};
use crate::ops::base::step_tools::{wait_until, NotYet};

/// The task to replace: a service's, by its container on a node's engine.
pub(crate) struct OneTask<'a> {
    pub service: &'a str,
    pub node: &'a HostHandle,
    pub container: &'a str,
}

/// Through `manager`: the facts re-read right before acting (the task is
/// still the service's, its restart policy starts another), the container
/// stopped, then a new task running in the old one's place (its slot, or
/// for a global service its node).
pub(crate) async fn replace_task(
    manager: &HostHandle,
    task: OneTask<'_>,
    timeout_secs: u64,
    cancel: &watch::Receiver<bool>,
) -> StepResult {
    let OneTask {
        service,
        node,
        container,
    } = task;
    let before = manager.service_now(service).await?;
    let now_id = node.current(container);
    let shown = short_id(&now_id).to_string();
    if let Some(why) = &before.stopped_stays_down {
        return Err(StepError::Refused(format!(
            "refused: swarm would not start a new task of {service} where one stops ({why}); \
             container {shown} was left running"
        )));
    }
    let Some(old) = before
        .running
        .iter()
        .find(|t| t.container.as_deref() == Some(now_id.as_str()))
        .cloned()
    else {
        return Err(StepError::Refused(format!(
            "refused: container {shown} runs no task of service {service} now (swarm or \
             someone else replaced it since the plan was made); nothing was stopped"
        )));
    };
    node.stop_container(container).await?;
    let place = match old.slot {
        Some(slot) => format!("slot {slot}"),
        None => "its node".to_string(),
    };
    wait_until(cancel, timeout_secs, || {
        let (old, place) = (&old, &place);
        async move {
            let now = manager.service_now(service).await?;
            match now.running.iter().find(|t| in_place_of(t, old)) {
                Some(_) => {
                    // Later steps may name the old container: on the same
                    // node the new one stands for it.
                    manager.record_replacements(&replacements(
                        std::slice::from_ref(old),
                        &now.running,
                    ));
                    Ok(())
                }
                None => Err(NotYet(format!(
                    "no new task of {service} runs in {place} yet"
                ))),
            }
        }
    })
    .await
}

/// `t` is another task in `old`'s place: its slot in a replicated service
/// (swarm may start it on another node), its node in a global one.
fn in_place_of(t: &RunningTask, old: &RunningTask) -> bool {
    t.id != old.id
        && match old.slot {
            Some(slot) => t.slot == Some(slot),
            None => t.node.is_some() && t.node == old.node,
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str, slot: Option<i64>, node: &str) -> RunningTask {
        RunningTask {
            id: id.into(),
            slot,
            node: Some(node.into()),
            container: Some(format!("c-{id}")),
        }
    }

    #[test]
    fn a_new_task_stands_in_the_old_ones_slot_on_any_node_or_on_its_node_when_global() {
        let old = task("t1", Some(2), "n1");
        assert!(in_place_of(&task("t9", Some(2), "n3"), &old));
        assert!(!in_place_of(&task("t9", Some(1), "n1"), &old));
        assert!(!in_place_of(&old.clone(), &old), "itself is no replacement");
        let global = task("g1", None, "n1");
        assert!(in_place_of(&task("g2", None, "n1"), &global));
        assert!(!in_place_of(&task("g2", None, "n2"), &global));
    }
}
