//! Opening a bollard client for a configured host.

use std::time::Duration;

use bollard::{Docker, API_DEFAULT_VERSION};

use super::error::{ConnectError, RequestError};
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
    result.map_err(|source| ConnectError::Client {
        url: url.into(),
        source,
    })
}

/// Run a request with tugboat's own deadline, so a hung engine costs a timeout.
pub async fn bounded<T, E: std::error::Error>(
    limit: Duration,
    what: &str,
    fut: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, RequestError> {
    match tokio::time::timeout(limit, fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(RequestError::Failed {
            what: what.into(),
            detail: short_error(&e),
        }),
        Err(_) => Err(RequestError::NoAnswer {
            what: what.into(),
            limit,
        }),
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
}
