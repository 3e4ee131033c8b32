//! `f` on a database cluster in the Nodes pane: the switchover plan in the
//! confirmation dialog at 80x24 (snapshot), the failover plan once the
//! primary is down, the refusal when no replica is healthy, and read-only.

use crossterm::event::KeyCode;
use tugboat::app::{update, Effect, State};
use tugboat::config::Theme;
use tugboat::model::answers::haproxy::{HaproxyProbe, ProxyKind, StatRow, Status};
use tugboat::model::answers::mysql::{DbProbe, ReplicaStatus, ThreadState};
use tugboat::model::probed::{haproxy_targets, ProbeResult};
use tugboat::model::testing::container;
use tugboat::model::{ContainerState, LABEL_TUGBOAT_CLUSTER};
use tugboat::ops::plan::{DbStep, PlanAction, PlanTarget};

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

fn db_probe(gtid: &str, source: Option<&str>) -> ProbeResult {
    ProbeResult::Mysql(Ok(DbProbe {
        server_id: Some(1),
        read_only: source.is_some(),
        version: "10.11.6-MariaDB-log".into(),
        gtid: gtid.into(),
        replica: source.map(|s| ReplicaStatus {
            source_host: s.into(),
            source_port: Some(3306),
            io_running: ThreadState::Yes,
            sql_running: ThreadState::Yes,
            seconds_behind: Some(0),
            gtid_position: gtid.into(),
            last_io_error: Default::default(),
            last_sql_error: Default::default(),
        }),
        replicas: if source.is_none() {
            vec!["172.20.0.3".into(), "172.20.0.4".into()]
        } else {
            vec![]
        },
    }))
}

fn server(name: &str, addr: &str, status: Status) -> StatRow {
    StatRow {
        proxy: "db_writer".into(),
        name: name.into(),
        kind: ProxyKind::Server,
        status,
        weight: Some(1),
        active_servers: None,
        backup_servers: None,
        current_sessions: 0,
        session_rate: 0,
        check_status: Default::default(),
        last_change_secs: None,
        address: format!("{addr}:3306").into(),
        backup: false,
    }
}

/// The fixture plus cluster `ledger`: ledger-db-1 primary, -2 at 0-1-40,
/// -3 at 0-1-42, behind ledger-lb's writer backend; `primary_up` false
/// leaves ledger-db-1 exited.
fn ledger(read_only: bool, primary_up: bool) -> State {
    let mut s = state(read_only, (80, 24));
    let mut keys = Vec::new();
    for n in 1..=3 {
        let mut c = container("local", &format!("ledger-db-{n}"));
        c.image = "mariadb:10.11".into();
        c.labels
            .insert(LABEL_TUGBOAT_CLUSTER.into(), "ledger".into());
        c.ips = vec![format!("172.20.0.{}", n + 1)];
        if n == 1 && !primary_up {
            c.state = ContainerState::Exited;
            c.ips.clear();
        }
        keys.push((c.host.clone(), c.id.clone()));
        s.inventory.containers.insert(keys[n - 1].clone(), c);
    }
    let mut lb = container("local", "ledger-lb");
    lb.image = "haproxy:2.6".into();
    let lb_key = (lb.host.clone(), lb.id.clone());
    s.inventory.containers.insert(lb_key.clone(), lb);
    if primary_up {
        s.probes
            .record(keys[0].clone(), NOW, db_probe("0-1-42", None));
    }
    s.probes.record(
        keys[1].clone(),
        NOW,
        db_probe("0-1-40", Some("ledger-db-1")),
    );
    s.probes.record(
        keys[2].clone(),
        NOW,
        db_probe("0-1-42", Some("ledger-db-1")),
    );
    let first = if primary_up { Status::Up } else { Status::Down };
    let backend = StatRow {
        name: "BACKEND".into(),
        kind: ProxyKind::Backend,
        address: Default::default(),
        ..server("", "", Status::Up)
    };
    let rows = vec![
        backend,
        server("db1", "172.20.0.2", first),
        server("db2", "172.20.0.3", Status::Maint),
        server("db3", "172.20.0.4", Status::Maint),
    ];
    s.probes.record(
        lb_key,
        NOW,
        ProbeResult::Haproxy(Ok(HaproxyProbe {
            socket: "/var/run/haproxy.sock".into(),
            rows,
        })),
    );
    // The fixture's other HAProxy answered too (without a stats socket):
    // a switchover waits until every balancer has.
    for k in haproxy_targets(&s.inventory) {
        if !s.probes.haproxy.contains_key(&k) {
            let none = ProbeResult::Haproxy(Err("no stats socket configured".into()));
            s.probes.record(k, NOW, none);
        }
    }
    select(&mut s, "ledger-db-2");
    s
}

