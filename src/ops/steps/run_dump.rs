//! The logical dump of a MySQL/MariaDB: `mariadb-dump` (or `mysqldump`)
//! with `--single-transaction` runs in the database's own container
//! through exec, with the root password from the container's environment
//! in the exec's `MYSQL_PWD` (never on a command line, never shown); its
//! output is streamed through gzip and sha256 into a `.partial` file and
//! finished like a volume archive (read back, manifest first, renames).

use std::fs::File;
use std::path::Path;

use bytes::Bytes;
use futures_util::Stream;
use tokio::sync::{mpsc, watch};

use super::run_backup::{compress_into, finish, local, Written, QUEUE};
use crate::config::private_fs::create_new_private;
use crate::docker::{unix_now, ExecChunk, HostError, HostHandle};
use crate::model::clock::utc_datetime;
use crate::model::sanitize;
use crate::ops::base::backup_error::{BackupError, TransferError};
use crate::ops::base::backup_manifest::{
    manifest_path, partial_path, Manifest, KIND_DUMP, MANIFEST_FORMAT,
};
use crate::ops::base::stream_next::{next_chunk, Next, IDLE};
use crate::ops::base::tar_count::TarCounts;

/// Every database, consistent for InnoDB without locking writers.
const DUMP_SCRIPT: &str = r#"
c=$(command -v mariadb-dump || command -v mysqldump) || { echo "no mariadb-dump or mysqldump in this container" >&2; exit 127; }
exec "$c" --protocol=tcp -h127.0.0.1 -P"${MYSQL_TCP_PORT:-3306}" -u"${TUGBOAT_DB_USER:-root}" \
  --single-transaction --all-databases --routines --events --triggers
"#;
/// The dump tools end a complete dump with this comment.
const COMPLETED: &str = "-- Dump completed";
const STDERR_LIMIT: usize = 4096;

pub(crate) struct DumpJob<'a> {
    pub volume: &'a str,
    pub container_id: &'a str,
    pub container: &'a str,
    pub dir: &'a str,
    pub file: &'a str,
    /// For the database's credentials (`db_client_env`).
    pub settings: &'a crate::config::Settings,
}

pub(crate) async fn dump_database(
    handle: &HostHandle,
    job: DumpJob<'_>,
    cancel: &watch::Receiver<bool>,
) -> Result<(), BackupError> {
    let archive = Path::new(job.dir).join(job.file);
    if archive.exists() || manifest_path(&archive).exists() {
        return Err(BackupError::Exists(archive));
    }
    let started = unix_now();
    let context = handle.probe_context(job.container_id).await?;
    let env = crate::probes::run::db_client_env(&context, job.settings);
    let partial = partial_path(&archive);
    // Private: a dump holds every row of every database.
    let file = create_new_private(&partial)
        .map_err(|e| local(format!("cannot write {}", partial.display()), e))?;
    let result = async {
        let written = stream_dump(handle, &job, &env, file, cancel).await?;
        let m = Manifest {
            format: MANIFEST_FORMAT,
            kind: KIND_DUMP.into(),
            container: Some(job.container.into()),
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
            files: 0,
            dirs: 0,
            others: 0,
            users: vec![job.container.into()],
            paused: vec![],
            helper_image: String::new(),
        };
        let (partial, archive) = (partial.clone(), archive.clone());
        tokio::task::spawn_blocking(move || finish(&partial, &archive, &m, written))
            .await
            .map_err(|e| local("finishing the dump", e))?
    }
    .await;
    result.map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        let _ = std::fs::remove_file(partial_path(&manifest_path(&archive)));
        BackupError::DumpNotKept(Box::new(e))
    })
}

