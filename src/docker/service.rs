//! Swarm services changed through a manager: a replica count, every task
//! replaced with the same spec (`docker service update --force`), and
//! what runs of a service now; and the running containers with a label on
//! one engine, which a step resolves a cluster's members by when swarm
//! has replaced them since the plan was made.

use std::collections::HashMap;

use bollard::models::ServiceSpec;
use bollard::query_parameters::{ListContainersOptions, ListTasksOptions, UpdateServiceOptions};

use super::connect::bounded;
use super::handle::{HostError, HostHandle};

/// What runs of a swarm service now, as its manager says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceNow {
    /// The replica count its spec wants; None for a global service.
    pub desired: Option<u64>,
    /// Its tasks that are running and meant to.
    pub running: Vec<RunningTask>,
    /// Its update's state word (`updating`, `paused`, `completed`,
    /// `rollback_completed`…) and the engine's message, when it has one.
    pub update: Option<(String, String)>,
    /// Why swarm would not start a new task in the place of one whose
    /// container stopped (its restart policy), or None when it would.
    pub stopped_stays_down: Option<String>,
}

/// A running task of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunningTask {
    pub id: String,
    /// Its place in a replicated service (a global one has none).
    pub slot: Option<i64>,
    pub node: Option<String>,
    pub container: Option<String>,
}

impl RunningTask {
    /// The task `after` stands in for this one: the same slot (or, for a
    /// global service, node) on the same node, with another container.
    fn replaced_by<'a>(&self, after: &'a [RunningTask]) -> Option<&'a RunningTask> {
        after.iter().find(|t| {
            t.id != self.id
                && t.node.is_some()
                && t.node == self.node
                && (t.slot == self.slot || self.slot.is_none())
        })
    }
}

/// The containers (old, new) of the tasks in `before` that swarm replaced
/// by one in `after` on the same node: a task moved to another node is
/// not its host's container any more, and is left out.
pub fn replacements(before: &[RunningTask], after: &[RunningTask]) -> Vec<(String, String)> {
    before
        .iter()
        .filter_map(|old| {
            let new = old.replaced_by(after)?;
            Some((old.container.clone()?, new.container.clone()?))
        })
        .collect()
}

/// Why a task whose container is stopped would not be replaced under
/// `policy`: a condition other than `any` (a clean stop is no failure), or
/// a cap on attempts that a restart may have used up.
fn stopped_stays_down(policy: &bollard::models::TaskSpecRestartPolicy) -> Option<String> {
    use bollard::models::TaskSpecRestartPolicyConditionEnum as Condition;
    match policy.condition {
        Some(Condition::NONE) => Some("its restart policy is `none`".into()),
        Some(Condition::ON_FAILURE) => Some(
            "its restart policy is `on-failure`: a task stopped cleanly is not replaced".into(),
        ),
        Some(Condition::ANY | Condition::EMPTY) | None => policy
            .max_attempts
            .filter(|n| *n > 0)
            .map(|n| format!("its restart policy allows {n} attempt(s) at most")),
    }
}

impl HostHandle {
    /// Swarm replaced each (old, new) container: the old id stands for the
    /// new one on every handle of this executor from now on.
    pub fn record_replacements(&self, pairs: &[(String, String)]) {
        for (old, new) in pairs {
            self.moves.record(old, new);
        }
    }

    async fn inspect_service(
        &self,
        docker: &bollard::Docker,
        service: &str,
    ) -> Result<bollard::models::Service, HostError> {
        let asked = docker.inspect_service(service, None);
        Ok(bounded(self.timeout, "inspect service", asked).await?)
    }

    /// Change a service's spec with `change` and post it (through a
    /// manager), naming the version it was read at; with `rollback`, the
    /// engine is asked for its rollback instead (the spec is then ignored).
    async fn change_service(
        &self,
        service: &str,
        rollback: bool,
        change: impl FnOnce(&mut ServiceSpec) -> Result<(), HostError>,
    ) -> Result<(), HostError> {
        let docker = self.mutation().await?;
        let current = self.inspect_service(&docker, service).await?;
        let version = current.version.and_then(|v| v.index).unwrap_or(0) as i32;
        let mut spec = current.spec.unwrap_or_default();
        change(&mut spec)?;
        let options = UpdateServiceOptions {
            version,
            rollback: rollback.then(|| "previous".to_string()),
            ..Default::default()
        };
        bounded(
            self.timeout * 2,
            "update service",
            docker.update_service(service, spec, options, None),
        )
        .await
        .map(|_| ())
        .map_err(HostError::from)
    }

    /// Set a swarm service's replica count (through a manager), keeping
    /// the rest of its spec.
    pub async fn scale_service(&self, service: &str, replicas: u64) -> Result<(), HostError> {
        self.change_service(service, false, |spec| {
            let replicated = spec
                .mode
                .as_mut()
                .and_then(|m| m.replicated.as_mut())
                .ok_or_else(|| {
                    HostError::Engine(format!(
                        "service {service} is global (one task per node): it has no replica count"
                    ))
                })?;
            replicated.replicas = Some(replicas as i64);
            Ok(())
        })
        .await
    }

