//! Opening a bollard client for a configured host.

use std::time::Duration;

use bollard::{Docker, API_DEFAULT_VERSION};

use super::error::{ConnectError, DockerError, RequestError};
use super::no_engine::{ConnectFailure, NoEngine};
use crate::config::{lower_scheme, HostSpec};

/// Requests that stream (events, logs) are only bounded until the response
/// head arrives; everything else is additionally bounded by our own timeouts.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(120);

pub fn open(spec: &HostSpec) -> Result<Docker, ConnectError> {
    let secs = CLIENT_TIMEOUT.as_secs();
    // The config accepts `SSH://` as the docker CLI does; bollard and the
    // checks below match the scheme in lower case.
    let url = &lower_scheme(&spec.url);
    if let Some(tls) = &spec.tls {
        let missing = tls.missing();
        if !missing.is_empty() {
            return Err(ConnectError::IncompleteTls {
                url: url.into(),
                missing: missing.iter().map(|p| p.display().to_string()).collect(),
            });
        }
        // tugboat's own TLS client: it can skip verification when asked.
        return super::tls::docker(url, tls, secs).map_err(|source| ConnectError::Tls {
            url: url.into(),
            source,
        });
    }
    let result = if url.starts_with("unix://") {
        Docker::connect_with_unix(url, secs, API_DEFAULT_VERSION)
    } else if url.starts_with("tcp://") || url.starts_with("http://") {
        Docker::connect_with_http(url, secs, API_DEFAULT_VERSION)
    } else if url.starts_with("ssh://") {
        // tugboat's own ssh process: its stderr goes to the log.
        let dest = crate::config::parse_ssh_url(url)?;
        super::ssh::connect(url, dest, secs)
    } else if url.starts_with("https://") {
        return Err(ConnectError::HttpsWithoutTls { url: url.into() });
    } else {
        return Err(ConnectError::UnsupportedScheme { url: url.into() });
    };
    result.map_err(|source| match source {
        bollard::errors::Error::SocketNotFoundError(_) => ConnectError::NoSocket {
            why: Box::new(NoEngine::of(
                &spec.name,
                url,
                Some(ConnectFailure::NotFound),
            )),
            source,
        },
        source => ConnectError::Client {
            url: url.into(),
            source,
        },
    })
}

/// Run a request with tugboat's own deadline, so a hung engine costs a timeout.
pub async fn bounded<T, E: std::error::Error + 'static>(
    limit: Duration,
    what: &str,
    fut: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, RequestError> {
    match tokio::time::timeout(limit, fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(RequestError::Failed {
            what: what.into(),
            detail: short_error(&e),
            cause: ConnectFailure::of_error(&e),
        }),
        Err(_) => Err(RequestError::NoAnswer {
            what: what.into(),
            limit,
        }),
    }
}

/// The error of a host's first requests (the listing on connect): one
/// that never reached an engine, or got no answer, says so first and
/// what to do, then what failed; any other is the engine's own.
pub fn first_contact(spec: &HostSpec, error: RequestError) -> DockerError {
    let failure = match &error {
        RequestError::Failed {
            cause: Some(cause), ..
        } => Some(*cause),
        RequestError::NoAnswer { .. } => None,
        RequestError::Failed { cause: None, .. } => return error.into(),
    };
    DockerError::NoEngine {
        why: NoEngine::of(&spec.name, &spec.url, failure),
        source: error,
    }
}

/// bollard's errors nest the useful part ("Connection refused") deep in
/// their source chain; the status line has room for one line.
fn short_error(e: &dyn std::error::Error) -> String {
    let mut root: &dyn std::error::Error = e;
    while let Some(next) = root.source() {
        root = next;
    }
    let text = if std::ptr::addr_eq(root, e) {
        e.to_string()
    } else {
        format!(
            "{} ({root})",
            e.to_string().lines().next().unwrap_or_default()
        )
    };
    crate::model::sanitize(text.lines().next().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::HostSource;

    fn spec(url: &str) -> HostSpec {
        HostSpec {
            name: "h".into(),
            url: url.into(),
            tls: None,
            source: HostSource::Flag,
        }
    }

    /// A client is made without connecting: an upper-case scheme opens
    /// like its lower-case form instead of "unsupported scheme".
    #[test]
    fn schemes_match_in_any_case() {
        assert!(open(&spec("TCP://127.0.0.1:2375")).is_ok());
        assert!(open(&spec("Unix:///var/run/docker.sock")).is_ok());
        assert!(matches!(
            open(&spec("FTP://h")),
            Err(ConnectError::UnsupportedScheme { .. })
        ));
        assert_eq!(lower_scheme("SSH://u@h:22"), "ssh://u@h:22");
    }

    /// A real unix path with no socket: the error says there is no engine
    /// there and how to start one, then keeps the client's own text.
    #[tokio::test]
    async fn a_missing_socket_says_no_engine_is_there() {
        let dir = std::env::temp_dir().join(format!("tugboat-nosock-{}", std::process::id()));
        let path = dir.join("docker.sock");
        let spec = spec(&format!("unix://{}", path.display()));
        let settings = crate::config::Settings::default();
        let Err(e) = crate::docker::snapshot(&spec, &settings).await else {
            panic!("no engine listens at {}", path.display());
        };
        let text = e.to_string();
        let hint = format!(
            "no engine at {} (is dockerd running? `sudo systemctl start docker`) — ",
            path.display()
        );
        assert!(text.starts_with(&hint), "{text}");
        assert!(text.contains("Socket not found"), "{text}");
    }

    /// A socket file nobody listens on (an engine that stopped) is no
    /// engine either, not a riddle about `Connection refused`.
    #[tokio::test]
    async fn a_stale_socket_says_no_engine_is_there() {
        let dir = std::env::temp_dir().join(format!("tugboat-stale-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("docker.sock");
        let _ = std::fs::remove_file(&path);
        drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
        let spec = spec(&format!("unix://{}", path.display()));
        let e = crate::docker::snapshot(&spec, &crate::config::Settings::default())
            .await
            .err()
            .expect("nobody listens");
        let _ = std::fs::remove_dir_all(&dir);
        let text = e.to_string();
        assert!(text.starts_with("no engine at "), "{text}");
        assert!(text.contains("refused"), "{text}");
    }

    #[test]
    fn an_engine_that_answered_keeps_its_own_error() {
        let said = RequestError::Failed {
            what: "version".into(),
            detail: "500 Internal Server Error".into(),
            cause: None,
        };
        let e = first_contact(&spec("tcp://10.0.0.7:2375"), said.clone());
        assert!(matches!(e, DockerError::Request(ref r) if *r == said));
        let unanswered = RequestError::NoAnswer {
            what: "list volumes".into(),
            limit: Duration::from_secs(5),
        };
        assert_eq!(
            first_contact(&spec("tcp://10.0.0.7:2375"), unanswered).to_string(),
            "could not connect to h at tcp://10.0.0.7:2375 — list volumes: no answer within 5s"
        );
    }
}
