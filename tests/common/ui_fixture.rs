//! The state the UI snapshot tests draw: two hosts (one unreachable),
//! compose, tugboat and ungrouped clusters, every mount kind, stats and
//! volumes. Included by `snapshots_ui.rs`, `snapshots_overlays.rs` and
//! `snapshots_zookeeper.rs` with `#[path]`; only the last adds the probed
//! ZooKeeper ensembles (`zookeeper_state`), so the other panes' snapshots
//! don't depend on them. Likewise `snapshots_balancer.rs` alone adds the
//! probed HAProxy balancers (`balancer_state`).
#![allow(dead_code)]

use std::collections::HashMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tugboat::app::rows::NodeRow;
use tugboat::app::{update, Effect, Msg, State};
use tugboat::config::Theme;
use tugboat::model::answers::zookeeper::{ZkMode, ZkMonitor, ZkProbe, ZkReply, ZkServerStats};
use tugboat::model::answers::ProbeOutcome;
use tugboat::model::probed::ProbeResult;
use tugboat::model::testing::{container, volume};
use tugboat::model::{
    Container, ContainerState, EngineInfo, Health, Host, HostUpdate, Inventory, Mount, MountKind,
    PortMapping, Stats, LABEL_COMPOSE_PROJECT, LABEL_TUGBOAT_CLUSTER,
};

/// 2023-11-14 23:13:20 UTC: fixed, so uptimes never change.
pub const NOW: i64 = 1_700_003_600;
pub const SIZES: [(u16, u16); 2] = [(80, 24), (200, 50)];

fn mount(kind: MountKind, name: Option<&str>, source: &str, dest: &str, rw: bool) -> Mount {
    let (name, source, destination) = (name.map(Into::into), source.into(), dest.into());
    Mount {
        kind,
        name,
        source,
        destination,
        read_write: rw,
    }
}

fn port(public: u16, private: u16) -> PortMapping {
    let ip = Some("0.0.0.0".into());
    PortMapping {
        ip,
        private_port: private,
        public_port: Some(public),
        protocol: "tcp".into(),
    }
}

fn compose(host: &str, project: &str, name: &str, image: &str) -> Container {
    let mut c = container(host, name);
    c.image = image.into();
    c.labels
        .insert(LABEL_COMPOSE_PROJECT.into(), project.into());
    let service = name.trim_end_matches(|ch: char| ch.is_ascii_digit() || ch == '-');
    c.labels
        .insert("com.docker.compose.service".into(), service.into());
    c
}

fn local_containers() -> Vec<Container> {
    let shop_data = |dest: &str, rw| mount(MountKind::Volume, Some("shop-data"), "/v", dest, rw);
    let mut db = compose("local", "shop", "shop-db-1", "mariadb:10.11");
    db.id = "3f9a1c2e7b5d".repeat(6)[..64].to_string();
    db.command = "docker-entrypoint.sh mariadbd".into();
    db.health = Health::Healthy;
    db.status = "Up 58 minutes (healthy)".into();
    db.started_at = Some(NOW - 3500);
    db.ports = vec![port(3306, 3306)];
    db.mounts = vec![
        shop_data("/var/lib/mysql", true),
        mount(
            MountKind::Bind,
            None,
            "/srv/shop/my.cnf",
            "/etc/mysql/conf.d/my.cnf",
            false,
        ),
        mount(MountKind::Tmpfs, None, "", "/run/mysqld", true),
    ];
    let mut web = compose("local", "shop", "shop-web-1", "nginx:1.25");
    web.ports = vec![
        port(8080, 80),
        PortMapping {
            ip: Some("::".into()),
            ..port(8080, 80)
        },
    ];
    web.mounts = vec![shop_data("/srv/static", false)];
    let mut web2 = compose("local", "shop", "shop-web-2", "nginx:1.25");
    web2.state = ContainerState::Exited;
    web2.status = "Exited (137) 3 minutes ago".into();
    web2.mounts = vec![shop_data("/srv/static", false)];
    let mut cache = compose("local", "shop", "shop-cache-1", "redis:7");
    cache.health = Health::Unhealthy;
    let mut out = vec![db, web, web2, cache];

    let zk_states = [
        ContainerState::Running,
        ContainerState::Running,
        ContainerState::Restarting,
    ];
    for (i, state) in zk_states.into_iter().enumerate() {
        let mut zk = container("local", &format!("zk{}", i + 1));
        zk.image = "zookeeper:3.8".into();
        zk.labels
            .insert(LABEL_TUGBOAT_CLUSTER.into(), "zk-prod".into());
        zk.state = state;
        zk.started_at = Some(NOW - 3 * 86_400);
        let data = format!("zk{}-data", i + 1);
        zk.mounts = vec![mount(MountKind::Volume, Some(&data), "/v", "/data", true)];
        out.push(zk);
    }
    let mut lb = container("local", "haproxy-edge-with-a-rather-long-name");
    lb.image = "haproxy:2.8".into();
    out.push(lb);
    for name in ["tools", "backup-agent", "metrics-exporter", "log-shipper"] {
        out.push(container("local", name));
    }
    let mut paused = container("local", "batch-job");
    paused.state = ContainerState::Paused;
    out.push(paused);
    out
}

