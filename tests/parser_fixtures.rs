//! The probe parsers on output captured from the real services
//! (tests/fixtures/README.md says how each file was made).

use tugboat::model::answers::haproxy::{ProxyKind, Status};
use tugboat::model::answers::zookeeper::{ZkMode, ZkReply};
use tugboat::probes::haproxy::{parse_show_stat, parse_status, stats_sockets, StatsSocket};
use tugboat::probes::zookeeper::{parse_mntr, parse_probe, parse_srvr};

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
        "myid=2\nservers=3\nmember server.1=zk-a:2888:3888;2181\nmember server.3=zk-c:2888:3888;2181\n\
         member server.2=zk-b:2888:3888;2181\n--- srvr\n{}--- mntr\n{}",
        fixture("zookeeper/srvr-follower.txt"),
        fixture("zookeeper/mntr-not-whitelisted.txt")
    );
    let p = parse_probe(&out);
    assert_eq!(p.server_id, Some(2));
    assert_eq!(p.configured, 3);
    assert_eq!(p.peers, ["zk-a", "zk-b", "zk-c"]);
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

#[test]
fn mariadb_replica_status_healthy_stopped_and_failing() {
    use tugboat::model::answers::mysql::ThreadState;
    use tugboat::probes::mysql::replica_status;
    let healthy = replica_status(&fixture("mariadb/show-slave-status-healthy.txt")).unwrap();
    assert_eq!(healthy.source_host, "primary");
    assert_eq!(healthy.source_port, Some(3306));
    assert_eq!(
        (healthy.io_running, healthy.sql_running),
        (ThreadState::Yes, ThreadState::Yes)
    );
    assert_eq!(healthy.seconds_behind, Some(0));
    assert_eq!(healthy.gtid_position, "0-1-8");
    assert!(healthy.is_healthy());
    // SHOW REPLICA STATUS (MariaDB 10.5+) answers with the same columns.
    assert_eq!(
        replica_status(&fixture("mariadb/show-replica-status-healthy.txt")).unwrap(),
        healthy
    );

    let stopped = replica_status(&fixture("mariadb/show-slave-status-sql-stopped.txt")).unwrap();
    assert_eq!(
        (stopped.io_running, stopped.sql_running),
        (ThreadState::Yes, ThreadState::No)
    );
    assert_eq!(stopped.seconds_behind, None);
    assert!(!stopped.is_healthy());

    let sql_error = replica_status(&fixture("mariadb/show-slave-status-sql-error.txt")).unwrap();
    assert!(
        sql_error.last_sql_error.contains("Duplicate entry '100'"),
        "{}",
        sql_error.last_sql_error
    );

    let io_error = replica_status(&fixture("mariadb/show-slave-status-io-error-host.txt")).unwrap();
    assert_eq!(io_error.io_running, ThreadState::Connecting);
    assert!(io_error
        .last_io_error
        .contains("Unknown server host 'no-such-host'"));

    // A primary answers with no row at all.
    assert_eq!(
        replica_status(&fixture("mariadb/show-slave-status-primary-empty.txt")),
        None
    );
}

#[test]
fn mariadb_server_state_rows() {
    use tugboat::probes::mysql::parse_vertical;
    let rows = parse_vertical(&fixture("mariadb/select-state-replica.txt"));
    assert_eq!(rows[0]["@@read_only"], "1");
    assert_eq!(rows[0]["@@server_id"], "2");
    assert_eq!(rows[0]["@@gtid_current_pos"], "0-1-8");
    let hosts = parse_vertical(&fixture("mariadb/show-slave-hosts.txt"));
    assert_eq!(hosts.len(), 2);
    assert_eq!(hosts[1]["Host"], "172.18.0.3");
}

#[test]
fn mysql_8_4_replica_status_names() {
    use tugboat::model::answers::mysql::ThreadState;
    use tugboat::probes::mysql::replica_status;
    let s = replica_status(&fixture("mysql/show-replica-status-8.4.txt")).unwrap();
    assert_eq!(
        (s.io_running, s.sql_running),
        (ThreadState::Yes, ThreadState::Yes)
    );
    assert!(!s.source_host.is_empty());
    assert!(s.seconds_behind.is_some());
    // Executed_Gtid_Set wraps over two lines; the position joins them.
    assert!(s.gtid_position.contains(','), "{}", s.gtid_position);
    assert!(!s.gtid_position.contains('\n'));
}

#[test]
fn nginx_upstreams_and_reachability() {
    use tugboat::model::answers::nginx::{NginxProbe, Reach};
    use tugboat::probes::nginx::{parse_reach, parse_upstreams};
    let upstreams = parse_upstreams(&fixture("nginx/nginx-T.txt"));
    let names: Vec<&str> = upstreams.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(
        names,
        ["app_pool", "static"],
        "commented-out blocks are not upstreams"
    );
    let pool = &upstreams[0].servers;
    assert_eq!(pool.len(), 2);
    assert_eq!(
        (pool[0].address.as_str(), pool[0].weight, pool[0].backup),
        ("nxapp1:8080", Some(2), false)
    );
    assert!(pool[1].backup);
    let probe = NginxProbe {
        upstreams: upstreams.clone(),
        reach: parse_reach(&fixture("nginx/reach.txt")),
    };
    assert_eq!(probe.reach_of(&pool[0]), Reach::Ok);
    assert_eq!(probe.reach_of(&pool[1]), Reach::Fail);
}

/// What a hostile container puts in its answers: title and clipboard
/// writes (OSC 0, OSC 52), a screen clear, a DCS, a C1 CSI, a bidi
/// override, a zero-width space and a tag character. No field may be
/// split by it (no `,`, `-`, `:` or `: ` inside).
const HOSTILE: &str = "\u{1b}]0;title\u{7}\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}[2J\
                       \u{1b}Pq#0;2;0\u{1b}\\\u{9b}31m\u{202e}\u{200b}\u{e0041}";

