//! The Services pane at 80x24 and 200x50: a swarm's quorum, its services
//! (mode, tasks, update with progress, image, ports) and each slot's task
//! with the engine's why; Enter opens a service's task history.

use tugboat::app::update;
use tugboat::app::views::{Overlay, Target};
use tugboat::app::Msg;
use tugboat::config::Theme;
use tugboat::model::swarm::SwarmNode;
use tugboat::model::swarm_service::{
    PublishedPort, ServiceMode, ServiceUpdate, SwarmService, SwarmTask, TaskState, UpdateState,
};
use tugboat::model::{HostUpdate, SafeText};

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

fn node(id: &str, hostname: &str, role: &str, reachability: &str) -> SwarmNode {
    SwarmNode {
        id: id.into(),
        hostname: hostname.into(),
        role: role.into(),
        availability: "active".into(),
        state: if reachability == "unreachable" {
            "down"
        } else {
            "ready"
        }
        .into(),
        leader: id == "n1",
        addr: "10.0.0.1".into(),
        reachability: reachability.into(),
    }
}

fn text(s: &str) -> SafeText {
    SafeText::from_foreign(s)
}

fn service(id: &str, name: &str, running: u64, desired: u64) -> SwarmService {
    SwarmService {
        id: id.into(),
        name: text(name),
        stack: None,
        image: text("tugboat-test/busybox:latest"),
        mode: ServiceMode::Replicated { replicas: desired },
        running,
        desired,
        ports: Vec::new(),
        update: None,
        version: 12,
    }
}

struct T<'a> {
    id: &'a str,
    service: &'a str,
    slot: u64,
    node: &'a str,
    state: TaskState,
    desired: TaskState,
    ago: i64,
    error: Option<&'a str>,
}

fn task(t: T) -> SwarmTask {
    SwarmTask {
        id: t.id.into(),
        service_id: t.service.into(),
        slot: Some(t.slot),
        node_id: t.node.into(),
        state: t.state,
        desired: t.desired,
        message: text(match t.state {
            TaskState::Pending => "pending task scheduling",
            TaskState::Failed => "started",
            _ => "started",
        }),
        error: t.error.map(text),
        at: Some(NOW - t.ago),
        container_id: None,
        exit_code: t.error.map(|_| 1),
    }
}

fn swarm_state(size: (u16, u16), nodes: Vec<SwarmNode>) -> tugboat::app::State {
    use TaskState::*;
    let mut s = state(false, size);
    update(
        &mut s,
        Msg::Host(HostUpdate::SwarmNodes {
            host: "local".into(),
            nodes,
        }),
    );
    let mut web = service("s1", "web", 3, 3);
    web.ports.push(PublishedPort {
        published: 8080,
        target: 8080,
        protocol: "tcp".into(),
        ingress: true,
    });
    web.update = Some(ServiceUpdate {
        state: UpdateState::Updating,
        started_at: Some(NOW - 60),
        completed_at: None,
        message: text("update in progress"),
    });
    let mut zk = service("s2", "zk1", 0, 1);
    zk.image = text("zookeeper:3.8");
    zk.stack = Some(text("coord"));
    let t = |id, service, slot, node, state, desired, ago, error| {
        task(T {
            id,
            service,
            slot,
            node,
            state,
            desired,
            ago,
            error,
        })
    };
    let tasks = vec![
        t("a1", "s1", 1, "n1", Running, Running, 30, None),
        t("a0", "s1", 1, "n1", Shutdown, Shutdown, 40, None),
        t("b1", "s1", 2, "n2", Running, Running, 3600, None),
        t("c2", "s1", 3, "n3", Running, Running, 20, None),
        t(
            "c1",
            "s1",
            3,
            "n3",
            Failed,
            Shutdown,
            50,
            Some("task: non-zero exit (1)"),
        ),
        t(
            "z1",
            "s2",
            1,
            "",
            Pending,
            Running,
            12,
            Some("no suitable node (1 node not available for new tasks; scheduling constraints not satisfied on 2 nodes)"),
        ),
    ];
    update(
        &mut s,
        Msg::Host(HostUpdate::SwarmServices {
            host: "local".into(),
            services: vec![web, zk],
            tasks,
        }),
    );
    press(&mut s, "7");
    s
}

