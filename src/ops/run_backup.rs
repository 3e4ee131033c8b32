//! Running the backup and restore steps: the volume's tar stream goes
//! from the engine through a gzip encoder and a sha256 into a `.partial`
//! file, chunk by chunk (never whole in memory); the file is synced,
//! read back and checked, its manifest written, and only then are both
//! renamed into place (manifest first). Any failure removes the partial
//! files and says what is left; a kill leaves only `.partial` files.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, watch};

use super::backup::{manifest_path, partial_path, Manifest, MANIFEST_FORMAT};
use super::tar_count::{TarCounter, TarCounts};
use crate::docker::{unix_now, HostHandle};
use crate::model::clock::utc_datetime;

/// A host that sends nothing for this long is taken as gone.
const IDLE: Duration = Duration::from_secs(60);
/// Chunks in flight between the engine and the compressing thread.
const QUEUE: usize = 32;
const CHUNK: usize = 256 * 1024;

/// What the BackupVolume step was asked to do.
pub struct BackupJob<'a> {
    pub volume: &'a str,
    pub dir: &'a str,
    pub file: &'a str,
    pub image: Option<&'a str>,
    pub users: &'a [String],
    pub pause: &'a [(String, String)],
}

/// The directory exists (created if missing) and takes a new file.
pub async fn check_backup_dir(dir: &str) -> Result<(), String> {
    let dir = PathBuf::from(dir);
    tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create backup directory {}: {e}", dir.display()))?;
        let probe = dir.join(format!(".tugboat-write-test-{}", std::process::id()));
        let written = File::create(&probe).and_then(|mut f| f.write_all(b"ok"));
        let _ = std::fs::remove_file(&probe);
        written.map_err(|e| format!("backup directory {} is not writable: {e}", dir.display()))
    })
    .await
    .map_err(|e| format!("checking the backup directory: {e}"))?
}

pub async fn backup_volume(
    handle: &HostHandle,
    job: BackupJob<'_>,
    cancel: &watch::Receiver<bool>,
) -> Result<(), String> {
    let archive = Path::new(job.dir).join(job.file);
    let manifest_file = manifest_path(&archive);
    if archive.exists() || manifest_file.exists() {
        return Err(format!("{} already exists", archive.display()));
    }
    let started = unix_now();
    let image = handle
        .helper_image(job.image)
        .await
        .map_err(|e| e.to_string())?;
    let partial = partial_path(&archive);
    // Before anything happens on the host: an unwritable directory fails here.
    let file = File::options()
        .write(true)
        .create_new(true)
        .open(&partial)
        .map_err(|e| format!("cannot write {}: {e}", partial.display()))?;
    let helper = match handle.create_volume_helper(job.volume, &image, true).await {
        Ok(id) => id,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e.to_string());
        }
    };
    let (paused, mut problems) = pause_all(handle, job.pause).await;
    let copied = if problems.is_empty() {
        copy_to_file(handle, &helper, file, cancel).await
    } else {
        Err("nothing copied".to_string())
    };
    for (id, name) in &paused {
        if let Err(e) = handle.unpause_container(id).await {
            problems.push(format!(
                "{name} could not be unpaused and is still paused: {e}"
            ));
        }
    }
    if let Err(e) = handle.remove_helper(&helper).await {
        problems.push(format!(
            "helper container {} may remain on {} ({e})",
            &helper[..helper.len().min(12)],
            handle.name
        ));
    }
    let finished = match copied {
        Ok(written) => {
            let m = Manifest {
                format: MANIFEST_FORMAT,
                volume: job.volume.into(),
                host: handle.name.clone(),
                time: utc_datetime(started),
                unix_time: started,
                archive: job.file.into(),
                compression: "gzip".into(),
                archive_bytes: written.archive_bytes,
                sha256: written.sha256.clone(),
                tar_bytes: written.counts.tar_bytes,
                content_bytes: written.counts.content_bytes,
                files: written.counts.files,
                dirs: written.counts.dirs,
                others: written.counts.others,
                users: job.users.to_vec(),
                paused: paused.iter().map(|(_, n)| n.clone()).collect(),
                helper_image: image,
            };
            let (partial, archive) = (partial.clone(), archive.clone());
            tokio::task::spawn_blocking(move || finish(&partial, &archive, &m, written))
                .await
                .map_err(|e| format!("finishing the backup: {e}"))
                .and_then(|r| r)
        }
        Err(e) => Err(e),
    };
    match finished {
        Ok(()) if problems.is_empty() => Ok(()),
        Ok(()) => Err(format!(
            "{} is complete, but: {}",
            archive.display(),
            problems.join("; ")
        )),
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            let _ = std::fs::remove_file(partial_path(&manifest_file));
            problems.insert(0, e);
            Err(format!(
                "{}; no archive was kept (partial file removed)",
                problems.join("; ")
            ))
        }
    }
}

