//! Which `[[credentials]]` entry applies to a container. The entries are
//! the config file's; matching one reads the container's cluster and role
//! labels, which the model interprets, so the matching lives here and the
//! config layer knows nothing of labels.

use std::collections::BTreeMap;

use super::cluster::cluster_from_labels;
use super::LABEL_TUGBOAT_ROLE;
use crate::config::{Binding, DbCredential};

/// Role label values of a database server.
const DATABASE_ROLES: &[&str] = &["mysql", "mariadb", "mysqld", "mariadbd"];

/// Does `credential` apply to `container` on `host`, with its `labels`?
/// Never off its host; a cluster binding takes only the cluster's
/// database servers (see `Binding::Cluster`).
pub fn applies_to(
    credential: &DbCredential,
    host: &str,
    container: &str,
    labels: &BTreeMap<impl std::borrow::Borrow<str> + Ord, impl AsRef<str>>,
) -> bool {
    if credential.host != host {
        return false;
    }
    match &credential.binding {
        Binding::Container(name) => name == container,
        Binding::Cluster(name) => {
            let in_cluster = cluster_from_labels(labels).name == *name;
            let is_server = labels.get(LABEL_TUGBOAT_ROLE).is_some_and(|r| {
                DATABASE_ROLES.contains(&r.as_ref().to_ascii_lowercase().as_str())
            });
            in_cluster && is_server
        }
    }
}

#[cfg(test)]
#[path = "credentials_tests.rs"]
mod tests;