/// Nothing of `HOSTILE` is left in what was parsed: no dangerous
/// character, and none of the removed sequences' text.
fn assert_inert(parsed: &impl serde::Serialize) {
    use tugboat::model::sanitize::is_dangerous;
    let text = serde_json::to_string(parsed).unwrap();
    assert!(!text.chars().any(is_dangerous), "{text}");
    for left in ["\\u001b", "title", "ZXZpbA", "2J", "q#0", "31m"] {
        assert!(!text.contains(left), "{left} in {text}");
    }
}

#[test]
fn hostile_zookeeper_answers_parse_inert() {
    let srvr = format!(
        "Zookeeper version: 3.8.0{HOSTILE}, built on 2022\nLatency min/avg/max: 0/0.5/3\n\
         Received: 10\nSent: 9\nConnections: 1\nOutstanding: 0\nZxid: 0x100000000\n\
         Mode: leader\nNode count: 5\n"
    );
    let ZkReply::Ok(stats) = parse_srvr(&srvr) else {
        panic!("srvr parses")
    };
    assert_eq!(stats.version, "3.8.0???");
    assert_inert(&stats);
    let mntr = format!("zk_version\t3.8.0\nzk_server_state\tleader{HOSTILE}\n");
    let ZkReply::Ok(m) = parse_mntr(&mntr) else {
        panic!("mntr parses")
    };
    assert_inert(&m);
    let probe = format!(
        "myid=1\nservers=2\nmember server.1=zk1{HOSTILE}:2888:3888;2181\n\
         member server.2=zk2:2888:3888;2181\n--- srvr\nbad{HOSTILE}\n--- mntr\n\
         mntr{HOSTILE} is not executed because it is not in the whitelist.\n"
    );
    let p = parse_probe(&probe);
    assert_eq!(p.peers, ["zk1???", "zk2"]);
    assert_inert(&p.peers);
    let Some(error) = p.error() else {
        panic!("srvr failed")
    };
    assert_inert(&error);
    let ZkReply::NotWhitelisted(cmd) = &p.mntr else {
        panic!("{:?}", p.mntr)
    };
    assert_inert(cmd);
}

#[test]
fn hostile_haproxy_show_stat_parses_inert() {
    use tugboat::probes::haproxy::parse_probe as haproxy_probe;
    let csv = format!(
        "# pxname,svname,type,status,weight,scur,addr,bck,act,check_status\n\
         be{HOSTILE},app{HOSTILE},2,UP{HOSTILE},1,0,10.0.0.2:80{HOSTILE},0,1,L7OK{HOSTILE}\n\
         be{HOSTILE},BACKEND,1,DOWN,1,0,,0,0,\n"
    );
    let rows = parse_show_stat(&csv).unwrap();
    assert_eq!(rows[0].proxy, "be???");
    assert_eq!(rows[0].name, "app???");
    assert_eq!(rows[0].status, parse_status("UP???"));
    assert_inert(&rows);
    let probe = haproxy_probe(&format!("--- socket ipv4@127.0.0.1:9999{HOSTILE}\n{csv}")).unwrap();
    assert_inert(&probe);
    for broken in [
        format!("tugboat: no socket{HOSTILE}\n"),
        format!("garbage{HOSTILE}\n"),
        format!("--- socket x\n{HOSTILE}\n"),
        format!("--- socket x\n# pxname,svname,type,status\nbe,s,9{HOSTILE},UP\n"),
    ] {
        let e = haproxy_probe(&broken).unwrap_err();
        assert_inert(&e);
        assert_inert(&e.to_string());
    }
}

#[test]
fn hostile_mariadb_slave_status_parses_inert() {
    use tugboat::probes::mysql::{parse_probe as db_probe, replica_status};
    let status = format!(
        "*************************** 1. row ***************************\n\
         \x20     Slave_IO_State: Connecting{HOSTILE}\n\
         \x20        Master_Host: db1{HOSTILE}\n\
         \x20        Master_Port: 3306\n\
         \x20   Slave_IO_Running: Connecting\n\
         \x20  Slave_SQL_Running: Yes\n\
         \x20      Last_IO_Error: error connecting to master 'x{HOSTILE}'\n\
         \x20     Last_SQL_Error: {HOSTILE}\n\
         Seconds_Behind_Master: NULL\n\
         \x20        Gtid_IO_Pos: 0-1-5{HOSTILE}\n"
    );
    let r = replica_status(&status).unwrap();
    assert_eq!(r.source_host, "db1???");
    assert_eq!(r.last_sql_error, "???");
    assert_inert(&r);
    let probe = format!(
        "--- state\n*************************** 1. row ***************************\n\
         server_id: 2\nread_only: 1\nversion: 10.11.6-MariaDB{HOSTILE}\n\
         --- gtid\n*************************** 1. row ***************************\n\
         gtid: 0-1-5{HOSTILE}\n--- replica\n{status}--- replicas\n\
         *************************** 1. row ***************************\n\
         Server_id: 3\nHost: db3{HOSTILE}\n"
    );
    let p = db_probe(&probe).unwrap();
    assert_eq!(p.version, "10.11.6-MariaDB???");
    assert_eq!(p.replicas, ["db3???"]);
    assert_inert(&p);
    for broken in [
        format!("tugboat: no client{HOSTILE}\n"),
        format!("--- state\nERROR 1045 (28000): Access denied{HOSTILE}\n"),
        format!("nothing{HOSTILE}\n"),
    ] {
        assert_inert(&db_probe(&broken).unwrap_err());
    }
}
