//! Every parser of foreign text, fed seeded random bytes: none may panic,
//! and what the probe parsers keep holds nothing dangerous. Rounds per
//! parser: `TUGBOAT_FUZZ_ROUNDS` (default 2000); run with `--nocapture`
//! to see the figures.

use std::time::Instant;

use crate::model::sanitize::is_dangerous;
use crate::model::testing::Rng;

fn rounds() -> usize {
    std::env::var("TUGBOAT_FUZZ_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000)
}

/// Feed `rounds()` random texts built from `words` to `parse`.
fn fuzz(name: &str, seed: u64, words: &[&str], mut parse: impl FnMut(&str)) -> usize {
    let mut rng = Rng(seed);
    let started = Instant::now();
    let n = rounds();
    for _ in 0..n {
        let text = rng.foreign_text(200, words);
        parse(&text);
    }
    eprintln!("fuzz {name}: {n} inputs in {:?}", started.elapsed());
    n
}

fn clean(text: &str) -> bool {
    !text.chars().any(|c| c != '\n' && is_dangerous(c))
}

/// Debug output escapes controls; Serialize output does not.
fn clean_json(value: &impl serde::Serialize) -> bool {
    clean(&serde_json::to_string(value).unwrap_or_default())
}

const ZK_WORDS: &[&str] = &[
    "Mode: ",
    "leader",
    "follower",
    "Zxid: 0x",
    "Zookeeper version: ",
    "Latency min/avg/max: ",
    "/",
    "Node count: ",
    "zk_version\t",
    "zk_server_state\t",
    "zk_followers\t",
    "--- srvr\n",
    "--- mntr\n",
    "member server.1=",
    "myid=",
    "servers=",
    ":",
    "ffffffffffffffffff",
    "18446744073709551616",
    "is not executed because it is not in the whitelist.",
];

const HAPROXY_WORDS: &[&str] = &[
    "# pxname,svname,type,status,weight,scur,addr,bck,act,check_status,lastchg\n",
    "--- socket ",
    "tugboat: ",
    ",",
    "UP",
    "DOWN",
    "MAINT",
    " 1/",
    "4294967296",
    "stats socket ",
    "ipv4@",
    "unix@",
    "#",
];

const MYSQL_WORDS: &[&str] = &[
    "*************************** 1. row ***************************\n",
    "--- state\n",
    "--- gtid\n",
    "--- replica\n",
    "--- replicas\n",
    "\n--- ",
    ": ",
    "Master_Host",
    "Last_IO_Error",
    "Seconds_Behind_Master",
    "Gtid_IO_Pos",
    "server_id",
    "Host",
    "ERROR",
    "Yes",
    "0-1-",
    "18446744073709551615",
];

#[test]
fn zookeeper_parsers_never_panic() {
    use crate::model::answers::zookeeper::ZkReply;
    use crate::probes::zookeeper::{parse_mntr, parse_probe, parse_srvr};
    fuzz("zookeeper", 1, ZK_WORDS, |t| {
        if let ZkReply::Ok(s) = parse_srvr(t) {
            assert!(clean_json(&s), "{t:?}");
        }
        let _ = parse_mntr(t);
        let p = parse_probe(t);
        assert!(p.peers.iter().all(|h| clean(h)), "{t:?}");
        assert!(p.error().is_none_or(|e| clean(&e)), "{t:?}");
    });
}

#[test]
fn haproxy_parsers_never_panic() {
    use crate::probes::haproxy::{parse_probe, parse_show_stat, parse_status, stats_sockets};
    fuzz("haproxy", 2, HAPROXY_WORDS, |t| {
        let _ = parse_status(t).label();
        match parse_show_stat(t) {
            Ok(rows) => assert!(clean_json(&rows), "{t:?}"),
            Err(e) => assert!(clean(e.text()), "{t:?}"),
        }
        let _ = stats_sockets(t);
        if let Ok(p) = parse_probe(t) {
            assert!(clean_json(&p), "{t:?}");
        }
    });
}

#[test]
fn mysql_parsers_never_panic() {
    use crate::ops::db_sql::{gtid_progress, DbFlavor};
    use crate::probes::mysql::{parse_probe, parse_vertical, replica_status};
    fuzz("mysql", 3, MYSQL_WORDS, |t| {
        let _ = parse_vertical(t);
        if let Some(r) = replica_status(t) {
            assert!(clean_json(&r), "{t:?}");
        }
        match parse_probe(t) {
            Ok(p) => assert!(clean_json(&p), "{t:?}"),
            Err(e) => assert!(clean(e.text()), "{t:?}"),
        }
        let _ = gtid_progress(t);
        let _ = DbFlavor::from_version(t);
    });
}

#[test]
fn gtid_positions_never_panic() {
    use crate::ops::db_sql::gtid_progress;
    let words = &[
        ":",
        "-",
        ",",
        "0",
        "1",
        "18446744073709551615",
        "3e11fa47-71ca",
    ];
    fuzz("gtid", 7, words, |t| {
        let _ = gtid_progress(t);
    });
}

#[test]
fn nginx_parsers_never_panic() {
    use crate::probes::nginx::{parse_reach, parse_upstreams};
    let words = &[
        "upstream ",
        "{",
        "}",
        ";",
        "server ",
        "weight=",
        "backup",
        "ok ",
        ":",
    ];
    fuzz("nginx", 4, words, |t| {
        for up in parse_upstreams(t) {
            assert!(clean(&up.name), "{t:?}");
            for s in &up.servers {
                assert!(clean(&s.address), "{t:?}");
                let _ = s.host_port();
            }
        }
        let _ = parse_reach(t);
    });
}

#[test]
fn haproxy_cfg_editing_never_panics() {
    use crate::ops::haproxy_cfg::{
        add_server, new_server_line, remove_server, runtime_options, server_lines,
        set_server_enabled,
    };
    let words = &[
        "backend be\n",
        "  server s1 ",
        "10.0.0.1:80",
        " check",
        " disabled",
        "\n",
    ];
    fuzz("haproxy_cfg", 5, words, |t| {
        let _ = server_lines(t, "be");
        let _ = runtime_options(t, "be");
        let line = new_server_line(t, "be", "s2", "10.0.0.2", 80);
        let _ = add_server(t, "be", "s2", &line);
        let _ = remove_server(t, "be", "s1");
        let _ = set_server_enabled(t, "be", "s1", false);
    });
}

#[test]
fn manifests_and_model_parsers_never_panic() {
    use crate::create::spec::ClusterSpec;
    use crate::model::address::{first_address, url_address};
    use crate::model::clock::parse_rfc3339_utc;
    use crate::model::container::uptime_from_status;
    use crate::model::{ContainerState, MountKind};
    use crate::ops::backup::Manifest;
    let words = &[
        "name = ",
        "\"",
        "template = ",
        "[zookeeper]",
        "Up ",
        " hours",
        "2024-",
        "T",
        "Z",
        "+",
        "tcp://",
        "/",
        "{\"format\":",
        "}",
    ];
    fuzz("manifests+model", 6, words, |t| {
        if let Ok(spec) = ClusterSpec::from_toml(t) {
            let _ = spec.problems();
        }
        let _ = serde_json::from_str::<Manifest>(t);
        let _ = ContainerState::parse(t);
        let _ = MountKind::parse(t);
        let _ = uptime_from_status(t);
        let _ = parse_rfc3339_utc(t);
        let _ = url_address(t);
        let _ = first_address(t);
    });
}
