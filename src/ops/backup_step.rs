//! The steps of backup, dump and restore plans: plain data in the shared
//! step list (`StepOp::Backup`), built by src/ops/backup.rs and run by
//! src/ops/run_volume.rs.

use serde::Serialize;

/// The steps of backup and restore plans, one `StepOp::Backup` variant
/// in the shared step list; run by src/ops/run_volume.rs.
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
        check: super::restore_check::RestoreCheck,
    },
    /// Unpack the archive into the volume.
    Restore {
        archive: String,
        volume: String,
        sha256: String,
        image: Option<String>,
    },
}
