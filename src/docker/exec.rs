//! Running a command inside a container through the engine (`docker exec`),
//! so services are probed on remote hosts and over SSH where no service port
//! is reachable. Secrets travel in the exec's environment, never in argv.

use std::time::Duration;

use bollard::container::LogOutput;
use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use futures_util::StreamExt;

use super::handle::{HostError, HostHandle};

/// What a command printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExecOutput {
    pub stdout: String,
    pub stderr: String,
    /// None when the engine did not report one (the command still ran).
    pub exit_code: Option<i64>,
    /// Output past `EXEC_OUTPUT_LIMIT` was dropped.
    pub truncated: bool,
}

/// A probe's answer is small; a runaway command must not fill memory.
pub const EXEC_OUTPUT_LIMIT: usize = 1 << 20;

/// What a command wrote, byte for byte, and how it ended: for a caller
/// that must not edit a file it did not read whole and unaltered (a
/// config it writes back).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExecBytes {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// None when the engine did not report one (the command still ran).
    pub exit_code: Option<i64>,
    /// Output past `EXEC_OUTPUT_LIMIT` (per stream) was dropped.
    pub truncated: bool,
}

impl ExecBytes {
    /// As text: decoded once, whole, so a character split across the
    /// engine's chunks stays one character.
    pub fn lossy(self) -> ExecOutput {
        ExecOutput {
            stdout: String::from_utf8_lossy(&self.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&self.stderr).into_owned(),
            exit_code: self.exit_code,
            truncated: self.truncated,
        }
    }
}

/// Whether an exec only reads (probes) or changes something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecPurpose {
    Probe,
    Change,
}

/// How long an exec's commands may take inside the container: a little
/// less than tugboat's own limit on the exec, so that a script's own
/// bounds (`probes::limit`) end a stuck command before tugboat gives up on
/// it, as tugboat giving up does not end it. At most 2 s less, so a long
/// wait (a GTID catch-up) keeps nearly all of its time.
pub fn in_container_limit(limit: Duration) -> Duration {
    limit - (limit / 5).min(Duration::from_secs(2))
}

/// `TUGBOAT_LIMIT=N.D`: `in_container_limit` in seconds, rounded down to
/// tenths (at least 0.1), as the scripts read it.
fn limit_env(limit: Duration) -> String {
    let tenths = (in_container_limit(limit).as_millis() / 100).max(1);
    format!("TUGBOAT_LIMIT={}.{}", tenths / 10, tenths % 10)
}

impl HostHandle {
    /// Run `cmd` in container `id` with extra `env` (`NAME=value`), bounded
    /// by `limit` as a whole. `Change` execs are refused read-only. The
    /// command finds its own, shorter limit in `TUGBOAT_LIMIT`.
    pub async fn exec(
        &self,
        id: &str,
        cmd: &[&str],
        env: &[String],
        purpose: ExecPurpose,
        limit: Duration,
    ) -> Result<ExecOutput, HostError> {
        self.exec_as(id, None, cmd, env, purpose, limit).await
    }

    /// `exec` as `user` (e.g. "0") instead of the container's own user: for
    /// the few changes its server may not make, such as replacing a config
    /// file in a root-owned directory.
    pub async fn exec_as(
        &self,
        id: &str,
        user: Option<&str>,
        cmd: &[&str],
        env: &[String],
        purpose: ExecPurpose,
        limit: Duration,
    ) -> Result<ExecOutput, HostError> {
        let out = self
            .exec_bytes_as(id, user, cmd, env, purpose, limit)
            .await?;
        Ok(out.lossy())
    }

