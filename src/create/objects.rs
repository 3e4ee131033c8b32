//! What a cluster's creation is made of: the objects (networks, volumes,
//! containers) with their labels, the setup and checks after them, and the
//! helpers the templates build them with. Below both the templates and the
//! plan that picks one, so neither needs the other for these.

use std::collections::BTreeMap;

use serde::Serialize;

use super::spec::{ClusterSpec, DbFlavor, Template};
use crate::model::address::HostAddress;
use crate::model::new_objects::{JobToken, LABEL_TUGBOAT_JOB};
use crate::model::secrets::{mask_args, mask_env_entry, mask_label_value};
use crate::model::{LABEL_TUGBOAT_CLUSTER, LABEL_TUGBOAT_ROLE};

pub use crate::model::new_objects::{LABEL_TUGBOAT_CREATED, LABEL_TUGBOAT_MEMBER};
/// The files written into a container before it started (comma-separated
/// paths), so `tugboat export` can carry them over.
pub const LABEL_TUGBOAT_FILES: &str = "io.tugboat.files";

pub use crate::model::new_objects::{NewContainer, Publish};

// The templates' servers are `init-addr libc,none`: a member whose
// container is gone has no name in Docker's DNS, and without it HAProxy
// would refuse to start, reload or check a config naming it.

/// The `global` section of the HAProxy configs the templates write. The
/// official image runs HAProxy as user haproxy, who may create files only
/// in /var/lib/haproxy and /tmp (a socket under /var/run stops it from
/// starting); the TCP socket on the container's loopback is the one every
/// image can reach without socat (bash or nc), the unix one serves socat.
pub const HAPROXY_GLOBAL: &str = "global\n    \
    stats socket ipv4@127.0.0.1:9999 level admin\n    \
    stats socket /var/lib/haproxy/admin.sock mode 600 level admin\n";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Object {
    Network {
        host: String,
        name: String,
        labels: BTreeMap<String, String>,
    },
    Volume {
        host: String,
        name: String,
        labels: BTreeMap<String, String>,
    },
    Container(NewContainer),
}

impl Object {
    pub fn host(&self) -> &str {
        match self {
            Self::Network { host, .. } | Self::Volume { host, .. } => host,
            Self::Container(c) => &c.host,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Self::Network { name, .. } | Self::Volume { name, .. } => name,
            Self::Container(c) => &c.name,
        }
    }

    /// What the review screen and the headless plan print: everything,
    /// secrets masked.
    pub fn describe(&self) -> String {
        match self {
            Self::Network { host, name, .. } => format!("network {name} on {host}"),
            Self::Volume { host, name, .. } => format!("volume {name} on {host}"),
            Self::Container(c) => {
                let mut parts = vec![format!("container {} on {}: {}", c.name, c.host, c.image)];
                if let Some(net) = &c.network {
                    parts.push(format!("network {net}"));
                }
                if !c.ports.is_empty() {
                    let ports: Vec<String> = c
                        .ports
                        .iter()
                        .map(|p| format!("{}->{}", p.host_port, p.container_port))
                        .collect();
                    parts.push(format!("ports {}", ports.join(" ")));
                }
                if !c.mounts.is_empty() {
                    let mounts: Vec<String> =
                        c.mounts.iter().map(|(v, p)| format!("{v}:{p}")).collect();
                    parts.push(format!("volumes {}", mounts.join(" ")));
                }
                if !c.env.is_empty() {
                    let env: Vec<String> = c.env.iter().map(|e| mask_env_entry(e)).collect();
                    parts.push(format!("env {}", env.join(" ")));
                }
                if !c.cmd.is_empty() {
                    parts.push(format!("args {}", mask_args(&c.cmd).join(" ")));
                }
                for (path, _) in &c.files {
                    parts.push(format!("file {path}"));
                }
                let labels: Vec<String> = c
                    .labels
                    .iter()
                    .map(|(k, v)| format!("{k}={}", mask_label_value(k, v)))
                    .collect();
                parts.push(format!("labels {}", labels.join(" ")));
                parts.join(" · ")
            }
        }
    }
}

/// Work after the containers run, before the checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Setup {
    /// Create the replication user on the primary, and the application
    /// account (database `app`, user `app`, no admin rights), so clients
    /// need not use root. Both are binlogged: the replicas get them too.
    ReplicationUser {
        host: String,
        primary: String,
        #[serde(skip)]
        app_password: crate::config::Secret,
    },
    /// Point a replica at the primary with GTID positioning and start it.
    StartReplica {
        host: String,
        replica: String,
        primary: String,
    },
}

/// What "the cluster works" means for each template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Check {
    /// Every member serves and exactly one leads: (host, container).
    ZookeeperQuorum { members: Vec<(String, String)> },
    /// Every replica's IO and SQL threads run.
    Replication { host: String, replicas: Vec<String> },
    /// Every server of the balancer's backends is UP.
    BalancerUp {
        host: String,
        balancer: String,
        servers: usize,
    },
}

