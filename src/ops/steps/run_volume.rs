//! Running a volume's backup, dump and restore steps: each goes to its
//! own runner, so those need not know of one another.

use super::run_backup;
use super::run_dump;
use super::run_restore;
use crate::docker::HostHandle;
use crate::ops::base::docker_steps::StepCx;
use crate::ops::base::error::{StepError, StepResult};

/// The job runner's entry for the backup and restore steps.
pub async fn step(
    handle: &HostHandle,
    settings: &crate::config::Settings,
    step: &super::backup_step::BackupStep,
    cx: StepCx<'_>,
) -> StepResult {
    use super::backup_step::BackupStep;
    let cancel = cx.cancel;
    let result: StepResult = match step {
        BackupStep::CheckDir { dir } => run_backup::check_backup_dir(dir).await.map_err(Into::into),
        BackupStep::Copy {
            volume,
            dir,
            file,
            image,
            users,
            pause,
        } => {
            let job = run_backup::BackupJob {
                volume,
                dir,
                file,
                image: image.as_deref(),
                users,
                pause,
            };
            run_backup::backup_volume(handle, job, cancel)
                .await
                .map_err(Into::into)
        }
        BackupStep::Dump {
            volume,
            container_id,
            container,
            dir,
            file,
        } => {
            let job = run_dump::DumpJob {
                volume,
                container_id,
                container,
                dir,
                file,
                settings,
            };
            run_dump::dump_database(handle, job, cancel)
                .await
                .map_err(Into::into)
        }
        BackupStep::Verify { archive, sha256 } => run_restore::verify_backup(archive, sha256)
            .await
            .map_err(Into::into),
        BackupStep::PrepareTarget {
            volume,
            create,
            force,
        } => run_restore::prepare_restore_target(handle, volume, *create, *force)
            .await
            .map_err(Into::into),
        BackupStep::Restore {
            archive,
            volume,
            sha256,
            image,
        } => run_restore::restore_volume(handle, archive, volume, sha256, image.as_deref(), cancel)
            .await
            .map_err(Into::into),
        // The one step whose answer is the point: it is said.
        BackupStep::CheckRestored { volume, check } => {
            super::run_restore_check::check_restored(handle, settings, volume, check, cx).await
        }
    };
    // These steps say in words what they made safe; a stop asked while
    // they ran is what ended them.
    result.map_err(|e| {
        if *cancel.borrow() {
            StepError::Stopped(e.to_string())
        } else {
            e
        }
    })
}
