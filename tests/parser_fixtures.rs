//! The probe parsers on output captured from the real services
//! (tests/fixtures/README.md says how each file was made).

use tugboat::probes::haproxy::{parse_show_stat, stats_sockets, ProxyKind, StatsSocket, Status};
use tugboat::probes::zookeeper::{parse_mntr, parse_probe, parse_srvr, ZkMode, ZkReply};

fn fixture(path: &str) -> String {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path);
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
}

#[test]
fn srvr_of_leader_follower_and_standalone() {
    let ZkReply::Ok(leader) = parse_srvr(&fixture("zookeeper/srvr-leader.txt")) else {
        panic!("leader parses")
    };
    assert_eq!(leader.mode, ZkMode::Leader);
    assert_eq!(leader.version, "3.8.0");
    assert_eq!((leader.epoch(), leader.counter()), (1, 0));
    assert_eq!(leader.node_count, 5);
    assert_eq!(leader.connections, 1);
    for (file, mode) in [
        ("zookeeper/srvr-follower.txt", ZkMode::Follower),
        ("zookeeper/srvr-standalone.txt", ZkMode::Standalone),
    ] {
        match parse_srvr(&fixture(file)) {
            ZkReply::Ok(s) => assert_eq!(s.mode, mode, "{file}"),
            other => panic!("{file}: {other:?}"),
        }
    }
}

#[test]
fn srvr_and_mntr_error_replies() {
    assert_eq!(
        parse_srvr(&fixture("zookeeper/srvr-not-serving.txt")),
        ZkReply::NotServing
    );
    assert_eq!(
        parse_mntr(&fixture("zookeeper/mntr-not-serving.txt")),
        ZkReply::NotServing
    );
    assert_eq!(
        parse_mntr(&fixture("zookeeper/mntr-not-whitelisted.txt")),
        ZkReply::NotWhitelisted("mntr".into())
    );
    match parse_srvr(&fixture("zookeeper/connect-refused.txt")) {
        ZkReply::Failed(e) => assert!(e.contains("Connection refused"), "{e}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn mntr_of_leader_has_sync_figures() {
    let ZkReply::Ok(m) = parse_mntr(&fixture("zookeeper/mntr-leader.txt")) else {
        panic!()
    };
    assert_eq!(m.synced_followers, Some(2));
    assert_eq!(m.pending_syncs, Some(0));
    assert_eq!(m.server_state.as_deref(), Some("leader"));
    let ZkReply::Ok(f) = parse_mntr(&fixture("zookeeper/mntr-follower.txt")) else {
        panic!()
    };
    assert_eq!(f.server_state.as_deref(), Some("follower"));
    assert_eq!(f.synced_followers, None);
}

#[test]
fn probe_script_output_splits_into_parts() {
    let out = format!(
        "myid=2\nservers=3\n--- srvr\n{}--- mntr\n{}",
        fixture("zookeeper/srvr-follower.txt"),
        fixture("zookeeper/mntr-not-whitelisted.txt")
    );
    let p = parse_probe(&out);
    assert_eq!(p.server_id, Some(2));
    assert_eq!(p.configured, 3);
    assert_eq!(p.mode(), ZkMode::Follower);
    assert_eq!(p.mntr, ZkReply::NotWhitelisted("mntr".into()));
    let refused = format!(
        "myid=1\nservers=3\n--- srvr\n{}--- mntr\n",
        fixture("zookeeper/connect-refused.txt")
    );
    assert_eq!(parse_probe(&refused).mode(), ZkMode::Unreachable);
}

#[test]
fn show_stat_every_server_state() {
    let server = |file: &str, name: &str| {
        parse_show_stat(&fixture(file))
            .unwrap()
            .into_iter()
            .find(|r| r.kind == ProxyKind::Server && r.proxy == "be_app" && r.name == name)
            .unwrap()
    };
    let up = parse_show_stat(&fixture("haproxy/show-stat-all-up.csv")).unwrap();
    let servers: Vec<_> = up
        .iter()
        .filter(|r| r.kind == ProxyKind::Server && r.proxy == "be_app")
        .collect();
    assert_eq!(servers.len(), 3);
    assert!(servers
        .iter()
        .all(|s| s.status == Status::Up && s.check_status == "L7OK"));
    assert_eq!(servers[0].address, "172.18.0.2:8080");
    let backend = up
        .iter()
        .find(|r| r.kind == ProxyKind::Backend && r.proxy == "be_app")
        .unwrap();
    assert_eq!(
        (backend.active_servers, backend.backup_servers),
        (Some(3), Some(0))
    );
    let fe = up
        .iter()
        .find(|r| r.kind == ProxyKind::Frontend && r.proxy == "fe_app")
        .unwrap();
    assert_eq!(fe.status, Status::Open);
    assert!(up
        .iter()
        .any(|r| r.proxy == "be_static" && r.status == Status::NoCheck));

    assert_eq!(
        server("haproxy/show-stat-one-down.csv", "app1").status,
        Status::Down
    );
    assert_eq!(
        server("haproxy/show-stat-drain.csv", "app2").status,
        Status::Drain
    );
    assert_eq!(
        server("haproxy/show-stat-maint.csv", "app3").status,
        Status::Maint
    );
    assert_eq!(
        server("haproxy/show-stat-going-down.csv", "app1").status,
        Status::Going {
            from_up: true,
            done: 1,
            needed: 2
        }
    );
    assert_eq!(
        server("haproxy/show-stat-going-up.csv", "app1").status,
        Status::Going {
            from_up: false,
            done: 1,
            needed: 3
        }
    );
}

#[test]
fn stats_sockets_of_the_captured_config() {
    let sockets = stats_sockets(&fixture("haproxy/haproxy.cfg"));
    assert!(
        sockets
            .iter()
            .any(|s| matches!(s, StatsSocket::Unix(p) if p.starts_with('/'))),
        "{sockets:?}"
    );
}