#[test]
fn no_switchover_until_every_balancer_answered() {
    let mut s = ledger(false, true);
    let edge: Vec<_> = haproxy_targets(&s.inventory)
        .into_iter()
        .filter(|k| s.inventory.containers[k].name != "ledger-lb")
        .collect();
    assert!(!edge.is_empty(), "the fixture has another HAProxy");
    for k in &edge {
        s.probes.haproxy.remove(k);
    }
    assert!(press(&mut s, "f").is_empty());
    assert!(s.top_overlay().is_none(), "no confirmation yet");
    let status = &s.status.as_ref().unwrap().text;
    assert!(status.contains("still asking 1 HAProxy"), "{status}");
}

#[test]
fn switchover_plan_in_the_confirmation() {
    let mut s = ledger(false, true);
    press(&mut s, "f");
    let terminal = draw(&s, &Theme::builtin_default());
    insta::assert_snapshot!("failover_confirm_80x24", terminal.backend());
    let screen = terminal.backend().to_string();
    assert!(screen.contains("Database switchover"), "{screen}");
    assert!(
        screen.contains("from ledger-db-1 to ledger-db-3"),
        "{screen}"
    );
    assert!(
        screen.contains("3. db_writer/db1 → maint on ledger-lb (writes stop)"),
        "{screen}"
    );
    // Longer than 80x24: the rest of the plan is a scroll away, said so.
    assert!(screen.contains("── lines 1–16 of"), "{screen}");
    assert!(
        screen.contains("2. ask every server where it replicates from now"),
        "{screen}"
    );
    assert!(
        !screen.contains("wait until ledger-db-1 replicates from"),
        "{screen}"
    );
    for _ in 0..3 {
        press(&mut s, "j");
    }
    update(&mut s, code(KeyCode::PageDown));
    let terminal = draw(&s, &Theme::builtin_default());
    insta::assert_snapshot!("failover_confirm_scrolled_80x24", terminal.backend());
    let screen = terminal.backend().to_string();
    assert!(
        screen.contains("wait until ledger-db-1 replicates from ledger-db-3"),
        "{screen}"
    );
    assert!(screen.contains("y: yes"), "{screen}");
    let effects = press(&mut s, "y");
    let plan = effects
        .iter()
        .find_map(|e| match e {
            Effect::RunPlan(p) => Some(p),
            _ => None,
        })
        .expect("y runs the plan");
    assert_eq!(plan.action, PlanAction::Switchover);
    assert_eq!(plan.target, PlanTarget::Cluster("ledger".into()));
}

#[test]
fn failover_when_the_primary_is_down_and_refusals() {
    let mut s = ledger(false, false);
    press(&mut s, "f");
    let screen = draw(&s, &Theme::builtin_default()).backend().to_string();
    assert!(screen.contains("Database failover"), "{screen}");
    assert!(screen.contains("ledger-db-1 is down"), "{screen}");
    assert!(screen.contains("(fence the old primary)"), "{screen}");

    // A primary that is restarting may come back: the plan, then a second
    // question saying what happens if it is not gone; only then the job.
    let mut s = ledger(false, false);
    for c in s.inventory.containers.values_mut() {
        if c.name == "ledger-db-1" {
            c.state = ContainerState::Restarting;
        }
    }
    press(&mut s, "f");
    let screen = draw(&s, &Theme::builtin_default()).backend().to_string();
    assert!(screen.contains("primary not surely gone"), "{screen}");
    assert!(
        screen.contains("--primary-is-gone") || screen.contains("restarting"),
        "{screen}"
    );
    let effects = press(&mut s, "y");
    assert!(
        effects.iter().all(|e| !matches!(e, Effect::RunPlan(_))),
        "not yet"
    );
    let terminal = draw(&s, &Theme::builtin_default());
    insta::assert_snapshot!("failover_gone_for_good_80x24", terminal.backend());
    let screen = terminal.backend().to_string();
    assert!(screen.contains("Is ledger-db-1 gone for good?"), "{screen}");
    assert!(screen.contains("second primary"), "{screen}");
    let effects = press(&mut s, "y");
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::RunPlan(p) if p.action == PlanAction::Failover)),
        "{effects:?}"
    );

    // No replica fit to take over: refused with the reasons, nothing to confirm.
    let mut s = ledger(false, false);
    let key = |s: &State, name: &str| {
        s.inventory
            .containers
            .iter()
            .find(|(_, c)| c.name == name)
            .map(|(k, _)| k.clone())
            .unwrap()
    };
    let k2 = key(&s, "ledger-db-2");
    let mut broken = db_probe("0-1-40", Some("ledger-db-1"));
    if let ProbeResult::Mysql(Ok(p)) = &mut broken {
        let r = p.replica.as_mut().unwrap();
        r.sql_running = ThreadState::No;
        r.last_sql_error = "Duplicate entry '7' for key 'PRIMARY'".into();
    }
    s.probes.record(k2, NOW, broken);
    let k3 = key(&s, "ledger-db-3");
    s.probes
        .record(k3, NOW, ProbeResult::Mysql(Err("Access denied".into())));
    let effects = press(&mut s, "f");
    assert!(effects.iter().all(|e| !matches!(e, Effect::RunPlan(_))));
    let status = s.status.as_ref().expect("a status line").text.clone();
    assert!(
        status.contains("no healthy replica of ledger-db-1 to take over")
            && status.contains("ledger-db-2: SQL thread no: Duplicate entry")
            && status.contains("ledger-db-3: unreachable (Access denied)"),
        "{status}"
    );

    // Read-only: refused before any plan is offered.
    let mut s = ledger(true, true);
    press(&mut s, "f");
    let status = s.status.as_ref().expect("a status line").text.clone();
    assert!(status.contains("read-only"), "{status}");
    let screen = draw(&s, &Theme::builtin_default()).backend().to_string();
    assert!(!screen.contains("Database switchover"));
    let _ = update;
}

