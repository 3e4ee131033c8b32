//! `ssh://` hosts, reached as the docker CLI reaches them: `ssh DEST docker
//! system dial-stdio` bridges the process's stdin and stdout to the remote
//! engine's socket, one ssh process per HTTP connection. tugboat spawns ssh
//! itself, rather than through bollard's ssh transport, because that one
//! leaves ssh's stderr on the terminal: ssh's own messages and whatever the
//! remote side writes there (a banner, `~/.ssh/rc`, a hostile server's
//! escape sequences) would be drawn over the TUI. Here stderr is read into
//! the log, sanitized, and its last line explains a connection that ssh
//! closed before the engine said anything.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bollard::Docker;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, BufReader, ReadBuf};
use tokio::process::{Child, ChildStdin, ChildStdout};
use tokio::task::JoinHandle;

use super::transport::Conn;
use crate::config::SshUrl;

/// ssh's options: never a prompt (there is no terminal to answer it on),
/// new host keys trusted on first use as the docker CLI's ssh does by
/// default, changed ones refused; a host that does not answer fails soon.
pub(super) const SSH_OPTIONS: [&str; 6] = [
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=accept-new",
    "-o",
    "ConnectTimeout=10",
];

/// What one connection's stderr may put in the log: a remote that writes
/// without end must not fill the disk. Past it, stderr is still drained (a
/// full pipe would stall ssh) but no longer logged.
const STDERR_LOG_LIMIT: usize = 16 * 1024;
/// Longest line logged; the rest is cut.
const STDERR_LINE_LIMIT: usize = 400;

/// A bollard client for `url` (`ssh://[user@]host[:port]`, parsed into
/// `dest`) that runs ssh itself.
pub fn connect(
    url: &str,
    dest: SshUrl,
    timeout_secs: u64,
) -> Result<Docker, bollard::errors::Error> {
    let connector = Connector {
        url: url.into(),
        dest: Arc::new(dest),
    };
    super::transport::docker(connector, url, timeout_secs)
}

/// Variables ssh never gets: tugboat's own (`TUGBOAT_REPLICATION_PASSWORD`
/// above all), which a `SendEnv` line would send to the remote host and
/// a `ProxyCommand` would inherit. Named here too, so they are removed
/// even when set after the list of the process's variables was read.
const WITHHELD: [&str; 2] = ["TUGBOAT_REPLICATION_PASSWORD", "TUGBOAT_REPLICATION_USER"];

/// The variables to remove from ssh's environment, of the process's `vars`:
/// every `TUGBOAT_*` one. Other secrets stay on purpose: a ProxyCommand
/// may need them (`aws ssm start-session` needs the AWS credentials).
fn withheld(vars: impl Iterator<Item = std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let mut names: Vec<std::ffi::OsString> = WITHHELD.iter().map(Into::into).collect();
    names.extend(vars.filter(|name| {
        name.to_str()
            .is_some_and(|n| n.starts_with("TUGBOAT_") && !WITHHELD.contains(&n))
    }));
    names
}

/// `ssh OPTIONS [-p PORT] [-l USER] -- HOST docker system dial-stdio`: each
/// part of the URL its own argument, and the host after `--`, so no part
/// can be read as an ssh option (`parse_ssh_url` refuses a leading `-` too).
pub(super) fn dial_stdio(dest: &SshUrl) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new("ssh");
    for name in withheld(std::env::vars_os().map(|(name, _)| name)) {
        cmd.env_remove(name);
    }
    cmd.args(SSH_OPTIONS);
    if let Some(port) = dest.port {
        cmd.arg("-p").arg(port.to_string());
    }
    if let Some(user) = &dest.user {
        cmd.arg("-l").arg(user);
    }
    cmd.arg("--")
        .arg(&dest.host)
        .args(["docker", "system", "dial-stdio"]);
    cmd
}

/// Opens one connection: an ssh process running `docker system dial-stdio`.
#[derive(Clone)]
struct Connector {
    /// For the log.
    url: Arc<str>,
    dest: Arc<SshUrl>,
}

