//! Database replication as probed: each server's role, and per cluster a
//! tree of primaries with their replicas.

use super::answers::mysql::{DbProbe, DbRole};
use super::answers::ProbeOutcome;
use super::cluster::{cluster_of, ClusterKey};
use super::inventory::{ContainerKey, Inventory};
use super::probed::ProbeBook;
use super::SafeText;

/// One line of a replication tree: a server and how deep it sits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeLine {
    pub depth: usize,
    pub key: ContainerKey,
    pub name: SafeText,
    pub probe: Option<ProbeOutcome<DbProbe>>,
}

/// The database servers of `cluster` (on any host), primaries first with
/// their replicas under them; a replica whose source is not in the cluster
/// stands at the top with its source named in its probe.
pub fn replication_tree(inv: &Inventory, book: &ProbeBook, cluster: &ClusterKey) -> Vec<TreeLine> {
    let members: Vec<ContainerKey> = inv
        .containers
        .iter()
        .filter(|(_, c)| {
            matches!(
                super::detect_role(c),
                super::Role::Mysql | super::Role::Mariadb
            )
        })
        .filter(|(_, c)| cluster_of(c) == *cluster)
        .map(|(k, _)| k.clone())
        .collect();
    let probe = |k: &ContainerKey| book.mysql.get(k).map(|p| p.result.clone());
    // A replica's parent: the member its source host names (container name or address).
    let parent = |k: &ContainerKey| -> Option<ContainerKey> {
        let source = probe(k)?.ok()?.replica?.source_host;
        members
            .iter()
            .find(|m| {
                let c = &inv.containers[*m];
                *m != k && (c.name == source || c.ips.iter().any(|ip| *ip == source))
            })
            .cloned()
    };
    let mut lines = Vec::new();
    let mut roots: Vec<&ContainerKey> = members.iter().filter(|k| parent(k).is_none()).collect();
    roots.sort_by_key(|k| {
        let role = probe(k).and_then(|p| p.ok()).map(|p| p.role());
        (
            role != Some(DbRole::Primary),
            inv.containers[*k].name.clone(),
        )
    });
    fn add(
        lines: &mut Vec<TreeLine>,
        key: &ContainerKey,
        depth: usize,
        inv: &Inventory,
        book: &ProbeBook,
        children: &dyn Fn(&ContainerKey) -> Vec<ContainerKey>,
    ) {
        if lines.iter().any(|l| l.key == *key) || depth > 8 {
            return; // a cycle (two servers replicating from each other)
        }
        lines.push(TreeLine {
            depth,
            key: key.clone(),
            name: inv.containers[key].name.clone(),
            probe: book.mysql.get(key).map(|p| p.result.clone()),
        });
        for child in children(key) {
            add(lines, &child, depth + 1, inv, book, children);
        }
    }
    let children = |k: &ContainerKey| -> Vec<ContainerKey> {
        let mut kids: Vec<ContainerKey> = members
            .iter()
            .filter(|m| parent(m).as_ref() == Some(k))
            .cloned()
            .collect();
        kids.sort_by_key(|m| inv.containers[m].name.clone());
        kids
    };
    for root in roots {
        add(&mut lines, root, 0, inv, book, &children);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::answers::mysql::{ReplicaStatus, ThreadState};
    use crate::model::probed::ProbeResult;
    use crate::model::testing::container;
    use crate::model::{Host, HostUpdate, SafeText, LABEL_TUGBOAT_CLUSTER};

    fn db(source: Option<&str>) -> DbProbe {
        DbProbe {
            server_id: Some(1),
            read_only: source.is_some(),
            version: SafeText::from_foreign("10.11"),
            gtid: SafeText::from_foreign("0-1-8"),
            replica: source.map(|s| ReplicaStatus {
                source_host: SafeText::from_foreign(s),
                source_port: Some(3306),
                io_running: ThreadState::Yes,
                sql_running: ThreadState::Yes,
                seconds_behind: Some(0),
                gtid_position: SafeText::from_foreign("0-1-8"),
                last_io_error: SafeText::default(),
                last_sql_error: SafeText::default(),
            }),
            replicas: if source.is_none() {
                vec![SafeText::from_foreign("10.0.0.3")]
            } else {
                vec![]
            },
        }
    }

    #[test]
    fn replicas_hang_under_their_primary_by_name_or_address() {
        let mut inv = Inventory::new(vec![Host::new("h", "unix:///x", "t")]);
        let mut book = ProbeBook::default();
        let mut keys = Vec::new();
        for (name, ip, source) in [
            ("db-b", "10.0.0.2", None),
            ("db-c", "10.0.0.3", Some("db-b")),
            ("db-a", "10.0.0.4", Some("10.0.0.2")),
        ] {
            let mut c = container("h", name);
            c.image = "mariadb:10.11".into();
            c.ips = vec![ip.into()];
            c.labels.insert(LABEL_TUGBOAT_CLUSTER.into(), "shop".into());
            keys.push((c.host.clone(), c.id.clone()));
            inv.apply(HostUpdate::ContainerChanged {
                container: c.clone(),
            });
            book.record(
                (c.host.clone(), c.id.clone()),
                0,
                ProbeResult::Mysql(Ok(db(source))),
            );
        }
        let cluster = cluster_of(&inv.containers[&keys[0]]);
        let tree: Vec<(usize, String)> = replication_tree(&inv, &book, &cluster)
            .into_iter()
            .map(|l| (l.depth, l.name.into_string()))
            .collect();
        assert_eq!(
            tree,
            [
                (0, "db-b".to_string()),
                (1, "db-a".into()),
                (1, "db-c".into())
            ]
        );
    }
}