pub fn inventory() -> Inventory {
    let mut inv = Inventory::new(vec![
        Host::new("local", "unix:///var/run/docker.sock", "flag").with_transport("unix"),
        Host::new("db2", "tcp://10.0.0.12:2376", "config").with_transport("tls"),
    ]);
    let engine = EngineInfo {
        engine_version: "20.10.24".into(),
        api_version: "1.41".into(),
        os: "linux".into(),
        swarm_role: Some("manager".into()),
        swarm_id: Some("swarm-1".into()),
    };
    inv.apply(HostUpdate::Connected {
        host: "local".into(),
        engine,
    });
    let mut shop_data = volume("local", "shop-data");
    shop_data
        .labels
        .insert(LABEL_COMPOSE_PROJECT.into(), "shop".into());
    shop_data.labels.insert("backup".into(), "nightly".into());
    let volumes = vec![
        shop_data,
        volume("local", "zk1-data"),
        volume("local", "orphan"),
    ];
    inv.apply(HostUpdate::Listed {
        host: "local".into(),
        containers: local_containers(),
        volumes,
    });
    let sizes = HashMap::from([
        ("shop-data".to_string(), 1_288_490_188),
        ("zk1-data".into(), 52_428_800),
    ]);
    inv.apply(HostUpdate::VolumeSizes {
        host: "local".into(),
        sizes,
    });

    // db2 was listed once, then became unreachable: its rows are last known.
    let containers = vec![
        compose("db2", "orders", "orders-db-primary", "mysql:8.4"),
        compose("db2", "orders", "orders-db-replica", "mysql:8.4"),
    ];
    let volumes = vec![volume("db2", "orders-data")];
    inv.apply(HostUpdate::Listed {
        host: "db2".into(),
        containers,
        volumes,
    });
    let error = "connection refused".to_string();
    inv.apply(HostUpdate::Unreachable {
        host: "db2".into(),
        at: NOW - 600,
        error,
    });
    inv.apply(HostUpdate::EventSeen {
        host: "local".into(),
        at: NOW - 30,
    });

    let running: Vec<(String, String)> = inv
        .containers
        .values()
        .filter(|c| c.state == ContainerState::Running)
        .map(|c| (c.host.clone(), c.id.clone()))
        .collect();
    for (i, (host, id)) in running.into_iter().enumerate() {
        let n = i as u64 + 1;
        let stats = Stats {
            cpu_percent: n as f64 * 4.3 - 3.6,
            memory_bytes: n * 37_000_000,
            memory_limit: 1 << 33,
        };
        inv.apply(HostUpdate::Stats { host, id, stats });
    }
    inv
}

pub fn state(read_only: bool, (width, height): (u16, u16)) -> State {
    let mut s = State::new(inventory(), read_only, NOW);
    update(&mut s, Msg::Resize { width, height });
    s
}

pub fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

pub fn code(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Type `keys` (plain characters) through `update`; returns the effects.
pub fn press(s: &mut State, keys: &str) -> Vec<Effect> {
    keys.chars()
        .flat_map(|c| update(s, key(c)).effects)
        .collect()
}

/// Move the selection down to the container called `name`.
pub fn select(s: &mut State, name: &str) {
    for _ in 0..100 {
        if let Some(NodeRow::Container { host, id }) = s.selected_node() {
            if s.inventory.containers[&(host, id)].name == name {
                return;
            }
        }
        update(s, key('j'));
    }
    panic!("no container {name}");
}

pub fn draw(s: &State, theme: &Theme) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(s.width, s.height)).unwrap();
    terminal.draw(|f| tugboat::ui::render(f, s, theme)).unwrap();
    terminal
}

