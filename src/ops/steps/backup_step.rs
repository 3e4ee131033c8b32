//! The steps of backup, dump and restore plans: plain data in the shared
//! step list (`StepOp::Backup`), built by src/ops/plans/backup.rs and run by
//! src/ops/steps/run_volume.rs.

use std::path::Path;

use serde::Serialize;

use crate::ops::base::backup_manifest::partial_path;
use crate::ops::base::claim::{Claim, On};
use crate::ops::base::leftover::Leftover;
use crate::ops::base::undo::Undo;

/// The steps of backup and restore plans, one `StepOp::Backup` variant
/// in the shared step list; run by src/ops/steps/run_volume.rs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum BackupStep {
    /// The directory exists (created if missing) and takes a file.
    CheckDir { dir: String },
    /// Copy the volume into `dir/file` and its manifest.
    Copy {
        volume: String,
        dir: String,
        file: String,
        image: Option<String>,
        users: Vec<String>,
        /// (id, name) of running users to pause for the copy.
        pause: Vec<(String, String)>,
    },
    /// The archive's sha256 is the manifest's.
    Verify { archive: String, sha256: String },
    /// Create the new volume, or check the existing one may be written.
    PrepareTarget {
        volume: String,
        create: bool,
        force: bool,
    },
    /// Stream a logical dump (`--single-transaction`) from the database
    /// container that uses the volume into `dir/file` and its manifest.
    Dump {
        volume: String,
        container_id: String,
        container: String,
        dir: String,
        file: String,
    },
    /// Boot a copy of the server that used the volume on the restored data
    /// and ask it what it holds (`restore --verify`).
    CheckRestored {
        volume: String,
        check: crate::ops::base::restore_check::RestoreCheck,
    },
    /// Unpack the archive into the volume.
    Restore {
        archive: String,
        volume: String,
        sha256: String,
        image: Option<String>,
    },
}

impl BackupStep {
    /// What it acts on when run on host `h`.
    pub fn claims(&self, h: &str) -> Vec<Claim> {
        let on = On(h);
        match self {
            Self::Copy {
                volume,
                pause,
                dir,
                file,
                ..
            } => {
                let partial = partial_path(&Path::new(dir).join(file));
                let mut all = vec![
                    on.volume(volume),
                    Claim::File(partial.display().to_string()),
                ];
                all.extend(pause.iter().map(|(id, _)| on.container(id)));
                all
            }
            Self::Dump {
                volume,
                container_id,
                ..
            } => vec![on.volume(volume), on.container(container_id)],
            Self::PrepareTarget { volume, .. }
            | Self::Restore { volume, .. }
            | Self::CheckRestored { volume, .. } => vec![on.volume(volume)],
            Self::CheckDir { .. } | Self::Verify { .. } => vec![],
        }
    }

    /// What it may leave if the job is cut off right after it, run on
    /// `host`: a copy its paused users, its helpers and a partial archive;
    /// a dump the archive; a restore its helpers. Checks leave nothing.
    pub fn leftovers(&self, host: &str) -> Vec<Leftover> {
        match self {
            Self::Copy {
                volume,
                dir,
                file,
                pause,
                ..
            } => {
                let mut out: Vec<Leftover> = pause
                    .iter()
                    .map(|(id, name)| Leftover::Paused {
                        host: host.into(),
                        id: id.clone(),
                        name: name.clone(),
                    })
                    .collect();
                out.push(Leftover::Helpers {
                    host: host.into(),
                    volume: volume.clone(),
                });
                out.push(partial_file(dir, file));
                out
            }
            Self::Dump { dir, file, .. } => vec![partial_file(dir, file)],
            Self::Restore { volume, .. } => vec![Leftover::Helpers {
                host: host.into(),
                volume: volume.clone(),
            }],
            Self::CheckDir { .. }
            | Self::Verify { .. }
            | Self::PrepareTarget { .. }
            | Self::CheckRestored { .. } => Vec::new(),
        }
    }

    /// How it is undone.
    pub fn undo(&self) -> Undo<BackupStep> {
        match self {
            Self::CheckDir { .. } | Self::Verify { .. } | Self::CheckRestored { .. } => {
                Undo::Nothing
            }
            Self::Copy { .. } | Self::Dump { .. } => Undo::Not(
                "the volume is only read and its users unpaused by the step itself; what it \
                 wrote is the point (a partial archive goes with recover)",
            ),
            Self::PrepareTarget { .. } => Undo::FromPlan(
                "a volume it created is removed (a cleanup step the plan gives); one that was there stays",
            ),
            Self::Restore { .. } => Undo::Not(
                "the volume's old content is replaced: the plan refuses a volume in use, and \
                 `--force` is the operator's word",
            ),
        }
    }
}

/// The partial file an archive is written to (the backup's own name for it).
fn partial_file(dir: &str, file: &str) -> Leftover {
    Leftover::PartialFile {
        path: partial_path(&Path::new(dir).join(file))
            .display()
            .to_string(),
    }
}
