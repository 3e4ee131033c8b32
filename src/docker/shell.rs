//! An interactive shell in a container: an exec with a TTY through the
//! engine's API, so it works on every transport tugboat speaks (unix
//! socket, TCP, TLS, ssh://). `bash` where the image has it, else `sh`.

use std::pin::Pin;

use bollard::container::LogOutput;
use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use futures_util::Stream;
use tokio::io::AsyncWrite;

use super::connect::bounded;
use super::handle::{HostError, HostHandle};

/// `bash` if the image has one, else `sh` (the official images differ).
const SHELL: &str = "if command -v bash >/dev/null 2>&1; then exec bash; else exec sh; fi";

/// What the shell prints, as the engine streams it (raw TTY bytes).
pub type ShellOutput =
    Pin<Box<dyn Stream<Item = Result<LogOutput, bollard::errors::Error>> + Send>>;

/// A started shell: its output to show, its input to feed, its exec id to
/// resize and ask how it ended.
pub struct ShellExec {
    pub exec_id: String,
    pub output: ShellOutput,
    pub input: Pin<Box<dyn AsyncWrite + Send>>,
}

impl HostHandle {
    /// Start a shell in container `id` with a TTY of `(width, height)`.
    /// Refused read-only: a shell can change anything.
    pub async fn open_shell(
        &self,
        id: &str,
        (width, height): (u16, u16),
        term: &str,
    ) -> Result<ShellExec, HostError> {
        let docker = self.mutation().await?;
        let options = CreateExecOptions {
            attach_stdin: Some(true),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            tty: Some(true),
            env: Some(vec![format!("TERM={term}")]),
            cmd: Some(vec!["sh".into(), "-c".into(), SHELL.into()]),
            ..Default::default()
        };
        let created = bounded(self.timeout, "exec", docker.create_exec(id, options)).await?;
        let start = StartExecOptions {
            tty: true,
            ..Default::default()
        };
        let started = bounded(
            self.timeout,
            "start exec",
            docker.start_exec(&created.id, Some(start)),
        )
        .await?;
        let StartExecResults::Attached { output, input } = started else {
            return Err(HostError::Engine(
                "the engine started the shell detached".into(),
            ));
        };
        let shell = ShellExec {
            exec_id: created.id,
            output,
            input,
        };
        self.resize_shell(&shell.exec_id, (width, height)).await?;
        Ok(shell)
    }

    /// The shell's TTY follows the terminal's size.
    pub async fn resize_shell(
        &self,
        exec_id: &str,
        (width, height): (u16, u16),
    ) -> Result<(), HostError> {
        let docker = self.docker().await?;
        let options = bollard::query_parameters::ResizeExecOptions {
            h: i32::from(height),
            w: i32::from(width),
        };
        bounded(
            self.timeout,
            "resize exec",
            docker.resize_exec(exec_id, options),
        )
        .await
        .map_err(HostError::from)
    }

    /// How the shell ended (None while the engine does not say).
    pub async fn shell_exit_code(&self, exec_id: &str) -> Result<Option<i64>, HostError> {
        let docker = self.docker().await?;
        let inspected = bounded(self.timeout, "inspect exec", docker.inspect_exec(exec_id)).await?;
        Ok(inspected.exit_code)
    }
}
