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

/// `[[credentials]]`: which servers (a cluster or one container) and how to log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbCredential {
    pub cluster: Option<String>,
    pub container: Option<String>,
    pub user: String,
    pub password: Secret,
}

impl DbCredential {
    /// Does this entry apply to the container (by name) in the cluster (by name)?
    pub fn applies_to(&self, container: &str, cluster: &str) -> bool {
        self.container.as_deref() == Some(container) || self.cluster.as_deref() == Some(cluster)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCredential {
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
    if raw.cluster.is_none() == raw.container.is_none() {
        return Err((
            span,
            "a [[credentials]] entry names either `cluster` or `container`".into(),
        ));
    }
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
        cluster: raw.cluster,
        container: raw.container,
        user: raw.user,
        password: Secret(password),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show_in_debug() {
        let c = DbCredential {
            cluster: Some("shop".into()),
            container: None,
            user: "monitor".into(),
            password: Secret::new("hunter2"),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
        assert_eq!(c.password.expose(), "hunter2");
        assert!(c.applies_to("shop-db-1", "shop"));
        assert!(!c.applies_to("other", "billing"));
    }
}
