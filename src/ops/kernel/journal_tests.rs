//! Tests of the journal of unfinished jobs.

use super::*;
use crate::model::new_objects::ObjectKind;
use crate::ops::kernel::plan::{ContainerStep, DbStep, PlanAction, PlanTarget, Step};
use crate::ops::plans::backup::{backup_plan, BackupRequest, VolumeUserInfo};
use crate::ops::steps::cleanup_step::CleanupStep;

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
    assert!(matches!(
        plan.steps[0].op,
        StepOp::Cleanup(CleanupStep::Unpause { .. })
    ));
    assert_eq!(
        plan.target.to_string(),
        "job 2 of process 1 (backup volume/data)"
    );
}

fn entry(job: u64, started: i64) -> JournalEntry {
    JournalEntry {
        pid: u32::MAX - 1,
        job,
        started,
        action: "backup".into(),
        target: "volume/data".into(),
        leftovers: leftovers(&backup()),
    }
}

/// A process of this machine that is gone (its pid's start time differs).
fn gone_here() -> Holder {
    Holder {
        start_ticks: u64::MAX,
        ..Holder::this_process()
    }
}

fn store(journal_dir: &Path, file: &str, entry: JournalEntry, holder: Holder) -> PathBuf {
    let stored = Stored {
        entry,
        token: JobToken::from_bytes([7; 16]),
        holder,
    };
    let path = journal_dir.join(file);
    std::fs::write(&path, serde_json::to_vec(&stored).unwrap()).unwrap();
    path
}

fn now() -> i64 {
    crate::docker::unix_now()
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
    let own = journal.path(std::process::id(), 5);
    assert_eq!(mode(&own), 0o600, "the entry");
    assert_eq!(mode(&dir.path().join("journal/.lock")), 0o600, "the lock");
    // It names this machine and process, and a token of its own.
    let written: Stored = serde_json::from_slice(&std::fs::read(&own).unwrap()).unwrap();
    assert_eq!(written.holder, Holder::this_process());
    journal.begin(6, &backup(), 100).unwrap();
    let other: Stored =
        serde_json::from_slice(&std::fs::read(journal.path(std::process::id(), 6)).unwrap())
            .unwrap();
    assert_ne!(written.token, other.token, "each job its own token");
    // This process lives: its own entries are not stale.
    assert!(journal.scan().is_empty());
    journal.end(5);
    journal.end(6);
    let json_files = || {
        std::fs::read_dir(dir.path().join("journal"))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "json")
            })
            .count()
    };
    assert_eq!(json_files(), 0);
    // An entry of a process that is gone is found, and taken over before
    // it is recovered: then it is this process's, running, not offered.
    let path = store(
        &dir.path().join("journal"),
        "x.json",
        entry(1, now()),
        gone_here(),
    );
    let stale = journal.stale();
    assert_eq!(stale.len(), 1);
    assert_eq!(stale[0].1.entry, entry(1, stale[0].1.entry.started));
    assert_eq!(recoveries(&journal, "local").len(), 1);
    let taken = journal.take(&path).unwrap();
    assert_eq!(taken.holder, Holder::this_process());
    assert!(journal.scan().is_empty(), "held by this process now");
    assert!(journal.take(&path).is_err(), "not taken twice");
    journal.forget(&path).unwrap();
    assert_eq!(json_files(), 0);
}

#[test]
fn another_machines_entry_is_shown_never_recovered() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::new(dir.path());
    let mut holder = gone_here();
    holder.machine.host = "bastion-b".into();
    let path = store(dir.path(), "b.json", entry(1, now()), holder);
    assert!(recoveries(&journal, "local").is_empty());
    let found = journal.scan();
    assert!(
        matches!(&found[..], [Found::Shown { why: ByHand::OtherMachine { host }, .. }] if host == "bastion-b"),
        "{found:?}"
    );
    let text = found[0].by_hand_text().unwrap();
    assert!(
        text.contains("held by another machine (bastion-b): check there"),
        "{text}"
    );
    assert!(journal.take(&path).is_err());
}

