//! Database credentials from the config file, for servers whose container
//! environment has no root password. A password is never printed: `Secret`
//! shows as stars in every Debug output and log line.

use serde::Deserialize;
use toml::Spanned;

/// A password or similar; Debug and Display never reveal it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for handing to an exec's environment: nowhere else.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(********)")
    }
}

/// Where a `[[credentials]]` entry applies, always on one named host: a
/// password is handed only to a server it was bound to, never to whatever
/// container elsewhere takes a matching name or label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Binding {
    /// The container of this name.
    Container(String),
    /// The database servers of this cluster: containers whose labels put
    /// them in it and say they are MySQL or MariaDB servers
    /// (`io.tugboat.role`, as `tugboat create` sets it). Anything else in
    /// the cluster (an exporter, a backup sidecar) is bound by its name.
    Cluster(String),
}

/// `[[credentials]]`: which servers (on a host, a cluster or one container)
/// and how to log in. `model::credentials::applies_to` matches an entry to
/// a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbCredential {
    /// The host's name, as in `[[hosts]]`, `--host` or the docker context.
    pub host: String,
    pub binding: Binding,
    pub user: String,
    pub password: Secret,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCredential {
    host: Option<String>,
    cluster: Option<String>,
    container: Option<String>,
    #[serde(default = "default_user")]
    user: String,
    password: Option<String>,
    /// Name of a variable in tugboat's own environment holding the password,
    /// so the file need not contain it.
    password_env: Option<String>,
}

fn default_user() -> String {
    "root".into()
}

/// Check one entry; errors are (byte span, message) for the caller to place.
pub(super) fn resolve(
    raw: Spanned<RawCredential>,
    get_env: &dyn Fn(&str) -> Option<String>,
) -> Result<DbCredential, (std::ops::Range<usize>, String)> {
    let span = raw.span();
    let raw = raw.into_inner();
    let non_empty = |v: Option<String>| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let binding = match (non_empty(raw.cluster), non_empty(raw.container)) {
        (Some(cluster), None) => Binding::Cluster(cluster),
        (None, Some(container)) => Binding::Container(container),
        _ => {
            return Err((
                span,
                "a [[credentials]] entry names either `cluster` or `container`".into(),
            ))
        }
    };
    // Entries written before credentials were bound to a host applied on
    // every host: refused, so no password goes somewhere unintended.
    let Some(host) = non_empty(raw.host) else {
        return Err((
            span,
            "a [[credentials]] entry applies only on the host it names: add \
             `host = \"NAME\"` (the host the database runs on, as in [[hosts]])"
                .into(),
        ));
    };
    let password = match (raw.password, raw.password_env) {
        (Some(p), None) => p,
        (None, Some(var)) => get_env(&var).ok_or_else(|| {
            (
                span.clone(),
                format!("`password_env`: the variable {var} is not set"),
            )
        })?,
        _ => {
            return Err((
                span,
                "a [[credentials]] entry needs `password` or `password_env` (one of them)".into(),
            ))
        }
    };
    Ok(DbCredential {
        host,
        binding,
        user: raw.user,
        password: Secret(password),
    })
}

#[cfg(test)]
#[path = "credentials_tests.rs"]
mod tests;
