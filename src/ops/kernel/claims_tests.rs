//! Claims: what plans touch, and which jobs may not run at once.
use super::*;
use crate::ops::base::haproxy_command::{RuntimeCommand, ServerRef, ServerState};
use crate::ops::kernel::plan::{
    restart_plan, BalancerStep, DbStep, PlanAction, PlanTarget, RecoverFence, Step,
};
use crate::ops::plans::rolling::{rolling_restart_plan, Member};
use crate::ops::steps::backup_step::BackupStep;
use crate::ops::steps::scale_step::ScaleStep;

fn member(name: &str) -> Member {
    Member {
        host: "local".into(),
        id: format!("{name}-0123456789abcdef"),
        name: name.into(),
        zookeeper: true,
        voters: 3,
        ..Member::default()
    }
}

#[test]
fn a_restart_of_a_member_overlaps_the_rolling_restart_around_it() {
    let rolling =
        rolling_restart_plan("zk", &[member("zk1"), member("zk2"), member("zk3")], 10).unwrap();
    let claims = Claims::default();
    claims.claim(1, &rolling).unwrap();
    let one = restart_plan("local", "zk2-0123456789abcdef", "zk2", 10);
    let e = claims.claim(2, &one).unwrap_err();
    assert_eq!(
        e.to_string(),
        "job 1 (rolling restart cluster/zk) is already working on container local/zk2-01234567"
    );
    // Another container is free; the member is free again once job 1 ends.
    claims
        .claim(3, &restart_plan("local", "other-id", "other", 10))
        .unwrap();
    claims.release(1);
    claims.claim(2, &one).unwrap();
}

#[test]
fn a_backup_overlaps_a_restore_of_the_same_volume_and_servers_by_name() {
    let copy = |v: &str| Plan {
        action: PlanAction::Backup,
        host: "local".into(),
        target: PlanTarget::Volume {
            host: "local".into(),
            volume: v.into(),
        },
        steps: vec![Step::new(
            "copy",
            StepOp::Backup(BackupStep::Copy {
                volume: v.into(),
                dir: "/b".into(),
                file: "f".into(),
                image: None,
                users: vec![],
                pause: vec![("db-id".into(), "db".into())],
            }),
        )],
    };
    let restore = Plan {
        action: PlanAction::Restore,
        host: "local".into(),
        target: PlanTarget::Cluster("archive".into()),
        steps: vec![Step::new(
            "restore",
            StepOp::Backup(BackupStep::Restore {
                archive: "a".into(),
                volume: "data".into(),
                sha256: "x".into(),
                image: None,
            }),
        )],
    };
    let claims = Claims::default();
    claims.claim(1, &restore).unwrap();
    let e = claims.claim(2, &copy("data")).unwrap_err();
    assert!(
        e.to_string().ends_with("working on volume local/data"),
        "{e}"
    );
    claims.claim(3, &copy("other")).unwrap();

    let drain = |command: RuntimeCommand| Plan {
        action: PlanAction::Server(ServerState::Drain),
        host: "lb".into(),
        target: PlanTarget::Cluster(command.to_string()),
        steps: vec![Step::new(
            command.to_string(),
            StepOp::Balancer(BalancerStep::Command {
                container_id: "lb-id".into(),
                socket: "/s".into(),
                command,
            }),
        )],
    };
    claims
        .claim(
            4,
            &drain(RuntimeCommand::set_state("app", "web1", ServerState::Drain)),
        )
        .unwrap();
    let e = claims
        .claim(
            5,
            &drain(RuntimeCommand::SetWeight {
                on: ServerRef::new("app", "web1"),
                weight: 10,
            }),
        )
        .unwrap_err();
    assert!(e.to_string().ends_with("server lb/lb-id/app/web1"), "{e}");
}

/// A plan of one step on balancer host `lb`.
fn on_lb(action: PlanAction, target: PlanTarget, op: StepOp) -> Plan {
    Plan {
        steps: vec![Step::new(action.to_string(), op)],
        action,
        host: "lb".into(),
        target,
    }
}

/// `host/name`.
fn at(host: &str, name: &str) -> PlanTarget {
    PlanTarget::Container {
        host: host.into(),
        name: name.into(),
    }
}

fn persist(lb: &str, backend: &str) -> StepOp {
    StepOp::Balancer(BalancerStep::PersistServers {
        container_id: lb.into(),
        backend: backend.into(),
        servers: vec![("db1".into(), false)],
    })
}

fn add(lb: &str, backend: &str) -> StepOp {
    StepOp::Scale(ScaleStep::HaproxyAddServer {
        container_id: lb.into(),
        socket: "/s".into(),
        backend: backend.into(),
        server: "web3".into(),
        replica: "web3".into(),
        replica_host: "lb".into(),
        port: 8080,
    })
}

fn remove(lb: &str, backend: &str) -> StepOp {
    StepOp::Scale(ScaleStep::HaproxyRemoveServer {
        container_id: lb.into(),
        socket: "/s".into(),
        backend: backend.into(),
        server: "web2".into(),
    })
}

