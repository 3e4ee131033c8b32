//! Running the backup and restore steps: the volume's tar stream goes
//! from the engine through a gzip encoder and a sha256 into a `.partial`
//! file, chunk by chunk (never whole in memory); the file is synced,
//! read back and checked, its manifest written, and only then are both
//! renamed into place (manifest first). Any failure removes the partial
//! files and says what is left; a kill leaves only `.partial` files.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use sha2::{Digest, Sha256};
use tokio::sync::{mpsc, watch};

use crate::config::private_fs::{create_new_private, create_private_dir_all};
use crate::docker::{unix_now, HostHandle};
use crate::model::clock::utc_datetime;
use crate::model::container::short_id;
use crate::ops::base::backup_error::{Aside, BackupError, TransferError};
use crate::ops::base::backup_manifest::{
    manifest_path, partial_path, Manifest, KIND_VOLUME, MANIFEST_FORMAT,
};
use crate::ops::base::stream_next::{next_chunk, Next, IDLE};
use crate::ops::base::tar_count::{TarCounter, TarCounts};

/// A host that sends nothing for this long is taken as gone.
/// Chunks in flight between the engine and the compressing thread.
pub(crate) const QUEUE: usize = 32;
pub(crate) const CHUNK: usize = 256 * 1024;

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
pub async fn check_backup_dir(dir: &str) -> Result<(), BackupError> {
    let dir = PathBuf::from(dir);
    tokio::task::spawn_blocking(move || {
        create_private_dir_all(&dir).map_err(|e| {
            local(
                format!("cannot create backup directory {}", dir.display()),
                e,
            )
        })?;
        let probe = dir.join(format!(".tugboat-write-test-{}", std::process::id()));
        let written = create_new_private(&probe).and_then(|mut f| f.write_all(b"ok"));
        let _ = std::fs::remove_file(&probe);
        written.map_err(|e| {
            local(
                format!("backup directory {} is not writable", dir.display()),
                e,
            )
        })
    })
    .await
    .map_err(|e| local("checking the backup directory", e))?
}

/// A local failure at `doing` (a file, a directory, the worker thread).
pub(crate) fn local(doing: impl Into<String>, e: impl std::fmt::Display) -> BackupError {
    BackupError::Local {
        doing: doing.into(),
        detail: e.to_string(),
    }
}

pub async fn backup_volume(
    handle: &HostHandle,
    job: BackupJob<'_>,
    cancel: &watch::Receiver<bool>,
) -> Result<(), BackupError> {
    let archive = Path::new(job.dir).join(job.file);
    let manifest_file = manifest_path(&archive);
    if archive.exists() || manifest_file.exists() {
        return Err(BackupError::Exists(archive));
    }
    let started = unix_now();
    let image = handle.helper_image(job.image).await?;
    let partial = partial_path(&archive);
    // Before anything happens on the host: an unwritable directory fails here.
    // Private: the volume's data (a database's files) ends up in it.
    let file = create_new_private(&partial)
        .map_err(|e| local(format!("cannot write {}", partial.display()), e))?;
    let helper = match handle.create_volume_helper(job.volume, &image, true).await {
        Ok(id) => id,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e.into());
        }
    };
    let (paused, mut problems) = pause_all(handle, job.pause).await;
    let copied = if problems.is_empty() {
        copy_to_file(handle, &helper, file, cancel).await
    } else {
        Err(BackupError::NothingCopied)
    };
    for (id, name) in &paused {
        if let Err(source) = handle.unpause_container(id).await {
            problems.push(Aside::StillPaused {
                name: name.clone(),
                source,
            });
        }
    }
    if let Err(source) = handle.remove_helper(&helper).await {
        problems.push(Aside::HelperRemains {
            id: short_id(&helper).to_string(),
            host: Some(handle.name.clone()),
            source,
        });
    }
    let finished = match copied {
        Ok(written) => {
            let m = Manifest {
                format: MANIFEST_FORMAT,
                kind: KIND_VOLUME.into(),
                container: None,
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
                .map_err(|e| local("finishing the backup", e))
                .and_then(|r| r)
        }
        Err(e) => Err(e),
    };
    match finished {
        Ok(()) if problems.is_empty() => Ok(()),
        Ok(()) => Err(BackupError::CompleteBut { archive, problems }),
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            let _ = std::fs::remove_file(partial_path(&manifest_file));
            let all = std::iter::once(e)
                .chain(problems.into_iter().map(BackupError::from))
                .collect();
            Err(BackupError::ArchiveNotKept(all))
        }
    }
}

/// Pause each running user; on the first failure stop pausing (the caller
/// unpauses what was paused).
async fn pause_all(
    handle: &HostHandle,
    pause: &[(String, String)],
) -> (Vec<(String, String)>, Vec<Aside>) {
    let mut paused = Vec::new();
    for (id, name) in pause {
        if let Err(source) = handle.pause_container(id).await {
            let problem = Aside::NotPaused {
                name: name.clone(),
                source,
            };
            return (paused, vec![problem]);
        }
        paused.push((id.clone(), name.clone()));
    }
    (paused, Vec::new())
}

