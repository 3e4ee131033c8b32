//! Running the restore steps: the archive's checksum is verified before
//! anything is written; the target is created, or checked to be unused
//! and empty (unless forced); the archive is decompressed on a thread and
//! streamed into a helper container that mounts the target volume.
//!
//! What is unpacked is what was verified: the unpack step verifies the
//! archive again on the one handle it then unpacks from, so a file renamed
//! over the archive after the check is never read. Whether the volume's
//! users are stopped is asked of the engine right before the unpack, not
//! taken from the plan.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::PathBuf;

use bytes::Bytes;
use flate2::read::GzDecoder;
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, watch};

use super::run_backup::{hex, HashingReader, CHUNK, QUEUE};
use crate::config::private_fs::open_regular_file;
use crate::docker::{HostError, HostHandle};
use crate::model::container::short_id;
use crate::model::ContainerState;
use crate::ops::base::backup_error::{Aside, RestoreError, TargetError, TransferError, VolumeUse};
use crate::ops::base::stream_next::{next_chunk, Next, IDLE};
use crate::ops::base::tar_count::TarCounter;

/// The archive's bytes hash to `sha256`: checked before a restore writes.
pub async fn verify_backup(archive: &str, sha256: &str) -> Result<(), RestoreError> {
    verified_archive(archive, sha256).await.map(drop)
}

/// The archive opened once (a regular file: a FIFO would block), hashed
/// through that handle and rewound: the handle to unpack from, so what is
/// unpacked is the file that was verified, whatever happens to its name.
async fn verified_archive(archive: &str, sha256: &str) -> Result<File, RestoreError> {
    let path = PathBuf::from(archive);
    let (file, found) = tokio::task::spawn_blocking(move || -> std::io::Result<(File, String)> {
        let mut file = open_regular_file(&path)?;
        let mut reader = HashingReader {
            inner: BufReader::with_capacity(CHUNK, &file),
            hasher: Sha256::new(),
        };
        std::io::copy(&mut reader, &mut std::io::sink())?;
        let found = hex(&reader.hasher.finalize());
        file.rewind()?;
        Ok((file, found))
    })
    .await
    .map_err(|e| local(format!("verifying {archive}"), e))?
    .map_err(|e| local(format!("cannot read {archive}"), e))?;
    if found != sha256 {
        return Err(RestoreError::Corrupted {
            archive: archive.into(),
            found,
            expected: sha256.into(),
        });
    }
    Ok(file)
}

/// A local failure at `doing` (the archive, the worker thread).
fn local(doing: String, e: impl std::fmt::Display) -> RestoreError {
    RestoreError::Local {
        doing,
        detail: e.to_string(),
    }
}

/// Whether a container in `state` leaves the files of the volumes it
/// mounts alone, so a restore may replace them underneath it. No wildcard:
/// a state the model learns must be classified here before it compiles.
pub fn leaves_files_alone(state: ContainerState) -> bool {
    match state {
        ContainerState::Exited | ContainerState::Created | ContainerState::Dead => true,
        // Paused: frozen with its files open (another operator's backup
        // pauses a database), and thawed as it was. Restarting: back any
        // moment. Removing: still mounted. Unknown: the engine said a state
        // tugboat does not know, so it is not known to be stopped.
        ContainerState::Running
        | ContainerState::Restarting
        | ContainerState::Paused
        | ContainerState::Removing
        | ContainerState::Unknown => false,
    }
}

/// The users of `volume` that do not leave its files alone, as the engine
/// says now.
async fn active_users(handle: &HostHandle, volume: &str) -> Result<Vec<VolumeUse>, HostError> {
    let users = handle.volume_user_containers(volume).await?;
    let mut active: Vec<VolumeUse> = users
        .into_iter()
        .filter(|c| !leaves_files_alone(c.state))
        .map(|c| VolumeUse {
            name: c.name.to_string(),
            state: c.state,
        })
        .collect();
    active.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(active)
}

/// A new volume is created; an existing one must have no user that is
/// not stopped, and be empty unless forced.
pub async fn prepare_restore_target(
    handle: &HostHandle,
    volume: &str,
    create: bool,
    force: bool,
) -> Result<(), RestoreError> {
    let exists = handle.volume_exists(volume).await?;
    let (volume, host) = (volume.to_string(), handle.name.clone());
    if create {
        if exists {
            return Err(TargetError::Exists { volume, host }.into());
        }
        return Ok(handle.create_volume(&volume, &Default::default()).await?);
    }
    if !exists {
        return Err(TargetError::Missing { volume, host }.into());
    }
    let users = active_users(handle, &volume).await?;
    if !users.is_empty() {
        return Err(TargetError::InUse {
            volume,
            host,
            users,
        }
        .into());
    }
    if !force && count_entries(handle, &volume).await? > 1 {
        return Err(TargetError::NotEmpty { volume }.into());
    }
    Ok(())
}

