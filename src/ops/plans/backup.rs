//! Volume backup and restore as plans: pure functions from what is known
//! about a volume and its users to the steps the job runner runs, plus the
//! manifest that travels next to every archive. No I/O here.

use std::path::{Path, PathBuf};

use crate::ops::base::error::{PlanError, PlanResult};
use crate::ops::kernel::plan::{Plan, PlanAction, PlanTarget, Step, StepOp};
use crate::ops::steps::cleanup_step::CleanupStep;

pub use crate::ops::steps::backup_step::BackupStep;

pub use crate::ops::base::backup_manifest::{
    archive_name, manifest_path, partial_path, stamp, valid_volume_name, Manifest, ARCHIVE_SUFFIX,
    DUMP_SUFFIX, KIND_DUMP, KIND_VOLUME, MANIFEST_FORMAT, MANIFEST_SUFFIX, PARTIAL_SUFFIX,
};

pub use crate::model::volume::VolumeUserInfo;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupRequest {
    pub host: String,
    pub volume: String,
    pub dir: PathBuf,
    /// None: pause when a running database uses the volume.
    pub pause: Option<bool>,
    /// None: a user's image, else any image on the host (chosen when run).
    pub image: Option<String>,
    pub unix_millis: i64,
}

/// Whether the dialog's "pause users" choice defaults to yes.
pub fn pause_by_default(users: &[VolumeUserInfo]) -> bool {
    users.iter().any(|u| u.running && u.database)
}

pub fn backup_plan(req: &BackupRequest, users: &[VolumeUserInfo]) -> PlanResult<Plan> {
    if !valid_volume_name(&req.volume) {
        return Err(PlanError::Invalid(format!(
            "`{}` is not a volume name",
            req.volume
        )));
    }
    let pause = req.pause.unwrap_or_else(|| pause_by_default(users));
    let to_pause: Vec<(String, String)> = if pause {
        users
            .iter()
            .filter(|u| u.running)
            .map(|u| (u.id.clone(), u.name.to_string()))
            .collect()
    } else {
        Vec::new()
    };
    let image = req
        .image
        .clone()
        .or_else(|| users.first().map(|u| u.image.to_string()));
    let file = archive_name(&req.volume, req.unix_millis);
    let dir = req.dir.to_string_lossy().to_string();
    let mut copy = format!(
        "copy volume {} on {} into {dir}/{file} (gzip, sha256, manifest; written as a .partial and renamed when verified) through a helper container from {} (never started, volume read-only)",
        req.volume,
        req.host,
        image.as_deref().unwrap_or("an image the host has"),
    );
    let running: Vec<&str> = users
        .iter()
        .filter(|u| u.running)
        .map(|u| u.name.as_str())
        .collect();
    if !to_pause.is_empty() {
        let names: Vec<&str> = to_pause.iter().map(|(_, n)| n.as_str()).collect();
        copy.push_str(&format!(
            "; pause {} for the copy and unpause after, also on failure",
            names.join(", ")
        ));
    } else if !running.is_empty() {
        copy.push_str(&format!(
            "; {} keep running (the copy may not be consistent)",
            running.join(", ")
        ));
    }
    Ok(Plan {
        action: PlanAction::Backup,
        host: req.host.clone(),
        target: PlanTarget::Volume {
            host: req.host.clone(),
            volume: req.volume.clone(),
        },
        steps: vec![
            Step::new(
                format!("check that {dir} exists (created if missing) and takes files"),
                StepOp::Backup(BackupStep::CheckDir { dir: dir.clone() }),
            ),
            Step::new(
                copy,
                StepOp::Backup(BackupStep::Copy {
                    volume: req.volume.clone(),
                    dir,
                    file,
                    image,
                    users: users.iter().map(|u| u.name.to_string()).collect(),
                    pause: to_pause,
                }),
            ),
        ],
    })
}

