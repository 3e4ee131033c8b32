//! A verified restore: after the archive is unpacked, a throwaway copy of
//! the server that used the volume boots on the restored data and is asked
//! what it holds (a database: each table's row count; ZooKeeper: its znode
//! count and zxid), shown beside the backup's manifest. A backup that does
//! not boot (a MariaDB datadir that needs its binlog options, a ZooKeeper
//! without its myid) is found at restore time, not during the incident.
//! This part picks the model container; src/ops/steps/run_restore_check.rs runs it.

use serde::Serialize;

use super::backup_manifest::Manifest;
use crate::model::{detect_role, Inventory, MountKind, Role};

/// What tugboat knows how to ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckKind {
    Database,
    Zookeeper,
}

impl CheckKind {
    /// What the copy is asked, for the plan.
    pub fn asks(self) -> &'static str {
        match self {
            Self::Database => "each table's row count",
            Self::Zookeeper => "znode count and zxid",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RestoreCheck {
    /// The container whose image, command and environment the copy takes.
    pub model: String,
    pub model_id: String,
    /// Where the model mounts the volume.
    pub destination: String,
    pub kind: CheckKind,
    /// The manifest's own account, shown beside the copy's answers.
    pub manifest: String,
}

/// Why a restore cannot be verified: no server tugboat could copy and ask.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unverifiable {
    #[error(
        "no container on {host} uses {volume} any more: there is no server to copy for the check"
    )]
    NoServer { host: String, volume: String },
    #[error(
        "{name} ({image}) is neither a database nor ZooKeeper: tugboat cannot ask it what it holds"
    )]
    UnknownServer { name: String, image: String },
}

/// The container to copy for checking a restore of `manifest`'s volume on
/// `host`: one that mounts the volume (those that used it when it was
/// backed up first).
pub fn restore_check(
    inv: &Inventory,
    host: &str,
    manifest: &Manifest,
) -> Result<RestoreCheck, Unverifiable> {
    let mut users: Vec<_> = inv
        .containers_on(host)
        .filter_map(|c| {
            let mount = c.mounts.iter().find(|m| {
                m.kind == MountKind::Volume && m.name.as_deref() == Some(manifest.volume.as_str())
            })?;
            Some((c, mount.destination.clone()))
        })
        .collect();
    // A server tugboat can ask first, then one that used it at backup time.
    users.sort_by_key(|(c, _)| {
        (
            kind_of(detect_role(c)).is_none(),
            !manifest.users.iter().any(|u| *u == c.name),
        )
    });
    let Some((c, destination)) = users.first() else {
        return Err(Unverifiable::NoServer {
            host: host.into(),
            volume: manifest.volume.clone(),
        });
    };
    let Some(kind) = kind_of(detect_role(c)) else {
        return Err(Unverifiable::UnknownServer {
            name: c.name.to_string(),
            image: c.image.to_string(),
        });
    };
    Ok(RestoreCheck {
        model: c.name.to_string(),
        model_id: c.id.clone(),
        destination: destination.to_string(),
        kind,
        manifest: format!(
            "manifest: {} files, {} bytes, taken {}",
            manifest.files, manifest.content_bytes, manifest.time
        ),
    })
}

fn kind_of(role: Role) -> Option<CheckKind> {
    match role {
        Role::Mysql | Role::Mariadb => Some(CheckKind::Database),
        Role::Zookeeper => Some(CheckKind::Zookeeper),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::container;
    use crate::model::{Host, HostUpdate, Mount, SafeText};

    fn using(name: &str, image: &str, volume: &str, at: &str) -> crate::model::Container {
        let mut c = container("local", name);
        c.image = image.into();
        c.mounts = vec![Mount {
            kind: MountKind::Volume,
            name: Some(volume.into()),
            source: SafeText::default(),
            destination: at.into(),
            read_write: true,
        }];
        c
    }

    fn inventory(containers: Vec<crate::model::Container>) -> Inventory {
        let mut inv = Inventory::new(vec![Host::new("local", "unix:///x", "flag")]);
        inv.apply(HostUpdate::Listed {
            host: "local".into(),
            containers,
            volumes: vec![],
        });
        inv
    }

    fn manifest(volume: &str, users: &[&str]) -> Manifest {
        let mut m: Manifest = serde_json::from_value(serde_json::json!({
            "format": 1, "volume": volume, "host": "local", "time": "2026-11-30T12:00:00Z",
            "unix_time": 0, "archive": "a.tar.gz", "compression": "gzip", "archive_bytes": 1,
            "sha256": "00", "tar_bytes": 1, "content_bytes": 2048, "files": 12, "dirs": 3,
            "others": 0, "users": [], "paused": [], "helper_image": "x"
        }))
        .unwrap();
        m.users = users.iter().map(|u| u.to_string()).collect();
        m
    }

    #[test]
    fn the_server_that_used_the_volume_is_copied_where_it_mounted_it() {
        let inv = inventory(vec![
            using("helper", "busybox", "orders-db1-data", "/v"),
            using(
                "orders-db1",
                "mariadb:11.4",
                "orders-db1-data",
                "/var/lib/mysql",
            ),
        ]);
        let check =
            restore_check(&inv, "local", &manifest("orders-db1-data", &["orders-db1"])).unwrap();
        assert_eq!(check.model, "orders-db1");
        assert_eq!(check.destination, "/var/lib/mysql");
        assert_eq!(check.kind, CheckKind::Database);
        assert!(check.manifest.contains("12 files"), "{}", check.manifest);
    }

    #[test]
    fn a_volume_nobody_uses_or_an_unknown_server_cannot_be_verified() {
        let inv = inventory(vec![using(
            "web",
            "nginx:1.27",
            "site",
            "/usr/share/nginx/html",
        )]);
        let why = restore_check(&inv, "local", &manifest("gone", &[])).unwrap_err();
        assert_eq!(
            why.to_string(),
            "no container on local uses gone any more: there is no server to copy for the check"
        );
        let why = restore_check(&inv, "local", &manifest("site", &["web"])).unwrap_err();
        assert_eq!(
            why.to_string(),
            "web (nginx:1.27) is neither a database nor ZooKeeper: tugboat cannot ask it what it holds"
        );
    }
}