/// Checked before a spread cluster is created: containers on every other
/// placed host reach `host` at `address`, on `port` (published there for
/// the check, then by a member), using `image` (planned on both sides).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReachTarget {
    pub host: String,
    pub address: HostAddress,
    pub port: u16,
    pub image: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreatePlan {
    pub cluster: String,
    pub template: Template,
    /// In creation order; a rollback removes them in reverse.
    pub objects: Vec<Object>,
    pub setup: Vec<Setup>,
    pub checks: Vec<Check>,
    pub warnings: Vec<String>,
    /// Addresses checked before anything is created (spread clusters).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reach: Vec<ReachTarget>,
    /// The token of the job that makes it (`stamp`), on every object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job: Option<JobToken>,
}

impl CreatePlan {
    /// The plan as job `token` makes it: every object labelled with the
    /// token, so a recover of this job, were it cut off, removes only what
    /// it made and never a cluster made again under the same names.
    pub fn stamp(&mut self, token: JobToken) {
        for o in &mut self.objects {
            let labels = match o {
                Object::Network { labels, .. } | Object::Volume { labels, .. } => labels,
                Object::Container(c) => &mut c.labels,
            };
            labels.insert(LABEL_TUGBOAT_JOB.into(), token.to_string());
        }
        self.job = Some(token);
    }

    pub fn lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .reach
            .iter()
            .map(|r| {
                format!(
                    "preflight: the other hosts' containers reach {} at {}:{} ({})",
                    r.host, r.address.address, r.port, r.address.source
                )
            })
            .collect();
        lines.extend(
            self.objects
                .iter()
                .map(|o| format!("create {}", o.describe())),
        );
        lines.extend(self.setup.iter().map(|s| match s {
            Setup::ReplicationUser { primary, host, .. } => format!(
                "create the replication user and the application account `app` (database app, no admin rights) on {primary} ({host})"
            ),
            Setup::StartReplica {
                replica,
                primary,
                host,
            } => format!("start {replica} ({host}) replicating from {primary} (GTID)"),
        }));
        lines.extend(self.checks.iter().map(|c| match c {
            Check::ZookeeperQuorum { members } => {
                format!("verify: {} members serve and one leads", members.len())
            }
            Check::Replication { replicas, .. } => {
                format!("verify: replication runs on {}", replicas.join(", "))
            }
            Check::BalancerUp {
                balancer, servers, ..
            } => format!("verify: all {servers} servers in service on {balancer} are UP"),
        }));
        lines
    }
}

/// Secrets the caller generates (randomness is not this module's business).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secrets {
    pub root_password: String,
    pub replication_password: String,
    /// The database template's application account (no admin rights).
    pub app_password: String,
}

/// A configured host and the address other hosts' containers reach its
/// published ports at (known only where a spread cluster needs it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedHost {
    pub name: String,
    pub address: Option<HostAddress>,
}

fn labels(spec: &ClusterSpec, role: &str, member: Option<u32>) -> BTreeMap<String, String> {
    let mut l = BTreeMap::from([
        (LABEL_TUGBOAT_CLUSTER.to_string(), spec.name.clone()),
        (LABEL_TUGBOAT_CREATED.to_string(), "tugboat".to_string()),
    ]);
    if !role.is_empty() {
        l.insert(LABEL_TUGBOAT_ROLE.into(), role.into());
    }
    if let Some(n) = member {
        l.insert(LABEL_TUGBOAT_MEMBER.into(), n.to_string());
    }
    l
}

/// The network every member of a single-host cluster joins.
pub(super) fn network(spec: &ClusterSpec, host: &str, plan: &mut CreatePlan) -> String {
    let name = spec
        .placement
        .network
        .clone()
        .unwrap_or_else(|| spec.name.clone());
    plan.objects.push(Object::Network {
        host: host.into(),
        name: name.clone(),
        labels: labels(spec, "", None),
    });
    name
}

pub(super) fn volume(
    spec: &ClusterSpec,
    host: &str,
    name: String,
    plan: &mut CreatePlan,
) -> String {
    plan.objects.push(Object::Volume {
        host: host.into(),
        name: name.clone(),
        labels: labels(spec, "", None),
    });
    name
}

pub(super) fn container(
    spec: &ClusterSpec,
    host: &str,
    name: String,
    image: &str,
    role: &str,
    member: Option<u32>,
) -> NewContainer {
    NewContainer {
        host: host.into(),
        name,
        image: image.into(),
        env: Vec::new(),
        cmd: Vec::new(),
        labels: labels(spec, role, member),
        network: None,
        aliases: Vec::new(),
        ports: Vec::new(),
        mounts: Vec::new(),
        files: Vec::new(),
    }
}

/// The image's flavor name for env variables (`MARIADB_…` or `MYSQL_…`).
pub(super) fn env_prefix(flavor: DbFlavor) -> &'static str {
    match flavor {
        DbFlavor::Mariadb => "MARIADB",
        DbFlavor::Mysql => "MYSQL",
    }
}