/// The state after `setup`, drawn at each of `SIZES` with the default
/// theme: (`"80x24"`, terminal).
pub fn both_sizes(
    setup: impl Fn(&mut State),
    read_only: bool,
) -> Vec<(String, Terminal<TestBackend>)> {
    SIZES
        .iter()
        .map(|&size| {
            let mut s = state(read_only, size);
            setup(&mut s);
            (
                format!("{}x{}", size.0, size.1),
                draw(&s, &Theme::builtin_default()),
            )
        })
        .collect()
}

/// The row of the buffer whose text contains `text`.
pub fn find_row(terminal: &Terminal<TestBackend>, text: &str) -> Option<u16> {
    let buf = terminal.backend().buffer();
    (0..buf.area.height).find(|&y| {
        let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        line.contains(text)
    })
}

/// A member that answered `srvr` (and `mntr`, as a follower's).
pub fn serving(id: u32, mode: ZkMode, zxid: u64, conns: u64, lat: (f64, f64)) -> ZkProbe {
    let stats = ZkServerStats {
        version: "3.9.2-e454e8c7, built on 2024-02-12 20:59 UTC".into(),
        latency_min: 0.0,
        latency_avg: lat.0,
        latency_max: lat.1,
        received: 1_204,
        sent: 1_187,
        connections: conns,
        outstanding: u64::from(mode == ZkMode::Leader) * 3,
        zxid,
        mode,
        node_count: 142,
    };
    let mntr = ZkMonitor {
        server_state: Some(mode.as_str().into()),
        ..ZkMonitor::default()
    };
    ZkProbe {
        server_id: Some(id),
        configured: 3,
        peers: Vec::new(),
        srvr: ZkReply::Ok(stats),
        mntr: ZkReply::Ok(mntr),
    }
}

/// A leader's `mntr`: its followers and how many of them are in sync.
fn leading(p: ZkProbe, followers: u64, synced: u64) -> ZkProbe {
    let mntr = ZkMonitor {
        followers: Some(followers),
        synced_followers: Some(synced),
        pending_syncs: Some(0),
        server_state: Some("leader".into()),
    };
    ZkProbe {
        mntr: ZkReply::Ok(mntr),
        ..p
    }
}

/// A member that didn't answer `srvr` as it should.
fn failing(id: u32, srvr: ZkReply<ZkServerStats>) -> ZkProbe {
    ZkProbe {
        server_id: Some(id),
        configured: 3,
        peers: Vec::new(),
        srvr,
        mntr: ZkReply::NotServing,
    }
}

