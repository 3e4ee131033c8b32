//! Scalable services: the containers of one compose service on a host, the
//! tasks of one swarm service, or the app replicas of a cluster tugboat's
//! app template made, found from the labels their makers put on them.

use serde::Serialize;

use super::cluster::{detect_role, Role, LABEL_COMPOSE_PROJECT, LABEL_COMPOSE_SERVICE};
use super::container::Container;
use super::inventory::{ContainerKey, Inventory};
use super::new_objects::{LABEL_TUGBOAT_CREATED, LABEL_TUGBOAT_MEMBER};
use super::{SafeText, LABEL_TUGBOAT_CLUSTER, LABEL_TUGBOAT_ROLE};

pub const LABEL_COMPOSE_NUMBER: &str = "com.docker.compose.container-number";
pub const LABEL_COMPOSE_ONEOFF: &str = "com.docker.compose.oneoff";
pub use super::cluster::LABEL_SWARM_SERVICE;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ServiceKind {
    Compose {
        project: String,
        service: String,
    },
    Swarm {
        service: String,
    },
    /// Replicas of a role in a cluster `tugboat create` made (the app
    /// template's `app`), numbered by `io.tugboat.member`.
    Cluster {
        cluster: String,
        role: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Replica {
    pub id: String,
    pub name: String,
    /// compose's container-number (0 for swarm tasks).
    pub number: u32,
    pub running: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Service {
    pub kind: ServiceKind,
    pub host: String,
    pub role: Role,
    /// Ordered by container number.
    pub replicas: Vec<Replica>,
}

impl Service {
    /// `project/service` or the swarm service's name.
    pub fn label(&self) -> String {
        match &self.kind {
            ServiceKind::Compose { project, service } => format!("{project}/{service}"),
            ServiceKind::Swarm { service } => service.clone(),
            ServiceKind::Cluster { cluster, role } => format!("{cluster}/{role}"),
        }
    }

    pub fn keys(&self) -> Vec<ContainerKey> {
        self.replicas
            .iter()
            .map(|r| (self.host.clone(), r.id.clone()))
            .collect()
    }
}

fn kind_of(c: &Container) -> Option<ServiceKind> {
    if let Some(service) = c.labels.get(LABEL_SWARM_SERVICE) {
        return Some(ServiceKind::Swarm {
            service: service.to_string(),
        });
    }
    let label = |k: &str| c.labels.get(k).map(SafeText::as_str);
    if label(LABEL_TUGBOAT_CREATED) == Some("tugboat") && label(LABEL_TUGBOAT_ROLE) == Some("app") {
        return Some(ServiceKind::Cluster {
            cluster: label(LABEL_TUGBOAT_CLUSTER)?.to_string(),
            role: "app".into(),
        });
    }
    let project = c.labels.get(LABEL_COMPOSE_PROJECT)?;
    let service = c.labels.get(LABEL_COMPOSE_SERVICE)?;
    // `compose run` containers are one-off: not replicas of the service.
    if c.labels.get(LABEL_COMPOSE_ONEOFF).map(SafeText::as_str) == Some("True") {
        return None;
    }
    Some(ServiceKind::Compose {
        project: project.to_string(),
        service: service.to_string(),
    })
}

/// compose's container-number label (or tugboat's member number), else the
/// number its name ends in (`shop-web-3`), else 0.
fn number_of(c: &Container) -> u32 {
    c.labels
        .get(LABEL_COMPOSE_NUMBER)
        .or_else(|| c.labels.get(LABEL_TUGBOAT_MEMBER))
        .and_then(|n| n.parse().ok())
        .or_else(|| {
            let digits = c.name.len()
                - c.name
                    .trim_end_matches(|ch: char| ch.is_ascii_digit())
                    .len();
            c.name[c.name.len() - digits..].parse().ok()
        })
        .unwrap_or(0)
}

/// The service the container at `key` is a replica of, with all its
/// replicas on that host.
pub fn service_of(inv: &Inventory, key: &ContainerKey) -> Option<Service> {
    let c = inv.containers.get(key)?;
    let kind = kind_of(c)?;
    let mut replicas: Vec<Replica> = inv
        .containers_on(&c.host)
        .filter(|other| kind_of(other).as_ref() == Some(&kind))
        .map(|other| Replica {
            id: other.id.clone(),
            name: other.name.to_string(),
            number: number_of(other),
            running: other.is_running(),
        })
        .collect();
    replicas.sort_by(|a, b| (a.number, &a.name).cmp(&(b.number, &b.name)));
    Some(Service {
        kind,
        host: c.host.clone(),
        role: detect_role(c),
        replicas,
    })
}

/// A service named on the command line: `project/service`, a compose
/// service name, or a swarm service name, on `host` (any host when None).
pub fn find_service(inv: &Inventory, name: &str, host: Option<&str>) -> Vec<Service> {
    let mut found: Vec<Service> = Vec::new();
    for (key, c) in &inv.containers {
        if host.is_some_and(|h| h != c.host) {
            continue;
        }
        let Some(kind) = kind_of(c) else { continue };
        let matches = match &kind {
            ServiceKind::Compose { project, service } => {
                name == service || name == format!("{project}/{service}")
            }
            ServiceKind::Swarm { service } => name == service,
            ServiceKind::Cluster { cluster, role } => {
                name == cluster || name == format!("{cluster}/{role}")
            }
        };
        let known = found.iter().any(|s| s.kind == kind && s.host == c.host);
        if matches && !known {
            found.extend(service_of(inv, key));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::container;

    fn inventory_with(containers: Vec<Container>) -> Inventory {
        let mut inv = Inventory::new(Vec::new());
        for c in containers {
            inv.containers.insert((c.host.clone(), c.id.clone()), c);
        }
        inv
    }

    fn key_of(inv: &Inventory, name: &str) -> ContainerKey {
        let c = inv.containers.values().find(|c| c.name == name).unwrap();
        (c.host.clone(), c.id.clone())
    }

    fn replica(name: &str, n: u32, project: &str) -> Container {
        let mut c = container("local", name);
        c.labels
            .insert(LABEL_COMPOSE_PROJECT.into(), project.into());
        c.labels.insert(LABEL_COMPOSE_SERVICE.into(), "web".into());
        c.labels
            .insert(LABEL_COMPOSE_NUMBER.into(), n.to_string().into());
        c
    }

    #[test]
    fn the_app_templates_replicas_are_a_service_numbered_by_member() {
        let member = |name: &str, n: u32, role: &str| {
            let mut c = container("local", name);
            for (k, v) in [
                (LABEL_TUGBOAT_CREATED, "tugboat"),
                (LABEL_TUGBOAT_CLUSTER, "orders"),
                (LABEL_TUGBOAT_ROLE, role),
            ] {
                c.labels.insert(k.into(), v.into());
            }
            c.labels
                .insert(LABEL_TUGBOAT_MEMBER.into(), n.to_string().into());
            c
        };
        let inv = inventory_with(vec![
            member("orders-app2", 2, "app"),
            member("orders-app1", 1, "app"),
            member("orders-lb", 1, "haproxy"),
        ]);
        let found = find_service(&inv, "orders", None);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].label(), "orders/app");
        let names: Vec<(&str, u32)> = found[0]
            .replicas
            .iter()
            .map(|r| (r.name.as_str(), r.number))
            .collect();
        assert_eq!(names, [("orders-app1", 1), ("orders-app2", 2)]);
        assert_eq!(service_of(&inv, &key_of(&inv, "orders-lb")), None);
    }

    #[test]
    fn compose_replicas_ordered_by_number_one_offs_left_out() {
        let mut one_off = replica("shop-web-run-1", 1, "shop");
        one_off
            .labels
            .insert(LABEL_COMPOSE_ONEOFF.into(), "True".into());
        let inv = inventory_with(vec![
            replica("shop-web-10", 10, "shop"),
            replica("shop-web-2", 2, "shop"),
            replica("blog-web-1", 1, "blog"),
            one_off,
            container("local", "loner"),
        ]);
        let s = service_of(&inv, &key_of(&inv, "shop-web-2")).expect("a compose service");
        assert_eq!(s.label(), "shop/web");
        let names: Vec<&str> = s.replicas.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["shop-web-2", "shop-web-10"]);
        assert!(service_of(&inv, &key_of(&inv, "loner")).is_none());
        assert_eq!(find_service(&inv, "web", None).len(), 2, "two projects");
        assert_eq!(find_service(&inv, "blog/web", Some("local")).len(), 1);
        assert!(find_service(&inv, "blog/web", Some("elsewhere")).is_empty());
    }

    #[test]
    fn swarm_tasks_are_one_service() {
        let mut a = container("local", "web.1.abc");
        a.labels.insert(LABEL_SWARM_SERVICE.into(), "web".into());
        let mut b = container("local", "web.2.def");
        b.labels.insert(LABEL_SWARM_SERVICE.into(), "web".into());
        let inv = inventory_with(vec![a, b]);
        let found = find_service(&inv, "web", None);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].kind,
            ServiceKind::Swarm {
                service: "web".into()
            }
        );
        assert_eq!(found[0].replicas.len(), 2);
    }
}
