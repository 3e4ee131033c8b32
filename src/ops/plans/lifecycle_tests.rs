//! Lifecycle plans: targets left out with a reason, quorum, primary,
//! replica and last-server refusals, and the guards asked before each
//! container goes.

use super::*;
use crate::model::answers::mysql::{DbProbe, ReplicaStatus, ThreadState};
use crate::model::answers::zookeeper::{ZkMode, ZkMonitor, ZkProbe, ZkReply, ZkServerStats};
use crate::model::probed::ProbeResult;
use crate::model::testing::container;
use crate::model::LABEL_TUGBOAT_CLUSTER;
use crate::ops::kernel::plan::{DbStep, ZkStep};

fn member(inv: &mut Inventory, cluster: &str, name: &str, image: &str) -> ContainerKey {
    let mut c = container("h1", name);
    c.image = image.into();
    c.labels
        .insert(LABEL_TUGBOAT_CLUSTER.into(), cluster.into());
    let key = (c.host.clone(), c.id.clone());
    inv.containers.insert(key.clone(), c);
    key
}

fn zk_answer(mode: ZkMode) -> ProbeResult {
    let stats = ZkServerStats {
        version: "3.9.2".into(),
        latency_min: 0.0,
        latency_avg: 0.0,
        latency_max: 0.0,
        received: 0,
        sent: 0,
        connections: 0,
        outstanding: 0,
        zxid: 1,
        mode,
        node_count: 5,
    };
    ProbeResult::Zookeeper(Ok(ZkProbe {
        server_id: Some(1),
        configured: 3,
        peers: Vec::new(),
        srvr: ZkReply::Ok(stats),
        mntr: ZkReply::Ok(ZkMonitor::default()),
    }))
}

/// An ensemble of three: zk1 leads, zk2 and zk3 follow.
fn ensemble() -> (Inventory, ProbeBook, [ContainerKey; 3]) {
    let mut inv = Inventory::default();
    let mut book = ProbeBook::default();
    let keys = ["zk1", "zk2", "zk3"].map(|n| member(&mut inv, "zk", n, "zookeeper:3.9"));
    for (k, mode) in keys
        .iter()
        .zip([ZkMode::Leader, ZkMode::Follower, ZkMode::Follower])
    {
        book.record(k.clone(), 1, zk_answer(mode));
    }
    (inv, book, keys)
}

fn db_answer(replica: Option<bool>) -> ProbeResult {
    ProbeResult::Mysql(Ok(DbProbe {
        server_id: Some(1),
        read_only: replica.is_some(),
        version: "10.11.6-MariaDB".into(),
        gtid: "0-1-5".into(),
        replica: replica.map(|healthy| ReplicaStatus {
            source_host: "db1".into(),
            source_port: Some(3306),
            io_running: ThreadState::Yes,
            sql_running: if healthy {
                ThreadState::Yes
            } else {
                ThreadState::No
            },
            seconds_behind: healthy.then_some(0),
            gtid_position: "0-1-5".into(),
            last_io_error: Default::default(),
            last_sql_error: Default::default(),
        }),
        replicas: if replica.is_none() {
            vec!["db2".into(), "db3".into()]
        } else {
            vec![]
        },
    }))
}

/// db1 the primary, db2 and db3 replicas, db3 healthy only when asked.
fn database(db3_healthy: bool) -> (Inventory, ProbeBook, [ContainerKey; 3]) {
    let mut inv = Inventory::default();
    let mut book = ProbeBook::default();
    let keys = ["db1", "db2", "db3"].map(|n| member(&mut inv, "shop", n, "mariadb:11"));
    book.record(keys[0].clone(), 1, db_answer(None));
    book.record(keys[1].clone(), 1, db_answer(Some(true)));
    book.record(keys[2].clone(), 1, db_answer(Some(db3_healthy)));
    (inv, book, keys)
}

