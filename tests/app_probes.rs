//! The app core with probe answers (no engine): which services the open pane
//! probes, and the Balancer pane's jump from a server to its node and back.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tugboat::app::rows::{BalancerRow, NodeRow};
use tugboat::app::{update, Effect, Msg, Pane, State};
use tugboat::model::answers::haproxy::HaproxyProbe;
use tugboat::model::probed::ProbeResult;
use tugboat::model::testing::container;
use tugboat::model::{Host, HostUpdate, Inventory};
use tugboat::probes::haproxy::parse_show_stat;
use tugboat::probes::run::ProbeKind;

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

fn code(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn state() -> State {
    let mut inv = Inventory::new(vec![Host::new("local", "unix:///x", "test")]);
    let mut lb = container("local", "lb");
    lb.image = "haproxy:2.6".into();
    let mut db = container("local", "db1");
    db.image = "mariadb:10.11".into();
    let mut apps = Vec::new();
    for (i, ip) in ["172.18.0.2", "172.18.0.3", "172.18.0.4"]
        .iter()
        .enumerate()
    {
        let mut app = container("local", &format!("app{}", i + 1));
        app.ips = vec![ip.to_string()];
        apps.push(app);
    }
    for c in [lb, db].into_iter().chain(apps) {
        inv.apply(HostUpdate::ContainerChanged { container: c });
    }
    let mut state = State::new(inv, false, 1_700_000_000);
    update(
        &mut state,
        Msg::Resize {
            width: 100,
            height: 30,
        },
    );
    state
}

fn probe_lb(state: &mut State) {
    let csv = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/haproxy/show-stat-drain.csv"
    ))
    .unwrap();
    let lb = state
        .inventory
        .containers
        .values()
        .find(|c| c.name == "lb")
        .unwrap();
    let key = (lb.host.clone(), lb.id.clone());
    let result = ProbeResult::Haproxy(Ok(HaproxyProbe {
        socket: "/var/run/haproxy.sock".into(),
        rows: parse_show_stat(&csv).unwrap(),
    }));
    update(
        state,
        Msg::Probed {
            key,
            at: 1_700_000_000,
            result,
        },
    );
}

#[test]
fn each_pane_probes_only_what_it_shows() {
    let mut s = state();
    // Nodes: the database on screen, as a MySQL probe.
    let watch = |s: &State| {
        s.probing
            .iter()
            .map(|(k, kind)| (s.inventory.containers[k].name.to_string(), *kind))
            .collect::<Vec<_>>()
    };
    assert_eq!(watch(&s), [("db1".to_string(), ProbeKind::Mysql)]);
    let out = update(&mut s, key('4'));
    assert_eq!(s.pane, Pane::Balancer);
    assert_eq!(watch(&s), [("lb".to_string(), ProbeKind::Haproxy)]);
    assert!(out
        .effects
        .iter()
        .any(|e| matches!(e, Effect::WatchProbes(t) if t.len() == 1)));
    update(&mut s, key('2'));
    assert!(s.probing.is_empty(), "the Volumes pane probes nothing");
}

#[test]
fn enter_on_a_server_jumps_to_its_node_and_esc_comes_back() {
    let mut s = state();
    update(&mut s, key('4'));
    probe_lb(&mut s);
    let rows = s.balancer_rows();
    let app2 = rows
        .iter()
        .position(|r| matches!(r, BalancerRow::Server { name, backend, .. } if name == "app2" && backend == "be_app"))
        .expect("server row");
    for _ in 0..app2 {
        update(&mut s, key('j'));
    }
    update(&mut s, code(KeyCode::Enter));
    assert_eq!(s.pane, Pane::Nodes);
    match s.selected_node() {
        Some(NodeRow::Container { host, id }) => {
            assert_eq!(s.inventory.containers[&(host, id)].name, "app2")
        }
        other => panic!("{other:?}"),
    }
    update(&mut s, code(KeyCode::Esc));
    assert_eq!(s.pane, Pane::Balancer);
    assert_eq!(s.balancer.selected, app2);
}

