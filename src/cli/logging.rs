//! The log file: tracing output goes to `<data_dir>/tugboat.log`, never to
//! the screen (the TUI owns the terminal). It is private (0600 in a 0700
//! directory), it does not grow without end (over `ROTATE_AT` when
//! tugboat starts, it becomes `tugboat.log.1`, replacing the one before),
//! and it never holds what the Docker API carries: whatever `TUGBOAT_LOG`
//! asks for, the HTTP and TLS crates stay at `info`, because at `debug` and
//! `trace` they write request and response bodies, which hold exec
//! environments (`MYSQL_PWD`), generated root passwords in create bodies
//! and inspected environments.

use std::io;
use std::path::{Path, PathBuf};

use tracing::level_filters::LevelFilter;
use tracing::Subscriber;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

use crate::config::private_fs::open_private_append;
use crate::config::Paths;

/// The env var that sets what is logged (`EnvFilter` syntax).
pub const LOG_ENV: &str = "TUGBOAT_LOG";
/// A log file larger than this at start is rotated.
pub const ROTATE_AT: u64 = 10 * 1024 * 1024;

/// Crates (target prefixes) whose debug and trace output carries request
/// or response bodies, headers or TLS material. `log` records from them
/// (bollard logs through `log`) arrive with the same targets.
const CAPPED: &[&str] = &[
    "bollard",
    "hyper",
    "hyper_util",
    "hyper_rustls",
    "hyperlocal",
    "hyper_named_pipe",
    "h2",
    "http",
    "tower",
    "reqwest",
    "rustls",
    "tokio_rustls",
    "openssh",
];

/// The most those crates may log.
const CAP: LevelFilter = LevelFilter::INFO;

/// Set up logging to the log file. None when it cannot be opened or a
/// subscriber is already set: tugboat works without a log.
pub fn init(paths: &Paths) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let path = paths.log_file();
    // A log that cannot be rotated is still worth appending to.
    let _ = rotate_if_large(&path, ROTATE_AT);
    let file = open_private_append(&path).ok()?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let user = std::env::var(LOG_ENV).ok();
    subscriber(user.as_deref(), writer).try_init().ok()?;
    Some(guard)
}

/// What `user` (the `TUGBOAT_LOG` value, `info` when unset or not
/// understood) asks for, with the capped crates held at `CAP`.
///
/// The cap is a filter of its own rather than directives appended to the
/// user's: a more specific user directive (`bollard::docker=trace`) would
/// win over an appended `bollard=info`, while a separate filter has to let
/// an event through as well.
pub fn subscriber<W>(user: Option<&str>, writer: W) -> impl Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let wanted = user
        .and_then(|u| EnvFilter::try_new(u).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let cap = CAPPED
        .iter()
        .fold(Targets::new().with_default(LevelFilter::TRACE), |t, c| {
            t.with_target(*c, CAP)
        });
    tracing_subscriber::registry().with(wanted).with(cap).with(
        tracing_subscriber::fmt::layer()
            .with_writer(writer)
            .with_ansi(false),
    )
}

/// `path` and its one older generation (`tugboat.log.1`).
fn rotated(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".1");
    PathBuf::from(name)
}

/// A log over `limit` bytes becomes `<path>.1` (replacing the one before,
/// so at most two files are kept). A missing log is fine.
pub fn rotate_if_large(path: &Path, limit: u64) -> io::Result<()> {
    let size = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if size <= limit {
        return Ok(());
    }
    let old = rotated(path);
    std::fs::rename(path, &old)?;
    // A log written before files were private keeps no wider mode.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o600))
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A writer into memory, to read what would have been logged.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Buffer {
        type Writer = Buffer;
        fn make_writer(&'w self) -> Buffer {
            self.clone()
        }
    }

    fn logged(user: Option<&str>) -> String {
        let buffer = Buffer::default();
        let sub = subscriber(user, buffer.clone());
        tracing::subscriber::with_default(sub, || {
            tracing::trace!(target: "bollard::docker", "body MYSQL_PWD=hunter2");
            tracing::debug!(target: "hyper_util::client", "request body ROOT_PASSWORD");
            tracing::debug!(target: "h2::codec", "frame with a password");
            tracing::info!(target: "bollard::docker", "connected");
            tracing::debug!(target: "tugboat::ops", "own debug line");
            tracing::info!(target: "tugboat::ops", "own info line");
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        text
    }

    #[test]
    fn http_crates_never_log_below_info_whatever_is_asked() {
        for user in [
            "trace",
            "debug",
            "bollard=trace,hyper_util=trace,h2=trace",
            "bollard::docker=trace,hyper_util::client=debug,h2::codec=trace",
        ] {
            let text = logged(Some(user));
            assert!(!text.contains("hunter2"), "{user}: {text}");
            assert!(!text.contains("ROOT_PASSWORD"), "{user}: {text}");
            assert!(!text.contains("password"), "{user}: {text}");
            assert!(text.contains("connected"), "{user}: info stays: {text}");
        }
        assert!(logged(Some("trace")).contains("own debug line"));
    }

    #[test]
    fn unset_or_nonsense_means_info() {
        for user in [None, Some("=not a filter=")] {
            let text = logged(user);
            assert!(text.contains("own info line"), "{text}");
            assert!(!text.contains("own debug line"), "{text}");
        }
    }

    #[test]
    fn a_large_log_is_rotated_once_and_kept_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("tugboat.log");
        rotate_if_large(&log, 10).unwrap();
        assert!(!log.exists(), "nothing to rotate");

        std::fs::write(&log, "small").unwrap();
        rotate_if_large(&log, 10).unwrap();
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "small");

        std::fs::write(dir.path().join("tugboat.log.1"), "oldest").unwrap();
        std::fs::write(&log, "more than ten bytes").unwrap();
        std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).unwrap();
        rotate_if_large(&log, 10).unwrap();
        assert!(!log.exists());
        let old = dir.path().join("tugboat.log.1");
        assert_eq!(
            std::fs::read_to_string(&old).unwrap(),
            "more than ten bytes"
        );
        let mode = std::fs::metadata(&old).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        // Only one older generation is kept.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
