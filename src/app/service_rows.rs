//! The Services pane's rows: each swarm once (from the first manager that
//! answers for it), its services, and each service's tasks by slot.

use crate::model::host::Host;
use crate::model::swarm_service::{slots_of, SwarmService, TaskPlace};
pub use crate::model::swarm_sources::swarm_sources;
use crate::model::Inventory;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceRow {
    /// A swarm, named by the manager its rows come from.
    Swarm {
        host: String,
    },
    Service {
        host: String,
        id: String,
    },
    /// A slot's (or a global service's node's) current task.
    Task {
        host: String,
        service_id: String,
        place: TaskPlace,
    },
}

impl ServiceRow {
    pub fn host(&self) -> &str {
        match self {
            Self::Swarm { host } | Self::Service { host, .. } | Self::Task { host, .. } => host,
        }
    }
}

/// Rows for every swarm; a filter keeps the services whose name, image,
/// mode or stack match, with their tasks.
pub fn service_rows(inv: &Inventory, filter: &str) -> Vec<ServiceRow> {
    let mut rows = Vec::new();
    for host in swarm_sources(inv) {
        rows.push(ServiceRow::Swarm {
            host: host.name.clone(),
        });
        let shown = host
            .swarm_services
            .iter()
            .filter(|s| filter.is_empty() || s.matches(filter));
        for service in shown {
            rows.extend(service_and_tasks(host, service));
        }
    }
    rows
}

fn service_and_tasks(host: &Host, service: &SwarmService) -> Vec<ServiceRow> {
    let mut rows = vec![ServiceRow::Service {
        host: host.name.clone(),
        id: service.id.clone(),
    }];
    rows.extend(
        slots_of(&host.swarm_tasks, &service.id)
            .into_iter()
            .map(|slot| ServiceRow::Task {
                host: host.name.clone(),
                service_id: service.id.clone(),
                place: slot.place,
            }),
    );
    rows
}

impl super::State {
    pub fn service_rows(&self) -> Vec<ServiceRow> {
        service_rows(&self.inventory, self.services.active_filter())
    }

    pub fn selected_service_row(&self) -> Option<ServiceRow> {
        self.service_rows().get(self.services.selected).cloned()
    }

    /// `web` for a service, `web.2` for a task, the manager for a swarm.
    pub fn service_row_label(&self, row: &ServiceRow) -> String {
        let host = self.inventory.host(row.host());
        let service = |id: &str| host.and_then(|h| h.swarm_services.iter().find(|s| s.id == id));
        match row {
            ServiceRow::Swarm { host } => format!("swarm via {host}"),
            ServiceRow::Service { id, .. } => {
                service(id).map_or_else(|| id.clone(), |s| s.name.as_str().to_string())
            }
            ServiceRow::Task {
                service_id, place, ..
            } => match (host, service(service_id)) {
                (Some(h), Some(s)) => super::service_detail::task_name(h, s, place),
                _ => service_id.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::swarm_service::{SwarmTask, TaskState};
    use crate::model::{HostUpdate, SafeText};

    use crate::model::testing::swarm_manager as manager;

    fn listing(inv: &mut Inventory, host: &str) {
        let service = |id, name| crate::model::testing::swarm_service(id, name, 2);
        let task = |id: &str, service: &str, slot: u64| SwarmTask {
            id: id.into(),
            service_id: service.into(),
            slot: Some(slot),
            node_id: "n1".into(),
            state: TaskState::Running,
            desired: TaskState::Running,
            message: SafeText::default(),
            error: None,
            at: Some(1),
            container_id: None,
            exit_code: None,
        };
        inv.apply(HostUpdate::SwarmServices {
            host: host.into(),
            services: vec![service("s1", "web"), service("s2", "zk")],
            tasks: vec![
                task("t1", "s1", 1),
                task("t2", "s1", 2),
                task("t3", "s2", 1),
            ],
        });
    }

    #[test]
    fn each_swarm_shows_once_from_a_manager_that_answers() {
        let mut inv = Inventory::new(vec![
            manager("m1", "A"),
            manager("m2", "A"),
            manager("other", "B"),
        ]);
        listing(&mut inv, "m1");
        listing(&mut inv, "m2");
        inv.apply(HostUpdate::SwarmTrouble {
            host: "m1".into(),
            trouble: Some(SafeText::from_foreign("no leader")),
        });
        let sources: Vec<&str> = swarm_sources(&inv)
            .iter()
            .map(|h| h.name.as_str())
            .collect();
        assert_eq!(sources, ["m2", "other"]);
        let rows = service_rows(&inv, "");
        assert_eq!(rows[0], ServiceRow::Swarm { host: "m2".into() });
        assert_eq!(
            rows[1],
            ServiceRow::Service {
                host: "m2".into(),
                id: "s1".into()
            }
        );
        // web, its two tasks, zk, its task, then swarm B (no services).
        assert_eq!(rows.len(), 7);
        assert_eq!(
            rows[6],
            ServiceRow::Swarm {
                host: "other".into()
            }
        );
    }

    #[test]
    fn a_filter_keeps_matching_services_with_their_tasks() {
        let mut inv = Inventory::new(vec![manager("m1", "A")]);
        listing(&mut inv, "m1");
        let rows = service_rows(&inv, "zk");
        assert_eq!(rows.len(), 3);
        assert!(matches!(&rows[2], ServiceRow::Task { service_id, .. } if service_id == "s2"));
    }
}
