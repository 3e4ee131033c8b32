//! The pure model: hosts, containers, clusters and roles, volumes. No I/O.

pub mod address;
pub mod answers;
pub mod balancer;
pub mod clock;
pub mod cluster;
pub mod container;
pub mod credentials;
pub mod detail;
pub mod ensemble;
pub mod host;
pub mod host_fault;
pub mod inventory;
pub mod lease;
pub mod log_level;
pub mod log_time;
pub mod new_objects;
pub mod probe_history;
pub mod probed;
pub mod replication;
pub mod sanitize;
pub mod secrets;
pub mod service;
pub mod stats_history;
pub mod swarm;
pub mod swarm_guard;
pub mod swarm_service;
pub mod swarm_sources;
pub mod testing;
pub mod text;
pub mod timeline;
pub mod volume;

pub use address::{AddressSource, HostAddress};
pub use cluster::{
    cluster_of, detect_role, ClusterKey, ClusterKind, Role, LABEL_COMPOSE_PROJECT,
    LABEL_STACK_NAMESPACE, LABEL_TUGBOAT_CLUSTER, LABEL_TUGBOAT_ROLE,
};
pub use container::{Container, ContainerState, Health, Mount, MountKind, PortMapping, Stats};
pub use detail::InspectSection;
pub use host::{EngineInfo, Host, HostState};
pub use inventory::{ContainerKey, HostUpdate, Inventory};
pub use sanitize::{sanitize, sanitize_multiline};
pub use text::SafeText;
pub use volume::{Volume, VolumeUser};
