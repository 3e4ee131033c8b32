//! From a cluster spec to the objects to create: networks, volumes and
//! containers with every host, port, mount and label, then the setup and
//! checks that prove the cluster works. Pure: the inventory says what
//! already exists (names are checked for collisions on every host), the
//! caller supplies generated secrets.

use super::spec::{ClusterSpec, Problem, Template};
use crate::model::inventory::Inventory;
use crate::model::{SafeText, LABEL_TUGBOAT_CLUSTER};

pub use super::objects::{
    Check, CreatePlan, NewContainer, Object, PlacedHost, Publish, ReachTarget, Secrets, Setup,
    HAPROXY_GLOBAL, LABEL_TUGBOAT_CREATED, LABEL_TUGBOAT_FILES, LABEL_TUGBOAT_MEMBER,
};

/// What is already taken on any host: a container that carries the
/// cluster's label, or a container or volume by the name of one this plan
/// would create on that host. (Other `NAME-…` objects are left alone: a
/// rollback never touches what it did not create.)
fn collisions(spec: &ClusterSpec, plan: &CreatePlan, inv: &Inventory) -> Vec<String> {
    let planned = |host: &str, name: &str| {
        plan.objects
            .iter()
            .any(|o| o.host() == host && o.name() == name && !matches!(o, Object::Network { .. }))
    };
    let mut found: Vec<String> = inv
        .containers
        .values()
        .filter(|c| {
            planned(&c.host, &c.name)
                || c.labels
                    .get(LABEL_TUGBOAT_CLUSTER)
                    .is_some_and(|c| *c == spec.name)
        })
        .map(|c| format!("container {} on {}", c.name, c.host))
        .collect();
    found.extend(
        inv.volumes
            .values()
            .filter(|v| planned(&v.host, &v.name))
            .map(|v| format!("volume {} on {}", v.name, v.host)),
    );
    found.sort();
    found
}

/// Anything on any host already using the name: a cluster labelled NAME,
/// or a container or volume called `NAME` or `NAME-…`. The wizard's name
/// step warns with this before there is a plan; the plan itself refuses
/// only what it would really collide with (see `collisions`).
pub fn name_collisions(name: &str, inv: &Inventory) -> Vec<String> {
    let prefix = format!("{name}-");
    let taken = |n: &str| n == name || n.starts_with(&prefix);
    let mut found: Vec<String> = inv
        .containers
        .values()
        .filter(|c| {
            taken(&c.name)
                || c.labels.get(LABEL_TUGBOAT_CLUSTER).map(SafeText::as_str) == Some(name)
        })
        .map(|c| format!("container {} on {}", c.name, c.host))
        .collect();
    found.extend(
        inv.volumes
            .values()
            .filter(|v| taken(&v.name))
            .map(|v| format!("volume {} on {}", v.name, v.host)),
    );
    found.sort();
    found
}

/// Host ports some container on `host` already publishes.
fn published_on(inv: &Inventory, host: &str) -> Vec<u16> {
    inv.containers_on(host)
        .filter(|c| c.is_running())
        .flat_map(|c| c.ports.iter().filter_map(|p| p.public_port))
        .collect()
}

/// Why a spec has no plan: nothing was created. Each knows the spec field
/// it is about, so the wizard can send the user back to it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreatePlanError {
    /// The spec's own first error.
    #[error("{}: {}", .0.field, .0.message)]
    Spec(Problem),
    #[error("placement.hosts: no configured host {0}")]
    UnknownHost(String),
    #[error("no host to place the cluster on")]
    NoHost,
    /// Only ZooKeeper ensembles spread over hosts.
    #[error(
        "placement.hosts: a {} is placed on one host (spreading is for ZooKeeper ensembles)",
        .0.describe()
    )]
    NotSpreadable(Template),
    /// A spread ensemble's host with no known address for its ports.
    #[error("placement.addresses.{0}: no address known for {0} (set it in the spec)")]
    NoAddress(String),
    #[error("name: {name} is taken: {}", .taken.join(", "))]
    NameTaken { name: String, taken: Vec<String> },
    #[error("port {port} is already published on {host} (by a running container)")]
    PortTaken { port: u16, host: String },
}