fn three_managers() -> Vec<SwarmNode> {
    vec![
        node("n1", "mgr-1", "manager", "reachable"),
        node("n2", "mgr-2", "manager", "reachable"),
        node("n3", "mgr-3", "manager", "reachable"),
    ]
}

#[test]
fn services_tasks_and_why_at_both_sizes() {
    for size in SIZES {
        let s = swarm_state(size, three_managers());
        let terminal = draw(&s, &Theme::builtin_default());
        let name = format!("services_{}x{}", size.0, size.1);
        insta::assert_snapshot!(name, terminal.backend());
        let screen = terminal.backend().to_string();
        assert!(screen.contains("3 managers, 1 may be lost"), "{screen}");
        assert!(
            screen.contains("web.3 · mgr-3 · running 20s · 1 failed before"),
            "{screen}"
        );
        assert!(
            screen.contains("zk1.1 · no node yet · pending 12s · no suitable node"),
            "{screen}"
        );
        assert!(screen.contains("updating 2/3"), "{screen}");
    }
}

#[test]
fn a_lost_manager_shows_how_many_may_still_go() {
    let nodes = vec![
        node("n1", "mgr-1", "manager", "reachable"),
        node("n2", "mgr-2", "manager", "reachable"),
        node("n3", "mgr-3", "manager", "unreachable"),
    ];
    let s = swarm_state((80, 24), nodes);
    let screen = draw(&s, &Theme::builtin_default()).backend().to_string();
    assert!(screen.contains("3 nodes, 2 ready"), "{screen}");
    assert!(screen.contains("3 managers, none may be lost"), "{screen}");
}

#[test]
fn a_manager_without_a_leader_says_so_and_keeps_the_last_listing() {
    let mut s = swarm_state((80, 24), three_managers());
    update(
        &mut s,
        Msg::Host(HostUpdate::SwarmTrouble {
            host: "local".into(),
            trouble: Some(text("list nodes: The swarm does not have a leader.")),
        }),
    );
    let terminal = draw(&s, &Theme::builtin_default());
    insta::assert_snapshot!("services_no_leader_80x24", terminal.backend());
    let screen = terminal.backend().to_string();
    assert!(
        screen.contains("quorum lost: no leader, too few managers online"),
        "{screen}"
    );
    assert!(screen.contains("web.1"), "the last listing stays: {screen}");
}

#[test]
fn enter_on_a_task_opens_its_service_history_with_the_engines_error() {
    let mut s = swarm_state((80, 24), three_managers());
    // Rows: swarm, web, web.1, web.2, web.3: the fifth.
    press(&mut s, "jjjj");
    update(&mut s, code(crossterm::event::KeyCode::Enter));
    match s.top_overlay() {
        Some(Overlay::Detail { target, .. }) => assert_eq!(
            *target,
            Target::SwarmService {
                host: "local".into(),
                id: "s1".into()
            }
        ),
        other => panic!("no detail: {other:?}"),
    }
    let terminal = draw(&s, &Theme::builtin_default());
    insta::assert_snapshot!("services_detail_80x24", terminal.backend());
    let screen = terminal.backend().to_string();
    assert!(screen.contains("3 running of 3 wanted"), "{screen}");
    // Below the screen's fold: the failed task before web.3's current one.
    let target = Target::SwarmService {
        host: "local".into(),
        id: "s1".into(),
    };
    let detail = tugboat::app::detail::detail_lines(&s, &target);
    let all: Vec<String> = detail.sections.iter().map(|l| l.text()).collect();
    let failed = all
        .iter()
        .position(|l| l.contains("failed 50s · wants shutdown · on mgr-3 · exit 1"))
        .unwrap_or_else(|| panic!("{all:#?}"));
    assert_eq!(
        all[failed + 1].trim(),
        "task: non-zero exit (1)",
        "{all:#?}"
    );
}

fn confirm_body(s: &tugboat::app::State) -> String {
    match s.top_overlay() {
        Some(Overlay::Confirm(c)) => c.body.join("\n"),
        other => panic!("no confirmation: {other:?}"),
    }
}