#[test]
fn an_entry_past_the_limit_is_a_notice_listing_what_it_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::new(dir.path());
    let old = now() - EXPIRE_AFTER_SECS - 3600;
    let path = store(dir.path(), "old.json", entry(3, old), gone_here());
    assert!(recoveries(&journal, "local").is_empty());
    let found = journal.scan();
    assert!(
        matches!(
            &found[..],
            [Found::Shown {
                why: ByHand::Expired { hours: 25 },
                ..
            }]
        ),
        "{found:?}"
    );
    let text = found[0].by_hand_text().unwrap();
    assert!(
        text.contains("cut off 25 h ago, past the 24 h limit"),
        "{text}"
    );
    assert!(
        text.contains("unpause db on local if it is still paused"),
        "{text}"
    );
    assert!(text.contains(&path.display().to_string()), "{text}");
    // Just inside the limit it is still recovered.
    let young = now() - EXPIRE_AFTER_SECS + 60;
    store(dir.path(), "old.json", entry(3, young), gone_here());
    assert_eq!(recoveries(&journal, "local").len(), 1);
}

#[test]
fn verdicts_follow_liveness_and_age() {
    let stored = Stored {
        entry: entry(1, 1_000),
        token: JobToken::from_bytes([1; 16]),
        holder: gone_here(),
    };
    let fresh = 1_000 + EXPIRE_AFTER_SECS;
    assert_eq!(verdict(&stored, Liveness::Running, fresh), Verdict::Running);
    assert_eq!(verdict(&stored, Liveness::Gone, fresh), Verdict::Recover);
    assert!(matches!(
        verdict(&stored, Liveness::Gone, fresh + 1),
        Verdict::Show(ByHand::Expired { .. })
    ));
    // Another machine's, however old: never recovered from here.
    assert!(matches!(
        verdict(&stored, Liveness::OtherMachine, 1_000),
        Verdict::Show(ByHand::OtherMachine { .. })
    ));
}

#[test]
fn an_unreadable_entry_is_shown() {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::new(dir.path());
    std::fs::write(dir.path().join("bad.json"), b"{\"pid\": 1}").unwrap();
    let found = journal.scan();
    assert!(
        matches!(
            &found[..],
            [Found::Shown {
                why: ByHand::Unreadable { .. },
                stored: None,
                ..
            }]
        ),
        "{found:?}"
    );
    assert!(found[0].by_hand_text().unwrap().contains("cannot be read"));
}

#[test]
fn ids_are_cut_on_characters() {
    assert_eq!(
        super::super::journal_leftovers::short("0123456789abcdef"),
        "0123456789ab"
    );
    assert_eq!(
        super::super::journal_leftovers::short("ééééééééééééé"),
        "éééééééééééé"
    );
    assert_eq!(super::super::journal_leftovers::short("é"), "é");
}

