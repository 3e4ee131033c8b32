//! The files of a backup: the archive's and manifest's names, the partial
//! name they are written under, and the manifest that travels next to every
//! archive (below the plans, which the errors and the restore check do not
//! need).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::clock::utc_datetime;

/// Archive file names end so; the manifest replaces it with `MANIFEST_SUFFIX`.
pub const ARCHIVE_SUFFIX: &str = ".tar.gz";
/// A MySQL/MariaDB logical dump (gzip-compressed SQL).
pub const DUMP_SUFFIX: &str = ".sql.gz";
/// `Manifest::kind` of a volume archive and of a logical dump.
pub const KIND_VOLUME: &str = "volume";
pub const KIND_DUMP: &str = "mysql-dump";
pub const MANIFEST_SUFFIX: &str = ".manifest.json";
/// Files being written carry this suffix (and a leading dot) until complete.
pub const PARTIAL_SUFFIX: &str = ".partial";

/// Written next to each archive; an archive without a valid manifest is
/// incomplete. Names only: never a secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// `volume` (a tar of the volume) or `mysql-dump` (SQL from the
    /// database container that uses the volume).
    #[serde(default = "volume_kind")]
    pub kind: String,
    /// The database container a dump came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    pub volume: String,
    pub host: String,
    /// UTC, when the copy started.
    pub time: String,
    pub unix_time: i64,
    /// The archive's file name (same directory as the manifest).
    pub archive: String,
    /// "gzip" (a gzip-compressed tar whose members start with `v/`).
    pub compression: String,
    pub archive_bytes: u64,
    pub sha256: String,
    pub tar_bytes: u64,
    pub content_bytes: u64,
    pub files: u64,
    pub dirs: u64,
    pub others: u64,
    /// Containers that mounted the volume when it was copied.
    pub users: Vec<String>,
    /// Those paused for the copy.
    pub paused: Vec<String>,
    /// The image the (never started) helper container was created from.
    pub helper_image: String,
}

pub const MANIFEST_FORMAT: u32 = 1;

fn volume_kind() -> String {
    KIND_VOLUME.into()
}

/// `2026-11-23T04:30:01Z` plus milliseconds → `20261123T043001.123Z`, for
/// file and volume names that sort by time.
pub fn stamp(unix_millis: i64) -> String {
    let secs = unix_millis.div_euclid(1000);
    let millis = unix_millis.rem_euclid(1000);
    let t: String = utc_datetime(secs)
        .chars()
        .filter(|c| !matches!(c, '-' | ':' | 'Z'))
        .collect();
    format!("{t}.{millis:03}Z")
}

/// `<volume>-<stamp>.tar.gz`
pub fn archive_name(volume: &str, unix_millis: i64) -> String {
    format!("{volume}-{}{ARCHIVE_SUFFIX}", stamp(unix_millis))
}

/// The manifest's path for an archive's path.
pub fn manifest_path(archive: &Path) -> PathBuf {
    let name = archive
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let stem = name
        .strip_suffix(ARCHIVE_SUFFIX)
        .or_else(|| name.strip_suffix(DUMP_SUFFIX))
        .unwrap_or(&name);
    archive.with_file_name(format!("{stem}{MANIFEST_SUFFIX}"))
}

/// `.<name>.partial` next to the final name.
pub fn partial_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}{PARTIAL_SUFFIX}"))
}

/// Docker's rule for volume names, checked before a name goes anywhere.
pub fn valid_volume_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}