fn refusal(r: PlanResult<LifecyclePlan>) -> String {
    match r {
        Err(PlanError::Refused(why)) => why,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn stopping_two_followers_of_three_is_refused_one_is_guarded() {
    let (inv, book, [_, zk2, zk3]) = ensemble();
    let why = refusal(lifecycle_plan(
        &inv,
        &book,
        Lifecycle::Stop,
        &[zk2.clone(), zk3.clone()],
    ));
    assert!(
        why.starts_with("refused: ensemble zk would lose its quorum"),
        "{why}"
    );
    assert!(why.contains("leaves 1 of its 3 members serving"), "{why}");
    assert!(why.contains("zk2, zk3"), "{why}");
    // Pause and kill take a member out as surely as a stop.
    for action in [Lifecycle::Kill, Lifecycle::Pause, Lifecycle::Remove] {
        refusal(lifecycle_plan(
            &inv,
            &book,
            action,
            &[zk2.clone(), zk3.clone()],
        ));
    }

    let one = lifecycle_plan(&inv, &book, Lifecycle::Stop, std::slice::from_ref(&zk3)).unwrap();
    let ops: Vec<&StepOp> = one.plan.steps.iter().map(|s| &s.op).collect();
    assert!(matches!(
        ops[0],
        StepOp::Zk(ZkStep::GuardQuorum { restarting, voters: 3, members }) if *restarting == zk3.1 && members.len() == 3
    ));
    assert_eq!(
        *ops[1],
        StepOp::Container(ContainerStep::Stop { id: zk3.1.clone() })
    );
    assert_eq!(one.targets, ["zk3 on h1"]);
}

#[test]
fn the_leader_goes_last_and_starting_needs_no_guard() {
    let (mut inv, mut book, [zk1, zk2, _]) = ensemble();
    // Five members: two may go, the leader among them, last.
    for n in ["zk4", "zk5"] {
        let k = member(&mut inv, "zk", n, "zookeeper:3.9");
        book.record(k, 1, zk_answer(ZkMode::Follower));
    }
    let p = lifecycle_plan(&inv, &book, Lifecycle::Stop, &[zk1.clone(), zk2.clone()]).unwrap();
    assert_eq!(p.targets, ["zk2 on h1", "zk1 on h1"]);
    let stops: Vec<&str> = p
        .plan
        .steps
        .iter()
        .filter_map(|s| match &s.op {
            StepOp::Container(ContainerStep::Stop { id }) => Some(id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(stops, [zk2.1.as_str(), zk1.1.as_str()]);

    let mut stopped = inv.clone();
    stopped.containers.get_mut(&zk2).unwrap().state = ContainerState::Exited;
    let start = lifecycle_plan(
        &stopped,
        &book,
        Lifecycle::Start,
        &[zk1.clone(), zk2.clone()],
    )
    .unwrap();
    assert_eq!(start.left_out, ["zk1 on h1: already runs"]);
    assert!(start
        .plan
        .steps
        .iter()
        .all(|s| matches!(s.op, StepOp::Container(_))));
    assert_eq!(start.plan.steps.len(), 2, "start, then wait until up");
}

#[test]
fn a_database_keeps_its_primary_and_a_healthy_replica() {
    let (inv, book, [db1, db2, db3]) = database(true);
    let why = refusal(lifecycle_plan(
        &inv,
        &book,
        Lifecycle::Stop,
        std::slice::from_ref(&db1),
    ));
    assert!(why.contains("db1 is the primary"), "{why}");
    let why = refusal(lifecycle_plan(
        &inv,
        &book,
        Lifecycle::Kill,
        &[db2.clone(), db3.clone()],
    ));
    assert!(why.contains("without a healthy replica"), "{why}");
    let one = lifecycle_plan(&inv, &book, Lifecycle::Stop, std::slice::from_ref(&db2)).unwrap();
    assert!(matches!(
        &one.plan.steps[0].op,
        StepOp::Db(DbStep::GuardReplicas { restarting, needed: 1, replicas }) if *restarting == db2.1 && replicas.len() == 2
    ));

    // db3 does not replicate: db2 is the last healthy replica.
    let (inv, book, [_, db2, db3]) = database(false);
    refusal(lifecycle_plan(&inv, &book, Lifecycle::Stop, &[db2]));
    // Taking the broken one down loses nothing: no guard asks for it.
    let broken = lifecycle_plan(&inv, &book, Lifecycle::Stop, std::slice::from_ref(&db3)).unwrap();
    assert_eq!(
        broken.plan.steps.iter().map(|s| &s.op).collect::<Vec<_>>(),
        [&StepOp::Container(ContainerStep::Stop { id: db3.1 })]
    );
}

#[test]
fn a_database_whose_role_is_unknown_is_not_ready() {
    let (inv, mut book, [_, db2, _]) = database(true);
    book.mysql.remove(&db2);
    assert!(matches!(
        lifecycle_plan(&inv, &book, Lifecycle::Stop, &[db2]),
        Err(PlanError::NotReady(_))
    ));
}

#[test]
fn targets_that_do_not_apply_are_left_out_with_why_and_none_left_is_refused() {
    let mut inv = Inventory::default();
    let app1 = member(&mut inv, "app", "app1", "busybox");
    let app2 = member(&mut inv, "app", "app2", "busybox");
    inv.containers.get_mut(&app2).unwrap().state = ContainerState::Exited;
    let gone = ("h2".to_string(), "f".repeat(64));
    let book = ProbeBook::default();
    let p = lifecycle_plan(
        &inv,
        &book,
        Lifecycle::Pause,
        &[app1.clone(), app2.clone(), gone.clone()],
    )
    .unwrap();
    assert_eq!(p.targets, ["app1 on h1"]);
    assert_eq!(
        p.left_out,
        ["app2 on h1: does not run", "ffffffffffff on h2: gone"]
    );
    let err = lifecycle_plan(&inv, &book, Lifecycle::Unpause, &[app1, app2]).unwrap_err();
    assert!(matches!(err, PlanError::NotFound(_)));
    assert!(
        err.to_string()
            .starts_with("nothing to unpause: app1 on h1: is not paused"),
        "{err}"
    );
}

#[test]
fn a_removal_says_what_goes_with_it_and_cannot_be_stopped_half_way() {
    use crate::model::container::{Mount, MountKind};
    let mut inv = Inventory::default();
    let app = member(&mut inv, "app", "app1", "busybox");
    let mount = |name: &str| Mount {
        kind: MountKind::Volume,
        name: Some(name.into()),
        source: "/v".into(),
        destination: "/d".into(),
        read_write: true,
    };
    inv.containers.get_mut(&app).unwrap().mounts = vec![mount(&"ab".repeat(32)), mount("app-data")];
    let p = lifecycle_plan(&inv, &ProbeBook::default(), Lifecycle::Remove, &[app]).unwrap();
    let step = &p.plan.steps[0];
    assert_eq!(
        step.what,
        "remove app1 on h1 (killed first: it runs), with its 1 anonymous volume(s); named volumes \
         stay: app-data"
    );
    // No undo, yet no point of no return: stopped, a bulk removal ends
    // after the one in flight instead of removing the rest.
    assert!(step.undo.is_none() && !step.no_return);
    assert!(p.plan.undo_mismatches().is_empty());
}

#[test]
fn every_action_applies_to_some_state_and_not_to_others() {
    for action in Lifecycle::ALL {
        let applies: Vec<ContainerState> = [
            ContainerState::Running,
            ContainerState::Paused,
            ContainerState::Exited,
        ]
        .into_iter()
        .filter(|s| action.left_out(*s).is_none())
        .collect();
        assert!(!applies.is_empty(), "{action:?}");
        assert!(action.left_out(ContainerState::Removing).is_some());
    }
}