pub(crate) struct Written {
    pub(crate) sha256: String,
    pub(crate) archive_bytes: u64,
    pub(crate) counts: TarCounts,
}

/// Stream the helper's /v into `file` through gzip and sha256.
async fn copy_to_file(
    handle: &HostHandle,
    helper: &str,
    file: File,
    cancel: &watch::Receiver<bool>,
) -> Result<Written, BackupError> {
    let (tx, rx) = mpsc::channel::<Bytes>(QUEUE);
    let writer = tokio::task::spawn_blocking(move || compress_into(file, rx));
    let mut stream = handle.download_volume(helper).await?;
    let mut counter = TarCounter::new();
    let mut failure = None;
    loop {
        match next_chunk(&mut stream, Some(cancel)).await {
            Next::Stopped => {
                failure = Some(TransferError::Cancelled("copy"));
                break;
            }
            Next::Idle => {
                failure = Some(TransferError::Silent {
                    who: format!("host {}", handle.name),
                    secs: IDLE.as_secs(),
                });
                break;
            }
            Next::End => break,
            Next::Failed(e) => {
                failure = Some(TransferError::Stream(e));
                break;
            }
            Next::Chunk(chunk) => {
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
        .map_err(|e| local("writing the archive", e))?
        .map_err(|e| local("writing the archive", e))?;
    if let Some(f) = failure {
        return Err(f.into());
    }
    if let Some(bad) = counter.error() {
        return Err(TransferError::Malformed(bad.to_string()).into());
    }
    if !counter.ended() {
        return Err(TransferError::EndedEarly.into());
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

pub(crate) struct HashingReader<R> {
    pub(crate) inner: R,
    pub(crate) hasher: Sha256,
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

pub(crate) fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The compressing thread: gzip (fast level: the copy, not the CPU, should
/// set the pace), sha256 of the compressed bytes, then fsync.
pub(crate) fn compress_into(
    file: File,
    mut rx: mpsc::Receiver<Bytes>,
) -> std::io::Result<(String, u64)> {
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
pub(crate) fn finish(
    partial: &Path,
    archive: &Path,
    m: &Manifest,
    written: Written,
) -> Result<(), BackupError> {
    let (sha, tar_bytes) =
        read_back(partial).map_err(|e| local(format!("reading back {}", partial.display()), e))?;
    if sha != written.sha256 || tar_bytes != written.counts.tar_bytes {
        return Err(BackupError::ReadBackDiffers(partial.to_path_buf()));
    }
    let manifest_final = manifest_path(archive);
    let manifest_partial = partial_path(&manifest_final);
    let text =
        serde_json::to_string_pretty(m).map_err(|e| BackupError::ManifestText(e.to_string()))?;
    let write = |path: &Path| -> std::io::Result<()> {
        let mut f = create_new_private(path)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()
    };
    write(&manifest_partial)
        .map_err(|e| local(format!("writing {}", manifest_partial.display()), e))?;
    std::fs::rename(&manifest_partial, &manifest_final)
        .map_err(|e| local(format!("renaming {}", manifest_partial.display()), e))?;
    if let Err(e) = std::fs::rename(partial, archive) {
        let _ = std::fs::remove_file(&manifest_final);
        return Err(local(format!("renaming {}", partial.display()), e));
    }
    if let Some(dir) = archive.parent() {
        // The renames themselves must survive a crash.
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    /// An archive and its manifest hold a database's data: 0600 in a 0700
    /// directory, from the partial file on.
    #[tokio::test]
    async fn archives_and_manifests_are_private() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("backups/db");
        check_backup_dir(dir.to_str().unwrap()).await.unwrap();
        assert_eq!(mode(&dir), 0o700);
        let archive = dir.join("data-1.tar.gz");
        let partial = partial_path(&archive);
        let file = create_new_private(&partial).unwrap();
        assert_eq!(mode(&partial), 0o600);
        let (tx, rx) = mpsc::channel::<Bytes>(1);
        tx.send(Bytes::from_static(b"not really a tar"))
            .await
            .unwrap();
        drop(tx);
        let (sha256, archive_bytes) = tokio::task::spawn_blocking(move || compress_into(file, rx))
            .await
            .unwrap()
            .unwrap();
        let counts = TarCounts {
            tar_bytes: 16,
            ..TarCounts::default()
        };
        let m = Manifest {
            format: MANIFEST_FORMAT,
            kind: crate::ops::base::backup_manifest::KIND_VOLUME.into(),
            container: None,
            volume: "data".into(),
            host: "local".into(),
            time: "2026-11-23T04:30:01Z".into(),
            unix_time: 1,
            archive: "data-1.tar.gz".into(),
            compression: "gzip".into(),
            archive_bytes,
            sha256: sha256.clone(),
            tar_bytes: 16,
            content_bytes: 0,
            files: 0,
            dirs: 0,
            others: 0,
            users: vec![],
            paused: vec![],
            helper_image: "busybox".into(),
        };
        let written = Written {
            sha256,
            archive_bytes,
            counts,
        };
        finish(&partial, &archive, &m, written).unwrap();
        assert_eq!(mode(&archive), 0o600);
        assert_eq!(mode(&manifest_path(&archive)), 0o600);
    }
}