#[test]
fn a_cut_off_create_leaves_exactly_its_objects_removed_newest_first() {
    let object = |host: &str, kind, name: &str| {
        let op = StepOp::Create(CreateStep::Object {
            index: 0,
            kind,
            name: name.into(),
            job: Some(JobToken::from_bytes([9; 16])),
        });
        Step::new(format!("create {name}"), op).on(host)
    };
    let plan = Plan {
        action: PlanAction::Create,
        host: "a".into(),
        target: PlanTarget::Cluster("zk".into()),
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
                job: Some(JobToken::from_bytes([9; 16])),
            },
            Leftover::HalfMadeCluster {
                host: "b".into(),
                cluster: "zk".into(),
                objects: vec![(ObjectKind::Container, "zk-zk2".into())],
                job: Some(JobToken::from_bytes([9; 16])),
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
    assert!(
        matches!(&recover.steps[0].op, StepOp::Cleanup(CleanupStep::RemoveMade { job: Some(t), .. }) if *t == JobToken::from_bytes([9; 16])),
        "removes only what carries the job's token"
    );
    // The entry of the job carries the same token as its objects.
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::new(dir.path());
    journal.begin(8, &plan, 0).unwrap();
    let stored: Stored =
        serde_json::from_slice(&std::fs::read(journal.path(std::process::id(), 8)).unwrap())
            .unwrap();
    assert_eq!(stored.token, JobToken::from_bytes([9; 16]));
}

#[test]
fn a_fenced_primary_records_every_database_server_the_switchover_acts_on() {
    use crate::ops::base::db_sql::{DbFlavor, DbStatement};
    use crate::ops::steps::db_fence::FenceAction;
    let flavor = DbFlavor::Mariadb;
    let plan = Plan {
        action: PlanAction::Switchover,
        host: "a".into(),
        target: PlanTarget::Cluster("db".into()),
        steps: vec![
            Step::new(
                "keep",
                StepOp::Db(DbStep::KeepAccount {
                    cluster: "db".into(),
                    flavor,
                    donors: vec![("a".into(), "id-1".into()), ("b".into(), "id-3".into())],
                }),
            ),
            Step::new(
                "fence",
                StepOp::Db(DbStep::Fence {
                    container_id: "id-1".into(),
                    flavor,
                    action: FenceAction::Raise {
                        hold_secs: 150,
                        wait_secs: 10,
                    },
                }),
            )
            .on("a"),
            Step::new(
                "promote",
                StepOp::Db(DbStep::Exec {
                    container_id: "id-2".into(),
                    flavor,
                    statement: DbStatement::Promote,
                }),
            )
            .on("a"),
        ],
    };
    let left = leftovers(&plan);
    let Some(Leftover::FencedPrimary {
        members, candidate, ..
    }) = left.first()
    else {
        panic!("{left:?}");
    };
    assert_eq!(candidate, &("a".to_string(), "id-2".to_string()));
    assert_eq!(
        members,
        &[
            ("a".to_string(), "id-1".to_string()),
            ("b".to_string(), "id-3".to_string()),
            ("a".to_string(), "id-2".to_string()),
        ]
    );
}

/// A ZooKeeper leader move cut off while its leader is stopped (the
/// others electing) leaves it stopped: recorded, and recover starts that
/// very container again. Before, nothing was recorded and the member
/// stayed down.
#[test]
fn a_leader_stopped_for_a_move_is_recorded_and_started_again() {
    let start = Step::new(
        "start zk1 again",
        StepOp::Container(ContainerStep::Start {
            id: "zk1-id".into(),
        }),
    );
    let plan = Plan {
        action: PlanAction::LeaderMove,
        host: "local".into(),
        target: PlanTarget::Ensemble("zk".into()),
        steps: vec![
            Step::new(
                "stop the leader zk1",
                StepOp::Container(ContainerStep::Stop {
                    id: "zk1-id".into(),
                }),
            )
            .undone_by(start.clone()),
            start,
            // A stop the job means (no start after it) is not a leftover.
            Step::new(
                "stop zk2",
                StepOp::Container(ContainerStep::Stop {
                    id: "zk2-id".into(),
                }),
            ),
        ],
    };
    let left = leftovers(&plan);
    assert_eq!(
        left,
        [Leftover::Stopped {
            host: "local".into(),
            id: "zk1-id".into(),
            name: "stop the leader zk1".into(),
        }]
    );
    let mut e = entry(1, 0);
    e.leftovers = left;
    let recover = recover_plan(&e, "local");
    assert_eq!(recover.steps.len(), 1);
    assert!(
        matches!(&recover.steps[0].op, StepOp::Container(ContainerStep::Start { id }) if id == "zk1-id")
    );
    assert!(recover.lines()[0].contains("the very one the cut-off job stopped"));
}
