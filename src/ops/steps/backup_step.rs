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

#[cfg(test)]
mod tests {
    use super::*;

    fn copy() -> BackupStep {
        BackupStep::Copy {
            volume: "pg-data".into(),
            dir: "/b".into(),
            file: "pg.tar.gz".into(),
            image: None,
            users: vec!["pg".into()],
            pause: vec![("c1".into(), "pg".into())],
        }
    }

    #[test]
    fn a_copy_may_leave_its_paused_users_its_helpers_and_a_partial_archive() {
        assert_eq!(
            copy().leftovers("h1"),
            vec![
                Leftover::Paused {
                    host: "h1".into(),
                    id: "c1".into(),
                    name: "pg".into()
                },
                Leftover::Helpers {
                    host: "h1".into(),
                    volume: "pg-data".into()
                },
                Leftover::PartialFile {
                    path: "/b/.pg.tar.gz.partial".into()
                },
            ]
        );
        let verify = BackupStep::Verify {
            archive: "/b/pg.tar.gz".into(),
            sha256: "00".into(),
        };
        assert!(verify.leftovers("h1").is_empty());
        assert_eq!(verify.undo(), Undo::Nothing);
    }

    #[test]
    fn a_copy_claims_the_volume_its_partial_file_and_the_users_it_pauses() {
        let on = On("h1");
        assert_eq!(
            copy().claims("h1"),
            vec![
                on.volume("pg-data"),
                Claim::File("/b/.pg.tar.gz.partial".into()),
                on.container("c1")
            ]
        );
    }

    #[test]
    fn a_prepared_target_is_undone_by_the_plan_and_a_restore_not_at_all() {
        let prepare = BackupStep::PrepareTarget {
            volume: "v".into(),
            create: true,
            force: false,
        };
        assert!(matches!(prepare.undo(), Undo::FromPlan(_)));
        let restore = BackupStep::Restore {
            archive: "/b/a.tar.gz".into(),
            volume: "v".into(),
            sha256: "00".into(),
            image: None,
        };
        assert!(matches!(restore.undo(), Undo::Not(_)));
        assert_eq!(
            restore.leftovers("h2"),
            vec![Leftover::Helpers {
                host: "h2".into(),
                volume: "v".into()
            }]
        );
    }
}
