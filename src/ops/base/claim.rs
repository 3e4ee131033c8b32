//! One thing a job holds while it runs, and how a step names it: below the
//! plans and their steps (which say what they touch) and the registry of
//! claims the job runner keeps (claims.rs).

use super::haproxy_command::RuntimeCommand;
use crate::model::new_objects::ObjectKind;

/// A short, stable name for a container id in messages and claims: its
/// first 12 characters (whole characters: an id read from a file may be
/// anything).
pub fn short(id: &str) -> &str {
    id.char_indices().nth(12).map_or(id, |(at, _)| &id[..at])
}

/// One thing a running job holds. Hosts are config names; containers
/// are held by their short id (objects a create makes, by name).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Claim {
    Container {
        host: String,
        id: String,
    },
    Volume {
        host: String,
        name: String,
    },
    Network {
        host: String,
        name: String,
    },
    /// A balancer's backend server (runtime state, weight, membership).
    Server {
        host: String,
        balancer: String,
        backend: String,
        server: String,
    },
    /// A balancer's haproxy.cfg. Every rewrite replaces the whole file,
    /// so two jobs rewriting it for different backends would still undo
    /// each other's edits: it is held whole.
    BalancerConfig {
        host: String,
        balancer: String,
    },
    /// A file on this machine.
    File(String),
    Node {
        host: String,
        node: String,
    },
    Service {
        host: String,
        service: String,
    },
    /// What the plan says it acts on (`local/zk1`, `cluster/zk`). Last in
    /// the order: a refusal names the concrete thing held when there is one.
    Target(String),
}

impl std::fmt::Display for Claim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Target(t) => write!(f, "{t}"),
            Self::Container { host, id } => write!(f, "container {host}/{id}"),
            Self::Volume { host, name } => write!(f, "volume {host}/{name}"),
            Self::Network { host, name } => write!(f, "network {host}/{name}"),
            Self::Server {
                host,
                balancer,
                backend,
                server,
            } => write!(f, "server {host}/{balancer}/{backend}/{server}"),
            Self::BalancerConfig { host, balancer } => {
                write!(f, "haproxy.cfg of balancer {host}/{balancer}")
            }
            Self::File(path) => write!(f, "file {path}"),
            Self::Node { host, node } => write!(f, "node {host}/{node}"),
            Self::Service { host, service } => write!(f, "service {host}/{service}"),
        }
    }
}

/// Claims for things on host `h`.
pub struct On<'a>(pub &'a str);

impl On<'_> {
    pub fn container(&self, id: &str) -> Claim {
        Claim::Container {
            host: self.0.into(),
            id: short(id).into(),
        }
    }
    pub fn volume(&self, name: &str) -> Claim {
        Claim::Volume {
            host: self.0.into(),
            name: name.into(),
        }
    }
    pub fn server(&self, lb: &str, backend: &str, server: &str) -> Claim {
        Claim::Server {
            host: self.0.into(),
            balancer: short(lb).into(),
            backend: backend.into(),
            server: server.into(),
        }
    }
    pub fn config(&self, lb: &str) -> Claim {
        Claim::BalancerConfig {
            host: self.0.into(),
            balancer: short(lb).into(),
        }
    }
    /// The server a runtime command acts on.
    pub fn command(&self, lb: &str, command: &RuntimeCommand) -> Claim {
        let on = command.server();
        self.server(lb, &on.backend, &on.server)
    }
}

/// The claim on an object a creation makes, by its kind.
pub fn object(h: &str, kind: ObjectKind, name: &str) -> Claim {
    let (host, name) = (h.to_string(), name.to_string());
    match kind {
        ObjectKind::Volume => Claim::Volume { host, name },
        ObjectKind::Container => Claim::Container { host, id: name },
        ObjectKind::Network => Claim::Network { host, name },
    }
}
