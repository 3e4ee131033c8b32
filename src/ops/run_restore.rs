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

use super::run_backup::{hex, HashingReader, CHUNK, QUEUE};
use super::stream_next::{next_chunk, Next, IDLE};
use super::tar_count::TarCounter;
use crate::docker::HostHandle;

/// The archive's bytes hash to `sha256`: checked before a restore writes.
pub async fn verify_backup(archive: &str, sha256: &str) -> Result<(), String> {
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
    .map_err(|e| format!("verifying {archive}: {e}"))?
    .map_err(|e| format!("cannot read {archive}: {e}"))?;
    if found != sha256 {
        return Err(format!(
            "{archive} is corrupted or changed: its sha256 is {found}, the manifest says {sha256}; nothing was written"
        ));
    }
    Ok(())
}

async fn running_users(handle: &HostHandle, volume: &str) -> Result<Vec<String>, String> {
    let users = handle
        .volume_users(volume)
        .await
        .map_err(|e| e.to_string())?;
    Ok(users
        .into_iter()
        .filter(|u| u.running)
        .map(|u| u.name)
        .collect())
}

/// A new volume is created; an existing one must have no running user,
/// and be empty unless forced.
pub async fn prepare_restore_target(
    handle: &HostHandle,
    volume: &str,
    create: bool,
    force: bool,
) -> Result<(), String> {
    let exists = handle
        .volume_exists(volume)
        .await
        .map_err(|e| e.to_string())?;
    if create {
        if exists {
            return Err(format!(
                "volume {volume} already exists on {}: pick another name, or restore into it explicitly (only when empty, or forced)",
                handle.name
            ));
        }
        return handle
            .create_volume(volume, &Default::default())
            .await
            .map_err(|e| e.to_string());
    }
    if !exists {
        return Err(format!("no volume {volume} on {}", handle.name));
    }
    let running = running_users(handle, volume).await?;
    if !running.is_empty() {
        return Err(format!(
            "volume {volume} is in use by running container(s) {}: stop them first; nothing was written",
            running.join(", ")
        ));
    }
    if !force {
        let entries = count_entries(handle, volume).await?;
        if entries > 1 {
            return Err(format!(
                "volume {volume} is not empty: restore into a new volume, or force it (--force) to overwrite its files; nothing was written"
            ));
        }
    }
    Ok(())
}

/// Entries in the volume (1: only its root), reading no more than needed.
async fn count_entries(handle: &HostHandle, volume: &str) -> Result<u64, String> {
    let image = handle.helper_image(None).await.map_err(|e| e.to_string())?;
    let helper = handle
        .create_volume_helper(volume, &image, true)
        .await
        .map_err(|e| e.to_string())?;
    let mut counter = TarCounter::new();
    let result = async {
        let mut stream = handle.download_volume(&helper).map_err(|e| e.to_string())?;
        while counter.counts().entries() <= 1 {
            match next_chunk(&mut stream, None).await {
                Next::Chunk(chunk) => counter.feed(&chunk),
                Next::Failed(e) => return Err(e),
                Next::End | Next::Stopped => break,
                Next::Idle => return Err(format!("host {} stopped answering", handle.name)),
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
) -> Result<(), String> {
    let running = running_users(handle, volume).await?;
    if !running.is_empty() {
        return Err(format!(
            "volume {volume} is now in use by {}: nothing was written",
            running.join(", ")
        ));
    }
    let image = handle
        .helper_image(image)
        .await
        .map_err(|e| e.to_string())?;
    let file = File::open(archive).map_err(|e| format!("cannot read {archive}: {e}"))?;
    let helper = handle
        .create_volume_helper(volume, &image, false)
        .await
        .map_err(|e| e.to_string())?;
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
        r = handle.upload_volume(&helper, body) => r.map_err(|e| e.to_string()),
        () = stalled(&progress) => Err(format!(
            "host {} took nothing for {}s",
            handle.name,
            IDLE.as_secs()
        )),
        Ok(_) = stop.wait_for(|c| *c) => {
            cancelled = true;
            Err("cancelled during the unpack".to_string())
        }
    };
    let read = reader.await;
    if cancelled {
        // The reader stops as the upload is dropped: its error says nothing new.
        let removed = handle.remove_helper(&helper).await;
        return Err(match removed {
            Ok(()) => format!("cancelled during the unpack into {volume}"),
            Err(e) => format!(
                "cancelled during the unpack into {volume}; helper container {} may remain ({e})",
                &helper[..helper.len().min(12)]
            ),
        });
    }
    let removed = handle.remove_helper(&helper).await;
    let mut problems = Vec::new();
    if let Err(e) = uploaded {
        problems.push(format!("{e}; volume {volume} may hold part of the archive"));
    }
    match read {
        Ok(Ok(found)) if found == sha256 => {}
        Ok(Ok(_)) => problems.push(format!(
            "{archive} changed while being restored; volume {volume} may not match any backup"
        )),
        Ok(Err(e)) => problems.push(format!("reading {archive}: {e}")),
        Err(e) => problems.push(format!("reading {archive}: {e}")),
    }
    if let Err(e) = removed {
        problems.push(format!(
            "helper container {} may remain ({e})",
            &helper[..helper.len().min(12)]
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
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