impl tower_service::Service<hyper::Uri> for Connector {
    type Response = Conn;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Conn>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// The URI is bollard's rendering of the same destination: ignored.
    fn call(&mut self, _: hyper::Uri) -> Self::Future {
        let (url, dest) = (Arc::clone(&self.url), Arc::clone(&self.dest));
        Box::pin(async move { spawn(&url, dial_stdio(&dest)).map(Conn::new) })
    }
}

/// The ssh process's pipes; the child is killed when they are dropped.
struct Pipes {
    stdout: ChildStdout,
    stdin: ChildStdin,
    _child: Child,
    /// The last line ssh wrote on stderr, sanitized.
    last_said: Arc<Mutex<String>>,
    /// The task logging stderr, until it has read all of it.
    stderr_task: Option<JoinHandle<()>>,
    /// Whether any byte came from the engine yet.
    answered: bool,
}

/// One connection: ssh running `docker system dial-stdio`.
fn spawn(url: &str, mut ssh: tokio::process::Command) -> io::Result<Pipes> {
    let mut child = ssh
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()?;
    let missing = |what| io::Error::other(format!("ssh's {what} was not piped"));
    let stdin = child.stdin.take().ok_or_else(|| missing("stdin"))?;
    let stdout = child.stdout.take().ok_or_else(|| missing("stdout"))?;
    let stderr = child.stderr.take().ok_or_else(|| missing("stderr"))?;
    let last_said = Arc::new(Mutex::new(String::new()));
    let task = tokio::spawn(log_stderr(url.to_string(), stderr, Arc::clone(&last_said)));
    Ok(Pipes {
        stdout,
        stdin,
        _child: child,
        last_said,
        stderr_task: Some(task),
        answered: false,
    })
}

impl Pipes {
    /// Why ssh ended before the engine said anything (refused, no key, host
    /// key changed): what ssh said last, once stderr has been read to its end.
    fn poll_why_ended(&mut self, cx: &mut Context<'_>) -> Poll<io::Error> {
        // ssh's last words may still be on their way through stderr.
        if let Some(task) = self.stderr_task.as_mut() {
            let _ = std::task::ready!(Pin::new(task).poll(cx));
            self.stderr_task = None;
        }
        let said = self.last_said.lock().map(|s| s.clone()).unwrap_or_default();
        let why = if said.is_empty() {
            "ssh ended before the engine answered (see the log)".to_string()
        } else if said.starts_with("ssh:") {
            said
        } else {
            format!("ssh: {said}")
        };
        Poll::Ready(io::Error::new(io::ErrorKind::ConnectionAborted, why))
    }

    /// A write into an ssh that already ended fails with a broken pipe
    /// (whether the write or the read sees the end first is a race): before
    /// the engine answered, the error says why ssh ended instead.
    fn poll_written<T>(
        &mut self,
        cx: &mut Context<'_>,
        done: Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        match done {
            Poll::Ready(Err(e)) if e.kind() == io::ErrorKind::BrokenPipe && !self.answered => {
                self.poll_why_ended(cx).map(Err)
            }
            other => other,
        }
    }
}