fn status(s: &tugboat::app::State) -> String {
    s.status
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

#[test]
fn plus_on_a_service_or_its_task_scales_it_through_the_manager() {
    let mut s = swarm_state((80, 24), three_managers());
    // Rows: swarm, web, web.1: the task stands for its service.
    press(&mut s, "jj+");
    let body = confirm_body(&s);
    assert!(
        body.contains("Scale swarm service web from 3 to 4 replicas, through manager local?"),
        "{body}"
    );
    assert!(
        body.contains("set swarm service web to 4 replicas"),
        "{body}"
    );
    assert!(body.contains("wait until 4 tasks of web run"), "{body}");
}

#[test]
fn a_zookeeper_service_is_not_scaled_by_its_replica_count() {
    let mut s = swarm_state((80, 24), three_managers());
    // Rows: swarm, web and its three tasks, zk1.
    press(&mut s, "jjjjj-");
    assert!(s.top_overlay().is_none(), "{:?}", s.top_overlay());
    assert!(
        status(&s).contains("zk1: a ZooKeeper ensemble is not scaled"),
        "{}",
        status(&s)
    );
}

/// The Nodes pane's swarm node rows: `W` demotes, `m` promotes, guarded
/// by the managers' quorum; `d` by what runs on the node.
#[test]
fn node_keys_keep_the_raft_quorum_and_the_ensembles() {
    use tugboat::app::rows::NodeRow;
    let select_node = |s: &mut tugboat::app::State, id: &str| {
        let at = s
            .node_rows()
            .iter()
            .position(|r| matches!(r, NodeRow::SwarmNode { id: n, .. } if n == id))
            .expect("the node's row");
        s.nodes.selected = at;
    };
    let mut s = swarm_state((80, 24), three_managers());
    press(&mut s, "1");
    select_node(&mut s, "n2");
    press(&mut s, "W");
    let body = confirm_body(&s);
    assert!(
        body.contains("Make swarm node mgr-2 a worker, through manager local?"),
        "{body}"
    );
    assert!(
        body.contains("Managers now: 3 (3 reachable); 1 may be lost"),
        "{body}"
    );

    let one_lost = vec![
        node("n1", "mgr-1", "manager", "reachable"),
        node("n2", "mgr-2", "manager", "reachable"),
        node("n3", "mgr-3", "manager", "unreachable"),
    ];
    let mut s = swarm_state((80, 24), one_lost);
    press(&mut s, "1");
    select_node(&mut s, "n2");
    press(&mut s, "W");
    assert!(s.top_overlay().is_none());
    assert!(
        status(&s).contains("demoting mgr-2 would leave 1 reachable of 2 managers"),
        "{}",
        status(&s)
    );

    // A ZooKeeper stack of three with two members on mgr-1: no drain.
    let mut s = swarm_state((80, 24), three_managers());
    let zk = |id: &str, name: &str| {
        let mut svc = service(id, name, 1, 1);
        svc.image = text("zookeeper:3.8");
        svc.stack = Some(text("coord"));
        svc
    };
    let services = vec![
        zk("z1", "coord_zk1"),
        zk("z2", "coord_zk2"),
        zk("z3", "coord_zk3"),
    ];
    let running = |id: &str, service: &str, node: &str| {
        task(T {
            id,
            service,
            slot: 1,
            node,
            state: TaskState::Running,
            desired: TaskState::Running,
            ago: 60,
            error: None,
        })
    };
    let tasks = vec![
        running("t1", "z1", "n1"),
        running("t2", "z2", "n1"),
        running("t3", "z3", "n2"),
    ];
    update(
        &mut s,
        Msg::Host(HostUpdate::SwarmServices {
            host: "local".into(),
            services,
            tasks,
        }),
    );
    press(&mut s, "1");
    select_node(&mut s, "n1");
    press(&mut s, "d");
    assert!(s.top_overlay().is_none());
    assert!(
        status(&s).contains(
            "draining mgr-1 would stop 2 of the 3 running members of ZooKeeper ensemble coord"
        ),
        "{}",
        status(&s)
    );
    select_node(&mut s, "n2");
    press(&mut s, "d");
    assert!(confirm_body(&s).contains("Drain swarm node mgr-2"));
}

/// `I` on a ZooKeeper ensemble deployed as three swarm services (stack
/// coord, one task each on n1..n3, zk2 leading): the image is asked for,
/// over the one they run, then the rolling update's plan is confirmed —
/// each service in turn through the manager, the leader last.
#[test]
fn i_on_a_swarm_ensemble_asks_for_the_image_then_confirms_the_rolling_update() {
    use tugboat::model::answers::zookeeper::ZkMode;
    use tugboat::model::probed::ProbeResult;
    use tugboat::model::testing::container;
    let mut s = swarm_state((80, 24), three_managers());
    // The fixture's HAProxy is never probed here: which of its servers
    // point at the members would not be known.
    s.inventory
        .containers
        .retain(|_, c| !c.image.as_str().contains("haproxy"));
    for i in 1..=3 {
        let mut c = container("local", &format!("coord_zk{i}.1.t{i}"));
        c.image = "zookeeper:3.8".into();
        for (label, value) in [
            ("com.docker.swarm.service.name", format!("coord_zk{i}")),
            ("com.docker.stack.namespace", "coord".to_string()),
            ("com.docker.swarm.node.id", format!("n{i}")),
        ] {
            c.labels.insert(label.into(), value.into());
        }
        let key = (c.host.clone(), c.id.clone());
        update(
            &mut s,
            Msg::Host(HostUpdate::ContainerChanged { container: c }),
        );
        let mode = if i == 2 {
            ZkMode::Leader
        } else {
            ZkMode::Follower
        };
        let probe = serving(i, mode, 0x1_0000_0001, 2, (0.1, 1.0));
        s.probes.record(key, NOW, ProbeResult::Zookeeper(Ok(probe)));
    }
    press(&mut s, "1");
    select(&mut s, "coord_zk1.1.t1");
    press(&mut s, "I");
    let Some(Overlay::Prompt(prompt)) = s.top_overlay() else {
        panic!("the image is asked for: {}", status(&s));
    };
    assert_eq!(prompt.input.text(), "zookeeper:3.8");
    assert!(
        prompt.question.contains("the 3 services of coord (stack)"),
        "{}",
        prompt.question
    );
    // A slip is refused with the prompt left up.
    for _ in 0..3 {
        update(&mut s, code(crossterm::event::KeyCode::Backspace));
    }
    type_text(&mut s, " 3.9");
    press_enter(&mut s);
    assert!(
        status(&s).contains("type an image reference"),
        "{}",
        status(&s)
    );
    assert!(matches!(s.top_overlay(), Some(Overlay::Prompt(_))));
    for _ in 0..4 {
        update(&mut s, code(crossterm::event::KeyCode::Backspace));
    }
    type_text(&mut s, "3.9");
    press_enter(&mut s);
    let body = confirm_body(&s);
    assert!(body.contains("Update the 3 services of coord"), "{body}");
    assert!(body.contains("to zookeeper:3.9"), "{body}");
    let replaced: Vec<&str> = body
        .lines()
        .filter(|l| l.contains("have swarm replace service"))
        .collect();
    assert_eq!(replaced.len(), 3, "{body}");
    assert!(
        replaced[2].contains("coord_zk2") && replaced[2].contains("the leader, last"),
        "{replaced:?}"
    );
    assert!(body.contains("on image zookeeper:3.9"), "{body}");

    // Read-only: refused before anything is asked.
    let mut ro = swarm_state((80, 24), three_managers());
    ro.read_only = true;
    press(&mut ro, "1");
    press(&mut ro, "I");
    assert!(ro.top_overlay().is_none());
    assert!(status(&ro).contains("read-only"), "{}", status(&ro));
}

fn type_text(s: &mut tugboat::app::State, text: &str) {
    for c in text.chars() {
        update(s, key(c));
    }
}

fn press_enter(s: &mut tugboat::app::State) {
    update(s, code(crossterm::event::KeyCode::Enter));
}
