use super::*;
use crate::model::answers::mysql::{DbProbe, ReplicaStatus, ThreadState};
use crate::model::probed::ProbeResult;
use crate::model::testing::container;
use crate::model::{Host, HostUpdate, Inventory, SafeText, LABEL_TUGBOAT_CLUSTER};

fn db(name: &str) -> Container {
    let mut c = container("local", name);
    c.image = "mariadb:10.11".into();
    c.labels
        .insert(LABEL_TUGBOAT_CLUSTER.into(), "orders".into());
    c
}

fn probe(source: Option<&str>, lag: Option<u64>) -> ProbeResult {
    ProbeResult::Mysql(Ok(DbProbe {
        server_id: Some(1),
        read_only: source.is_some(),
        version: SafeText::default(),
        gtid: SafeText::default(),
        replica: source.map(|s| ReplicaStatus {
            source_host: SafeText::from_foreign(s),
            source_port: None,
            io_running: ThreadState::Yes,
            sql_running: ThreadState::Yes,
            seconds_behind: lag,
            gtid_position: SafeText::default(),
            last_io_error: SafeText::default(),
            last_sql_error: SafeText::default(),
        }),
        replicas: if source.is_none() {
            vec![SafeText::from_foreign("db2")]
        } else {
            Vec::new()
        },
    }))
}

fn state() -> (State, ContainerKey) {
    let mut inv = Inventory::new(vec![Host::new("local", "unix:///x", "flag")]);
    inv.apply(HostUpdate::Listed {
        host: "local".into(),
        containers: vec![db("db1"), db("db2")],
        volumes: Vec::new(),
    });
    let mut s = State::new(inv, false, 100);
    let key = |n: &str| ("local".to_string(), db(n).id);
    s.probes.record(key("db1"), 1, probe(None, None));
    for lag in [0, 10, 20, 30] {
        s.probes
            .record(key("db2"), 1, probe(Some("db1"), Some(lag)));
    }
    (s, key("db2"))
}

#[test]
fn a_replica_shows_its_lag_over_time_and_where_it_sits() {
    let (s, key) = state();
    let row = NodeRow::Container {
        host: key.0.clone(),
        id: key.1.clone(),
    };
    let p = nodes(&s, &row, 60).unwrap();
    let texts: Vec<String> = p.lines.iter().map(DetailLine::text).collect();
    assert_eq!(p.title, "db2");
    assert!(texts.contains(&format!("{:<12}replica", "role")));
    assert!(
        texts.contains(&format!("{:<12}{:<11}▁▃▆█", "lag", "30s")),
        "{texts:#?}"
    );
    // The tree: the primary, and this replica under it, marked.
    let tree = texts.iter().position(|t| t == "Replication").unwrap();
    assert!(texts[tree + 1].starts_with("  db1  primary"));
    assert!(texts[tree + 2].starts_with("  └─▸ db2  io yes sql yes  lag 30s ▁▃▆█"));
    assert!(texts[tree + 2].ends_with(" ◂"));
}

#[test]
fn a_host_shows_its_engine_and_a_cluster_its_picture() {
    let (s, _) = state();
    let host = nodes(&s, &NodeRow::Host("local".into()), 60).unwrap();
    assert!(host.lines.iter().any(|l| l.text().starts_with("engine")));
    let cluster = NodeRow::Cluster {
        host: "local".into(),
        cluster: cluster_of(&db("db1")),
        count: 2,
    };
    let p = nodes(&s, &cluster, 60).unwrap();
    assert_eq!(p.lines.len(), 3);
    assert!(p.lines[2].text().contains("lag 30s ▁▃▆█"));
}