/// Pause each running user; on the first failure stop pausing (the caller
/// unpauses what was paused).
async fn pause_all(
    handle: &HostHandle,
    pause: &[(String, String)],
) -> (Vec<(String, String)>, Vec<String>) {
    let mut paused = Vec::new();
    for (id, name) in pause {
        if let Err(e) = handle.pause_container(id).await {
            return (paused, vec![format!("cannot pause {name}: {e}")]);
        }
        paused.push((id.clone(), name.clone()));
    }
    (paused, Vec::new())
}

struct Written {
    sha256: String,
    archive_bytes: u64,
    counts: TarCounts,
}

/// Stream the helper's /v into `file` through gzip and sha256.
async fn copy_to_file(
    handle: &HostHandle,
    helper: &str,
    file: File,
    cancel: &watch::Receiver<bool>,
) -> Result<Written, String> {
    let (tx, rx) = mpsc::channel::<Bytes>(QUEUE);
    let writer = tokio::task::spawn_blocking(move || compress_into(file, rx));
    let mut stream = handle.download_volume(helper).map_err(|e| e.to_string())?;
    let mut counter = TarCounter::new();
    let mut failure = None;
    loop {
        if *cancel.borrow() {
            failure = Some("cancelled during the copy".to_string());
            break;
        }
        match tokio::time::timeout(IDLE, stream.next()).await {
            Err(_) => {
                failure = Some(format!(
                    "host {} sent nothing for {}s",
                    handle.name,
                    IDLE.as_secs()
                ));
                break;
            }
            Ok(None) => break,
            Ok(Some(Err(e))) => {
                failure = Some(e.to_string());
                break;
            }
            Ok(Some(Ok(chunk))) => {
                counter.feed(&chunk);
                // A closed channel means the writer failed: its error says why.
                if tx.send(chunk).await.is_err() {
                    break;
                }
            }
        }
    }
    drop(tx);
    let written = writer
        .await
        .map_err(|e| format!("writing the archive: {e}"))?
        .map_err(|e| format!("writing the archive: {e}"))?;
    if let Some(f) = failure {
        return Err(f);
    }
    if let Some(bad) = counter.error() {
        return Err(format!("the engine sent a malformed archive: {bad}"));
    }
    if !counter.ended() {
        return Err("the volume's archive stream ended early (host gone?)".into());
    }
    Ok(Written {
        sha256: written.0,
        archive_bytes: written.1,
        counts: counter.counts(),
    })
}

/// Counts and hashes what passes through to `inner`.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The compressing thread: gzip (fast level: the copy, not the CPU, should
/// set the pace), sha256 of the compressed bytes, then fsync.
fn compress_into(file: File, mut rx: mpsc::Receiver<Bytes>) -> std::io::Result<(String, u64)> {
    let sink = HashingWriter {
        inner: BufWriter::with_capacity(CHUNK, file),
        hasher: Sha256::new(),
        bytes: 0,
    };
    let mut gz = GzEncoder::new(sink, Compression::fast());
    while let Some(chunk) = rx.blocking_recv() {
        gz.write_all(&chunk)?;
    }
    let mut sink = gz.finish()?;
    sink.flush()?;
    let file = sink.inner.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok((hex(&sink.hasher.finalize()), sink.bytes))
}

