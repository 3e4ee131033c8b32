use super::*;
use crate::model::SafeText;

fn node(id: &str, role: &str, reachable: bool) -> SwarmNode {
    let mut n = crate::model::testing::swarm_node(id, &format!("host-{id}"), role);
    if !reachable {
        n.state = "down".into();
        if n.is_manager() {
            n.reachability = "unreachable".into();
        }
    }
    n
}

fn service(id: &str, name: &str, stack: Option<&str>, image: &str) -> SwarmService {
    SwarmService {
        stack: stack.map(SafeText::from_foreign),
        image: SafeText::from_foreign(image),
        ..crate::model::testing::swarm_service(id, name, 1)
    }
}

fn task(service: &str, slot: u64, node: &str) -> SwarmTask {
    SwarmTask {
        id: format!("{service}.{slot}"),
        service_id: service.into(),
        slot: Some(slot),
        node_id: node.into(),
        state: TaskState::Running,
        desired: TaskState::Running,
        message: SafeText::default(),
        error: None,
        at: None,
        container_id: None,
        exit_code: None,
    }
}

/// zk1..zk3 of stack `coord` on nodes a, a, b; db primary + replica on a, c.
fn swarm() -> (Vec<SwarmNode>, Vec<SwarmService>, Vec<SwarmTask>) {
    let nodes = vec![
        node("a", "manager", true),
        node("b", "worker", true),
        node("c", "worker", true),
    ];
    let services = vec![
        service("z1", "coord_zk1", Some("coord"), "zookeeper:3.8"),
        service("z2", "coord_zk2", Some("coord"), "zookeeper:3.8"),
        service("z3", "coord_zk3", Some("coord"), "zookeeper:3.8"),
        service("d", "orders-db", None, "mariadb:10.11"),
        service("w", "web", None, "busybox"),
    ];
    let tasks = vec![
        task("z1", 1, "a"),
        task("z2", 1, "a"),
        task("z3", 1, "b"),
        task("d", 1, "a"),
        task("d", 2, "c"),
        task("w", 1, "b"),
    ];
    (nodes, services, tasks)
}

#[test]
fn a_drain_that_takes_an_ensemble_below_quorum_or_a_databases_last_replica_is_named() {
    let (nodes, services, tasks) = swarm();
    let view = SwarmView {
        nodes: &nodes,
        services: &services,
        tasks: &tasks,
    };
    let costs = view.drain_cost("host-a").unwrap();
    assert_eq!(costs.len(), 2, "{costs:?}");
    assert!(
        matches!(&costs[0], SwarmCost::EnsembleQuorum { cluster, lost: 2, left: 1, needed: 2, .. } if cluster == "coord")
    );
    assert!(
        matches!(&costs[1], SwarmCost::LastReplica { cluster, left: 1, .. } if cluster == "orders-db")
    );
    assert!(costs[0]
        .to_string()
        .contains("ZooKeeper ensemble coord: 1 left, below its quorum of 2"));
    // One ZooKeeper member and the web service: the ensemble keeps 2 of 3.
    assert_eq!(view.drain_cost("b").unwrap(), Vec::new());
    // The replica's node: the database keeps only its primary.
    assert_eq!(view.drain_cost("c").unwrap().len(), 1);
    assert!(matches!(
        view.drain_cost("nope"),
        Err(SwarmCost::UnknownNode(_))
    ));
}

#[test]
fn role_changes_that_lose_the_raft_quorum_are_refused() {
    let three = vec![
        node("a", "manager", true),
        node("b", "manager", true),
        node("c", "manager", false),
        node("d", "worker", false),
        node("e", "worker", true),
    ];
    let view = SwarmView {
        nodes: &three,
        services: &[],
        tasks: &[],
    };
    // 3 managers, 2 reachable: demoting a reachable one leaves 1 of 2.
    let err = view.role_change_cost("a", false).unwrap_err();
    assert!(
        err.to_string()
            .contains("leave 1 reachable of 2 managers, below the raft quorum of 2"),
        "{err}"
    );
    // Demoting the unreachable one: 2 of 2.
    assert!(view.role_change_cost("c", false).is_ok());
    // Promoting a down worker: 2 reachable of 4, below 3.
    assert!(view.role_change_cost("d", true).is_err());
    // Promoting a ready worker: 3 of 4.
    assert!(view.role_change_cost("e", true).is_ok());
    let one = vec![node("a", "manager", true), node("b", "worker", true)];
    let view = SwarmView {
        nodes: &one,
        services: &[],
        tasks: &[],
    };
    assert!(matches!(
        view.role_change_cost("a", false),
        Err(SwarmCost::LastManager(_))
    ));
}
