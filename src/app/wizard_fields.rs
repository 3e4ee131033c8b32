//! The wizard's "sizes, ports, images" fields for each template: a table of
//! the spec's fields (keyed by the same dotted path `ClusterSpec::problems`
//! reports against), read from and written to the spec as text.

use crate::create::spec::{ClusterSpec, DbFlavor, Template};

/// One editable field of a template's section of the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Dotted path as in the TOML, e.g. `zookeeper.members`.
    pub key: &'static str,
    pub label: &'static str,
    /// Non-empty for a field that takes one of these (Space cycles them).
    pub choices: &'static [&'static str],
}

const fn text(key: &'static str, label: &'static str) -> Field {
    Field {
        key,
        label,
        choices: &[],
    }
}

const fn choice(key: &'static str, label: &'static str, choices: &'static [&'static str]) -> Field {
    Field {
        key,
        label,
        choices,
    }
}

const YES_NO: &[&str] = &["yes", "no"];

const ZOOKEEPER: &[Field] = &[
    text("zookeeper.members", "members"),
    text("zookeeper.image", "image"),
    text("zookeeper.client_port", "client port"),
    text("zookeeper.peer_port", "peer port"),
    text("zookeeper.election_port", "election port"),
    text("zookeeper.whitelist", "4lw whitelist"),
    choice("zookeeper.volumes", "volumes", YES_NO),
];

const DATABASE: &[Field] = &[
    choice("database.flavor", "flavor", &["mariadb", "mysql"]),
    text("database.image", "image"),
    text("database.replicas", "replicas"),
    text("database.replication_user", "replication user"),
    text("database.haproxy_image", "haproxy image"),
    text("database.writer_port", "writer port"),
    text("database.reader_port", "reader port"),
    choice("database.volumes", "volumes", YES_NO),
];

const APP: &[Field] = &[
    text("app.image", "image"),
    text("app.replicas", "replicas"),
    text("app.port", "app port"),
    text("app.health_path", "health path"),
    choice(
        "app.balance",
        "balance",
        &[
            "roundrobin",
            "leastconn",
            "first",
            "random",
            "static-rr",
            "source",
        ],
    ),
    text("app.haproxy_image", "haproxy image"),
    text("app.listen_port", "listen port"),
    text("app.published_port", "published port"),
];

pub fn fields(template: Template) -> &'static [Field] {
    match template {
        Template::Zookeeper => ZOOKEEPER,
        Template::Database => DATABASE,
        Template::App => APP,
    }
}

fn yes_no(b: bool) -> String {
    if b { "yes" } else { "no" }.into()
}

/// The field's value as the wizard shows it.
pub fn get(spec: &ClusterSpec, key: &str) -> String {
    let (z, d, a) = (&spec.zookeeper, &spec.database, &spec.app);
    match key {
        "zookeeper.members" => z.members.to_string(),
        "zookeeper.image" => z.image.clone(),
        "zookeeper.client_port" => z.client_port.to_string(),
        "zookeeper.peer_port" => z.peer_port.to_string(),
        "zookeeper.election_port" => z.election_port.to_string(),
        "zookeeper.whitelist" => z.whitelist.clone(),
        "zookeeper.volumes" => yes_no(z.volumes),
        "database.flavor" => match d.flavor {
            DbFlavor::Mariadb => "mariadb".into(),
            DbFlavor::Mysql => "mysql".into(),
        },
        "database.image" => d.image.clone(),
        "database.replicas" => d.replicas.to_string(),
        "database.replication_user" => d.replication_user.clone(),
        "database.haproxy_image" => d.haproxy_image.clone(),
        "database.writer_port" => d.writer_port.to_string(),
        "database.reader_port" => d.reader_port.to_string(),
        "database.volumes" => yes_no(d.volumes),
        "app.image" => a.image.clone(),
        "app.replicas" => a.replicas.to_string(),
        "app.port" => a.port.to_string(),
        "app.health_path" => a.health_path.clone(),
        "app.balance" => a.balance.clone(),
        "app.haproxy_image" => a.haproxy_image.clone(),
        "app.listen_port" => a.listen_port.to_string(),
        "app.published_port" => a.published_port.map(|p| p.to_string()).unwrap_or_default(),
        _ => String::new(),
    }
}

