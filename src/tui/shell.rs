//! `e`: hand the terminal to a shell in a container, then take it back.
//! The key reader lets go of the terminal first (`InputGate`), the screen
//! leaves tugboat's alternate screen, and every byte goes straight between
//! the terminal and the exec's TTY (the user asked for the container's own
//! terminal, as with `docker exec -it`: this is the one place its bytes
//! are not sanitized). Afterwards the modes a program in the shell may
//! have left on are reset and tugboat redraws everything. The audit says
//! who opened a shell where and for how long, never what was typed.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio::sync::{mpsc, watch};

use crate::docker::{HostHandle, ShellExec};
use crate::ops::audit::{local_user, now_string, AuditLog, AuditRecord};

/// Lets the shell take the terminal's input from the key reader and give
/// it back: `paused` asks, `idle` answers once the reader let go.
#[derive(Clone)]
pub struct InputGate {
    pub paused: watch::Sender<bool>,
    pub idle: watch::Sender<bool>,
}

impl InputGate {
    pub fn new() -> Self {
        Self {
            paused: watch::channel(false).0,
            idle: watch::channel(false).0,
        }
    }

    async fn take(&self) {
        self.paused.send_replace(true);
        let mut idle = self.idle.subscribe();
        let _ = idle.wait_for(|idle| *idle).await;
    }

    fn give_back(&self) {
        self.paused.send_replace(false);
    }
}

/// The container a shell is opened in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellTarget {
    pub host: String,
    pub id: String,
    pub name: String,
}

/// Modes a full-screen program may leave on: mouse reports, bracketed
/// paste, its alternate screen, colours, a hidden cursor, an odd scroll
/// region.
const RESET_MODES: &str =
    "\x1b[0m\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?2004l\x1b[?1049l\x1b[r\x1b[?25h";

/// Run a shell in `target` on the real terminal until it ends, then take
/// the screen back into `term`; returns what the status line should say.
pub async fn session(
    term: &mut super::terminal::Tui,
    handle: &HostHandle,
    target: &ShellTarget,
    gate: &InputGate,
    audit: &AuditLog,
) -> Result<String, String> {
    gate.take().await;
    super::terminal::leave_for_shell();
    let started = Instant::now();
    let banner = format!(
        "\r\ntugboat: a shell in {} on {} — exit it (exit or Ctrl-D) to come back\r\n",
        target.name, target.host
    );
    let _ = write_out(banner.as_bytes());
    let result = run_shell(handle, target).await;
    let _ = write_out(RESET_MODES.as_bytes());
    match super::terminal::back_from_shell() {
        Ok(fresh) => *term = fresh,
        Err(e) => tracing::warn!("taking the screen back after a shell: {e}"),
    }
    gate.give_back();
    let took = started.elapsed();
    let outcome = match &result {
        Ok(Some(code)) => format!(
            "done: the shell exited with {code} after {}s",
            took.as_secs()
        ),
        Ok(None) => format!("done: the shell ended after {}s", took.as_secs()),
        Err(e) => format!("failed: {e}"),
    };
    let record = AuditRecord {
        time: now_string(),
        user: local_user(),
        host: target.host.clone(),
        action: "shell".into(),
        target: format!("{}/{}", target.host, target.name),
        plan: vec![format!(
            "open a shell in {} on {}",
            target.name, target.host
        )],
        outcome: outcome.clone(),
        duration_ms: u64::try_from(took.as_millis()).unwrap_or(u64::MAX),
    };
    if let Err(e) = audit.append(&record) {
        tracing::error!("audit log: {e}");
    }
    result.map(|_| format!("shell in {}: {outcome}", target.name))
}

fn write_out(bytes: &[u8]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()
}

/// The exec's life: output to the terminal, typed bytes to the exec, the
/// window size followed; ends when the shell does.
async fn run_shell(handle: &HostHandle, target: &ShellTarget) -> Result<Option<i64>, String> {
    let size = crossterm::terminal::size().unwrap_or((80, 24));
    let term = std::env::var("TERM").unwrap_or_else(|_| "xterm".into());
    let ShellExec {
        exec_id,
        mut output,
        mut input,
    } = handle
        .open_shell(&target.id, size, &term)
        .await
        .map_err(|e| e.to_string())?;
    let (typed_tx, mut typed) = mpsc::channel::<Vec<u8>>(64);
    let stop = Arc::new(AtomicBool::new(false));
    let reader = spawn_terminal_reader(typed_tx, stop.clone());
    let mut resized = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::window_change())
        .map_err(|e| e.to_string())?;
    loop {
        tokio::select! {
            chunk = output.next() => match chunk {
                Some(Ok(out)) => {
                    if write_out(&out.into_bytes()).is_err() {
                        break;
                    }
                }
                Some(Err(_)) | None => break,
            },
            typed_bytes = typed.recv() => {
                // None: the terminal is gone (the session dropped): the
                // shell ends with it, and tugboat stops its jobs safely.
                let Some(bytes) = typed_bytes else { break };
                if input.write_all(&bytes).await.is_err() {
                    break;
                }
                let _ = input.flush().await;
            }
            _ = resized.recv() => {
                if let Ok(size) = crossterm::terminal::size() {
                    let _ = handle.resize_shell(&exec_id, size).await;
                }
            }
        }
    }
    stop.store(true, Ordering::Relaxed);
    let _ = tokio::task::spawn_blocking(move || reader.join()).await;
    let _ = input.shutdown().await;
    handle
        .shell_exit_code(&exec_id)
        .await
        .map_err(|e| e.to_string())
}

/// Reads the terminal in a thread that looks at `stop` every 100 ms, so it
/// never keeps a read pending (which would eat the first key typed back
/// in tugboat).
fn spawn_terminal_reader(
    typed: mpsc::Sender<Vec<u8>>,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    use rustix::event::{poll, PollFd, PollFlags, Timespec};
    std::thread::spawn(move || {
        let Ok(tty) = std::fs::File::open("/dev/tty") else {
            return;
        };
        let wait = Timespec {
            tv_sec: 0,
            tv_nsec: Duration::from_millis(100).subsec_nanos().into(),
        };
        let mut buf = [0u8; 4096];
        while !stop.load(Ordering::Relaxed) {
            let mut fds = [PollFd::new(&tty, PollFlags::IN)];
            match poll(&mut fds, Some(&wait)) {
                Ok(0) => continue,
                Ok(_) => {}
                Err(rustix::io::Errno::INTR) => continue,
                Err(_) => return,
            }
            match rustix::io::read(&tty, &mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    if typed.blocking_send(buf[..n].to_vec()).is_err() {
                        return;
                    }
                }
            }
        }
    })
}