#[test]
fn drain_on_a_server_asks_with_the_plan_then_runs_it_as_a_job() {
    use tugboat::app::views::Overlay;
    use tugboat::ops::job::{JobEvent, JobOutcome};
    let mut s = state();
    update(&mut s, key('4'));
    probe_lb(&mut s);
    let rows = s.balancer_rows();
    let app1 = rows
        .iter()
        .position(|r| matches!(r, BalancerRow::Server { name, backend, .. } if name == "app1" && backend == "be_app"))
        .unwrap();
    s.balancer.selected = app1;
    update(&mut s, key('d'));
    let Some(Overlay::Confirm(confirm)) = s.overlays.last().cloned() else {
        panic!("a confirmation")
    };
    assert!(
        confirm.body[0].contains("be_app/app1 on lb (local) to drain"),
        "{:?}",
        confirm.body
    );
    assert!(confirm
        .body
        .iter()
        .any(|l| l.starts_with("1. check that another server of be_app is UP")));
    assert!(confirm
        .body
        .iter()
        .any(|l| l.starts_with("3. wait until be_app/app1 shows DRAIN")));
    let out = update(&mut s, key('y'));
    let Some(Effect::RunPlan(plan)) = out
        .effects
        .into_iter()
        .find(|e| matches!(e, Effect::RunPlan(_)))
    else {
        panic!("the plan runs on yes")
    };
    // The runner's events drive the Jobs pane and the status line.
    update(
        &mut s,
        Msg::Job(JobEvent::Started {
            id: 7,
            plan: plan.clone(),
            at_ms: 1_700_000_000_000,
        }),
    );
    update(
        &mut s,
        Msg::Job(JobEvent::Step {
            id: 7,
            index: 1,
            detail: plan.steps[1].what.clone(),
        }),
    );
    assert_eq!(s.jobs[0].step, Some(1));
    update(&mut s, key('5'));
    assert_eq!(s.pane, Pane::Jobs);
    let out = update(&mut s, key('x'));
    assert!(out.effects.contains(&Effect::CancelJob(7)));
    update(
        &mut s,
        Msg::Job(JobEvent::Finished {
            id: 7,
            outcome: JobOutcome::Done,
            millis: 420,
        }),
    );
    assert_eq!(s.jobs[0].outcome, Some(JobOutcome::Done));
    assert!(s
        .status
        .as_ref()
        .unwrap()
        .text
        .contains("drain local/lb/be_app/app1: done"));

    // Read-only: the key is refused before any plan is shown.
    let mut ro = state();
    ro.read_only = true;
    update(&mut ro, key('4'));
    probe_lb(&mut ro);
    ro.balancer.selected = app1;
    update(&mut ro, key('d'));
    assert!(ro.overlays.is_empty());
    assert!(ro.status.as_ref().unwrap().text.contains("read-only"));
}

#[test]
fn rolling_restart_waits_for_the_leader_then_plans_it_last() {
    use tugboat::app::views::Overlay;
    use tugboat::model::answers::zookeeper::{ZkMode, ZkProbe, ZkReply, ZkServerStats};
    let mut inv = Inventory::new(vec![Host::new("local", "unix:///x", "test")]);
    let mut keys = Vec::new();
    for name in ["zk1", "zk2", "zk3"] {
        let mut c = container("local", name);
        c.image = "zookeeper:3.8".into();
        c.labels
            .insert("io.tugboat.cluster".into(), "orders-zk".into());
        keys.push((c.host.clone(), c.id.clone()));
        inv.apply(HostUpdate::ContainerChanged { container: c });
    }
    let mut s = State::new(inv, false, 1_700_000_000);
    update(
        &mut s,
        Msg::Resize {
            width: 100,
            height: 30,
        },
    );
    update(&mut s, key('j')); // the cluster row
    assert!(
        s.probing
            .iter()
            .filter(|(_, k)| *k == ProbeKind::Zookeeper)
            .count()
            == 3,
        "the cluster's members are probed"
    );
    update(&mut s, key('R'));
    assert!(s.overlays.is_empty());
    assert!(
        s.status.as_ref().unwrap().text.contains("leader"),
        "{:?}",
        s.status
    );
    for (i, key) in keys.iter().enumerate() {
        let mode = if i == 1 {
            ZkMode::Leader
        } else {
            ZkMode::Follower
        };
        let stats = ZkServerStats {
            version: "3.8.0".into(),
            latency_min: 0.0,
            latency_avg: 0.0,
            latency_max: 0.0,
            received: 0,
            sent: 0,
            connections: 1,
            outstanding: 0,
            zxid: 0x1_0000_0000,
            mode,
            node_count: 5,
        };
        let probe = ZkProbe {
            server_id: Some(i as u32 + 1),
            configured: 3,
            peers: vec![],
            srvr: ZkReply::Ok(stats),
            mntr: ZkReply::NotWhitelisted("mntr".into()),
        };
        update(
            &mut s,
            Msg::Probed {
                key: key.clone(),
                at: 0,
                result: ProbeResult::Zookeeper(Ok(probe)),
            },
        );
    }
    update(&mut s, key('R'));
    let Some(Overlay::Confirm(c)) = s.overlays.last() else {
        panic!("a confirmation: {:?}", s.status)
    };
    let restarts: Vec<&String> = c.body.iter().filter(|l| l.contains(". restart ")).collect();
    assert_eq!(restarts.len(), 3);
    assert!(
        restarts[2].contains("zk2") && restarts[2].contains("the leader, last"),
        "{restarts:?}"
    );
}
