//! Backups in the TUI at 80x24: the Volumes pane's BACKUPS column, the
//! backup confirmation dialog (database users paused by default, `B` for
//! the other choice), and read-only refusal.

use std::path::PathBuf;

use tugboat::app::{update, Effect, Msg, State};
use tugboat::config::Theme;
use tugboat::ops::backup::{Manifest, MANIFEST_FORMAT};
use tugboat::ops::backup_store::{BackupEntry, Listing};
use tugboat::ops::plan::{PlanAction, StepOp};

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

fn entry(volume: &str, unix_time: i64) -> BackupEntry {
    let archive = format!("{volume}-{unix_time}.tar.gz");
    BackupEntry {
        archive: PathBuf::from("/data/backups").join(&archive),
        manifest: Manifest {
            format: MANIFEST_FORMAT,
            kind: "volume".into(),
            container: None,
            volume: volume.into(),
            host: "local".into(),
            time: String::new(),
            unix_time,
            archive,
            compression: "gzip".into(),
            archive_bytes: 1000,
            sha256: "00".repeat(32),
            tar_bytes: 2000,
            content_bytes: 1500,
            files: 3,
            dirs: 1,
            others: 0,
            users: vec![],
            paused: vec![],
            helper_image: "mariadb:10.11".into(),
        },
    }
}

/// The Volumes pane, with two backups of shop-data, shop-data selected.
fn volumes_with_backups(read_only: bool) -> State {
    let mut s = state(read_only, (80, 24));
    s.backups.dir = Some(PathBuf::from("/data/backups"));
    update(
        &mut s,
        Msg::Backups(Ok(Listing {
            complete: vec![
                entry("shop-data", NOW - 86_400),
                entry("shop-data", NOW - 600),
            ],
            incomplete: vec![],
        })),
    );
    press(&mut s, "2");
    while s.selected_volume().is_some_and(|(_, v)| v != "shop-data") {
        press(&mut s, "j");
    }
    s
}

fn screen(s: &State) -> String {
    draw(s, &Theme::builtin_default()).backend().to_string()
}

#[test]
fn volumes_pane_shows_each_volumes_backups() {
    let s = volumes_with_backups(false);
    let text = screen(&s);
    insta::assert_snapshot!("backups_volumes_80x24", text);
    assert!(text.contains("BACKUPS"));
    let row = text.lines().find(|l| l.contains("shop-data")).unwrap();
    assert!(row.contains("2 @23:03"), "{row}");
}

#[test]
fn b_confirms_a_backup_that_pauses_the_database() {
    let mut s = volumes_with_backups(false);
    assert!(press(&mut s, "b").is_empty(), "nothing runs before yes");
    let text = screen(&s);
    insta::assert_snapshot!("backups_confirm_80x24", text);
    assert!(text.contains("Back up volume shop-data on local?"));
    assert!(text.contains("pause shop-db-1"));
    let effects = press(&mut s, "y");
    let [Effect::RunPlan(plan)] = effects.as_slice() else {
        panic!("yes runs the plan: {effects:?}");
    };
    assert_eq!(plan.action, PlanAction::Backup);
    assert_eq!(plan.target.to_string(), "local/volume/shop-data");
    let StepOp::Backup(step) = &plan.steps[1].op else {
        panic!("the copy step");
    };
    let json = serde_json::to_value(step).unwrap();
    assert_eq!(json["pause"][0][1], "shop-db-1");
    // shop-web-1 runs too and mounts it: paused with the database.
    assert_eq!(json["pause"].as_array().unwrap().len(), 2);
}

#[test]
fn capital_b_backs_up_without_pausing_the_database() {
    let mut s = volumes_with_backups(false);
    press(&mut s, "B");
    let effects = press(&mut s, "y");
    let [Effect::RunPlan(plan)] = effects.as_slice() else {
        panic!("yes runs the plan");
    };
    assert!(
        plan.lines()[1].contains("keep running"),
        "{:?}",
        plan.lines()
    );
}

#[test]
fn read_only_refuses_backup_before_any_dialog() {
    let mut s = volumes_with_backups(true);
    let effects = press(&mut s, "b");
    assert!(
        matches!(&effects[..], [Effect::AuditRefusal { action, reason, .. }]
            if action == "backup-volume" && reason.starts_with("read-only")),
        "nothing but the refusal's audit: {effects:?}"
    );
    assert!(s.overlays.is_empty());
    assert!(screen(&s).contains("read-only"));
}

#[test]
fn a_finished_backup_reads_the_directory_again() {
    let mut s = volumes_with_backups(false);
    press(&mut s, "b");
    let effects = press(&mut s, "y");
    let [Effect::RunPlan(plan)] = effects.as_slice() else {
        panic!("yes runs the plan");
    };
    let started = tugboat::ops::job::JobEvent::Started {
        id: 1,
        plan: plan.clone(),
        at_ms: NOW * 1000,
    };
    update(&mut s, Msg::Job(started));
    let finished = tugboat::ops::job::JobEvent::Finished {
        id: 1,
        outcome: tugboat::ops::job::JobOutcome::Done,
        millis: 5,
    };
    let out = update(&mut s, Msg::Job(finished));
    assert_eq!(
        out.effects,
        vec![Effect::ListBackups(PathBuf::from("/data/backups"))]
    );
}

#[test]
fn u_confirms_restoring_the_latest_backup_into_a_new_volume() {
    let mut s = volumes_with_backups(false);
    assert!(press(&mut s, "u").is_empty(), "nothing runs before yes");
    let text = screen(&s);
    insta::assert_snapshot!("backups_restore_80x24", text);
    assert!(text.contains("Restore volume"));
    let effects = press(&mut s, "y");
    let [Effect::RunPlan(plan)] = effects.as_slice() else {
        panic!("yes runs the plan: {effects:?}");
    };
    assert_eq!(plan.action, PlanAction::Restore);
    let json = serde_json::to_value(&plan.steps).unwrap();
    // The newest of the two backups, verified first, into a new volume.
    let newest = format!("/data/backups/shop-data-{}.tar.gz", NOW - 600);
    assert_eq!(json[0]["op"]["archive"], newest.as_str());
    assert_eq!(json[1]["op"]["create"], true);
    assert!(json[1]["op"]["volume"]
        .as_str()
        .unwrap()
        .starts_with("shop-data-restored-"));
}

#[test]
fn u_without_a_backup_says_so() {
    let mut s = volumes_with_backups(false);
    press(&mut s, "g");
    assert!(press(&mut s, "u").is_empty());
    assert!(s.overlays.is_empty());
    assert!(screen(&s).contains("no backup of orphan on local"));
}
