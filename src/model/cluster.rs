//! Which cluster a container belongs to, and what role it plays in it.

use serde::Serialize;

use super::container::Container;

pub const LABEL_TUGBOAT_CLUSTER: &str = "io.tugboat.cluster";
pub const LABEL_TUGBOAT_ROLE: &str = "io.tugboat.role";
/// On an HAProxy container: the backend that sends a database cluster's
/// writes (set by the database template; hand-made ones may set it too).
pub const LABEL_WRITER_BACKEND: &str = "io.tugboat.writer-backend";
pub const LABEL_COMPOSE_PROJECT: &str = "com.docker.compose.project";
pub const LABEL_COMPOSE_SERVICE: &str = "com.docker.compose.service";
pub const LABEL_STACK_NAMESPACE: &str = "com.docker.stack.namespace";
pub use super::container::LABEL_SWARM_SERVICE;

/// Where a cluster's membership comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClusterKind {
    Tugboat,
    Compose,
    Stack,
    /// A swarm service's tasks, made without a stack (`docker service create`).
    Service,
    Ungrouped,
}

impl ClusterKind {
    /// The label that names a cluster of this kind on its containers.
    pub fn label_key(self) -> Option<&'static str> {
        match self {
            Self::Tugboat => Some(LABEL_TUGBOAT_CLUSTER),
            Self::Compose => Some(LABEL_COMPOSE_PROJECT),
            Self::Stack => Some(LABEL_STACK_NAMESPACE),
            Self::Service => Some(LABEL_SWARM_SERVICE),
            Self::Ungrouped => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tugboat => "tugboat",
            Self::Compose => "compose",
            Self::Stack => "stack",
            Self::Service => "service",
            Self::Ungrouped => "ungrouped",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ClusterKey {
    pub kind: ClusterKind,
    pub name: String,
}

impl ClusterKey {
    pub fn ungrouped() -> Self {
        Self {
            kind: ClusterKind::Ungrouped,
            name: "ungrouped".into(),
        }
    }

    pub fn label(&self) -> String {
        match self.kind {
            ClusterKind::Ungrouped => "ungrouped".into(),
            kind => format!("{} ({})", self.name, kind.as_str()),
        }
    }
}

/// tugboat's own label is the most explicit statement of intent, so it wins;
/// then compose, then a swarm stack, then a swarm service (its tasks are
/// one cluster even when no stack made them); everything else is
/// "ungrouped".
pub fn cluster_of(container: &Container) -> ClusterKey {
    cluster_from_labels(&container.labels)
}

/// The containers whose cluster `wanted` picks, by name then host: the
/// members a cluster's logs show, in the order their colours are given.
pub fn members_where<'a>(
    containers: impl IntoIterator<Item = &'a Container>,
    wanted: impl Fn(&ClusterKey) -> bool,
) -> Vec<&'a Container> {
    let mut members: Vec<&Container> = containers
        .into_iter()
        .filter(|c| wanted(&cluster_of(c)))
        .collect();
    members.sort_by(|a, b| (&a.name, &a.host).cmp(&(&b.name, &b.host)));
    members
}

/// The cluster a set of labels puts a container in (see `cluster_of`).
pub fn cluster_from_labels<K, V>(labels: &std::collections::BTreeMap<K, V>) -> ClusterKey
where
    K: std::borrow::Borrow<str> + Ord,
    V: AsRef<str>,
{
    let sources = [
        (LABEL_TUGBOAT_CLUSTER, ClusterKind::Tugboat),
        (LABEL_COMPOSE_PROJECT, ClusterKind::Compose),
        (LABEL_STACK_NAMESPACE, ClusterKind::Stack),
        (LABEL_SWARM_SERVICE, ClusterKind::Service),
    ];
    for (label, kind) in sources {
        if let Some(name) = labels
            .get(label)
            .map(AsRef::as_ref)
            .filter(|v| !v.is_empty())
        {
            return ClusterKey {
                kind,
                name: name.to_string(),
            };
        }
    }
    ClusterKey::ungrouped()
}

/// What a container does, as far as tugboat's panes and operations care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Zookeeper,
    Haproxy,
    Nginx,
    Mysql,
    Mariadb,
    Redis,
    /// An application replica the app template made (`io.tugboat.role=app`):
    /// no probe and no pane of its own, but named for what it is.
    App,
    Other,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Zookeeper,
        Role::Haproxy,
        Role::Nginx,
        Role::Mysql,
        Role::Mariadb,
        Role::Redis,
        Role::App,
        Role::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Zookeeper => "zookeeper",
            Self::Haproxy => "haproxy",
            Self::Nginx => "nginx",
            Self::Mysql => "mysql",
            Self::Mariadb => "mariadb",
            Self::Redis => "redis",
            Self::App => "app",
            Self::Other => "other",
        }
    }

    fn from_word(word: &str) -> Option<Role> {
        let word = word.to_ascii_lowercase();
        Role::ALL
            .into_iter()
            .filter(|r| *r != Role::Other)
            .find(|r| word == r.as_str())
            .or(match word.as_str() {
                "zk" => Some(Role::Zookeeper),
                "mysqld" => Some(Role::Mysql),
                "mariadbd" => Some(Role::Mariadb),
                "redis-server" => Some(Role::Redis),
                _ => None,
            })
    }
}