/// A logical dump of the running MySQL/MariaDB that uses the volume,
/// through exec (the password from its environment goes to the exec's
/// environment only), instead of a copy of its files.
pub fn dump_plan(req: &BackupRequest, users: &[VolumeUserInfo]) -> PlanResult<Plan> {
    if !valid_volume_name(&req.volume) {
        return Err(PlanError::Invalid(format!(
            "`{}` is not a volume name",
            req.volume
        )));
    }
    let db = users
        .iter()
        .find(|u| u.running && u.database)
        .ok_or_else(|| {
            PlanError::NotFound(format!(
                "no running MySQL/MariaDB container uses volume {}: a logical dump needs one",
                req.volume
            ))
        })?;
    let file = format!("{}-{}{DUMP_SUFFIX}", req.volume, stamp(req.unix_millis));
    let dir = req.dir.to_string_lossy().to_string();
    Ok(Plan {
        action: PlanAction::Backup,
        host: req.host.clone(),
        target: PlanTarget::Volume {
            host: req.host.clone(),
            volume: req.volume.clone(),
        },
        steps: vec![
            Step::new(
                format!("check that {dir} exists (created if missing) and takes files"),
                StepOp::Backup(BackupStep::CheckDir { dir: dir.clone() }),
            ),
            Step::new(
                format!(
                    "dump every database of {} on {} (mariadb-dump/mysqldump --single-transaction, run in the container; password from its environment, never shown) into {dir}/{file} (gzip, sha256, manifest; written as a .partial and renamed when verified)",
                    db.name, req.host
                ),
                StepOp::Backup(BackupStep::Dump {
                    volume: req.volume.clone(),
                    container_id: db.id.clone(),
                    container: db.name.to_string(),
                    dir,
                    file,
                }),
            ),
        ],
    })
}

/// Where a restore writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreTarget {
    /// A volume that must not exist yet; it is created.
    New(String),
    /// An existing volume: only when empty, unless `force`.
    Existing { name: String, force: bool },
}

impl RestoreTarget {
    pub fn name(&self) -> &str {
        match self {
            Self::New(n) | Self::Existing { name: n, .. } => n,
        }
    }
}

/// The default name of a restore's new volume.
pub fn restored_name(volume: &str, unix_millis: i64) -> String {
    format!("{volume}-restored-{}", stamp(unix_millis)).replace('.', "-")
}

pub fn restore_plan(
    host: &str,
    archive: &Path,
    manifest: &Manifest,
    target: &RestoreTarget,
    image: Option<String>,
    check: Option<crate::ops::base::restore_check::RestoreCheck>,
) -> PlanResult<Plan> {
    let volume = target.name();
    refuse_unrestorable(archive, manifest, volume)?;
    let path = archive.to_string_lossy().to_string();
    let check = check.map(|check| check_restored_step(volume, check));
    Ok(Plan {
        action: PlanAction::Restore,
        host: host.into(),
        target: PlanTarget::Volume {
            host: host.into(),
            volume: volume.into(),
        },
        steps: vec![
            verify_step(&path, manifest),
            prepare_target_step(host, target),
            unpack_step(path, manifest, volume, image),
        ]
        .into_iter()
        .chain(check)
        .collect(),
    })
}

/// Refused before any step is planned: a dump is not a volume archive
/// (it is loaded with the database's client), and the target's name must
/// be one the engine takes as a volume name.
fn refuse_unrestorable(archive: &Path, manifest: &Manifest, volume: &str) -> PlanResult<()> {
    if manifest.kind != KIND_VOLUME {
        return Err(PlanError::Refused(format!(
            "{} is a {} of {}, not a volume archive: load it with the database's client (zcat FILE | mariadb …)",
            archive.display(),
            manifest.kind,
            manifest.container.as_deref().unwrap_or(&manifest.volume)
        )));
    }
    if !valid_volume_name(volume) {
        return Err(PlanError::Invalid(format!(
            "`{volume}` is not a volume name"
        )));
    }
    Ok(())
}

