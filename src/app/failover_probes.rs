//! Which servers the TUI probes for a database cluster's operations, below
//! the state that asks (state.rs) and the operations that use the answers
//! (db_operations.rs).

use crate::model::probed::{database_targets, haproxy_targets};
use crate::model::{cluster_of, ClusterKey, ContainerKey, Inventory};
use crate::probes::run::ProbeKind;

/// While a database cluster is selected, probe all its servers and the
/// balancers, so `f` knows the primary, the candidates and the writer backend.
pub(super) fn add_failover_probes(
    inventory: &Inventory,
    cluster: Option<ClusterKey>,
    targets: &mut Vec<(ContainerKey, ProbeKind)>,
) {
    let Some(cluster) = cluster else {
        return;
    };
    let databases: Vec<ContainerKey> = database_targets(inventory)
        .into_iter()
        .filter(|k| {
            inventory
                .containers
                .get(k)
                .is_some_and(|c| cluster_of(c) == cluster)
        })
        .collect();
    if databases.is_empty() {
        return;
    }
    let wanted = databases.into_iter().map(|k| (k, ProbeKind::Mysql)).chain(
        haproxy_targets(inventory)
            .into_iter()
            .map(|k| (k, ProbeKind::Haproxy)),
    );
    for t in wanted {
        if !targets.contains(&t) {
            targets.push(t);
        }
    }
}