    /// `exec_as`, with what the command wrote left as bytes.
    pub async fn exec_bytes_as(
        &self,
        id: &str,
        user: Option<&str>,
        cmd: &[&str],
        env: &[String],
        purpose: ExecPurpose,
        limit: Duration,
    ) -> Result<ExecBytes, HostError> {
        let current = self.current(id);
        let id = current.as_str();
        let docker = match purpose {
            ExecPurpose::Probe => self.docker().await?,
            ExecPurpose::Change => self.mutation().await?,
        };
        let mut env = env.to_vec();
        env.push(limit_env(limit));
        let run = async move {
            let created = docker
                .create_exec(
                    id,
                    CreateExecOptions {
                        attach_stdout: Some(true),
                        attach_stderr: Some(true),
                        cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
                        env: Some(env),
                        user: user.map(str::to_string),
                        ..Default::default()
                    },
                )
                .await
                .map_err(|e| HostError::Engine(format!("exec in {id}: {e}")))?;
            let started = docker
                .start_exec(&created.id, Some(StartExecOptions::default()))
                .await
                .map_err(|e| HostError::Engine(format!("exec in {id}: {e}")))?;
            let mut out = ExecBytes::default();
            if let StartExecResults::Attached { mut output, .. } = started {
                while let Some(chunk) = output.next().await {
                    match chunk.map_err(|e| HostError::Engine(format!("exec in {id}: {e}")))? {
                        LogOutput::StdErr { message } => {
                            append(&mut out.stderr, &message, &mut out.truncated)
                        }
                        LogOutput::StdOut { message } | LogOutput::Console { message } => {
                            append(&mut out.stdout, &message, &mut out.truncated)
                        }
                        LogOutput::StdIn { .. } => {}
                    }
                }
            }
            let inspected = docker
                .inspect_exec(&created.id)
                .await
                .map_err(|e| HostError::Engine(format!("exec in {id}: {e}")))?;
            out.exit_code = inspected.exit_code;
            Ok(out)
        };
        tokio::time::timeout(limit, run).await.map_err(|_| {
            HostError::Engine(format!(
                "exec in {id}: no answer within {:.1}s",
                limit.as_secs_f32()
            ))
        })?
    }
}

impl HostHandle {
    /// Start `cmd` in container `id` and return at once, leaving it
    /// running (a session that must outlive this call, such as a lock held
    /// until a later step releases it). A change: refused read-only.
    pub async fn exec_detached(
        &self,
        id: &str,
        cmd: &[&str],
        env: &[String],
    ) -> Result<(), HostError> {
        let current = self.current(id);
        let id = current.as_str();
        let docker = self.mutation().await?;
        let run = async move {
            let created = docker
                .create_exec(
                    id,
                    CreateExecOptions {
                        cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
                        env: Some(env.to_vec()),
                        ..Default::default()
                    },
                )
                .await
                .map_err(|e| HostError::Engine(format!("exec in {id}: {e}")))?;
            let options = StartExecOptions {
                detach: true,
                ..Default::default()
            };
            docker
                .start_exec(&created.id, Some(options))
                .await
                .map_err(|e| HostError::Engine(format!("exec in {id}: {e}")))?;
            Ok(())
        };
        tokio::time::timeout(self.timeout, run).await.map_err(|_| {
            HostError::Engine(format!(
                "exec in {id}: no answer within {:.1}s",
                self.timeout.as_secs_f32()
            ))
        })?
    }
}

/// `bytes` added to `buf` up to `EXEC_OUTPUT_LIMIT`; what does not fit is
/// dropped and marked.
fn append(buf: &mut Vec<u8>, bytes: &[u8], truncated: &mut bool) {
    let room = EXEC_OUTPUT_LIMIT.saturating_sub(buf.len());
    if bytes.len() > room {
        *truncated = true;
    }
    buf.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_kept_as_bytes_up_to_the_limit_and_decoded_once() {
        // "é" split across two chunks: decoded per chunk it became two
        // replacement characters.
        let mut out = ExecBytes::default();
        append(&mut out.stdout, b"caf\xc3", &mut out.truncated);
        append(&mut out.stdout, b"\xa9\n", &mut out.truncated);
        assert!(!out.truncated);
        assert_eq!(out.clone().lossy().stdout, "café\n");
        let big = vec![b'x'; EXEC_OUTPUT_LIMIT];
        append(&mut out.stdout, &big, &mut out.truncated);
        assert!(out.truncated, "past the limit is marked");
        assert_eq!(out.stdout.len(), EXEC_OUTPUT_LIMIT);
        assert_eq!(&out.stdout[..6], "café\n".as_bytes());
    }

    #[test]
    fn the_container_gets_less_time_than_tugboat_waits() {
        let env = |ms| limit_env(Duration::from_millis(ms));
        assert_eq!(env(5_000), "TUGBOAT_LIMIT=4.0");
        assert_eq!(env(1_000), "TUGBOAT_LIMIT=0.8");
        assert_eq!(env(2_500), "TUGBOAT_LIMIT=2.0");
        // Long waits lose 2 s at most.
        assert_eq!(env(70_000), "TUGBOAT_LIMIT=68.0");
        // Never zero: the scripts would give up before starting.
        assert_eq!(env(50), "TUGBOAT_LIMIT=0.1");
        for ms in [100, 999, 5_000, 123_456] {
            let limit = Duration::from_millis(ms);
            assert!(in_container_limit(limit) < limit);
        }
    }
}
