//! `tugboat rejoin CLUSTER SERVER`: a former primary (or any server that
//! left) comes back as a replica of the cluster's primary — after its
//! transactions are compared with the primary's: a server holding writes
//! the primary lacks is refused, with those transactions listed, since
//! replicating would throw them away (or fail on them).

use crate::model::answers::mysql::DbProbe;
use crate::ops::base::db_cluster::DB_PORT;
use crate::ops::base::db_cluster::{DbCluster, DbNode};
use crate::ops::base::db_sql::{DbFlavor, DbStatement};
use crate::ops::base::error::{PlanError, PlanResult};
use crate::ops::kernel::plan::{DbStep, Plan, PlanAction, PlanTarget, Step, StepOp};

/// How long the rejoined server may take to replicate.
const REPLICATE_SECS: u64 = 60;

pub use crate::ops::base::db_cluster::RejoinPair;
pub use crate::ops::steps::db_checks::missing_mariadb;

/// The primary: the writable server the others replicate from.
fn primary_of<'a>(c: &'a DbCluster, leaving: &DbNode) -> PlanResult<&'a DbNode> {
    let followed = |n: &DbNode| {
        c.nodes.iter().any(|m| {
            m.alive()
                .and_then(|p| p.replica.as_ref())
                .is_some_and(|r| n.is(&r.source_host))
        })
    };
    let writable: Vec<&DbNode> = c
        .nodes
        .iter()
        .filter(|n| n.key() != leaving.key())
        .filter(|n| {
            n.alive()
                .is_some_and(|p| p.replica.is_none() && !p.read_only)
        })
        .collect();
    // The one the others follow, else a writable one.
    writable
        .iter()
        .find(|n| followed(n))
        .or(writable.first())
        .copied()
        .ok_or_else(|| {
            PlanError::NotFound(format!(
                "cluster {}: no writable primary besides {} to rejoin",
                c.name, leaving.name
            ))
        })
}

pub fn rejoin_plan(c: &DbCluster, server: &str) -> PlanResult<Plan> {
    let (node, probe) = answering_server(c, server)?;
    let primary = primary_of(c, node)?;
    refuse_if_already_following(probe, primary, server)?;
    let flavor = DbFlavor::from_version(&probe.version);
    // Every step runs on the rejoining server's host.
    let steps = check_steps(c, server, node, primary, flavor)
        .into_iter()
        .chain(replicate_steps(c, server, node, primary, flavor))
        .map(|step| step.on(&node.host))
        .collect();
    Ok(Plan {
        action: PlanAction::Rejoin,
        host: node.host.clone(),
        target: PlanTarget::Cluster(c.name.clone()),
        steps,
    })
}

/// The server to rejoin, which must be a server of the cluster and
/// answer: its transactions and version are read from its probe.
fn answering_server<'a>(c: &'a DbCluster, server: &str) -> PlanResult<(&'a DbNode, &'a DbProbe)> {
    let node =
        c.nodes.iter().find(|n| n.name == server).ok_or_else(|| {
            PlanError::NotFound(format!("{server} is not a server of {}", c.name))
        })?;
    let Some(probe) = node.alive() else {
        return Err(PlanError::NotReady(format!(
            "{server} is {}: start it first",
            node.unreachable_reason()
        )));
    };
    Ok((node, probe))
}

/// Nothing to do when the server already replicates, healthily, from the
/// primary.
fn refuse_if_already_following(probe: &DbProbe, primary: &DbNode, server: &str) -> PlanResult<()> {
    if probe
        .replica
        .as_ref()
        .is_some_and(|r| primary.is(&r.source_host) && r.is_healthy())
    {
        return Err(PlanError::Refused(format!(
            "{server} already replicates from {}",
            primary.name
        )));
    }
    Ok(())
}

/// The steps that change nothing: the replication account is found and
/// the server's transactions are compared with the primary's, so a server
/// holding writes the primary lacks is refused before it is touched.
fn check_steps(
    c: &DbCluster,
    server: &str,
    node: &DbNode,
    primary: &DbNode,
    flavor: DbFlavor,
) -> [Step; 2] {
    // Itself, its primary, then the primary's other servers that answer.
    let mut donors = vec![
        (node.host.clone(), node.id.clone()),
        (primary.host.clone(), primary.id.clone()),
    ];
    donors.extend(
        c.nodes
            .iter()
            .filter(|n| n.key() != node.key() && n.key() != primary.key() && n.alive().is_some())
            .map(|n| (n.host.clone(), n.id.clone())),
    );
    [
        Step::new(
            format!(
                "find the replication account {server} will connect with (an environment's, else a replica's stored settings; kept in memory only)"
            ),
            StepOp::Db(DbStep::KeepAccount {
                cluster: c.name.clone(),
                flavor,
                donors,
            }),
        ),
        Step::new(
            format!(
                "compare {server}'s transactions with {}'s: refused if it holds writes the primary lacks",
                primary.name
            ),
            StepOp::Db(DbStep::RejoinCheck {
                pair: RejoinPair {
                    server_id: node.id.clone(),
                    primary_host: primary.host.clone(),
                    primary_id: primary.id.clone(),
                },
                flavor,
            }),
        ),
    ]
}

/// The steps that make the server a replica: replicate from the primary,
/// keep the read-only role across a restart, and wait until it follows.
fn replicate_steps(
    c: &DbCluster,
    server: &str,
    node: &DbNode,
    primary: &DbNode,
    flavor: DbFlavor,
) -> [Step; 3] {
    [
        Step::new(
            format!(
                "{server}: replicate from {} (GTID, read-only)",
                primary.name
            ),
            StepOp::Db(DbStep::Exec {
                container_id: node.id.clone(),
                flavor,
                statement: DbStatement::ReplicateFrom {
                    source_host: primary.peer_name().to_string(),
                    source_port: DB_PORT,
                    from_own_binlog: true,
                    account_of: Some(c.name.clone()),
                },
            }),
        ),
        Step::new(
            format!("write {server}'s role (read-only) where a restart reads it"),
            StepOp::Db(DbStep::PersistRole {
                container_id: node.id.clone(),
                flavor,
                writable: false,
            }),
        ),
        Step::new(
            format!("wait until {server} replicates from {}", primary.name),
            StepOp::Db(DbStep::WaitReplicating {
                container_id: node.id.clone(),
                source_host: primary.peer_name().to_string(),
                timeout_secs: REPLICATE_SECS,
            }),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::base::db_sql::MariadbGtidList;

    fn missing(server: &str, primary: &str) -> Vec<String> {
        let parse = |t: &str| MariadbGtidList::parse(t).unwrap();
        missing_mariadb(&parse(server), &parse(primary))
    }

    #[test]
    fn writes_the_primary_lacks_are_listed() {
        assert!(missing("0-1-40", "0-1-40,0-2-55").is_empty());
        assert!(missing("0-1-38", "0-1-40,0-2-55").is_empty());
        assert_eq!(missing("0-1-41", "0-1-40,0-2-55"), ["0-1-41"]);
        assert_eq!(missing("0-1-45,0-2-55", "0-2-55,0-1-40"), ["0-1-41..45"]);
        assert_eq!(missing("1-3-2", "0-1-40"), ["1-3-1..2"]);
        // The primary's binlog state and slave position may both name a
        // server: the higher counts.
        assert!(missing("0-1-45", "0-1-40,0-1-45").is_empty());
        assert!(missing("0-1-45", ",0-1-45").is_empty());
    }
}
