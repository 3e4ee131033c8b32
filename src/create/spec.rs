//! A cluster spec: what the wizard asks and `tugboat create --from` reads,
//! as TOML. Plain data with defaults and pure validation: each problem is
//! reported against the field it belongs to, so the wizard can show it
//! beside that field while it is typed.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Template {
    Zookeeper,
    Database,
    App,
}

impl Template {
    pub const ALL: [Template; 3] = [Template::Zookeeper, Template::Database, Template::App];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Zookeeper => "zookeeper",
            Self::Database => "database",
            Self::App => "app",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::Zookeeper => "ZooKeeper ensemble",
            Self::Database => "Database: primary + replicas behind HAProxy",
            Self::App => "App service: replicas behind HAProxy",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterSpec {
    pub name: String,
    pub template: Template,
    #[serde(default)]
    pub placement: Placement,
    #[serde(default)]
    pub zookeeper: ZookeeperSpec,
    #[serde(default)]
    pub database: DatabaseSpec,
    #[serde(default)]
    pub app: AppSpec,
}

/// Where the members run: one host on a user-defined network, or spread
/// over several hosts (members then reach each other through ports
/// published on each host's address).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Placement {
    /// Configured host names; empty means the first configured host.
    pub hosts: Vec<String>,
    /// The user-defined network on a single host (default: the cluster's name).
    pub network: Option<String>,
    /// Host name -> the address other hosts' containers reach its published
    /// ports at, for spread placement (default: the host part of a tcp://
    /// URL, else the local engine's bridge gateway).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub addresses: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ZookeeperSpec {
    pub members: u32,
    pub image: String,
    pub client_port: u16,
    pub peer_port: u16,
    pub election_port: u16,
    /// `ZOO_4LW_COMMANDS_WHITELIST`.
    pub whitelist: String,
    /// Named volumes for /data and /datalog.
    pub volumes: bool,
}

impl Default for ZookeeperSpec {
    fn default() -> Self {
        Self {
            members: 3,
            image: "zookeeper:3.9".into(),
            client_port: 2181,
            peer_port: 2888,
            election_port: 3888,
            whitelist: "srvr,mntr,ruok".into(),
            volumes: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DbFlavor {
    Mariadb,
    Mysql,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSpec {
    pub flavor: DbFlavor,
    pub image: String,
    pub replicas: u32,
    pub replication_user: String,
    pub haproxy_image: String,
    /// HAProxy's port for writes: the primary, replicas as backup.
    pub writer_port: u16,
    /// HAProxy's port for reads: the replicas, round-robin.
    pub reader_port: u16,
    /// A named volume for each server's data directory.
    pub volumes: bool,
}

impl Default for DatabaseSpec {
    fn default() -> Self {
        Self {
            flavor: DbFlavor::Mariadb,
            image: "mariadb:11.4".into(),
            replicas: 2,
            replication_user: "repl".into(),
            haproxy_image: "haproxy:3.0".into(),
            writer_port: 3306,
            reader_port: 3307,
            volumes: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AppSpec {
    pub image: String,
    pub replicas: u32,
    /// The port the app listens on inside its container.
    pub port: u16,
    pub health_path: String,
    /// HAProxy's `balance` algorithm.
    pub balance: String,
    pub haproxy_image: String,
    /// HAProxy's listening port (inside its container).
    pub listen_port: u16,
    /// Published on the host, when set.
    pub published_port: Option<u16>,
}

impl Default for AppSpec {
    fn default() -> Self {
        Self {
            image: "nginx:1.27".into(),
            replicas: 2,
            port: 80,
            health_path: "/".into(),
            balance: "roundrobin".into(),
            haproxy_image: "haproxy:3.0".into(),
            listen_port: 8080,
            published_port: None,
        }
    }
}

/// One problem with a spec, tied to the field it is about (dotted path as
/// in the TOML, e.g. `zookeeper.members`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub field: String,
    pub message: String,
    /// A warning lets the plan go ahead; an error does not.
    pub fatal: bool,
}

impl Problem {
    fn error(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            fatal: true,
        }
    }

    fn warning(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            fatal: false,
        }
    }
}

/// Why a name cannot become container, volume and network names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("a name is needed")]
    Empty,
    #[error("at most 40 characters")]
    TooLong,
    #[error("must start with a lower-case letter")]
    BadStart,
    #[error("lower-case letters, digits and - only")]
    BadCharacter,
    #[error("cannot end with -")]
    EndsWithDash,
}

/// A spec file that is not valid TOML for a spec (toml's own, multi-line
/// message, with the position).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct SpecParseError(#[from] toml::de::Error);

pub const MAX_MEMBERS: u32 = 9;
pub const MAX_REPLICAS: u32 = 20;

/// Lower-case letters, digits and `-`, starting with a letter, at most 40:
/// the name becomes container, volume and network names and DNS aliases.
pub fn check_name(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Empty);
    }
    if name.len() > 40 {
        return Err(NameError::TooLong);
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(NameError::BadStart);
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(NameError::BadCharacter);
    }
    if name.ends_with('-') {
        return Err(NameError::EndsWithDash);
    }
    Ok(())
}

/// An image reference as `docker run` takes it (no spaces, not empty).
fn check_image(field: &str, image: &str, out: &mut Vec<Problem>) {
    if image.trim().is_empty() || image.contains(char::is_whitespace) {
        out.push(Problem::error(field, "an image name such as zookeeper:3.9"));
    }
}

fn check_port(field: &str, port: u16, out: &mut Vec<Problem>) {
    if port == 0 {
        out.push(Problem::error(field, "a port from 1 to 65535"));
    }
}

impl ClusterSpec {
    pub fn new(name: &str, template: Template) -> Self {
        Self {
            name: name.into(),
            template,
            placement: Placement::default(),
            zookeeper: ZookeeperSpec::default(),
            database: DatabaseSpec::default(),
            app: AppSpec::default(),
        }
    }

