//! Errors of backups, dumps and restores. Clone and Eq like `StepError`,
//! which carries them (and the TUI's `Msg`, which carries `StoreError`).
//! Several problems at once are kept as a list, in the order they happened.

use std::fmt::Display;
use std::path::PathBuf;

use super::backup_manifest::MANIFEST_FORMAT;
use crate::docker::HostError;
use crate::model::ContainerState;

/// The backup directory read as a store: its listing and manifests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("{}: {detail}", path.display())]
    Io { path: PathBuf, detail: String },
    #[error("{}: not a tugboat backup manifest ({detail})", path.display())]
    NotAManifest { path: PathBuf, detail: String },
    #[error("{}: larger than {limit} bytes, so not a manifest", path.display())]
    TooLarge { path: PathBuf, limit: u64 },
    #[error("{}: manifest format {found} (this tugboat reads {MANIFEST_FORMAT})", path.display())]
    UnknownFormat { path: PathBuf, found: u32 },
    #[error(
        "{}: no valid manifest next to it, so it is not a complete backup ({cause})",
        archive.display()
    )]
    NoManifest {
        archive: PathBuf,
        #[source]
        cause: Box<StoreError>,
    },
    #[error("{}: the manifest describes {described}, not this file", archive.display())]
    DescribesOther { archive: PathBuf, described: String },
    #[error(
        "{}: {size} bytes, but the manifest says {expected}: incomplete or changed",
        archive.display()
    )]
    SizeDiffers {
        archive: PathBuf,
        size: u64,
        expected: u64,
    },
}

/// Why bytes stopped moving between the engine and a file (either way).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransferError {
    /// The job was asked to stop; `.0` is what was going on.
    #[error("cancelled during the {0}")]
    Cancelled(&'static str),
    /// `who` is "host NAME" or "the dump".
    #[error("{who} sent nothing for {secs}s")]
    Silent { who: String, secs: u64 },
    #[error("host {host} took nothing for {secs}s")]
    NotTaking { host: String, secs: u64 },
    #[error("host {0} stopped answering")]
    StoppedAnswering(String),
    /// The engine's stream failed.
    #[error(transparent)]
    Stream(HostError),
    #[error("the engine sent a malformed archive: {0}")]
    Malformed(String),
    #[error("the volume's archive stream ended early (host gone?)")]
    EndedEarly,
    #[error(
        "the dump in {container} failed (exit {}): {said}",
        exit.map_or("unknown".into(), |c| c.to_string())
    )]
    DumpFailed {
        container: String,
        exit: Option<i64>,
        said: String,
    },
    #[error("the dump in {container} ended without its completion line: {said}")]
    DumpUnfinished { container: String, said: String },
}

/// What a step left behind or could not put back; reported next to the
/// main outcome.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Aside {
    #[error("cannot pause {name}: {source}")]
    NotPaused { name: String, source: HostError },
    #[error("{name} could not be unpaused and is still paused: {source}")]
    StillPaused { name: String, source: HostError },
    /// `id` is the short id; `host` is named where the message always did.
    #[error("helper container {id} may remain{} ({source})", on_host(host))]
    HelperRemains {
        id: String,
        host: Option<String>,
        source: HostError,
    },
}

/// Why a backup or dump was not kept, or was kept with problems.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackupError {
    #[error(transparent)]
    Host(#[from] HostError),
    #[error(transparent)]
    Transfer(#[from] TransferError),
    #[error(transparent)]
    Aside(#[from] Aside),
    /// A local file, directory or worker thread failed at `doing`.
    #[error("{doing}: {detail}")]
    Local { doing: String, detail: String },
    /// A backup never overwrites.
    #[error("{} already exists", .0.display())]
    Exists(PathBuf),
    /// Pausing a user failed, so the copy was not started.
    #[error("nothing copied")]
    NothingCopied,
    #[error("{} does not read back as written (sha256 or length differ)", .0.display())]
    ReadBackDiffers(PathBuf),
    #[error("{0}")]
    ManifestText(String),
    #[error("{} is complete, but: {}", archive.display(), joined(problems))]
    CompleteBut {
        archive: PathBuf,
        problems: Vec<Aside>,
    },
    #[error("{}; no archive was kept (partial file removed)", joined(.0))]
    ArchiveNotKept(Vec<BackupError>),
    #[error("{0}; no dump was kept (partial file removed)")]
    DumpNotKept(Box<BackupError>),
}

/// A container that mounts a volume and is not stopped, as the engine
/// said just before: `orders-db1 (paused)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeUse {
    pub name: String,
    pub state: ContainerState,
}

impl Display for VolumeUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.name, self.state.as_str())
    }
}