/// Run the dump in the container and stream its output into `file`
/// through gzip; the dump counts only when it exited 0 and its output
/// ends like a complete dump.
async fn stream_dump(
    handle: &HostHandle,
    job: &DumpJob<'_>,
    env: &[String],
    file: File,
    cancel: &watch::Receiver<bool>,
) -> Result<Written, BackupError> {
    let (tx, rx) = mpsc::channel(QUEUE);
    let writer = tokio::task::spawn_blocking(move || compress_into(file, rx));
    let streamed = handle
        .exec_streamed(
            job.container_id,
            &[
                "sh",
                "-c",
                &crate::probes::mysql::with_password_file(DUMP_SCRIPT),
            ],
            env,
        )
        .await;
    let (exec_id, mut stream) = match streamed {
        Ok(s) => s,
        Err(e) => {
            drop(tx);
            let _ = writer.await;
            return Err(e.into());
        }
    };
    let output = pump_dump(&mut stream, &tx, cancel).await;
    // The writer finishes the file only once the sender is gone.
    drop(tx);
    let written = writer
        .await
        .map_err(|e| local("writing the dump", e))?
        .map_err(|e| local("writing the dump", e))?;
    if let Some(f) = output.failure {
        return Err(f.into());
    }
    check_dump_completed(handle, job, &exec_id, &output).await?;
    Ok(Written {
        sha256: written.0,
        archive_bytes: written.1,
        counts: TarCounts {
            tar_bytes: output.bytes,
            content_bytes: output.bytes,
            ..TarCounts::default()
        },
    })
}

/// What the dump's output stream left behind once it ended.
struct DumpOutput {
    /// The first STDERR_LIMIT bytes of its stderr.
    stderr: Vec<u8>,
    /// The last bytes of its stdout: a complete dump ends with COMPLETED.
    tail: Vec<u8>,
    /// Bytes of stdout, all sent on to the writer.
    bytes: u64,
    /// Why the stream was cut short, if it was.
    failure: Option<TransferError>,
}

/// Send the dump's stdout to the writer and keep what the checks after it
/// need, until the stream ends, fails, goes silent, the job is stopped or
/// the writer stops taking chunks.
async fn pump_dump(
    stream: &mut (impl Stream<Item = Result<ExecChunk, HostError>> + Unpin),
    tx: &mpsc::Sender<Bytes>,
    cancel: &watch::Receiver<bool>,
) -> DumpOutput {
    let mut out = DumpOutput {
        stderr: Vec::new(),
        tail: Vec::new(),
        bytes: 0,
        failure: None,
    };
    loop {
        match next_chunk(stream, Some(cancel)).await {
            Next::Stopped => {
                out.failure = Some(TransferError::Cancelled("dump"));
                break;
            }
            Next::Idle => {
                out.failure = Some(TransferError::Silent {
                    who: "the dump".into(),
                    secs: IDLE.as_secs(),
                });
                break;
            }
            Next::End => break,
            Next::Failed(e) => {
                out.failure = Some(TransferError::Stream(e));
                break;
            }
            Next::Chunk(ExecChunk::Err(text)) => {
                let room = STDERR_LIMIT.saturating_sub(out.stderr.len());
                out.stderr.extend_from_slice(&text[..text.len().min(room)]);
            }
            Next::Chunk(ExecChunk::Out(chunk)) => {
                out.bytes += chunk.len() as u64;
                out.tail.extend_from_slice(&chunk);
                let keep = out.tail.len().saturating_sub(256);
                out.tail.drain(..keep);
                if tx.send(chunk).await.is_err() {
                    break;
                }
            }
        }
    }
    out
}

/// A stream that ended is not yet a dump: the tool must have exited 0
/// and its output must end with the comment a complete dump ends with.
async fn check_dump_completed(
    handle: &HostHandle,
    job: &DumpJob<'_>,
    exec_id: &str,
    output: &DumpOutput,
) -> Result<(), BackupError> {
    let code = handle.exec_exit_code(exec_id).await?;
    let said = sanitize(String::from_utf8_lossy(&output.stderr).trim());
    if code != Some(0) {
        return Err(TransferError::DumpFailed {
            container: job.container.into(),
            exit: code,
            said,
        }
        .into());
    }
    if !String::from_utf8_lossy(&output.tail).contains(COMPLETED) {
        return Err(TransferError::DumpUnfinished {
            container: job.container.into(),
            said,
        }
        .into());
    }
    Ok(())
}