/// Read the archive back (sha256 of its bytes, and the tar length it
/// decompresses to).
fn read_back(path: &Path) -> std::io::Result<(String, u64)> {
    let file = File::open(path)?;
    let reader = HashingReader {
        inner: BufReader::with_capacity(CHUNK, file),
        hasher: Sha256::new(),
    };
    let mut gz = GzDecoder::new(reader);
    let tar_bytes = std::io::copy(&mut gz, &mut std::io::sink())?;
    let mut reader = gz.into_inner();
    std::io::copy(&mut reader, &mut std::io::sink())?;
    Ok((hex(&reader.hasher.finalize()), tar_bytes))
}

/// Verify the synced partial archive, write the manifest, rename both
/// into place: manifest first, so a complete-looking archive always has one.
fn finish(partial: &Path, archive: &Path, m: &Manifest, written: Written) -> Result<(), String> {
    let (sha, tar_bytes) =
        read_back(partial).map_err(|e| format!("reading back {}: {e}", partial.display()))?;
    if sha != written.sha256 || tar_bytes != written.counts.tar_bytes {
        return Err(format!(
            "{} does not read back as written (sha256 or length differ)",
            partial.display()
        ));
    }
    let manifest_final = manifest_path(archive);
    let manifest_partial = partial_path(&manifest_final);
    let text = serde_json::to_string_pretty(m).map_err(|e| e.to_string())?;
    let write = |path: &Path| -> std::io::Result<()> {
        let mut f = File::options().write(true).create_new(true).open(path)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()
    };
    write(&manifest_partial).map_err(|e| format!("writing {}: {e}", manifest_partial.display()))?;
    std::fs::rename(&manifest_partial, &manifest_final)
        .map_err(|e| format!("renaming {}: {e}", manifest_partial.display()))?;
    if let Err(e) = std::fs::rename(partial, archive) {
        let _ = std::fs::remove_file(&manifest_final);
        return Err(format!("renaming {}: {e}", partial.display()));
    }
    if let Some(dir) = archive.parent() {
        // The renames themselves must survive a crash.
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

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
            .create_volume(volume, Default::default())
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
            match tokio::time::timeout(IDLE, stream.next()).await {
                Ok(Some(Ok(chunk))) => counter.feed(&chunk),
                Ok(Some(Err(e))) => return Err(e.to_string()),
                Ok(None) => break,
                Err(_) => return Err(format!("host {} stopped answering", handle.name)),
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
    let uploaded = tokio::select! {
        r = handle.upload_volume(&helper, body) => r.map_err(|e| e.to_string()),
        () = stalled(&progress) => Err(format!(
            "host {} took nothing for {}s",
            handle.name,
            IDLE.as_secs()
        )),
    };
    let read = reader.await;
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

/// The job runner's entry for the backup and restore steps.
pub async fn step(
    handle: &HostHandle,
    step: &super::backup::BackupStep,
    cancel: &watch::Receiver<bool>,
) -> Result<(), String> {
    use super::backup::BackupStep;
    match step {
        BackupStep::CheckDir { dir } => check_backup_dir(dir).await,
        BackupStep::Copy {
            volume,
            dir,
            file,
            image,
            users,
            pause,
        } => {
            let job = BackupJob {
                volume,
                dir,
                file,
                image: image.as_deref(),
                users,
                pause,
            };
            backup_volume(handle, job, cancel).await
        }
        BackupStep::Verify { archive, sha256 } => verify_backup(archive, sha256).await,
        BackupStep::PrepareTarget {
            volume,
            create,
            force,
        } => prepare_restore_target(handle, volume, *create, *force).await,
        BackupStep::Restore {
            archive,
            volume,
            sha256,
            image,
        } => restore_volume(handle, archive, volume, sha256, image.as_deref()).await,
    }
}