impl AsyncRead for Pipes {
    /// An end before the engine said anything is ssh giving up: the error
    /// says what ssh said last.
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        std::task::ready!(Pin::new(&mut self.stdout).poll_read(cx, buf))?;
        if buf.filled().len() > before {
            self.answered = true;
        } else if !self.answered {
            return self.poll_why_ended(cx).map(Err);
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for Pipes {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let done = Pin::new(&mut self.stdin).poll_write(cx, buf);
        self.poll_written(cx, done)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let done = Pin::new(&mut self.stdin).poll_flush(cx);
        self.poll_written(cx, done)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let done = Pin::new(&mut self.stdin).poll_shutdown(cx);
        self.poll_written(cx, done)
    }
}

/// Every line ssh writes on stderr goes to the log, sanitized (the remote
/// side chooses part of it), up to `STDERR_LOG_LIMIT`; the last is kept
/// for an error.
async fn log_stderr(dest: String, stderr: impl AsyncRead + Unpin, last: Arc<Mutex<String>>) {
    let mut lines = BufReader::new(stderr);
    let mut logged = 0;
    let mut line = Vec::new();
    loop {
        line.clear();
        // Bounded even when no newline ever comes.
        let limit = (STDERR_LINE_LIMIT * 4) as u64;
        match (&mut lines).take(limit).read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if logged >= STDERR_LOG_LIMIT {
            continue;
        }
        logged += line.len();
        let text = String::from_utf8_lossy(&line);
        let text: String = crate::model::sanitize(text.trim_end())
            .chars()
            .take(STDERR_LINE_LIMIT)
            .collect();
        if text.is_empty() {
            continue;
        }
        tracing::warn!(host = %crate::model::sanitize(&dest), "ssh: {text}");
        if let Ok(mut last) = last.lock() {
            *last = text;
        }
        if logged >= STDERR_LOG_LIMIT {
            tracing::warn!(host = %crate::model::sanitize(&dest), "ssh: more on stderr, not logged");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_ssh_url;

    fn args(url: &str) -> Vec<String> {
        let cmd = dial_stdio(&parse_ssh_url(url).unwrap());
        let args = cmd.as_std().get_args().skip(SSH_OPTIONS.len());
        args.map(|a| a.to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn port_and_user_are_their_own_arguments_before_the_host() {
        let tail = ["docker", "system", "dial-stdio"];
        let want = |head: &[&str]| -> Vec<String> {
            head.iter().chain(&tail).map(|s| s.to_string()).collect()
        };
        assert_eq!(
            args("ssh://ops@edge:2222"),
            want(&["-p", "2222", "-l", "ops", "--", "edge"])
        );
        assert_eq!(args("ssh://edge/"), want(&["--", "edge"]));
        assert_eq!(args("ssh://ops@edge"), want(&["-l", "ops", "--", "edge"]));
        assert_eq!(args("ssh://[::1]:22"), want(&["-p", "22", "--", "::1"]));
    }

    /// An ssh that gave up, as `ssh -p 22 host` does when nothing listens.
    fn refused_ssh() -> Pipes {
        let said = "ssh: connect to host 10.0.0.1 port 22: Connection refused";
        let mut cmd = tokio::process::Command::new("sh");
        cmd.args(["-c", &format!("echo '{said}' >&2; exit 255")]);
        spawn("ssh://10.0.0.1:22", cmd).unwrap()
    }

    /// Whether hyper first writes the request into the ended ssh (broken
    /// pipe) or reads its end is a race; either way the error is ssh's reason
    /// (CI saw "Broken pipe (os error 32)" in its place once).
    #[tokio::test]
    async fn ssh_that_gave_up_says_why_whether_written_to_or_read_from() {
        use tokio::io::AsyncWriteExt;
        let why = "port 22: Connection refused";

        let mut pipes = refused_ssh();
        // Ended and its stdin closed before the request is written.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let request = vec![b'x'; 256 * 1024];
        let err = pipes.write_all(&request).await.unwrap_err();
        assert!(err.to_string().contains(why), "written to: {err}");
        assert_eq!(err.kind(), io::ErrorKind::ConnectionAborted);

        let mut pipes = refused_ssh();
        let mut answer = Vec::new();
        let err = pipes.read_to_end(&mut answer).await.unwrap_err();
        assert!(err.to_string().contains(why), "read from: {err}");
    }

    #[test]
    fn tugboat_variables_are_withheld_from_ssh() {
        let cmd = dial_stdio(&parse_ssh_url("ssh://ops@edge").unwrap());
        let removed: Vec<String> = cmd
            .as_std()
            .get_envs()
            .filter(|(_, value)| value.is_none())
            .map(|(name, _)| name.to_string_lossy().into_owned())
            .collect();
        assert!(
            removed.contains(&"TUGBOAT_REPLICATION_PASSWORD".to_string()),
            "{removed:?}"
        );
        let names = [
            "PATH",
            "TUGBOAT_DB_PASSWORD",
            "SSH_AUTH_SOCK",
            "TUGBOAT_X",
            "AWS_SECRET_ACCESS_KEY",
        ];
        let got = withheld(names.iter().map(Into::into));
        let got: Vec<&str> = got.iter().filter_map(|n| n.to_str()).collect();
        assert_eq!(
            got,
            [
                "TUGBOAT_REPLICATION_PASSWORD",
                "TUGBOAT_REPLICATION_USER",
                "TUGBOAT_DB_PASSWORD",
                "TUGBOAT_X"
            ]
        );
    }
}
