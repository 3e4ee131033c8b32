//! Tests of the journal of unfinished jobs.

use super::*;
use crate::ops::backup::{backup_plan, BackupRequest, VolumeUserInfo};

fn backup() -> Plan {
    let users = vec![VolumeUserInfo {
        id: "db-id".into(),
        name: "db".into(),
        running: true,
        database: true,
        image: "mariadb".into(),
    }];
    let request = BackupRequest {
        host: "local".into(),
        volume: "data".into(),
        dir: PathBuf::from("/b"),
        pause: None,
        image: None,
        unix_millis: 0,
    };
    backup_plan(&request, &users).unwrap()
}

#[test]
fn a_backup_may_leave_its_paused_users_helpers_and_partial_file() {
    let left = leftovers(&backup());
    assert!(
        matches!(&left[0], Leftover::Paused { id, .. } if id == "db-id"),
        "{left:?}"
    );
    assert!(left.contains(&Leftover::Helpers {
        host: "local".into(),
        volume: "data".into()
    }));
    assert!(
        left.iter().any(|l| matches!(l, Leftover::PartialFile { path } if path.starts_with("/b/.data-") && path.ends_with(".partial"))),
        "{left:?}"
    );
    let entry = JournalEntry {
        pid: 1,
        job: 2,
        started: 0,
        action: "backup".into(),
        target: "volume/data".into(),
        leftovers: left,
    };
    let plan = recover_plan(&entry, "local");
    assert_eq!(plan.steps.len(), 3);
    assert!(matches!(plan.steps[0].op, StepOp::Unpause { .. }));
    assert_eq!(plan.target, "job 2 of process 1 (backup volume/data)");
}

#[test]
fn entries_are_written_forgotten_and_found_when_their_process_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::new(dir.path().join("journal"));
    journal.begin(5, &backup(), 100).unwrap();
    let mode = |p: &Path| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    };
    // Private: it names what a job may have left behind.
    assert_eq!(mode(&dir.path().join("journal")), 0o700);
    assert_eq!(
        mode(&journal.path(std::process::id(), 5)),
        0o600,
        "the entry"
    );
    // This process lives: its own entry is not stale.
    assert!(journal.stale().is_empty());
    journal.end(5);
    assert_eq!(
        std::fs::read_dir(dir.path().join("journal"))
            .unwrap()
            .count(),
        0
    );
    // An entry of a process that is gone is found.
    let entry = JournalEntry {
        pid: u32::MAX - 1,
        job: 1,
        started: 1,
        action: "backup".into(),
        target: "volume/data".into(),
        leftovers: leftovers(&backup()),
    };
    let path = dir.path().join("journal/x.json");
    std::fs::write(&path, serde_json::to_vec(&entry).unwrap()).unwrap();
    let stale = journal.stale();
    assert_eq!(stale.len(), 1);
    assert_eq!(stale[0].1, entry);
    journal.forget(&stale[0].0).unwrap();
    assert!(journal.stale().is_empty());
}

#[test]
fn a_cut_off_create_leaves_exactly_its_objects_removed_newest_first() {
    let object = |host: &str, kind, name: &str| {
        let op = StepOp::Create(CreateStep::Object {
            index: 0,
            kind,
            name: name.into(),
        });
        Step::new(format!("create {name}"), op).on(host)
    };
    let plan = Plan {
        action: "create".into(),
        host: "a".into(),
        target: "cluster/zk".into(),
        steps: vec![
            Step::new("preflight", StepOp::Create(CreateStep::Preflight)).on("a"),
            object("a", ObjectKind::Network, "zk"),
            object("a", ObjectKind::Volume, "zk-zk1-data"),
            object("b", ObjectKind::Container, "zk-zk2"),
            object("a", ObjectKind::Container, "zk-zk1"),
        ],
    };
    let left = leftovers(&plan);
    assert_eq!(
        left,
        [
            Leftover::HalfMadeCluster {
                host: "a".into(),
                cluster: "zk".into(),
                objects: vec![
                    (ObjectKind::Network, "zk".into()),
                    (ObjectKind::Volume, "zk-zk1-data".into()),
                    (ObjectKind::Container, "zk-zk1".into()),
                ],
            },
            Leftover::HalfMadeCluster {
                host: "b".into(),
                cluster: "zk".into(),
                objects: vec![(ObjectKind::Container, "zk-zk2".into())],
            },
        ]
    );
    let entry = JournalEntry {
        pid: 1,
        job: 1,
        started: 0,
        action: "create".into(),
        target: "cluster/zk".into(),
        leftovers: left,
    };
    let recover = recover_plan(&entry, "a");
    assert!(
        recover.steps[0]
            .what
            .ends_with("newest first: container zk-zk1, volume zk-zk1-data, network zk"),
        "{}",
        recover.steps[0].what
    );
    assert_eq!(recover.steps[1].host.as_deref(), Some("b"));
}
