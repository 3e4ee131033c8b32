//! A user action's step (`[[actions]]` in config.toml): a program run on
//! this machine with the arguments its template gave, its output reported
//! line by line as the job's progress — with what it touches, what it may
//! leave and how it is undone beside how it runs.
//!
//! The arguments go to the program as they are (no shell); the output is
//! sanitized before anyone sees it; a job asked to stop stops the
//! program's whole process group (SIGTERM, then SIGKILL after a grace).

use std::process::Stdio;
use std::time::Duration;

use serde::Serialize;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::{mpsc, watch};

use crate::ops::base::claim::{Claim, On};
use crate::ops::base::error::{StepError, StepResult};
use crate::ops::base::leftover::Leftover;
use crate::ops::base::undo::Undo;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum UserStep {
    /// Run `argv` with `env` added, for at most `timeout_secs`. `touches`:
    /// the container it was asked for (host, id), if any; `dangerous`: it
    /// changes things, as its definition says.
    Run {
        action: String,
        argv: Vec<String>,
        env: Vec<(String, String)>,
        timeout_secs: u64,
        dangerous: bool,
        touches: Option<String>,
    },
}

impl UserStep {
    /// A dangerous action holds the container it acts on, so no
    /// restart or stop of tugboat's runs beside it; a harmless one holds
    /// nothing but its plan's target.
    pub fn claims(&self, h: &str) -> Vec<Claim> {
        match self {
            Self::Run {
                dangerous: true,
                touches: Some(id),
                ..
            } => vec![On(h).container(id)],
            Self::Run { .. } => vec![],
        }
    }

    /// The program is this process's child, stopped with the job: what it
    /// changed outside is its own business, which tugboat cannot see.
    pub fn leftovers(&self) -> Vec<Leftover> {
        match self {
            Self::Run { .. } => Vec::new(),
        }
    }

    pub fn undo(&self) -> Undo<UserStep> {
        match self {
            Self::Run {
                dangerous: false, ..
            } => Undo::Nothing,
            Self::Run {
                dangerous: true, ..
            } => Undo::Not("what a user's command changed only its author knows how to undo"),
        }
    }

    /// Whether it only reads (its definition says so): such a plan runs
    /// read-only too, and takes no lease on an engine.
    pub fn reads_only(&self) -> bool {
        match self {
            Self::Run { dangerous, .. } => !dangerous,
        }
    }
}

/// Lines reported at most; the rest are counted and said at the end.
pub const MAX_OUTPUT_LINES: usize = 5_000;
/// A line longer than this is cut (a binary blob on stdout).
const MAX_LINE_CHARS: usize = 2_000;
/// SIGTERM first; SIGKILL after this long.
const STOP_GRACE: Duration = Duration::from_secs(3);

pub(crate) async fn run(
    step: &UserStep,
    cancel: &watch::Receiver<bool>,
    say: &(dyn Fn(String) + Send + Sync),
) -> StepResult {
    match step {
        UserStep::Run {
            action,
            argv,
            env,
            timeout_secs,
            ..
        } => run_program(action, argv, env, *timeout_secs, cancel, say).await,
    }
}

async fn run_program(
    action: &str,
    argv: &[String],
    env: &[(String, String)],
    timeout_secs: u64,
    cancel: &watch::Receiver<bool>,
    say: &(dyn Fn(String) + Send + Sync),
) -> StepResult {
    let Some((program, args)) = argv.split_first() else {
        return Err(StepError::Failed(format!("{action}: no program to run")));
    };
    let mut child = tokio::process::Command::new(program)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own group, so a stop reaches what a script started too.
        .process_group(0)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| StepError::Failed(format!("{action}: could not run {program}: {e}")))?;
    let (lines_tx, mut lines) = mpsc::channel::<String>(64);
    if let Some(out) = child.stdout.take() {
        tokio::spawn(forward_lines(out, lines_tx.clone()));
    }
    if let Some(err) = child.stderr.take() {
        tokio::spawn(forward_lines(err, lines_tx.clone()));
    }
    drop(lines_tx);
    let pid = child.id();
    let deadline = tokio::time::sleep(Duration::from_secs(timeout_secs));
    tokio::pin!(deadline);
    let mut cancel = cancel.clone();
    let (mut said, mut cut) = (0usize, 0usize);
    let mut report = |line: String| {
        if said < MAX_OUTPUT_LINES {
            said += 1;
            say(line);
        } else {
            cut += 1;
        }
    };
    let status = loop {
        tokio::select! {
            Some(line) = lines.recv() => report(line),
            status = child.wait() => break status,
            _ = &mut deadline => {
                stop_group(pid, &mut child).await;
                return Err(StepError::Failed(format!(
                    "{action}: still running after {timeout_secs}s: stopped (timeout_secs in its [[actions]] entry)"
                )));
            }
            Ok(()) = cancel.changed() => {
                if *cancel.borrow() {
                    stop_group(pid, &mut child).await;
                    return Err(StepError::Stopped(format!("{action}: its program was stopped")));
                }
            }
        }
    };
    // What it wrote just before it ended.
    while let Some(line) = lines.recv().await {
        report(line);
    }
    if cut > 0 {
        say(format!("… {cut} more lines not kept"));
    }
    let status = status.map_err(|e| StepError::Failed(format!("{action}: {e}")))?;
    match status.code() {
        Some(0) => Ok(()),
        Some(code) => Err(StepError::Failed(format!(
            "{action}: {program} exited with code {code}"
        ))),
        None => Err(StepError::Failed(format!(
            "{action}: {program} was ended by a signal"
        ))),
    }
}

/// Each line of `stream`, sanitized and cut to a sane length.
async fn forward_lines(stream: impl AsyncRead + Unpin, to: mpsc::Sender<String>) {
    let mut reader = BufReader::new(stream);
    let mut raw = Vec::new();
    loop {
        raw.clear();
        match reader.read_until(b'\n', &mut raw).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let text = String::from_utf8_lossy(&raw);
                let text = text.trim_end_matches(['\n', '\r']);
                let mut line = crate::model::sanitize(text);
                if let Some((at, _)) = line.char_indices().nth(MAX_LINE_CHARS) {
                    line.truncate(at);
                    line.push('…');
                }
                if to.send(line).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// SIGTERM to the program's group, SIGKILL after the grace.
async fn stop_group(pid: Option<u32>, child: &mut tokio::process::Child) {
    let group = pid
        .and_then(|p| i32::try_from(p).ok())
        .and_then(rustix::process::Pid::from_raw);
    if let Some(group) = group {
        let _ = rustix::process::kill_process_group(group, rustix::process::Signal::TERM);
    }
    if tokio::time::timeout(STOP_GRACE, child.wait())
        .await
        .is_err()
    {
        if let Some(group) = group {
            let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        }
        let _ = child.kill().await;
    }
}

#[cfg(test)]
#[path = "user_step_tests.rs"]
mod tests;
