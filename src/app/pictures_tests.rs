use super::*;
use crate::model::answers::mysql::ReplicaStatus;
use crate::model::answers::ProbeOutcome;
use crate::model::SafeText;

fn zk(name: &str, id: u32, mode: ZkMode) -> ZkMember {
    ZkMember {
        host: "local".into(),
        container: SafeText::from_foreign(name),
        container_id: name.into(),
        server_id: Some(id),
        mode,
        stats: None,
        monitor: None,
        probed_at: Some(1),
        error: (mode == ZkMode::Unreachable).then(|| SafeText::from_foreign("container exited")),
    }
}

fn texts(lines: &[DetailLine]) -> Vec<String> {
    lines.iter().map(DetailLine::text).collect()
}

#[test]
fn an_ensemble_hangs_from_its_leader_with_the_down_marked() {
    let e = Ensemble {
        name: "zk-prod".into(),
        members: vec![
            zk("zk1", 1, ZkMode::Follower),
            zk("zk2", 2, ZkMode::Leader),
            zk("zk3", 3, ZkMode::Unreachable),
        ],
        configured: 3,
    };
    let me = ("local".to_string(), "zk3".to_string());
    assert_eq!(
        texts(&ensemble(&e, Some(&me))),
        [
            "  zk-prod  2/3 up · quorum OK · tolerates 0",
            "  ◆ zk2 #2 leader",
            "  ├─● zk1 #1 follower",
            "  └─✗ zk3 #3 unreachable: container exited ◂",
        ]
    );
    // The one down is bad, the leader stands out: by mark and by tone.
    let last = ensemble(&e, None).pop().unwrap();
    assert_eq!(last.segments[1].tone, Tone::Bad);
}

#[test]
fn without_one_leader_the_picture_says_so_first() {
    let e = Ensemble {
        name: "split".into(),
        members: vec![zk("a", 1, ZkMode::Leader), zk("b", 2, ZkMode::Leader)],
        configured: 2,
    };
    let lines = texts(&ensemble(&e, None));
    assert_eq!(lines[1], "  ⚠ 2 leaders");
    assert_eq!(lines[2..], ["  ├─◆ a #1 leader", "  └─◆ b #2 leader"]);
    let e = Ensemble {
        members: vec![zk("a", 1, ZkMode::NotServing)],
        ..e
    };
    assert_eq!(texts(&ensemble(&e, None))[1], "  ⚠ no leader");
    // Not probed yet: no alarm, neither in the summary nor for the leader.
    let e = Ensemble {
        members: vec![zk("a", 1, ZkMode::Unknown), zk("b", 2, ZkMode::Unknown)],
        ..e
    };
    assert_eq!(
        texts(&ensemble(&e, None))[..2],
        ["  split  probing…", "  ? leader probing…"]
    );
}

fn db(source: Option<&str>, lag: Option<u64>) -> ProbeOutcome<DbProbe> {
    Ok(DbProbe {
        server_id: Some(1),
        read_only: false,
        version: SafeText::default(),
        gtid: SafeText::from_foreign("0-1-9"),
        replica: source.map(|s| ReplicaStatus {
            source_host: SafeText::from_foreign(s),
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
        replicas: if source.is_none() {
            vec![SafeText::from_foreign("db2")]
        } else {
            Vec::new()
        },
    })
}

fn tl(depth: usize, name: &str, probe: ProbeOutcome<DbProbe>) -> TreeLine {
    TreeLine {
        depth,
        key: ("h".into(), name.into()),
        name: SafeText::from_foreign(name),
        probe: Some(probe),
    }
}

#[test]
fn a_chained_replica_sits_under_its_source_with_threads_and_lag() {
    let tree = vec![
        tl(0, "db1", db(None, None)),
        tl(1, "db2", db(Some("db1"), Some(3))),
        tl(2, "db4", db(Some("db2"), None)),
        tl(1, "db3", db(Some("db1"), Some(0))),
    ];
    let mut history = ProbeHistory::default();
    for lag in [Some(0), Some(15), Some(30)] {
        history.record_db(&("h".into(), "db2".into()), &db(Some("db1"), lag));
    }
    let me = ("h".to_string(), "db4".to_string());
    assert_eq!(
        texts(&replication(&tree, &history, Some(&me), Detail::Full)),
        [
            "  db1  primary  gtid 0-1-9",
            "  ├─▸ db2  replica of db1  io yes  sql yes  lag 3s ▁▄█  gtid 0-1-9",
            "  │   └─▸ db4  replica of db2  io yes  sql no  lag -  gtid 0-1-9 ◂",
            "  └─▸ db3  replica of db1  io yes  sql yes  lag 0s  gtid 0-1-9",
        ]
    );
    assert_eq!(
        texts(&replication(&tree, &history, Some(&me), Detail::Compact)),
        [
            "  db1  primary",
            "  ├─▸ db2  io yes sql yes  lag 3s ▁▄█",
            "  │   └─▸ db4  io yes sql no  lag - ◂",
            "  └─▸ db3  io yes sql yes  lag 0s",
        ]
    );
}

#[test]
fn branches_close_where_no_sibling_follows() {
    let tree = vec![
        tl(0, "a", db(None, None)),
        tl(1, "b", db(Some("a"), Some(0))),
        tl(2, "c", db(Some("b"), Some(0))),
        tl(0, "z", db(None, None)),
    ];
    assert_eq!(branches(&tree, 1), "└─▸ ");
    assert_eq!(branches(&tree, 2), "    └─▸ ");
    assert_eq!(branches(&tree, 3), "");
}