/// Adds three more ensembles next to the fixture's zk-prod (zk1 and zk2
/// up, without `mntr` in the whitelist; zk3 restarting), with the probes'
/// latest answers:
/// - orders-zk: healthy, 3/3, the leader's `mntr` says 2/2 followers synced;
/// - billing-zk: no quorum: one member not serving (answered 95s ago), one
///   whose exec timed out, one refusing connections;
/// - search-zk: two leaders (split brain, the old one an epoch behind) and
///   a member not probed yet.
pub fn add_zookeeper(s: &mut State) {
    for cluster in ["orders-zk", "billing-zk", "search-zk"] {
        for n in 1..=3 {
            let mut c = container("local", &format!("{cluster}-{n}"));
            c.image = "zookeeper:3.9".into();
            c.labels
                .insert(LABEL_TUGBOAT_CLUSTER.into(), cluster.into());
            c.started_at = Some(NOW - 7_200);
            s.inventory
                .containers
                .insert((c.host.clone(), c.id.clone()), c);
        }
    }
    let mut answer = |name: &str, ago: i64, result: ProbeOutcome<ZkProbe>| {
        let (key, _) = s
            .inventory
            .containers
            .iter()
            .find(|(_, c)| c.name == name)
            .unwrap();
        s.probes
            .record(key.clone(), NOW - ago, ProbeResult::Zookeeper(result));
    };
    use ZkMode::{Follower, Leader};
    let refused = || ZkReply::Failed("connect: Connection refused".into());
    let no_mntr = |p| ZkProbe {
        mntr: ZkReply::NotWhitelisted("mntr".into()),
        ..p
    };
    let zxid = 0x3_0000_002a;
    answer(
        "orders-zk-1",
        2,
        Ok(serving(1, Follower, zxid, 4, (0.3385, 12.0))),
    );
    let leader = serving(2, Leader, zxid, 7, (0.5, 31.0));
    answer("orders-zk-2", 2, Ok(leading(leader, 2, 2)));
    answer(
        "orders-zk-3",
        3,
        Ok(serving(3, Follower, zxid, 5, (1.25, 9.0))),
    );
    answer("billing-zk-1", 95, Ok(failing(1, ZkReply::NotServing)));
    answer("billing-zk-2", 4, Err("exec timed out after 5s".into()));
    answer("billing-zk-3", 2, Ok(failing(3, refused())));
    let new = serving(1, Leader, 0x5_0000_0010, 12, (2.0, 140.0));
    answer("search-zk-1", 1, Ok(leading(new, 1, 0)));
    let old = serving(2, Leader, 0x4_0000_1f3b, 3, (0.8, 15.0));
    answer("search-zk-2", 1, Ok(leading(old, 1, 1)));
    let zxid = 0x1_0000_0104;
    answer(
        "zk1",
        2,
        Ok(no_mntr(serving(1, Follower, zxid, 2, (0.1, 4.0)))),
    );
    answer(
        "zk2",
        2,
        Ok(no_mntr(serving(2, Leader, zxid, 9, (0.2, 7.0)))),
    );
}

/// The fixture with `add_zookeeper`, on the ZooKeeper pane.
pub fn zookeeper_state(size: (u16, u16)) -> State {
    let mut s = state(false, size);
    add_zookeeper(&mut s);
    update(&mut s, key('3'));
    s
}

/// One of the real `show stat` answers in tests/fixtures/haproxy/.
fn show_stat(file: &str) -> Vec<tugboat::model::answers::haproxy::StatRow> {
    let path = format!(
        "{}/tests/fixtures/haproxy/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    tugboat::probes::haproxy::parse_show_stat(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Next to the fixture's haproxy-edge-with-a-rather-long-name (not probed
/// yet): on local, three app containers at 172.18.0.2-4 and two HAProxy
/// 2.6: edge-lb with app2 drained (show-stat-drain.csv), web-lb without a
/// stats socket; on the unreachable db2, orders-lb with app1 failing its
/// checks (show-stat-going-down.csv), whose servers match no container
/// there. On the Balancer pane.
pub fn balancer_state(size: (u16, u16)) -> State {
    use tugboat::model::answers::haproxy::HaproxyProbe;
    let mut s = state(false, size);
    let mut add = |c: Container| {
        let key = (c.host.clone(), c.id.clone());
        s.inventory.containers.insert(key.clone(), c);
        key
    };
    for n in 2..=4 {
        let mut app = compose(
            "local",
            "shop",
            &format!("shop-app-{}", n - 1),
            "shop/app:1.4",
        );
        app.ips = vec![format!("172.18.0.{n}")];
        add(app);
    }
    let lb = |host: &str, name: &str| Container {
        image: "haproxy:2.6".into(),
        ..container(host, name)
    };
    let edge = add(lb("local", "edge-lb"));
    let web = add(lb("local", "web-lb"));
    let orders = add(lb("db2", "orders-lb"));
    let probe = |file: &str| {
        ProbeResult::Haproxy(Ok(HaproxyProbe {
            socket: "/var/run/haproxy.sock".into(),
            rows: show_stat(file),
        }))
    };
    s.probes.record(edge, NOW - 2, probe("show-stat-drain.csv"));
    s.probes
        .record(orders, NOW - 620, probe("show-stat-going-down.csv"));
    let no_socket = "no stats socket in /usr/local/etc/haproxy/haproxy.cfg; add to its global \
                     section: stats socket ipv4@127.0.0.1:9999 level admin";
    s.probes
        .record(web, NOW - 5, ProbeResult::Haproxy(Err(no_socket.into())));
    update(&mut s, key('4'));
    s
}