/// Entries in the volume (1: only its root), reading no more than needed.
async fn count_entries(handle: &HostHandle, volume: &str) -> Result<u64, RestoreError> {
    let image = handle.helper_image(None).await?;
    let helper = handle.create_volume_helper(volume, &image, true).await?;
    let mut counter = TarCounter::new();
    let result = async {
        let mut stream = handle.download_volume(&helper).await?;
        while counter.counts().entries() <= 1 {
            match next_chunk(&mut stream, None).await {
                Next::Chunk(chunk) => counter.feed(&chunk),
                Next::Failed(e) => return Err(TransferError::Stream(e).into()),
                Next::End | Next::Stopped => break,
                Next::Idle => {
                    return Err(TransferError::StoppedAnswering(handle.name.clone()).into())
                }
            }
        }
        Ok(counter.counts().entries())
    }
    .await;
    let _ = handle.remove_helper(&helper).await;
    result
}

/// Unpack the archive into the volume through a helper, streamed from the
/// handle it was verified on; hashed a third time on the way (a change
/// written into the file during the unpack is said), and never removed.
/// Refused, with nothing written, when a user of the volume is not stopped.
pub async fn restore_volume(
    handle: &HostHandle,
    archive: &str,
    volume: &str,
    sha256: &str,
    image: Option<&str>,
    cancel: &watch::Receiver<bool>,
) -> Result<(), RestoreError> {
    let file = verified_archive(archive, sha256).await?;
    let image = handle.helper_image(image).await?;
    let helper = handle.create_volume_helper(volume, &image, false).await?;
    refuse_if_now_in_use(handle, volume, &helper).await?;
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(QUEUE);
    let reader = tokio::task::spawn_blocking(move || decompress_from(file, tx));
    let upload = upload_watched(handle, &helper, rx, cancel).await;
    // The reader ends before the helper goes, whichever way the upload did.
    let read = reader.await;
    let uploaded = match upload {
        Upload::Ended(uploaded) => uploaded,
        Upload::Cancelled => {
            // The reader stops as the upload is dropped: its error says nothing new.
            let removed = handle.remove_helper(&helper).await;
            let cancelled = RestoreError::CancelledInto {
                volume: volume.into(),
            };
            return Err(match removed {
                Ok(()) => cancelled,
                Err(e) => RestoreError::Several(vec![cancelled, helper_remains(&helper, e)]),
            });
        }
    };
    let removed = handle
        .remove_helper(&helper)
        .await
        .map_err(|e| helper_remains(&helper, e));
    unpack_outcome(archive, volume, sha256, uploaded, read, removed)
}

/// The helper container could not be removed: said next to the error
/// that ended the restore.
fn helper_remains(helper: &str, source: HostError) -> RestoreError {
    Aside::HelperRemains {
        id: short_id(helper).to_string(),
        host: None,
        source,
    }
    .into()
}

/// The last question before files are replaced, asked of the engine
/// now: the plan's answer may be minutes old, and a user paused or
/// restarted since then would have its files changed underneath it.
/// On refusal the helper is removed (or said to remain) and nothing is
/// written.
async fn refuse_if_now_in_use(
    handle: &HostHandle,
    volume: &str,
    helper: &str,
) -> Result<(), RestoreError> {
    let refused = match active_users(handle, volume).await {
        Ok(users) if users.is_empty() => None,
        Ok(users) => Some(RestoreError::from(TargetError::NowInUse {
            volume: volume.into(),
            host: handle.name.clone(),
            users,
        })),
        Err(e) => Some(e.into()),
    };
    let Some(refused) = refused else {
        return Ok(());
    };
    Err(match handle.remove_helper(helper).await {
        Ok(()) => refused,
        Err(e) => RestoreError::Several(vec![refused, helper_remains(helper, e)]),
    })
}

/// How the upload into the helper ended.
enum Upload {
    /// On its own: taken whole, failed, or the host stopped taking chunks.
    Ended(Result<(), RestoreError>),
    /// The job was asked to stop.
    Cancelled,
}

/// Upload the tar chunks from `rx` into the helper, until done, stalled
/// or cancelled. The upload (and with it `rx`) is dropped on return.
async fn upload_watched(
    handle: &HostHandle,
    helper: &str,
    rx: mpsc::Receiver<Result<Bytes, std::io::Error>>,
    cancel: &watch::Receiver<bool>,
) -> Upload {
    // The engine answers an upload only at its end: watch that it keeps
    // taking chunks, so a host that vanishes costs IDLE, not forever.
    let progress = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let seen = progress.clone();
    let body = futures_util::stream::unfold(rx, move |mut rx| {
        let seen = seen.clone();
        async move {
            let item = rx.recv().await?;
            seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Some((item, rx))
        }
    });
    let mut stop = cancel.clone();
    tokio::select! {
        r = handle.upload_volume(helper, body) => Upload::Ended(r.map_err(RestoreError::from)),
        () = stalled(&progress) => Upload::Ended(Err(TransferError::NotTaking {
            host: handle.name.clone(),
            secs: IDLE.as_secs(),
        }
        .into())),
        Ok(_) = stop.wait_for(|c| *c) => Upload::Cancelled,
    }
}

