//! Running the restore steps: the archive's checksum is verified before
//! anything is written; the target is created, or checked to be unused
//! and empty (unless forced); the archive is decompressed on a thread and
//! streamed into a helper container that mounts the target volume.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::PathBuf;

use bytes::Bytes;
use flate2::read::GzDecoder;
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, watch};

use super::backup_error::{Aside, RestoreError, TargetError, TransferError};
use super::run_backup::{hex, HashingReader, CHUNK, QUEUE};
use super::stream_next::{next_chunk, Next, IDLE};
use super::tar_count::TarCounter;
use crate::docker::{HostError, HostHandle};

/// The archive's bytes hash to `sha256`: checked before a restore writes.
pub async fn verify_backup(archive: &str, sha256: &str) -> Result<(), RestoreError> {
    let path = PathBuf::from(archive);
    let found = tokio::task::spawn_blocking(move || -> std::io::Result<String> {
        let mut reader = HashingReader {
            inner: BufReader::with_capacity(CHUNK, File::open(&path)?),
            hasher: Sha256::new(),
        };
        std::io::copy(&mut reader, &mut std::io::sink())?;
        Ok(hex(&reader.hasher.finalize()))
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
    Ok(())
}

/// A local failure at `doing` (the archive, the worker thread).
fn local(doing: String, e: impl std::fmt::Display) -> RestoreError {
    RestoreError::Local {
        doing,
        detail: e.to_string(),
    }
}

async fn running_users(handle: &HostHandle, volume: &str) -> Result<Vec<String>, HostError> {
    let users = handle.volume_users(volume).await?;
    Ok(users
        .into_iter()
        .filter(|u| u.running)
        .map(|u| u.name.into_string())
        .collect())
}

/// A new volume is created; an existing one must have no running user,
/// and be empty unless forced.
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
    let users = running_users(handle, &volume).await?;
    if !users.is_empty() {
        return Err(TargetError::InUse { volume, users }.into());
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
        let mut stream = handle.download_volume(&helper)?;
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

/// Unpack the archive into the volume through a helper, streamed; the
/// archive is hashed again on the way and never removed.
pub async fn restore_volume(
    handle: &HostHandle,
    archive: &str,
    volume: &str,
    sha256: &str,
    image: Option<&str>,
    cancel: &watch::Receiver<bool>,
) -> Result<(), RestoreError> {
    let users = running_users(handle, volume).await?;
    if !users.is_empty() {
        let volume = volume.into();
        return Err(TargetError::NowInUse { volume, users }.into());
    }
    let image = handle.helper_image(image).await?;
    let file = File::open(archive).map_err(|e| local(format!("cannot read {archive}"), e))?;
    let helper = handle.create_volume_helper(volume, &image, false).await?;
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(QUEUE);
    let reader = tokio::task::spawn_blocking(move || decompress_from(file, tx));
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
    let mut cancelled = false;
    let uploaded = tokio::select! {
        r = handle.upload_volume(&helper, body) => r.map_err(RestoreError::from),
        () = stalled(&progress) => Err(TransferError::NotTaking {
            host: handle.name.clone(),
            secs: IDLE.as_secs(),
        }
        .into()),
        Ok(_) = stop.wait_for(|c| *c) => {
            cancelled = true;
            Err(TransferError::Cancelled("unpack").into())
        }
    };
    let read = reader.await;
    let helper_remains = |source| -> RestoreError {
        Aside::HelperRemains {
            id: helper[..helper.len().min(12)].to_string(),
            host: None,
            source,
        }
        .into()
    };
    if cancelled {
        // The reader stops as the upload is dropped: its error says nothing new.
        let removed = handle.remove_helper(&helper).await;
        let cancelled = RestoreError::CancelledInto {
            volume: volume.into(),
        };
        return Err(match removed {
            Ok(()) => cancelled,
            Err(e) => RestoreError::Several(vec![cancelled, helper_remains(e)]),
        });
    }
    let removed = handle.remove_helper(&helper).await;
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
        problems.push(helper_remains(e));
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