fn recover(lb_host: &str, lb: &str, backend: &str) -> StepOp {
    StepOp::Db(DbStep::RecoverFence(RecoverFence {
        container_id: "db1-id".into(),
        flavor: crate::ops::base::db_sql::DbFlavor::Mariadb,
        candidate: ("db".into(), "db2-id".into()),
        members: vec![],
        writers_back: vec![],
        writers_forward: vec![],
        cfg_forward: vec![(
            lb_host.into(),
            lb.into(),
            backend.into(),
            vec![("db2".into(), true)],
        )],
    }))
}

#[test]
fn every_step_that_rewrites_haproxy_cfg_holds_the_file_whole() {
    let config = Claim::BalancerConfig {
        host: "lb".into(),
        balancer: "lb-012345678".into(),
    };
    let lb = "lb-0123456789abcdef";
    for op in [persist(lb, "be_a"), add(lb, "be_a"), remove(lb, "be_a")] {
        assert!(step_claims("lb", &op).contains(&config), "{op:?}");
    }
    // The recovery runs on the database's host; the file is the
    // balancer's, on its own host.
    let op = recover("lb", lb, "be_a");
    assert!(step_claims("db", &op).contains(&config), "{op:?}");
    // Runtime commands and waits leave the file alone.
    for op in [
        StepOp::Balancer(BalancerStep::Command {
            container_id: lb.into(),
            socket: "/s".into(),
            command: RuntimeCommand::set_state("be_a", "web1", ServerState::Drain),
        }),
        StepOp::Scale(ScaleStep::WaitServerIdle {
            container_id: lb.into(),
            backend: "be_a".into(),
            server: "web1".into(),
            timeout_secs: 1,
        }),
    ] {
        assert!(!step_claims("lb", &op).contains(&config), "{op:?}");
    }
}

#[test]
fn two_rewrites_of_one_haproxy_cfg_never_run_at_once_even_on_other_backends() {
    let claims = Claims::default();
    claims
        .claim(
            1,
            &on_lb(
                PlanAction::Switchover,
                PlanTarget::Cluster("db".into()),
                persist("lb-id", "be_writer"),
            ),
        )
        .unwrap();
    let e = claims
        .claim(
            2,
            &on_lb(
                PlanAction::Scale { to: 2 },
                at("local", "web"),
                add("lb-id", "be_app"),
            ),
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "job 1 (switchover cluster/db) is already working on haproxy.cfg of balancer lb/lb-id"
    );
    assert!(claims
        .claim(
            3,
            &on_lb(
                PlanAction::Scale { to: 2 },
                at("local", "api"),
                remove("lb-id", "be_other")
            )
        )
        .is_err());
    // Another balancer's file is free, and this one once job 1 ends.
    claims
        .claim(
            4,
            &on_lb(
                PlanAction::Scale { to: 2 },
                at("local", "web2"),
                add("lb2-id", "be_app"),
            ),
        )
        .unwrap();
    claims.release(1);
    claims
        .claim(
            2,
            &on_lb(
                PlanAction::Scale { to: 2 },
                at("local", "web"),
                add("lb-id", "be_app"),
            ),
        )
        .unwrap();
}

#[test]
fn an_undo_step_claims_what_it_acts_on() {
    let drain = StepOp::Balancer(BalancerStep::Command {
        container_id: "lb-id".into(),
        socket: "/s".into(),
        command: RuntimeCommand::set_state("app", "web1", ServerState::Drain),
    });
    let plan = Plan {
        steps: vec![Step::new("drain", drain)
            .undone_by(Step::new("rewrite", persist("lb-id", "be")))
            .on("other")],
        ..on_lb(
            PlanAction::Server(ServerState::Drain),
            at("lb", "app/web1"),
            persist("x", "y"),
        )
    };
    let touched = touches(&plan);
    assert!(
        touched.contains(&Claim::BalancerConfig {
            host: "lb".into(),
            balancer: "lb-id".into()
        }),
        "{touched:?}"
    );
    assert!(
        touched.contains(&Claim::Server {
            host: "other".into(),
            balancer: "lb-id".into(),
            backend: "app".into(),
            server: "web1".into(),
        }),
        "{touched:?}"
    );
}

#[test]
fn a_refusal_names_the_thing_held_before_the_target() {
    let state = |state| {
        StepOp::Balancer(BalancerStep::Command {
            container_id: "lb-id".into(),
            socket: "/s".into(),
            command: RuntimeCommand::set_state("app", "web1", state),
        })
    };
    let claims = Claims::default();
    claims
        .claim(
            1,
            &on_lb(
                PlanAction::Server(ServerState::Maint),
                at("lb", "app/web1"),
                state(ServerState::Maint),
            ),
        )
        .unwrap();
    let e = claims
        .claim(
            2,
            &on_lb(
                PlanAction::Server(ServerState::Ready),
                at("lb", "app/web1"),
                state(ServerState::Ready),
            ),
        )
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "job 1 (maint lb/app/web1) is already working on server lb/lb-id/app/web1"
    );
}