/// Why a restore target cannot take the archive: nothing was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error(
        "volume {volume} already exists on {host}: pick another name, or restore into it \
         explicitly (only when empty, or forced)"
    )]
    Exists { volume: String, host: String },
    #[error("no volume {volume} on {host}")]
    Missing { volume: String, host: String },
    #[error(
        "volume {volume} on {host} is in use by {}: only a stopped container (exited, created \
         or dead) leaves its files alone; stop them first; nothing was written",
        listed(users)
    )]
    InUse {
        volume: String,
        host: String,
        users: Vec<VolumeUse>,
    },
    /// In use by the time the unpack was to start (asked again then).
    #[error(
        "volume {volume} on {host} is now in use by {}: only a stopped container (exited, \
         created or dead) leaves its files alone; nothing was written",
        listed(users)
    )]
    NowInUse {
        volume: String,
        host: String,
        users: Vec<VolumeUse>,
    },
    #[error(
        "volume {volume} is not empty: restore into a new volume, or force it (--force) to \
         overwrite its files; nothing was written"
    )]
    NotEmpty { volume: String },
}

/// Why a restore did not write the archive, or wrote it with problems.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestoreError {
    #[error(transparent)]
    Host(#[from] HostError),
    #[error(transparent)]
    Transfer(#[from] TransferError),
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error(transparent)]
    Aside(#[from] Aside),
    /// A local file or worker thread failed at `doing`.
    #[error("{doing}: {detail}")]
    Local { doing: String, detail: String },
    #[error(
        "{archive} is corrupted or changed: its sha256 is {found}, the manifest says {expected}; \
         nothing was written"
    )]
    Corrupted {
        archive: String,
        found: String,
        expected: String,
    },
    #[error("{archive} changed while being restored; volume {volume} may not match any backup")]
    ChangedDuring { archive: String, volume: String },
    #[error("{cause}; volume {volume} may hold part of the archive")]
    PartlyWritten {
        cause: Box<RestoreError>,
        volume: String,
    },
    #[error("cancelled during the unpack into {volume}")]
    CancelledInto { volume: String },
    #[error("{}", joined(.0))]
    Several(Vec<RestoreError>),
}

fn joined<E: Display>(items: &[E]) -> String {
    let texts: Vec<String> = items.iter().map(E::to_string).collect();
    texts.join("; ")
}

/// Containers named one after the other: `a (paused), b (running)`.
fn listed(users: &[VolumeUse]) -> String {
    let texts: Vec<String> = users.iter().map(VolumeUse::to_string).collect();
    texts.join(", ")
}

fn on_host(host: &Option<String>) -> String {
    host.as_ref()
        .map(|h| format!(" on {h}"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(text: &str) -> HostError {
        HostError::Engine(text.into())
    }

    #[test]
    fn several_problems_read_as_one_line_in_order() {
        let e = BackupError::ArchiveNotKept(vec![
            BackupError::NothingCopied,
            Aside::NotPaused {
                name: "db".into(),
                source: engine("boom"),
            }
            .into(),
            Aside::HelperRemains {
                id: "abc".into(),
                host: Some("local".into()),
                source: engine("gone"),
            }
            .into(),
        ]);
        assert_eq!(
            e.to_string(),
            "nothing copied; cannot pause db: boom; helper container abc may remain on local \
             (gone); no archive was kept (partial file removed)"
        );
        let e = RestoreError::Several(vec![
            RestoreError::CancelledInto { volume: "v".into() },
            Aside::HelperRemains {
                id: "abc".into(),
                host: None,
                source: engine("gone"),
            }
            .into(),
        ]);
        assert_eq!(
            e.to_string(),
            "cancelled during the unpack into v; helper container abc may remain (gone)"
        );
    }

    #[test]
    fn dump_and_target_texts() {
        let e = TransferError::DumpFailed {
            container: "db".into(),
            exit: None,
            said: "x".into(),
        };
        assert_eq!(e.to_string(), "the dump in db failed (exit unknown): x");
        let e = TargetError::InUse {
            volume: "v".into(),
            host: "h".into(),
            users: vec![
                VolumeUse {
                    name: "a".into(),
                    state: ContainerState::Paused,
                },
                VolumeUse {
                    name: "b".into(),
                    state: ContainerState::Restarting,
                },
            ],
        };
        assert_eq!(
            e.to_string(),
            "volume v on h is in use by a (paused), b (restarting): only a stopped container \
             (exited, created or dead) leaves its files alone; stop them first; nothing was written"
        );
        let e = TargetError::Exists {
            volume: "v".into(),
            host: "h".into(),
        };
        assert!(e.to_string().contains("restore into it explicitly (only"));
    }
}