/// The first step: the archive is checked against its manifest before
/// anything is written.
fn verify_step(path: &str, manifest: &Manifest) -> Step {
    Step::new(
        format!(
            "verify {path} against its manifest (sha256 {}…) before anything is written",
            // chars, not bytes: the manifest may say anything.
            manifest.sha256.chars().take(12).collect::<String>()
        ),
        StepOp::Backup(BackupStep::Verify {
            archive: path.to_string(),
            sha256: manifest.sha256.clone(),
        }),
    )
}

/// Creating a new target volume, or checking an existing one (empty unless
/// forced, its users stopped); a created volume is removed again on undo.
fn prepare_target_step(host: &str, target: &RestoreTarget) -> Step {
    let volume = target.name();
    let (what, create, force) = match target {
        RestoreTarget::New(_) => (format!("create volume {volume} on {host}"), true, false),
        RestoreTarget::Existing { force: false, .. } => (
            format!(
                "check that volume {volume} on {host} is empty and every container using it is \
                 stopped (exited, created or dead; asked again right before the unpack)"
            ),
            false,
            false,
        ),
        RestoreTarget::Existing { force: true, .. } => (
            format!(
                "check that every container using volume {volume} on {host} is stopped (exited, created or dead: not paused, restarting or running; asked again right before the unpack) (forced: its files are overwritten by the archive's, others stay)"
            ),
            false,
            true,
        ),
    };
    let prepare = Step::new(
        what,
        StepOp::Backup(BackupStep::PrepareTarget {
            volume: volume.into(),
            create,
            force,
        }),
    );
    if !create {
        return prepare;
    }
    // A restore cut short leaves no half-filled volume behind.
    prepare.undone_by(Step::new(
        format!("remove the half-restored volume {volume} on {host}"),
        StepOp::Cleanup(CleanupStep::RemoveObject {
            kind: crate::model::new_objects::ObjectKind::Volume,
            name: volume.into(),
        }),
    ))
}

/// The unpack itself: through a helper container that is never started,
/// keeping modes, owners and the archive.
fn unpack_step(path: String, manifest: &Manifest, volume: &str, image: Option<String>) -> Step {
    Step::new(
        format!(
            "unpack the archive of {} ({} files, {} bytes) into {volume} through a helper container from {} (never started); modes and owners kept, the archive is kept",
            manifest.volume,
            manifest.files,
            manifest.content_bytes,
            image.as_deref().unwrap_or("an image the host has")
        ),
        StepOp::Backup(BackupStep::Restore {
            archive: path,
            volume: volume.into(),
            sha256: manifest.sha256.clone(),
            image,
        }),
    )
}

