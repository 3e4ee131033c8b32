//! Rolling restart plans: order, guards, drains.

use super::*;
use crate::model::ClusterKey;
use crate::ops::plans::rolling_gather::refuse_what_swarm_tasks_cannot_do;

#[test]
fn rolling_restart_takes_the_zookeeper_leader_last() {
    let m = |name: &str, host: &str, leader| Member {
        host: host.into(),
        id: format!("id-{name}"),
        name: name.into(),
        zookeeper: true,
        leader,
        voters: 3,
        ..Member::default()
    };
    let p = rolling_restart_plan(
        "zk",
        &[
            m("zk2", "a", true),
            m("zk1", "a", false),
            m("zk3", "b", false),
        ],
        10,
    )
    .unwrap();
    let restarts: Vec<(&str, Option<&str>)> = p
        .steps
        .iter()
        .filter_map(|s| match &s.op {
            StepOp::Container(ContainerStep::Restart { id }) => {
                Some((id.as_str(), s.host.as_deref()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        restarts,
        [
            ("id-zk1", Some("a")),
            ("id-zk3", Some("b")),
            ("id-zk2", Some("a"))
        ]
    );
    assert_eq!(
        p.steps.len(),
        12,
        "quorum guard, restart, up and serving for each"
    );
    assert!(p.steps[9].what.contains("the leader, last"));
    // Right before each restart, the quorum is asked again.
    for i in [0, 4, 8] {
        let StepOp::Zk(ZkStep::GuardQuorum {
            members,
            restarting,
            voters,
        }) = &p.steps[i].op
        else {
            panic!("step {i} is {:?}", p.steps[i].op);
        };
        assert_eq!((members.len(), *voters), (3, 3));
        assert!(
            matches!(&p.steps[i + 1].op, StepOp::Container(ContainerStep::Restart { id }) if id == restarting)
        );
    }
    assert!(rolling_restart_plan("x", &[], 10).is_err());
}

#[test]
fn balancer_servers_are_drained_before_and_ready_after_replicas_wait_for_lag() {
    let server = MemberServer {
        host: "lbhost".into(),
        balancer: "lb".into(),
        balancer_id: "id-lb".into(),
        socket: "/s".into(),
        backend: "be_db".into(),
        server: "db2".into(),
        backend_up: 2,
    };
    let replica = Member {
        host: "a".into(),
        id: "id-db2".into(),
        name: "db2".into(),
        db_replica: true,
        db_replicas: 2,
        servers: vec![server],
        ..Member::default()
    };
    let other = Member {
        id: "id-db3".into(),
        name: "db3".into(),
        servers: vec![],
        ..replica.clone()
    };
    let primary = Member {
        host: "a".into(),
        id: "id-db1".into(),
        name: "db1".into(),
        leader: true,
        db_replicas: 2,
        ..Member::default()
    };
    let p = rolling_restart_plan("shop", &[primary, replica, other], 10).unwrap();
    // Containers: the plan runs on the first member's host, whoever goes
    // first (the primary, here, goes last).
    assert_eq!(p.host, "a");
    let what: Vec<String> = p
        .steps
        .iter()
        .map(|s| match &s.op {
            StepOp::Balancer(BalancerStep::Command { command, .. }) => command.to_string(),
            StepOp::Scale(ScaleStep::WaitServerIdle { server, .. }) => format!("idle {server}"),
            StepOp::Container(ContainerStep::Restart { id }) => format!("restart {id}"),
            StepOp::Container(ContainerStep::WaitUp { id, .. }) => format!("up {id}"),
            StepOp::Db(DbStep::WaitCaughtUp {
                id, max_lag_secs, ..
            }) => {
                format!("lag {id} <= {max_lag_secs}")
            }
            StepOp::Balancer(BalancerStep::WaitStatus { server, .. }) => format!("UP {server}"),
            StepOp::Balancer(BalancerStep::GuardServersLeft { server, .. }) => {
                format!("another than {server} UP")
            }
            StepOp::Db(DbStep::GuardReplicas {
                replicas,
                restarting,
                needed,
            }) => format!("{needed} of {} but {restarting}", replicas.len()),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        what,
        [
            "another than db2 UP",
            "set server be_db/db2 state drain",
            "idle db2",
            "1 of 2 but id-db2",
            "restart id-db2",
            "up id-db2",
            "lag id-db2 <= 5",
            "set server be_db/db2 state ready",
            "UP db2",
            "1 of 2 but id-db3",
            "restart id-db3",
            "up id-db3",
            "lag id-db3 <= 5",
            "1 of 2 but id-db1",
            "restart id-db1",
            "up id-db1",
            // The primary back: its replicas replicate from it again.
            "lag id-db2 <= 5",
            "lag id-db3 <= 5",
        ]
    );
    // One replica: its own restart cannot wait for another; the
    // primary's still needs it.
    assert_eq!(p.steps[0].host.as_deref(), Some("lbhost"));
    let lone = Member {
        host: "a".into(),
        id: "id-db3".into(),
        name: "db3".into(),
        db_replica: true,
        db_replicas: 1,
        ..Member::default()
    };
    let p = rolling_restart_plan("shop", &[lone], 10).unwrap();
    assert!(p
        .steps
        .iter()
        .all(|s| !matches!(s.op, StepOp::Db(DbStep::GuardReplicas { .. }))));
}

#[test]
fn members_that_are_swarm_tasks_are_replaced_through_the_manager_and_found_again_by_label() {
    let cluster = ClusterKey {
        kind: crate::model::cluster::ClusterKind::Stack,
        name: "zk".into(),
    };
    let m = |n: u32, host: &str, leader| Member {
        host: host.into(),
        id: format!("id-zk{n}"),
        name: format!("zk_zk{n}.1.task{n}"),
        zookeeper: true,
        leader,
        voters: 3,
        task: Some(TaskOf {
            service: format!("zk{n}"),
            manager: "m".into(),
            cluster: cluster.clone(),
        }),
        ..Member::default()
    };
    let p = rolling_restart_plan(
        "zk",
        &[m(1, "m", true), m(2, "w1", false), m(3, "w2", false)],
        10,
    )
    .unwrap();
    let ops: Vec<String> = p
        .steps
        .iter()
        .map(|s| match &s.op {
            StepOp::Zk(ZkStep::GuardClusterQuorum {
                leaving, voters, ..
            }) => {
                format!("guard without {leaving} of {voters}")
            }
            StepOp::Container(ContainerStep::ReplaceServiceTasks { service, .. }) => {
                format!("replace {service}")
            }
            StepOp::Zk(ZkStep::WaitClusterWhole { voters, .. }) => format!("whole {voters}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        ops,
        [
            "guard without zk2 of 3",
            "replace zk2",
            "whole 3",
            "guard without zk3 of 3",
            "replace zk3",
            "whole 3",
            "guard without zk1 of 3",
            "replace zk1",
            "whole 3",
        ]
    );
    // Every step goes through the manager: only it replaces tasks, and
    // the members are found again on every host.
    assert!(p.steps.iter().all(|s| s.host.as_deref() == Some("m")));
    assert!(
        p.steps[7].what.contains("the leader, last"),
        "{}",
        p.steps[7].what
    );
    assert!(p
        .steps
        .iter()
        .all(|s| !matches!(s.op, StepOp::Container(ContainerStep::Restart { .. }))));
}

fn web_task(n: u32) -> Member {
    Member {
        host: format!("n{n}"),
        id: format!("id-web{n}"),
        name: format!("web.{n}"),
        task: Some(TaskOf {
            service: "web".into(),
            manager: "m".into(),
            cluster: ClusterKey {
                kind: crate::model::cluster::ClusterKind::Service,
                name: "web".into(),
            },
        }),
        ..Member::default()
    }
}

#[test]
fn a_zookeeper_or_database_task_among_several_of_its_service_is_refused_with_why() {
    assert!(refuse_what_swarm_tasks_cannot_do(&[web_task(1), web_task(2)]).is_ok());
    let replica = |n: u32| Member {
        db_replica: true,
        ..web_task(n)
    };
    let refused = refuse_what_swarm_tasks_cannot_do(&[replica(1), replica(2)]).unwrap_err();
    assert!(
        refused.to_string().contains("service web runs 2 tasks"),
        "{refused}"
    );
    let zk = Member {
        zookeeper: true,
        ..web_task(2)
    };
    assert!(refuse_what_swarm_tasks_cannot_do(&[web_task(1), zk]).is_err());
    // One service per database server is restarted task by task.
    assert!(refuse_what_swarm_tasks_cannot_do(&[replica(1)]).is_ok());
}

#[test]
fn tasks_of_one_service_behind_haproxy_are_replaced_one_at_a_time_each_backend_up_again() {
    let server = |n: u32| MemberServer {
        host: "n1".into(),
        balancer: "lb.1".into(),
        balancer_id: "id-lb".into(),
        socket: "/s".into(),
        backend: "be_web".into(),
        server: format!("web{n}"),
        backend_up: 3,
    };
    let members: Vec<Member> = (1..=3)
        .map(|n| Member {
            servers: vec![server(n)],
            ..web_task(n)
        })
        .collect();
    let p = rolling_restart_plan("web", &members, 10).unwrap();
    assert_eq!(p.host, "m", "through the manager");
    let ops: Vec<String> = p
        .steps
        .iter()
        .map(|s| match &s.op {
            StepOp::Balancer(BalancerStep::GuardServersLeft { server, .. }) => {
                format!("guard {server}")
            }
            StepOp::Balancer(BalancerStep::Command { command, .. }) => format!("{command}"),
            StepOp::Scale(_) => "idle".into(),
            StepOp::Container(ContainerStep::ReplaceTask {
                service,
                task_host,
                container,
                ..
            }) => format!("replace {service} {container}@{task_host} via {:?}", s.host),
            StepOp::Balancer(BalancerStep::WaitServersUp { backend, up, .. }) => {
                format!("{up} up in {backend}")
            }
            other => format!("{other:?}"),
        })
        .collect();
    let member = |n: u32| {
        vec![
            format!("guard web{n}"),
            format!("set server be_web/web{n} state drain"),
            "idle".to_string(),
            format!("replace web id-web{n}@n{n} via Some(\"m\")"),
            format!("set server be_web/web{n} state ready"),
            "3 up in be_web".to_string(),
        ]
    };
    let want: Vec<String> = (1..=3).flat_map(member).collect();
    assert_eq!(ops, want);
    // Never swarm's forced update of the whole service, nor a restart in place.
    assert!(!p.steps.iter().any(|s| matches!(
        s.op,
        StepOp::Container(
            ContainerStep::ReplaceServiceTasks { .. } | ContainerStep::Restart { .. }
        )
    )));
    assert_eq!(p.pause_points(), [6, 12]);
    // A new image reaches several tasks only through swarm's own update.
    let no_servers: Vec<Member> = (1..=2).map(web_task).collect();
    let refused = rolling_update_plan("web", &no_servers, "img:2").unwrap_err();
    assert!(refused.to_string().contains("runs 2 tasks"), "{refused}");
}

#[test]
fn a_database_of_swarm_tasks_is_restarted_replicas_first_each_guarded_and_caught_up() {
    let task = |service: &str| TaskOf {
        service: service.into(),
        manager: "m".into(),
        cluster: ClusterKey {
            kind: crate::model::cluster::ClusterKind::Stack,
            name: "db".into(),
        },
    };
    let m = |n: u32, primary: bool| Member {
        host: format!("h{n}"),
        id: format!("c{n}"),
        name: format!("db{n}.1.t"),
        db_replica: !primary,
        leader: primary,
        db_replicas: 2,
        task: Some(task(&format!("db{n}"))),
        ..Member::default()
    };
    let p = rolling_restart_plan("db", &[m(1, true), m(2, false), m(3, false)], 10).unwrap();
    // Swarm tasks: the plan runs on their manager, not a member's host.
    assert_eq!(p.host, "m");
    let said: Vec<String> = p
        .steps
        .iter()
        .map(|s| (s, s.host.as_deref().unwrap_or("?")))
        .map(|(s, host)| match &s.op {
            StepOp::Db(DbStep::GuardReplicas { restarting, .. }) => {
                format!("guard {restarting}@{host}")
            }
            StepOp::Container(ContainerStep::ReplaceServiceTasks { service, .. }) => {
                format!("replace {service}@{host}")
            }
            StepOp::Container(ContainerStep::WaitUp { id, .. }) => format!("up {id}@{host}"),
            StepOp::Db(DbStep::WaitCaughtUp { id, .. }) => format!("caught up {id}@{host}"),
            other => format!("{other:?}"),
        })
        .collect();
    // Each replica's restart keeps the other replicating; the new task's
    // container is asked after by the old one's id (the executor maps it);
    // the primary goes last, and both replicas must replicate from it again.
    assert_eq!(
        said,
        [
            "guard c2@h2",
            "replace db2@m",
            "up c2@h2",
            "caught up c2@h2",
            "guard c3@h3",
            "replace db3@m",
            "up c3@h3",
            "caught up c3@h3",
            "guard c1@h1",
            "replace db1@m",
            "up c1@h1",
            "caught up c2@h2",
            "caught up c3@h3",
        ]
    );
    // A paused job waits before each member after the first, there only.
    assert_eq!(p.pause_points(), [4, 8]);
}

#[test]
fn a_rolling_update_puts_each_member_service_on_the_image_and_undoes_by_swarms_rollback() {
    use crate::ops::steps::container_step::NewTasks;
    let task = |n: u32| TaskOf {
        service: format!("zk{n}"),
        manager: "m".into(),
        cluster: ClusterKey {
            kind: crate::model::cluster::ClusterKind::Stack,
            name: "zk".into(),
        },
    };
    let m = |n: u32, leader| Member {
        host: "m".into(),
        name: format!("zk{n}.1.t"),
        zookeeper: true,
        leader,
        voters: 3,
        task: Some(task(n)),
        ..Member::default()
    };
    let p = rolling_update_plan("zk", &[m(1, true), m(2, false)], "zk:next").unwrap();
    assert_eq!(p.action, PlanAction::RollingUpdate);
    let replaced: Vec<(&str, &NewTasks)> = p
        .steps
        .iter()
        .filter_map(|s| match &s.op {
            StepOp::Container(ContainerStep::ReplaceServiceTasks { service, with, .. }) => {
                Some((service.as_str(), with))
            }
            _ => None,
        })
        .collect();
    let next = NewTasks::Image {
        image: "zk:next".into(),
    };
    assert_eq!(
        replaced,
        [("zk2", &next), ("zk1", &next)],
        "the leader last"
    );
    // Its undo is swarm's rollback to the spec the service had, given.
    let StepOp::Container(step) = &p.steps[1].op else {
        panic!("{:?}", p.steps[1].op)
    };
    assert!(p.steps[1].undo_fits());
    assert_eq!(
        p.steps[1].undo.as_ref().map(|u| &u.op),
        Some(&StepOp::Container(ContainerStep::ReplaceServiceTasks {
            service: "zk2".into(),
            with: NewTasks::PreviousSpec,
            timeout_secs: 180,
        }))
    );
    assert_eq!(
        step.undo(),
        crate::ops::base::undo::Undo::By(ContainerStep::ReplaceServiceTasks {
            service: "zk2".into(),
            with: NewTasks::PreviousSpec,
            timeout_secs: 180,
        })
    );
    // A plain container's image is not changed: it would be re-created.
    let plain = Member {
        name: "zk9".into(),
        ..Member::default()
    };
    let refused = rolling_update_plan("zk", &[m(1, true), plain], "zk:next").unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("zk9 is a container, not a swarm task"),
        "{refused}"
    );
}

#[test]
fn one_task_of_an_app_service_with_several_is_replaced_alone_a_zookeepers_refused() {
    use crate::model::probed::ProbeBook;
    use crate::model::testing::{container, swarm_manager, swarm_node, swarm_service};
    use crate::model::Inventory;
    let mut manager = swarm_manager("m", "s1");
    manager.swarm_nodes = vec![swarm_node("node-a", "a", "worker")];
    manager.swarm_services = vec![swarm_service("svc", "web", 3)];
    let inv = Inventory::new(vec![manager]);
    let mut c = container("a", "web.2.x1");
    for (k, v) in [
        ("com.docker.swarm.service.name", "web"),
        ("com.docker.swarm.node.id", "node-a"),
        ("com.docker.stack.namespace", "web"),
    ] {
        c.labels.insert(k.into(), v.into());
    }
    let p = container_restart_plan(&inv, &ProbeBook::default(), &c).unwrap();
    assert_eq!(p.host, "m");
    assert!(
        matches!(&p.steps[..], [s] if matches!(&s.op,
            StepOp::Container(ContainerStep::ReplaceTask { service, task_host, container, .. })
                if service == "web" && task_host == "a" && *container == c.id)),
        "{:?}",
        p.steps
    );
    // A ZooKeeper member's checks name one service per member.
    c.image = "zookeeper:3.8".into();
    let refused = container_restart_plan(&inv, &ProbeBook::default(), &c).unwrap_err();
    assert!(refused.to_string().contains("one of 3 tasks"), "{refused}");
}