/// Labels first (an explicit statement), then the image's name, then the
/// command. A role label tugboat has no pane for (the app template's `app`)
/// still says what the container is: its nginx or haproxy image does not make
/// an app replica a balancer.
pub fn detect_role(container: &Container) -> Role {
    if let Some(label) = container.labels.get(LABEL_TUGBOAT_ROLE) {
        return Role::from_word(label).unwrap_or(Role::Other);
    }
    if let Some(role) = role_from_image(&container.image) {
        return role;
    }
    role_from_command(&container.command).unwrap_or(Role::Other)
}

/// `registry:5000/library/mariadb:10.11` → mariadb. Matches the repository's
/// last path segment, also when a suffix follows (`bitnami/zookeeper-3.8`).
pub fn role_from_image(image: &str) -> Option<Role> {
    let without_digest = image.split('@').next().unwrap_or(image);
    let last = without_digest.rsplit('/').next().unwrap_or(without_digest);
    let repo = last.split(':').next().unwrap_or(last).to_ascii_lowercase();
    // Longest names first so "mariadb" is not taken for something shorter.
    let ordered = [
        ("zookeeper", Role::Zookeeper),
        ("haproxy", Role::Haproxy),
        ("mariadb", Role::Mariadb),
        ("mysql", Role::Mysql),
        ("nginx", Role::Nginx),
        ("redis", Role::Redis),
    ];
    ordered
        .into_iter()
        .find(|(name, _)| repo.starts_with(name) || repo.ends_with(name))
        .map(|(_, role)| role)
}

fn role_from_command(command: &str) -> Option<Role> {
    let lower = command.to_ascii_lowercase();
    let markers = [
        ("quorumpeermain", Role::Zookeeper),
        ("zkserver", Role::Zookeeper),
        ("haproxy", Role::Haproxy),
        ("mariadbd", Role::Mariadb),
        ("mysqld", Role::Mysql),
        ("redis-server", Role::Redis),
        ("nginx", Role::Nginx),
    ];
    markers
        .into_iter()
        .find(|(marker, _)| lower.contains(marker))
        .map(|(_, role)| role)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::container;

    #[test]
    fn an_app_replica_on_an_nginx_image_is_not_a_balancer() {
        let mut c = with_label(LABEL_TUGBOAT_ROLE, "app");
        c.image = "nginx:1.27".into();
        // Named for what it is (the ROLE column says `app`, not `other`).
        assert_eq!(detect_role(&c), Role::App);
        assert_eq!(Role::App.as_str(), "app");
        c.labels.clear();
        assert_eq!(detect_role(&c), Role::Nginx);
    }

    fn with_label(k: &str, v: &str) -> Container {
        let mut c = container("h", "c");
        c.labels.insert(k.into(), v.into());
        c
    }

    #[test]
    fn grouping_prefers_tugboat_then_compose_then_stack() {
        let mut c = with_label(LABEL_COMPOSE_PROJECT, "shop");
        assert_eq!(cluster_of(&c).kind, ClusterKind::Compose);
        assert_eq!(cluster_of(&c).name, "shop");
        c.labels
            .insert(LABEL_TUGBOAT_CLUSTER.into(), "zk-prod".into());
        assert_eq!(cluster_of(&c).kind, ClusterKind::Tugboat);
        assert_eq!(cluster_of(&c).name, "zk-prod");
        let mut task = with_label(LABEL_SWARM_SERVICE, "websvc");
        assert_eq!(cluster_of(&task).label(), "websvc (service)");
        task.labels
            .insert(LABEL_STACK_NAMESPACE.into(), "shop".into());
        assert_eq!(cluster_of(&task).label(), "shop (stack)");
        let s = with_label(LABEL_STACK_NAMESPACE, "monitoring");
        assert_eq!(cluster_of(&s).kind, ClusterKind::Stack);
        assert_eq!(cluster_of(&container("h", "x")), ClusterKey::ungrouped());
        assert_eq!(
            cluster_of(&with_label(LABEL_COMPOSE_PROJECT, "")),
            ClusterKey::ungrouped()
        );
    }

    #[test]
    fn role_from_label_wins_over_image() {
        let mut c = with_label(LABEL_TUGBOAT_ROLE, "haproxy");
        c.image = "mariadb:10.11".into();
        assert_eq!(detect_role(&c), Role::Haproxy);
    }

    #[test]
    fn role_from_image_names() {
        let cases = [
            ("zookeeper:3.8", Role::Zookeeper),
            ("docker.io/library/haproxy:2.6", Role::Haproxy),
            ("registry.local:5000/team/mariadb:10.11", Role::Mariadb),
            ("mysql:8.4", Role::Mysql),
            ("bitnami/redis", Role::Redis),
            ("nginx@sha256:abcd", Role::Nginx),
            ("tugboat-test/zookeeper", Role::Zookeeper),
            ("busybox", Role::Other),
        ];
        for (image, role) in cases {
            let mut c = container("h", "c");
            c.image = image.into();
            assert_eq!(detect_role(&c), role, "{image}");
        }
    }

    #[test]
    fn role_from_command_when_image_says_nothing() {
        let mut c = container("h", "c");
        c.image = "sha256:0123".into();
        c.command =
            "java -cp /usr/share/java/* org.apache.zookeeper.server.quorum.QuorumPeerMain zoo.cfg"
                .into();
        assert_eq!(detect_role(&c), Role::Zookeeper);
        c.command = "docker-entrypoint.sh mariadbd --log-bin".into();
        assert_eq!(detect_role(&c), Role::Mariadb);
        c.command = "haproxy -f /usr/local/etc/haproxy/haproxy.cfg".into();
        assert_eq!(detect_role(&c), Role::Haproxy);
    }
}
