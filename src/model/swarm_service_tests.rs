use super::*;
use crate::model::swarm::SwarmNode;

fn task(id: &str, slot: u64, state: TaskState, desired: TaskState, at: i64) -> SwarmTask {
    SwarmTask {
        id: id.into(),
        service_id: "svc".into(),
        slot: Some(slot),
        node_id: "n1".into(),
        state,
        desired,
        message: SafeText::from_foreign("started"),
        error: None,
        at: Some(at),
        container_id: None,
        exit_code: None,
    }
}

#[test]
fn a_slots_tasks_come_newest_first_and_the_wanted_one_is_current() {
    use TaskState::*;
    let mut failed = task("t1", 1, Failed, Shutdown, 100);
    failed.error = Some(SafeText::from_foreign("task: non-zero exit (1)"));
    let tasks = vec![
        failed,
        task("t2", 1, Running, Running, 200),
        task("t3", 2, Pending, Running, 150),
        task("other", 1, Running, Running, 300),
    ];
    let mut tasks = tasks;
    tasks[3].service_id = "another".into();
    let slots = slots_of(&tasks, "svc");
    assert_eq!(slots.len(), 2);
    assert_eq!(slots[0].place, TaskPlace::Slot(1));
    let ids: Vec<&str> = slots[0].tasks.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["t2", "t1"]);
    assert_eq!(slots[0].current().id, "t2");
    assert_eq!(last_failure(&slots[0]).map(|t| t.id.as_str()), Some("t1"));
    assert_eq!(slots[1].current().state, Pending);
    assert!(slots[1].current().state.is_on_the_way());
}

#[test]
fn a_slot_scaled_away_is_left_out_and_global_tasks_go_by_node() {
    use TaskState::*;
    let mut gone = task("t9", 3, Shutdown, Shutdown, 100);
    gone.slot = Some(3);
    let mut global = task("g1", 0, Running, Running, 100);
    global.slot = None;
    global.node_id = "node-b".into();
    let tasks = vec![gone, global];
    let slots = slots_of(&tasks, "svc");
    assert_eq!(slots.len(), 1);
    assert_eq!(slots[0].place, TaskPlace::Node("node-b".into()));
}

fn service(running: u64, desired: u64, update: Option<UpdateState>) -> SwarmService {
    SwarmService {
        running,
        update: update.map(|state| ServiceUpdate {
            state,
            started_at: None,
            completed_at: None,
            message: SafeText::default(),
        }),
        ..crate::model::testing::swarm_service("svc", "web", desired)
    }
}

#[test]
fn a_service_is_settled_only_when_full_and_not_updating() {
    assert!(service(3, 3, None).is_settled());
    assert!(service(3, 3, Some(UpdateState::Completed)).is_settled());
    assert!(!service(2, 3, None).is_settled());
    assert!(!service(3, 3, Some(UpdateState::Updating)).is_settled());
    assert!(!service(3, 3, Some(UpdateState::RollbackStarted)).is_settled());
    // Paused waits for a person, but nothing moves: settled for polling.
    assert!(service(3, 3, Some(UpdateState::Paused)).is_settled());
    assert_eq!(service(2, 3, None).replicas_text(), "2/3");
}

fn manager(reachability: &str) -> SwarmNode {
    SwarmNode {
        reachability: reachability.into(),
        ..crate::model::testing::swarm_node("m", "m", "manager")
    }
}

#[test]
fn quorum_counts_every_manager_and_says_how_many_may_go() {
    let three = [
        manager("reachable"),
        manager("reachable"),
        manager("reachable"),
    ];
    let q = ManagerQuorum::of(&three);
    assert_eq!((q.managers, q.needed(), q.spare()), (3, 2, 1));
    assert!(q.has_quorum());
    let one_lost = [
        manager("reachable"),
        manager("reachable"),
        manager("unreachable"),
    ];
    let q = ManagerQuorum::of(&one_lost);
    assert_eq!((q.reachable, q.spare()), (2, 0));
    assert!(q.has_quorum());
    let two_lost = [
        manager("reachable"),
        manager("unreachable"),
        manager("unreachable"),
    ];
    assert!(!ManagerQuorum::of(&two_lost).has_quorum());
    let mut worker = manager("");
    worker.role = "worker".into();
    let q = ManagerQuorum::of(&[manager("reachable"), worker]);
    assert_eq!((q.managers, q.spare()), (1, 0));
}

#[test]
fn ports_read_as_the_cli_writes_them() {
    let p = PublishedPort {
        published: 8080,
        target: 80,
        protocol: "tcp".into(),
        ingress: true,
    };
    assert_eq!(p.text(), "*:8080→80/tcp");
}