    /// Have swarm replace every task of a service with the same spec, at
    /// the pace of the service's own update settings (`docker service
    /// update --force`).
    pub async fn force_update_service(&self, service: &str) -> Result<(), HostError> {
        self.change_service(service, false, |spec| {
            let template = spec.task_template.get_or_insert_with(Default::default);
            template.force_update = Some(template.force_update.unwrap_or(0).wrapping_add(1));
            Ok(())
        })
        .await
    }

    /// Run a swarm service's tasks on `image` (through a manager), the rest
    /// of its spec kept: swarm replaces them at its update settings' pace.
    pub async fn set_service_image(&self, service: &str, image: &str) -> Result<(), HostError> {
        self.change_service(service, false, |spec| {
            let template = spec.task_template.get_or_insert_with(Default::default);
            let container = template.container_spec.get_or_insert_with(Default::default);
            container.image = Some(image.to_string());
            Ok(())
        })
        .await
    }

    /// Swarm's own rollback of a service to the spec it had before its
    /// last change (`docker service rollback`), through a manager.
    pub async fn rollback_service(&self, service: &str) -> Result<(), HostError> {
        self.change_service(service, true, |_| Ok(())).await
    }

    /// How many of a swarm service's tasks run now.
    pub async fn running_tasks(&self, service: &str) -> Result<usize, HostError> {
        Ok(self.running_task_list(service).await?.len())
    }

    async fn running_task_list(&self, service: &str) -> Result<Vec<RunningTask>, HostError> {
        let docker = self.docker().await?;
        let filters = HashMap::from([
            ("service".to_string(), vec![service.to_string()]),
            ("desired-state".to_string(), vec!["running".to_string()]),
        ]);
        let tasks = bounded(
            self.timeout,
            "list tasks",
            docker.list_tasks(Some(ListTasksOptions {
                filters: Some(filters),
            })),
        )
        .await?;
        Ok(tasks
            .into_iter()
            .filter(|t| {
                t.status
                    .as_ref()
                    .and_then(|s| s.state)
                    .is_some_and(|s| s.to_string() == "running")
            })
            .filter_map(|t| {
                Some(RunningTask {
                    id: t.id?,
                    slot: t.slot,
                    node: t.node_id,
                    container: t
                        .status
                        .and_then(|s| s.container_status)
                        .and_then(|c| c.container_id),
                })
            })
            .collect())
    }

    /// What runs of a swarm service now (through a manager).
    pub async fn service_now(&self, service: &str) -> Result<ServiceNow, HostError> {
        let docker = self.docker().await?;
        let current = self.inspect_service(&docker, service).await?;
        let desired = current
            .spec
            .as_ref()
            .and_then(|s| s.mode.as_ref())
            .and_then(|m| m.replicated.as_ref())
            .map(|r| r.replicas.unwrap_or(1).max(0) as u64);
        let update = current.update_status.map(|u| {
            (
                u.state.map(|s| s.to_string()).unwrap_or_default(),
                u.message.unwrap_or_default(),
            )
        });
        let restart = (current.spec.as_ref())
            .and_then(|s| s.task_template.as_ref())
            .and_then(|t| t.restart_policy.as_ref());
        Ok(ServiceNow {
            desired,
            running: self.running_task_list(service).await?,
            update,
            stopped_stays_down: restart.and_then(stopped_stays_down),
        })
    }

    /// The running containers labelled `label`=`value` on this engine:
    /// their ids with the swarm service each is a task of, if any.
    pub async fn running_labelled(
        &self,
        label: &str,
        value: &str,
    ) -> Result<Vec<(String, Option<String>)>, HostError> {
        let docker = self.docker().await?;
        let filters = HashMap::from([
            ("label".to_string(), vec![format!("{label}={value}")]),
            ("status".to_string(), vec!["running".to_string()]),
        ]);
        let listed = bounded(
            self.timeout,
            "list containers",
            docker.list_containers(Some(ListContainersOptions {
                filters: Some(filters),
                ..Default::default()
            })),
        )
        .await?;
        Ok(listed
            .into_iter()
            .filter_map(|c| {
                let service = c
                    .labels
                    .as_ref()
                    .and_then(|l| l.get(crate::model::service::LABEL_SWARM_SERVICE))
                    .cloned();
                Some((c.id?, service))
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: &str, slot: Option<i64>, node: &str, container: &str) -> RunningTask {
        RunningTask {
            id: id.into(),
            slot,
            node: Some(node.into()),
            container: Some(container.into()),
        }
    }

    #[test]
    fn a_task_replaced_on_its_node_maps_its_container_to_the_new_one() {
        let before = [
            task("t1", Some(1), "n1", "c1"),
            task("t2", Some(2), "n2", "c2"),
        ];
        let after = [
            task("t3", Some(1), "n1", "c3"),
            // Slot 2 moved to another node: its container is not n2's.
            task("t4", Some(2), "n3", "c4"),
        ];
        assert_eq!(
            replacements(&before, &after),
            vec![("c1".to_string(), "c3".to_string())]
        );
        // A global service's task is matched by its node.
        let global = [task("g1", None, "n1", "c5")];
        let again = [task("g2", None, "n1", "c6")];
        assert_eq!(
            replacements(&global, &again),
            vec![("c5".to_string(), "c6".to_string())]
        );
        // Nothing replaced: nothing recorded.
        assert!(replacements(&before, &before).is_empty());
    }
}