/// Why typed text does not fit a field; the text says what would.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("a whole number")]
    NotANumber,
    #[error("a port from 1 to 65535")]
    NotAPort,
    #[error("yes or no")]
    NotYesOrNo,
    #[error("mariadb or mysql")]
    NotAFlavor,
    /// A key no template has (a bug in the caller).
    #[error("no field {0}")]
    NoSuchField(String),
}

fn number<T: std::str::FromStr>(text: &str) -> Result<T, FieldError> {
    text.trim().parse().map_err(|_| FieldError::NotANumber)
}

fn port(text: &str) -> Result<u16, FieldError> {
    text.trim().parse().map_err(|_| FieldError::NotAPort)
}

/// Write typed text into the spec; Err with the reason when it does not
/// parse (the spec keeps its last good value meanwhile).
pub fn set(spec: &mut ClusterSpec, key: &str, text: &str) -> Result<(), FieldError> {
    let (z, d, a) = (&mut spec.zookeeper, &mut spec.database, &mut spec.app);
    let flag = |t: &str| match t {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(FieldError::NotYesOrNo),
    };
    match key {
        "zookeeper.members" => z.members = number(text)?,
        "zookeeper.image" => z.image = text.into(),
        "zookeeper.client_port" => z.client_port = port(text)?,
        "zookeeper.peer_port" => z.peer_port = port(text)?,
        "zookeeper.election_port" => z.election_port = port(text)?,
        "zookeeper.whitelist" => z.whitelist = text.into(),
        "zookeeper.volumes" => z.volumes = flag(text)?,
        "database.flavor" => {
            d.flavor = match text {
                "mariadb" => DbFlavor::Mariadb,
                "mysql" => DbFlavor::Mysql,
                _ => return Err(FieldError::NotAFlavor),
            }
        }
        "database.image" => d.image = text.into(),
        "database.replicas" => d.replicas = number(text)?,
        "database.replication_user" => d.replication_user = text.into(),
        "database.haproxy_image" => d.haproxy_image = text.into(),
        "database.writer_port" => d.writer_port = port(text)?,
        "database.reader_port" => d.reader_port = port(text)?,
        "database.volumes" => d.volumes = flag(text)?,
        "app.image" => a.image = text.into(),
        "app.replicas" => a.replicas = number(text)?,
        "app.port" => a.port = port(text)?,
        "app.health_path" => a.health_path = text.into(),
        "app.balance" => a.balance = text.into(),
        "app.haproxy_image" => a.haproxy_image = text.into(),
        "app.listen_port" => a.listen_port = port(text)?,
        "app.published_port" if text.trim().is_empty() => a.published_port = None,
        "app.published_port" => a.published_port = Some(port(text)?),
        _ => return Err(FieldError::NoSuchField(key.into())),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_reads_back_what_was_written() {
        for template in Template::ALL {
            let mut spec = ClusterSpec::new("x", template);
            for f in fields(template) {
                let shown = get(&spec, f.key);
                set(&mut spec, f.key, &shown).unwrap();
                assert_eq!(get(&spec, f.key), shown, "{}", f.key);
                if let Some(last) = f.choices.last() {
                    set(&mut spec, f.key, last).unwrap();
                    assert_eq!(get(&spec, f.key), *last);
                }
            }
        }
    }

    #[test]
    fn text_that_does_not_parse_says_why() {
        let mut spec = ClusterSpec::new("x", Template::App);
        assert_eq!(
            set(&mut spec, "app.port", "80a").unwrap_err().to_string(),
            "a port from 1 to 65535"
        );
        assert_eq!(spec.app.port, 80, "the last good value stays");
        set(&mut spec, "app.published_port", "").unwrap();
        assert_eq!(spec.app.published_port, None);
        set(&mut spec, "app.published_port", "8081").unwrap();
        assert_eq!(spec.app.published_port, Some(8081));
    }
}