    pub fn from_toml(text: &str) -> Result<Self, SpecParseError> {
        Ok(toml::from_str(text)?)
    }

    /// Only the section of the chosen template is written.
    pub fn to_toml(&self) -> String {
        #[derive(Serialize)]
        struct Out<'a> {
            name: &'a str,
            template: Template,
            placement: &'a Placement,
            #[serde(skip_serializing_if = "Option::is_none")]
            zookeeper: Option<&'a ZookeeperSpec>,
            #[serde(skip_serializing_if = "Option::is_none")]
            database: Option<&'a DatabaseSpec>,
            #[serde(skip_serializing_if = "Option::is_none")]
            app: Option<&'a AppSpec>,
        }
        let t = self.template;
        let out = Out {
            name: &self.name,
            template: t,
            placement: &self.placement,
            zookeeper: (t == Template::Zookeeper).then_some(&self.zookeeper),
            database: (t == Template::Database).then_some(&self.database),
            app: (t == Template::App).then_some(&self.app),
        };
        toml::to_string_pretty(&out).unwrap_or_default()
    }

    /// Every problem with the spec on its own (collisions with what runs
    /// are the plan's business: they need the inventory).
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        if let Err(e) = check_name(&self.name) {
            out.push(Problem::error("name", e.to_string()));
        }
        if let Some(net) = &self.placement.network {
            if let Err(e) = check_name(net) {
                out.push(Problem::error("placement.network", e.to_string()));
            }
        }
        match self.template {
            Template::Zookeeper => self.zookeeper_problems(&mut out),
            Template::Database => self.database_problems(&mut out),
            Template::App => self.app_problems(&mut out),
        }
        out
    }

    fn zookeeper_problems(&self, out: &mut Vec<Problem>) {
        let z = &self.zookeeper;
        match z.members {
            0 => out.push(Problem::error("zookeeper.members", "at least 1 member")),
            n if n > MAX_MEMBERS => out.push(Problem::error(
                "zookeeper.members",
                format!("at most {MAX_MEMBERS} members"),
            )),
            1 => out.push(Problem::warning(
                "zookeeper.members",
                "1 member is no ensemble: it tolerates no failure",
            )),
            n if n % 2 == 0 => out.push(Problem::warning(
                "zookeeper.members",
                format!(
                    "{n} members tolerate no more failures than {}: an odd size is better",
                    n - 1
                ),
            )),
            _ => {}
        }
        check_image("zookeeper.image", &z.image, out);
        for (field, port) in [
            ("zookeeper.client_port", z.client_port),
            ("zookeeper.peer_port", z.peer_port),
            ("zookeeper.election_port", z.election_port),
        ] {
            check_port(field, port, out);
        }
        if z.client_port == z.peer_port
            || z.client_port == z.election_port
            || z.peer_port == z.election_port
        {
            out.push(Problem::error(
                "zookeeper.peer_port",
                "client, peer and election ports must differ",
            ));
        }
        if z.whitelist.contains(char::is_whitespace) {
            out.push(Problem::error(
                "zookeeper.whitelist",
                "comma-separated commands, no spaces (e.g. srvr,mntr,ruok)",
            ));
        }
    }

    fn database_problems(&self, out: &mut Vec<Problem>) {
        let d = &self.database;
        if d.replicas > MAX_REPLICAS {
            out.push(Problem::error(
                "database.replicas",
                format!("at most {MAX_REPLICAS} replicas"),
            ));
        }
        if d.replicas == 0 {
            out.push(Problem::warning(
                "database.replicas",
                "no replica: nothing to fail over to",
            ));
        }
        check_image("database.image", &d.image, out);
        check_image("database.haproxy_image", &d.haproxy_image, out);
        check_port("database.writer_port", d.writer_port, out);
        check_port("database.reader_port", d.reader_port, out);
        if d.writer_port == d.reader_port {
            out.push(Problem::error(
                "database.reader_port",
                "the reader port must differ from the writer port",
            ));
        }
        if d.replication_user.is_empty()
            || !d
                .replication_user
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            out.push(Problem::error(
                "database.replication_user",
                "letters, digits and _ only",
            ));
        }
    }

    fn app_problems(&self, out: &mut Vec<Problem>) {
        let a = &self.app;
        match a.replicas {
            0 => out.push(Problem::error("app.replicas", "at least 1 replica")),
            n if n > MAX_REPLICAS => out.push(Problem::error(
                "app.replicas",
                format!("at most {MAX_REPLICAS} replicas"),
            )),
            _ => {}
        }
        check_image("app.image", &a.image, out);
        check_image("app.haproxy_image", &a.haproxy_image, out);
        check_port("app.port", a.port, out);
        check_port("app.listen_port", a.listen_port, out);
        if let Some(p) = a.published_port {
            check_port("app.published_port", p, out);
        }
        if !a.health_path.starts_with('/') || a.health_path.contains(char::is_whitespace) {
            out.push(Problem::error(
                "app.health_path",
                "a path starting with /, no spaces",
            ));
        }
        if !matches!(
            a.balance.as_str(),
            "roundrobin" | "leastconn" | "first" | "random" | "static-rr" | "source"
        ) {
            out.push(Problem::error(
                "app.balance",
                "roundrobin, leastconn, first, random, static-rr or source",
            ));
        }
    }

    /// Errors only: a spec with none can be planned.
    pub fn errors(&self) -> Vec<Problem> {
        self.problems().into_iter().filter(|p| p.fatal).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_with_the_reason() {
        assert!(check_name("orders-zk").is_ok());
        assert_eq!(check_name("").unwrap_err().to_string(), "a name is needed");
        assert_eq!(
            check_name("Orders").unwrap_err().to_string(),
            "must start with a lower-case letter"
        );
        assert_eq!(
            check_name("a_b").unwrap_err().to_string(),
            "lower-case letters, digits and - only"
        );
        assert!(check_name(&"a".repeat(41)).is_err());
        assert!(check_name("zk-").is_err());
    }

    #[test]
    fn member_counts_warn_or_refuse() {
        let mut s = ClusterSpec::new("zk", Template::Zookeeper);
        assert!(s.problems().is_empty());
        s.zookeeper.members = 4;
        let p = s.problems();
        assert_eq!(p.len(), 1);
        assert!(!p[0].fatal && p[0].message.contains("no more failures than 3"));
        s.zookeeper.members = 1;
        assert!(!s.problems()[0].fatal);
        s.zookeeper.members = 0;
        assert_eq!(s.errors()[0].field, "zookeeper.members");
        s.zookeeper.members = 3;
        s.zookeeper.peer_port = 2181;
        assert_eq!(s.errors()[0].field, "zookeeper.peer_port");
    }

    #[test]
    fn toml_round_trip_keeps_only_the_chosen_template() {
        let mut s = ClusterSpec::new("shop", Template::App);
        s.app.replicas = 3;
        s.app.image = "tugboat-test/busybox:latest".into();
        s.placement.hosts = vec!["local".into()];
        let text = s.to_toml();
        assert!(text.contains("[app]"), "{text}");
        assert!(!text.contains("[zookeeper]"), "{text}");
        assert_eq!(ClusterSpec::from_toml(&text).unwrap(), s);
        let err =
            ClusterSpec::from_toml("name = \"x\"\ntemplate = \"app\"\nbogus = 1\n").unwrap_err();
        assert!(err.to_string().contains("bogus"), "{err}");
        let minimal = ClusterSpec::from_toml("name = \"zk\"\ntemplate = \"zookeeper\"\n").unwrap();
        assert_eq!(minimal.zookeeper.members, 3, "defaults fill the rest");
    }

    #[test]
    fn database_and_app_fields_are_validated() {
        let mut d = ClusterSpec::new("db", Template::Database);
        d.database.reader_port = d.database.writer_port;
        d.database.replication_user = "re pl".into();
        let fields: Vec<String> = d.errors().into_iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            ["database.reader_port", "database.replication_user"]
        );
        let mut a = ClusterSpec::new("web", Template::App);
        a.app.balance = "fastest".into();
        a.app.health_path = "health".into();
        let fields: Vec<String> = a.errors().into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["app.health_path", "app.balance"]);
    }
}