#[test]
fn rejoin_key_offers_the_checked_plan_and_runs_it_on_y() {
    // ledger-db-2 left: it replicates from nobody (a former primary, say).
    let mut s = ledger(false, true);
    let k2 = s
        .inventory
        .containers
        .iter()
        .find(|(_, c)| c.name == "ledger-db-2")
        .map(|(k, _)| k.clone())
        .unwrap();
    s.probes.record(k2, NOW, db_probe("0-1-40", None));
    press(&mut s, "J");
    let screen = draw(&s, &Theme::builtin_default()).backend().to_string();
    assert!(
        screen.contains("compare ledger-db-2's transactions with ledger-db-1's"),
        "{screen}"
    );
    let effects = press(&mut s, "y");
    let plan = effects
        .iter()
        .find_map(|e| match e {
            Effect::RunPlan(p) => Some(p),
            _ => None,
        })
        .expect("y runs the plan");
    assert_eq!(plan.action, PlanAction::Rejoin);
    assert!(plan.steps.iter().any(|s| matches!(
        s.op,
        tugboat::ops::plan::StepOp::Db(DbStep::RejoinCheck { .. })
    )));

    // A replica that replicates already: refused, nothing to confirm.
    let mut s = ledger(false, true);
    select(&mut s, "ledger-db-3");
    let effects = press(&mut s, "J");
    assert!(effects.iter().all(|e| !matches!(e, Effect::RunPlan(_))));
    let status = s.status.as_ref().expect("a status line").text.clone();
    assert!(
        status.contains("already replicates from ledger-db-1"),
        "{status}"
    );

    // Read-only: refused before any plan.
    let mut s = ledger(true, true);
    press(&mut s, "J");
    let status = s.status.as_ref().expect("a status line").text.clone();
    assert!(status.contains("read-only"), "{status}");
}

#[test]
fn a_replication_account_is_asked_the_password_never_shown() {
    let mut s = ledger(false, true);
    press(&mut s, "A");
    let screen = draw(&s, &Theme::builtin_default()).backend().to_string();
    assert!(screen.contains("Replication account"), "{screen}");
    for c in "repl".chars() {
        press(&mut s, &c.to_string());
    }
    update(&mut s, code(KeyCode::Enter));
    for c in "s3cr3t pw".chars() {
        press(&mut s, &c.to_string());
    }
    let screen = draw(&s, &Theme::builtin_default()).backend().to_string();
    assert!(screen.contains("The password of repl"), "{screen}");
    assert!(screen.contains("> *********"), "{screen}");
    assert!(!screen.contains("s3cr3t"), "{screen}");
    let out = update(&mut s, code(KeyCode::Enter));
    let given = out
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::GiveReplAccount { cluster, account } => Some((cluster, account)),
            _ => None,
        })
        .expect("the account is given");
    assert_eq!(given.0, "ledger");
    assert_eq!(
        (given.1.user.as_str(), given.1.password.as_str()),
        ("repl", "s3cr3t pw")
    );
    assert!(!format!("{:?}", out.effects).contains("s3cr3t"));
    let status = s.status.as_ref().expect("a status line").text.clone();
    assert!(
        status.contains("replication account repl kept for ledger"),
        "{status}"
    );
    assert!(!status.contains("s3cr3t"));

    // Esc: nothing kept.
    let mut s = ledger(false, true);
    press(&mut s, "A");
    press(&mut s, "x");
    let out = update(&mut s, code(KeyCode::Esc));
    assert!(out.effects.is_empty());
    assert!(s.overlays.is_empty());
}