impl CreatePlanError {
    /// The spec field to change (dotted, as in the TOML); None for a taken
    /// port, which is in whichever field holds it.
    pub fn field(&self) -> Option<String> {
        match self {
            Self::Spec(p) => Some(p.field.clone()),
            Self::UnknownHost(_) | Self::NoHost | Self::NotSpreadable(_) => {
                Some("placement.hosts".into())
            }
            Self::NoAddress(host) => Some(format!("placement.addresses.{host}")),
            Self::NameTaken { .. } => Some("name".into()),
            Self::PortTaken { .. } => None,
        }
    }
}

pub fn create_plan(
    spec: &ClusterSpec,
    hosts: &[PlacedHost],
    inv: &Inventory,
    secrets: &Secrets,
) -> Result<CreatePlan, CreatePlanError> {
    if let Some(p) = spec.errors().into_iter().next() {
        return Err(CreatePlanError::Spec(p));
    }
    let placed: Vec<&PlacedHost> = if spec.placement.hosts.is_empty() {
        hosts.first().into_iter().collect()
    } else {
        spec.placement
            .hosts
            .iter()
            .map(|h| {
                hosts
                    .iter()
                    .find(|p| p.name == *h)
                    .ok_or_else(|| CreatePlanError::UnknownHost(h.clone()))
            })
            .collect::<Result<_, _>>()?
    };
    if placed.is_empty() {
        return Err(CreatePlanError::NoHost);
    }
    if placed.len() > 1 && spec.template != Template::Zookeeper {
        return Err(CreatePlanError::NotSpreadable(spec.template));
    }
    let mut plan = CreatePlan {
        cluster: spec.name.clone(),
        template: spec.template,
        objects: Vec::new(),
        setup: Vec::new(),
        checks: Vec::new(),
        warnings: spec
            .problems()
            .into_iter()
            .map(|p| format!("{}: {}", p.field, p.message))
            .collect(),
        reach: Vec::new(),
        job: None,
    };
    match spec.template {
        Template::Zookeeper if placed.len() > 1 => {
            let addressed = placed
                .iter()
                .map(|p| {
                    let address = p
                        .address
                        .clone()
                        .ok_or_else(|| CreatePlanError::NoAddress(p.name.clone()))?;
                    Ok((p.name.as_str(), address))
                })
                .collect::<Result<Vec<_>, CreatePlanError>>()?;
            super::zookeeper::spread(spec, &addressed, &mut plan)
        }
        Template::Zookeeper => super::zookeeper::single(spec, &placed[0].name, &mut plan),
        Template::Database => super::database::single(spec, &placed[0].name, secrets, &mut plan),
        Template::App => super::app::single(spec, &placed[0].name, &mut plan),
    }
    for o in &mut plan.objects {
        if let Object::Container(c) = o {
            if !c.files.is_empty() {
                let paths: Vec<&str> = c.files.iter().map(|(p, _)| p.as_str()).collect();
                c.labels.insert(LABEL_TUGBOAT_FILES.into(), paths.join(","));
            }
        }
    }
    let taken = collisions(spec, &plan, inv);
    if !taken.is_empty() {
        return Err(CreatePlanError::NameTaken {
            name: spec.name.clone(),
            taken,
        });
    }
    // Published ports must be free on their host.
    for o in &plan.objects {
        if let Object::Container(c) = o {
            let used = published_on(inv, &c.host);
            if let Some(p) = c.ports.iter().find(|p| used.contains(&p.host_port)) {
                return Err(CreatePlanError::PortTaken {
                    port: p.host_port,
                    host: c.host.clone(),
                });
            }
        }
    }
    Ok(plan)
}
