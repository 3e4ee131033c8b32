use super::*;
use crate::model::answers::haproxy::{StatRow, Status};
use crate::model::answers::mysql::{ReplicaStatus, ThreadState};
use crate::model::answers::ProbeError;
use crate::model::testing::container;
use crate::model::HostUpdate;

fn key(id: &str) -> ContainerKey {
    ("local".into(), id.into())
}

fn server(backend: &str, name: &str, sessions: u64) -> StatRow {
    StatRow {
        proxy: SafeText::from_foreign(backend),
        name: SafeText::from_foreign(name),
        kind: ProxyKind::Server,
        status: Status::Up,
        weight: Some(1),
        active_servers: None,
        backup_servers: None,
        current_sessions: sessions,
        session_rate: 0,
        check_status: SafeText::default(),
        last_change_secs: None,
        address: SafeText::default(),
        backup: false,
    }
}

fn stat(rows: Vec<StatRow>) -> ProbeOutcome<HaproxyProbe> {
    Ok(HaproxyProbe {
        socket: SafeText::from_foreign("/s"),
        rows,
    })
}

fn sk(backend: &str, name: &str) -> ServerKey {
    ServerKey {
        balancer: key("lb"),
        backend: SafeText::from_foreign(backend),
        server: SafeText::from_foreign(name),
    }
}

fn replica(lag: Option<u64>) -> ProbeOutcome<DbProbe> {
    Ok(DbProbe {
        server_id: Some(2),
        read_only: true,
        version: SafeText::default(),
        gtid: SafeText::default(),
        replica: Some(ReplicaStatus {
            source_host: SafeText::from_foreign("db1"),
            source_port: None,
            io_running: ThreadState::Yes,
            sql_running: if lag.is_some() {
                ThreadState::Yes
            } else {
                ThreadState::No
            },
            seconds_behind: lag,
            gtid_position: SafeText::default(),
            last_io_error: SafeText::default(),
            last_sql_error: SafeText::default(),
        }),
        replicas: Vec::new(),
    })
}

#[test]
fn a_series_keeps_the_newest_rounds_and_draws_gaps_as_dots() {
    let mut s = Series::default();
    for v in 0..(KEPT as u64 + 10) {
        s.push(Some(v));
    }
    assert_eq!(s.len(), KEPT);
    assert_eq!(s.last(), Some(KEPT as u64 + 9));
    s.push(None);
    assert_eq!(s.last(), None);
    // The last four rounds: 67, 68, 69 against a top of 69, then a gap.
    assert_eq!(s.line(4, 69), "███·");
    assert_eq!(s.peak(4), 69);
    // A top of 0 (an idle server) draws flat, not full.
    let mut idle = Series::default();
    idle.push(Some(0));
    idle.push(Some(0));
    assert_eq!(idle.line(10, 0), "▁▁");
}

#[test]
fn sessions_per_server_follow_each_round_and_forget_removed_servers() {
    let mut h = ProbeHistory::default();
    let lb = key("lb");
    for n in [1, 4, 8] {
        let rows = vec![server("be_app", "app1", n), server("be_app", "app2", 8 - n)];
        h.record_haproxy(&lb, &stat(rows));
    }
    let app1 = h.sessions(&sk("be_app", "app1")).unwrap();
    assert_eq!(app1.line(10, 8), "▁▄█");
    assert_eq!(
        h.sessions(&sk("be_app", "app2")).unwrap().line(10, 8),
        "▇▄▁"
    );
    // A failed round is a gap in every server of that balancer.
    h.record_haproxy(&lb, &Err(ProbeError::foreign("socket gone")));
    assert_eq!(
        h.sessions(&sk("be_app", "app1")).unwrap().line(10, 8),
        "▁▄█·"
    );
    // app2 left the configuration: its series goes.
    h.record_haproxy(&lb, &stat(vec![server("be_app", "app1", 2)]));
    assert!(h.sessions(&sk("be_app", "app2")).is_none());
    assert_eq!(h.sessions(&sk("be_app", "app1")).unwrap().len(), 5);
}

#[test]
fn lag_is_kept_for_replicas_only_and_scaled_to_half_a_minute() {
    let mut h = ProbeHistory::default();
    let db2 = key("db2");
    for lag in [Some(0), Some(15), Some(30), None, Some(90)] {
        h.record_db(&db2, &replica(lag));
    }
    // 15 s of 30 is the middle bar; a stopped thread a gap; 90 s raises
    // the top to itself, so the earlier figures shrink against it.
    assert_eq!(h.lag_line(&db2, 3), Some("▃·█".into()));
    assert_eq!(h.lag_line(&db2, 10), Some("▁▂▃·█".into()));
    assert!(h.has_lag());
    // A failed probe is a gap, not the end of the series.
    h.record_db(&db2, &Err(ProbeError::foreign("refused")));
    assert_eq!(h.lag(&db2).unwrap().len(), 6);
    // Promoted: no source, no lag.
    let mut primary = replica(None);
    if let Ok(p) = primary.as_mut() {
        p.replica = None;
    }
    h.record_db(&db2, &primary);
    assert!(h.lag(&db2).is_none() && !h.has_lag());
    // A failed probe of a server never seen as a replica starts nothing.
    h.record_db(&key("db9"), &Err(ProbeError::foreign("refused")));
    assert!(!h.has_lag());
}

#[test]
fn a_relist_keeps_the_series_of_containers_still_there() {
    let mut inv = Inventory::default();
    let kept = container("local", "db-kept");
    let gone = container("local", "db-gone");
    inv.apply(HostUpdate::Listed {
        host: "local".into(),
        containers: vec![kept.clone(), gone.clone()],
        volumes: Vec::new(),
    });
    let mut h = ProbeHistory::default();
    let kept_key = ("local".to_string(), kept.id.clone());
    let gone_key = ("local".to_string(), gone.id.clone());
    h.record_db(&kept_key, &replica(Some(1)));
    h.record_db(&gone_key, &replica(Some(1)));
    inv.apply(HostUpdate::Listed {
        host: "local".into(),
        containers: vec![kept],
        volumes: Vec::new(),
    });
    h.retain_known(&inv);
    assert_eq!(h.lag(&kept_key).map(Series::len), Some(1));
    assert!(h.lag(&gone_key).is_none());
}