/// The optional last step: a throwaway copy of the volume's database,
/// booted on the restored volume, says what it holds.
fn check_restored_step(volume: &str, check: crate::ops::base::restore_check::RestoreCheck) -> Step {
    Step::new(
        format!(
            "boot a copy of {} (its image, command and environment; no network) on {volume}, \
             ask it what it holds ({}), then remove the copy",
            check.model,
            check.kind.asks()
        ),
        StepOp::Backup(BackupStep::CheckRestored {
            volume: volume.into(),
            check,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, running: bool, database: bool) -> VolumeUserInfo {
        VolumeUserInfo {
            id: format!("id-{name}"),
            name: name.into(),
            image: format!("img-{name}").into(),
            running,
            database,
        }
    }

    fn request(pause: Option<bool>) -> BackupRequest {
        BackupRequest {
            host: "local".into(),
            volume: "dbdata".into(),
            dir: "/b".into(),
            pause,
            image: None,
            unix_millis: 1_795_409_401_123,
        }
    }

    #[test]
    fn names_sort_by_time_and_pair_up() {
        assert_eq!(stamp(1_795_409_401_123), "20261123T045001.123Z");
        let a = PathBuf::from("/b").join(archive_name("vol", 1_795_409_401_123));
        assert_eq!(a, PathBuf::from("/b/vol-20261123T045001.123Z.tar.gz"));
        assert_eq!(
            manifest_path(&a),
            PathBuf::from("/b/vol-20261123T045001.123Z.manifest.json")
        );
        assert_eq!(
            partial_path(&a),
            PathBuf::from("/b/.vol-20261123T045001.123Z.tar.gz.partial")
        );
        assert!(valid_volume_name(&restored_name("vol", 5)));
    }

    #[test]
    fn database_volumes_pause_their_running_users_by_default() {
        let users = [user("db", true, true), user("old", false, true)];
        let plan = backup_plan(&request(None), &users).unwrap();
        let StepOp::Backup(BackupStep::Copy { pause, image, .. }) = &plan.steps[1].op else {
            panic!("second step copies");
        };
        assert_eq!(pause, &vec![("id-db".to_string(), "db".to_string())]);
        assert_eq!(image.as_deref(), Some("img-db"));
        assert!(plan.lines()[1].contains("pause db for the copy"));
        assert_eq!(plan.target.to_string(), "local/volume/dbdata");
    }

    #[test]
    fn other_volumes_do_not_pause_unless_asked() {
        let users = [user("web", true, false)];
        let plan = backup_plan(&request(None), &users).unwrap();
        assert!(plan.lines()[1].contains("web keep running"));
        let plan = backup_plan(&request(Some(true)), &users).unwrap();
        assert!(plan.lines()[1].contains("pause web"));
    }

    #[test]
    fn bad_names_are_refused() {
        let mut req = request(None);
        req.volume = "../etc".into();
        assert!(backup_plan(&req, &[]).is_err());
    }

    #[test]
    fn restore_into_existing_needs_force_to_say_so() {
        let m = Manifest {
            format: 1,
            kind: KIND_VOLUME.into(),
            container: None,
            volume: "v".into(),
            host: "local".into(),
            time: "t".into(),
            unix_time: 0,
            archive: "a.tar.gz".into(),
            compression: "gzip".into(),
            archive_bytes: 1,
            sha256: "ab".repeat(32),
            tar_bytes: 1,
            content_bytes: 1,
            files: 1,
            dirs: 1,
            others: 0,
            users: vec![],
            paused: vec![],
            helper_image: "i".into(),
        };
        let target = RestoreTarget::Existing {
            name: "v2".into(),
            force: true,
        };
        let plan =
            restore_plan("local", Path::new("/b/a.tar.gz"), &m, &target, None, None).unwrap();
        assert!(plan.lines()[1].contains("forced"));
        assert!(plan.lines()[0].contains("before anything is written"));
        assert!(plan.lines()[0].contains("(sha256 abababababab…)"));
        // However a manifest got here, its checksum is cut by characters.
        let odd = Manifest {
            sha256: "é".repeat(32),
            ..m.clone()
        };
        let plan = restore_plan("local", Path::new("/b/a.tar.gz"), &odd, &target, None, None);
        assert!(plan.unwrap().lines()[0].contains("éééééééééééé…"));
        let plan = restore_plan(
            "local",
            Path::new("/b/a.tar.gz"),
            &m,
            &RestoreTarget::New("n".into()),
            None,
            None,
        )
        .unwrap();
        assert!(matches!(
            plan.steps[1].op,
            StepOp::Backup(BackupStep::PrepareTarget { create: true, .. })
        ));
    }
}

#[cfg(test)]
mod serde_tests {
    use super::*;

    #[test]
    fn backup_steps_serialize_inside_the_shared_step_list() {
        let op = StepOp::Backup(BackupStep::Verify {
            archive: "/b/a.tar.gz".into(),
            sha256: "ab".into(),
        });
        let json = serde_json::to_value(&op).unwrap();
        assert_eq!(json["op"], "backup");
        assert_eq!(json["step"], "verify");
        assert_eq!(json["archive"], "/b/a.tar.gz");
    }
}
