//! DbStep's claims, leftovers and undo, without a server.

use super::*;
use crate::ops::base::db_topology::DbMember;
use crate::ops::base::haproxy_command::{RuntimeCommand, ServerRef, ServerState};

fn fence(action: FenceAction) -> DbStep {
    DbStep::Fence {
        container_id: "db1".into(),
        flavor: DbFlavor::Mariadb,
        action,
    }
}

fn raise() -> DbStep {
    fence(FenceAction::Raise {
        hold_secs: 160,
        wait_secs: 10,
    })
}

fn facts() -> SwitchoverFacts {
    let writer = |state| RuntimeCommand::SetState {
        on: ServerRef::new("be_writer", "db1"),
        state,
    };
    SwitchoverFacts {
        candidate: ("h2".into(), "db3".into()),
        writers_back: vec![(
            "h1".into(),
            "lb".into(),
            "/s".into(),
            writer(ServerState::Ready),
        )],
        writers_forward: vec![],
        cfg_forward: vec![],
        members: vec![("h1".into(), "db1".into()), ("h2".into(), "db3".into())],
    }
}

#[test]
fn a_raised_fence_leaves_a_fenced_primary_with_what_makes_it_safe_either_way() {
    let left = raise().leftovers("h1", || Some(facts()));
    let [Leftover::FencedPrimary {
        host,
        id,
        candidate,
        writers_back,
        members,
        ..
    }] = left.as_slice()
    else {
        panic!("one fenced primary, got {left:?}");
    };
    assert_eq!((host.as_str(), id.as_str()), ("h1", "db1"));
    assert_eq!(candidate, &("h2".to_string(), "db3".to_string()));
    assert_eq!(writers_back.len(), 1);
    assert_eq!(members.len(), 2);
    // A plan that promotes no one leaves no fence to recover towards.
    assert!(raise().leftovers("h1", || None).is_empty());
}

#[test]
fn checking_or_releasing_the_fence_and_statements_leave_nothing() {
    let asked = std::cell::Cell::new(false);
    let never = || {
        asked.set(true);
        Some(facts())
    };
    assert!(fence(FenceAction::Check).leftovers("h1", never).is_empty());
    let release = fence(FenceAction::Release { writable: false });
    assert!(release.leftovers("h1", || Some(facts())).is_empty());
    let promote = DbStep::Exec {
        container_id: "db3".into(),
        flavor: DbFlavor::Mariadb,
        statement: DbStatement::Promote,
    };
    assert!(promote.leftovers("h2", || Some(facts())).is_empty());
    // Only a raise needs the rest of the plan.
    assert!(!asked.get());
}

#[test]
fn a_raise_is_undone_by_lifting_the_fence_and_a_promotion_never() {
    assert_eq!(
        raise().undo(),
        Undo::By(fence(FenceAction::Release { writable: true }))
    );
    assert_eq!(fence(FenceAction::Check).undo(), Undo::Nothing);
    assert!(matches!(
        fence(FenceAction::Release { writable: false }).undo(),
        Undo::Not(_)
    ));
    let exec = |statement| DbStep::Exec {
        container_id: "db1".into(),
        flavor: DbFlavor::Mysql,
        statement,
    };
    assert!(matches!(exec(DbStatement::Promote).undo(), Undo::Not(_)));
    assert_eq!(
        exec(DbStatement::ReadOnly { on: true }).undo(),
        Undo::By(exec(DbStatement::ReadOnly { on: false }))
    );
    let role = |writable| DbStep::PersistRole {
        container_id: "db1".into(),
        flavor: DbFlavor::Mariadb,
        writable,
    };
    assert_eq!(role(false).undo(), Undo::By(role(true)));
    let guard = DbStep::GuardGone {
        container_id: "db1".into(),
        stated: false,
    };
    assert_eq!(guard.undo(), Undo::Nothing);
}

#[test]
fn the_topology_guard_names_every_server_and_claims_the_primary() {
    let member = |host: &str, id: &str| DbMember {
        host: host.into(),
        id: id.into(),
        name: id.into(),
    };
    let guard = DbStep::GuardTopology(TopologyGuard {
        primary: member("h1", "db1"),
        primary_names: vec!["db1".into()],
        primary_alive: true,
        followers: vec![member("h2", "db2")],
        left_out: vec![member("h3", "db3")],
    });
    assert_eq!(
        guard.servers("elsewhere"),
        vec![
            ("h1".to_string(), "db1".to_string()),
            ("h2".to_string(), "db2".to_string()),
            ("h3".to_string(), "db3".to_string())
        ]
    );
    assert_eq!(guard.claims("elsewhere"), vec![On("h1").container("db1")]);
}

#[test]
fn recovering_a_fence_claims_the_primary_the_writers_either_way_and_the_files() {
    let f = facts();
    let recover = DbStep::RecoverFence(RecoverFence {
        container_id: "db1".into(),
        flavor: DbFlavor::Mariadb,
        candidate: f.candidate,
        writers_back: f.writers_back.clone(),
        writers_forward: vec![],
        cfg_forward: vec![(
            "h1".into(),
            "lb".into(),
            "be_writer".into(),
            vec![("db3".into(), true)],
        )],
        members: f.members,
    });
    let claims = recover.claims("h1");
    let on = On("h1");
    assert!(claims.contains(&on.container("db1")));
    assert!(claims.contains(&on.command("lb", &f.writers_back[0].3)));
    assert!(claims.contains(&on.config("lb")));
    assert!(claims.contains(&on.server("lb", "be_writer", "db3")));
    assert!(matches!(recover.undo(), Undo::Not(_)));
}
