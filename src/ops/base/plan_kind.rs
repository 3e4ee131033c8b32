//! What a plan does and what it acts on, typed: code matches the
//! variants, while the Jobs pane, the audit log, the journal and `--json`
//! show their words (`Display`, and serialized as those words), exactly
//! as they read before they were typed.

use std::fmt;

use serde::{Serialize, Serializer};

use super::haproxy_command::ServerState;
use super::lifecycle_kind::Lifecycle;

/// A swarm node's availability, as a plan sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    Active,
    Drain,
    Pause,
}

impl Availability {
    pub fn as_str(self) -> &'static str {
        match self {
            Availability::Active => "active",
            Availability::Drain => "drain",
            Availability::Pause => "pause",
        }
    }

    /// `active`, `drain` or `pause`, as the engine and the CLI write them.
    pub fn from_name(name: &str) -> Option<Availability> {
        [Self::Active, Self::Drain, Self::Pause]
            .into_iter()
            .find(|a| a.as_str() == name)
    }
}

/// A swarm node's role, as a plan sets it: a worker promoted to a
/// manager, or a manager demoted to a worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeRole {
    Manager,
    Worker,
}

impl NodeRole {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeRole::Manager => "manager",
            NodeRole::Worker => "worker",
        }
    }

    /// `promote` or `demote`, as the docker CLI says it.
    pub fn verb(self) -> &'static str {
        match self {
            NodeRole::Manager => "promote",
            NodeRole::Worker => "demote",
        }
    }
}

/// What a plan does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanAction {
    Restart,
    RollingRestart,
    /// A cluster deployed as swarm services put on a new image, member by
    /// member.
    RollingUpdate,
    LeaderMove,
    Node(Availability),
    NodeRole(NodeRole),
    Server(ServerState),
    Weight,
    Scale {
        to: u64,
    },
    Backup,
    Restore,
    Rejoin,
    Switchover,
    Failover,
    Lifecycle(Lifecycle),
    Recover,
    Create,
    Destroy,
    FreeLeases,
    /// A user's own action (`[[actions]]`), by its name.
    User(String),
}

impl fmt::Display for PlanAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Restart => f.write_str("restart"),
            Self::RollingRestart => f.write_str("rolling restart"),
            Self::RollingUpdate => f.write_str("rolling update"),
            Self::LeaderMove => f.write_str("leader move"),
            Self::Node(a) => write!(f, "node {}", a.as_str()),
            Self::NodeRole(r) => write!(f, "node {}", r.verb()),
            Self::Server(s) => f.write_str(s.as_str()),
            Self::Weight => f.write_str("weight"),
            Self::Scale { to } => write!(f, "scale to {to}"),
            Self::Backup => f.write_str("backup"),
            Self::Restore => f.write_str("restore"),
            Self::Rejoin => f.write_str("rejoin"),
            Self::Switchover => f.write_str("switchover"),
            Self::Failover => f.write_str("failover"),
            Self::Lifecycle(l) => f.write_str(l.verb()),
            Self::Recover => f.write_str("recover"),
            Self::Create => f.write_str("create"),
            Self::Destroy => f.write_str("destroy"),
            Self::FreeLeases => f.write_str("free-leases"),
            Self::User(name) => write!(f, "user action {name}"),
        }
    }
}

/// What a plan acts on; two jobs on the same target never run at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanTarget {
    /// `host/name`
    Container { host: String, name: String },
    /// `containers/a,b`: several, each named in the plan's steps.
    Containers(Vec<String>),
    /// `cluster/NAME`
    Cluster(String),
    /// `ensemble/NAME`
    Ensemble(String),
    /// `host/volume/NAME`
    Volume { host: String, volume: String },
    /// `host/service/LABEL` (a compose `project/service` or a swarm service)
    Service { host: String, service: String },
    /// `host/node/NODE`
    Node { host: String, node: String },
    /// `host/balancer/backend/server`
    Server {
        host: String,
        balancer: String,
        backend: String,
        server: String,
    },
    /// `leases/PID@MACHINE`: what a dead tugboat holds.
    Leases { pid: String, machine: String },
    /// `job N of process P (ACTION TARGET)`: a cut-off job's leftovers, as
    /// its journal entry names them.
    Recovery {
        job: u64,
        pid: u32,
        action: String,
        target: String,
    },
    /// `demo`: everything `tugboat demo` made.
    Demo,
}

impl fmt::Display for PlanTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Container { host, name } => write!(f, "{host}/{name}"),
            Self::Containers(names) => write!(f, "containers/{}", names.join(",")),
            Self::Cluster(name) => write!(f, "cluster/{name}"),
            Self::Ensemble(name) => write!(f, "ensemble/{name}"),
            Self::Volume { host, volume } => write!(f, "{host}/volume/{volume}"),
            Self::Service { host, service } => write!(f, "{host}/service/{service}"),
            Self::Node { host, node } => write!(f, "{host}/node/{node}"),
            Self::Server {
                host,
                balancer,
                backend,
                server,
            } => write!(f, "{host}/{balancer}/{backend}/{server}"),
            Self::Leases { pid, machine } => write!(f, "leases/{pid}@{machine}"),
            Self::Recovery {
                job,
                pid,
                action,
                target,
            } => write!(f, "job {job} of process {pid} ({action} {target})"),
            Self::Demo => f.write_str("demo"),
        }
    }
}

impl PlanTarget {
    /// The cluster it names, if it names one.
    pub fn cluster(&self) -> Option<&str> {
        match self {
            Self::Cluster(name) => Some(name),
            Self::Container { .. }
            | Self::Containers(_)
            | Self::Ensemble(_)
            | Self::Volume { .. }
            | Self::Service { .. }
            | Self::Node { .. }
            | Self::Server { .. }
            | Self::Leases { .. }
            | Self::Recovery { .. }
            | Self::Demo => None,
        }
    }
}

/// As their words: what `--json` printed before they were typed.
impl Serialize for PlanAction {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Serialize for PlanTarget {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn they_read_as_before_they_were_typed() {
        let words = [
            (PlanAction::RollingRestart.to_string(), "rolling restart"),
            (
                PlanAction::Node(Availability::Drain).to_string(),
                "node drain",
            ),
            (PlanAction::Server(ServerState::Maint).to_string(), "maint"),
            (PlanAction::Scale { to: 3 }.to_string(), "scale to 3"),
            (
                PlanAction::Lifecycle(Lifecycle::Unpause).to_string(),
                "unpause",
            ),
            (
                PlanAction::User("zk-stat".into()).to_string(),
                "user action zk-stat",
            ),
            (
                PlanTarget::Volume {
                    host: "local".into(),
                    volume: "dbdata".into(),
                }
                .to_string(),
                "local/volume/dbdata",
            ),
            (
                PlanTarget::Server {
                    host: "local".into(),
                    balancer: "lb".into(),
                    backend: "be_app".into(),
                    server: "app2".into(),
                }
                .to_string(),
                "local/lb/be_app/app2",
            ),
            (
                PlanTarget::Containers(vec!["a".into(), "b".into()]).to_string(),
                "containers/a,b",
            ),
        ];
        for (got, want) in words {
            assert_eq!(got, want);
        }
        let json = serde_json::to_string(&PlanTarget::Cluster("shop".into())).unwrap();
        assert_eq!(json, "\"cluster/shop\"");
        assert_eq!(Availability::from_name("pause"), Some(Availability::Pause));
        assert_eq!(Availability::from_name("gone"), None);
    }
}