/// Every problem of an unpack that was not cancelled, gathered so none
/// hides another: the upload's, the reading thread's (including a
/// checksum that changed during the unpack), and a helper left behind.
fn unpack_outcome(
    archive: &str,
    volume: &str,
    sha256: &str,
    uploaded: Result<(), RestoreError>,
    read: Result<std::io::Result<String>, tokio::task::JoinError>,
    removed: Result<(), RestoreError>,
) -> Result<(), RestoreError> {
    let mut problems = Vec::new();
    if let Err(e) = uploaded {
        problems.push(RestoreError::PartlyWritten {
            cause: Box::new(e),
            volume: volume.into(),
        });
    }
    match read {
        Ok(Ok(found)) if found == sha256 => {}
        Ok(Ok(_)) => problems.push(RestoreError::ChangedDuring {
            archive: archive.into(),
            volume: volume.into(),
        }),
        Ok(Err(e)) => problems.push(local(format!("reading {archive}"), e)),
        Err(e) => problems.push(local(format!("reading {archive}"), e)),
    }
    if let Err(e) = removed {
        problems.push(e);
    }
    match problems.len() {
        0 => Ok(()),
        1 => Err(problems.remove(0)),
        _ => Err(RestoreError::Several(problems)),
    }
}

/// Returns once `progress` has not moved for IDLE.
async fn stalled(progress: &std::sync::atomic::AtomicU64) {
    let mut last = u64::MAX;
    loop {
        tokio::time::sleep(IDLE).await;
        let now = progress.load(std::sync::atomic::Ordering::Relaxed);
        if now == last {
            return;
        }
        last = now;
    }
}

/// The reading thread: the archive's bytes are hashed as read and the
/// tar they decompress to is sent on in chunks.
fn decompress_from(
    file: File,
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
) -> std::io::Result<String> {
    let reader = HashingReader {
        inner: BufReader::with_capacity(CHUNK, file),
        hasher: Sha256::new(),
    };
    let mut gz = GzDecoder::new(reader);
    loop {
        let mut buf = vec![0u8; CHUNK];
        let n = match gz.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                let text = e.to_string();
                let _ = tx.blocking_send(Err(e));
                return Err(std::io::Error::other(text));
            }
        };
        buf.truncate(n);
        if tx.blocking_send(Ok(Bytes::from(buf))).is_err() {
            return Err(std::io::Error::other("the engine stopped reading"));
        }
    }
    let mut reader = gz.into_inner();
    std::io::copy(&mut reader, &mut std::io::sink())?;
    Ok(hex(&reader.hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only a stopped container's files may be replaced: paused (another
    /// operator's backup), restarting and removing ones are still users.
    #[test]
    fn only_stopped_states_leave_a_volume_to_restore() {
        let stopped = ["exited", "created", "dead"];
        let not_stopped = ["running", "paused", "restarting", "removing", "frozen"];
        for s in stopped {
            assert!(leaves_files_alone(ContainerState::parse(s)), "{s}");
        }
        for s in not_stopped {
            assert!(!leaves_files_alone(ContainerState::parse(s)), "{s}");
        }
    }

    #[tokio::test]
    async fn a_verified_handle_reads_the_file_that_was_verified_after_a_swap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.tar.gz");
        std::fs::write(&path, b"the archive").unwrap();
        let sum = hex(&Sha256::digest(b"the archive"));
        let archive = path.to_str().unwrap();
        let mut file = verified_archive(archive, &sum).await.unwrap();
        // Another file renamed over the name after the check.
        let planted = dir.path().join("planted");
        std::fs::write(&planted, b"something else").unwrap();
        std::fs::rename(&planted, &path).unwrap();
        let mut read = Vec::new();
        file.read_to_end(&mut read).unwrap();
        assert_eq!(read, b"the archive");
        // Verified by name now, the planted file is refused.
        let e = verified_archive(archive, &sum).await.unwrap_err();
        assert!(matches!(e, RestoreError::Corrupted { .. }), "{e}");
    }

    #[tokio::test]
    async fn a_fifo_in_place_of_the_archive_is_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.tar.gz");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &path,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let e = verify_backup(path.to_str().unwrap(), "00")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("not a regular file (a FIFO)"), "{e}");
    }
}
