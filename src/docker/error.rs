//! The docker layer's errors besides `HostError`. Kept apart by concern so
//! a caller can tell a host the configuration cannot reach (no request was
//! sent) from an engine that failed or did not answer.

use std::path::PathBuf;
use std::time::Duration;

use super::no_engine::{ConnectFailure, NoEngine};
use crate::model::sanitize;

/// Why no client could be made for a host: the configuration is at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("{url}: https needs TLS certificates (tls_ca, tls_cert, tls_key in the config)")]
    HttpsWithoutTls { url: String },
    #[error("{url}: unsupported scheme")]
    UnsupportedScheme { url: String },
    /// The URL's scheme is known but the rest is not (see `check_url`).
    #[error(transparent)]
    BadUrl(#[from] crate::config::UrlError),
    /// TLS material that cannot make the connection its host asks for:
    /// never a reason to connect without TLS.
    #[error("{url}: TLS files missing ({}): not connecting without TLS", missing.join(", "))]
    IncompleteTls { url: String, missing: Vec<String> },
    #[error("{url}: {source}")]
    Tls {
        url: String,
        #[source]
        source: TlsError,
    },
    /// No socket at the path a unix URL names: no engine to connect to.
    #[error("{why} — {source}")]
    NoSocket {
        why: Box<NoEngine>,
        #[source]
        source: bollard::errors::Error,
    },
    /// bollard refused the settings (bad address, unreadable certificates).
    #[error("{url}: {source}")]
    Client {
        url: String,
        #[source]
        source: bollard::errors::Error,
    },
}

/// One engine request that failed or got no answer within its deadline.
/// Clone and Eq because it travels inside `HostError` to the ops layer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// `detail` is the engine's text, which may quote a container: shown
    /// sanitized, as one line (it can be long).
    /// `cause` is set when the request never reached an engine.
    #[error("{}: {}", sanitize(what), sanitize(detail))]
    Failed {
        what: String,
        detail: String,
        cause: Option<ConnectFailure>,
    },
    #[error("{what}: no answer within {}s", limit.as_secs_f32())]
    NoAnswer { what: String, limit: Duration },
}

/// Why a host's connection ended, or its snapshot could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error(transparent)]
    Request(#[from] RequestError),
    /// The first requests found no engine: what to do, then what failed.
    #[error("{why} — {source}")]
    NoEngine {
        why: NoEngine,
        #[source]
        source: RequestError,
    },
    /// Only volume sizes are read this way; see `raw`.
    #[error(transparent)]
    Raw(#[from] RawError),
    #[error("event stream ended")]
    EventStreamEnded,
}

/// The raw HTTP GET that reads old engines' volume sizes (see `raw`).
#[derive(Debug, thiserror::Error)]
pub enum RawError {
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("unsupported URL for a raw request: {url}")]
    UnsupportedUrl { url: String },
    #[error(transparent)]
    BadUrl(#[from] crate::config::UrlError),
    /// `addr` is a socket path or host:port.
    #[error("{addr}: {source}")]
    Unreachable {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{addr}: TLS: {source}")]
    Handshake {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    /// Spawning ssh, writing the request or reading the answer.
    #[error("{step}: {source}")]
    Io {
        step: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// ssh started without the pipe we asked for.
    #[error("ssh: no {0}")]
    NoPipe(&'static str),
    #[error("GET {path}: no answer within {secs}s")]
    NoAnswer { path: String, secs: u64 },
    #[error("truncated HTTP response")]
    Truncated,
    /// The answer ran past what tugboat reads of it; nothing was parsed.
    #[error("the engine's answer is larger than {limit} bytes: not read")]
    TooLarge { limit: usize },
    #[error("engine answered `{}`", sanitize(status))]
    Status { status: String },
    /// serde's message may quote the engine's answer.
    #[error("GET {path}: bad JSON: {}", sanitize(&source.to_string()))]
    BadJson {
        path: String,
        #[source]
        source: serde_json::Error,
    },
}

/// A TLS setup that cannot work: nothing was sent to the engine.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A CA, certificate or key file that could not be read or used.
    #[error("{}: {detail}", path.display())]
    File { path: PathBuf, detail: String },
    #[error("{host}: {detail}")]
    ServerName { host: String, detail: String },
    #[error("{0}")]
    Protocols(#[source] rustls::Error),
    #[error("client certificate: {0}")]
    ClientCert(#[source] rustls::Error),
    /// bollard refused the client built around the TLS connector.
    #[error("{detail}")]
    Client { detail: String },
}

/// Files that cannot go into a tar entry (a bug in the caller's paths).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TarError {
    #[error("path too long for a tar entry: {0}")]
    PathTooLong(String),
    #[error("not a file path: {0}")]
    NotAFilePath(String),
}

/// Why a replica cannot be made from a template container.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplicaError {
    #[error(
        "{template} publishes host port {host_port} for {port}: \
         a second replica cannot bind it (publish no host port, or let the engine pick one)"
    )]
    FixedHostPort {
        template: String,
        host_port: String,
        port: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docker::HostError;

    #[test]
    fn engine_text_is_shown_sanitized() {
        let e = RequestError::Failed {
            what: "event stream".into(),
            detail: "boom \u{1b}]0;x\u{7}\u{9b}2J\u{202e}\nnext".into(),
            cause: None,
        };
        assert_eq!(e.to_string(), "event stream: boom ??next");
        let e = HostError::Engine("exec in abc: \u{1b}[2Jsaid\u{200b}".into());
        assert_eq!(e.to_string(), "exec in abc: said?");
        let e = RawError::Status {
            status: "500\u{1b}]52;c;eA==\u{7}".into(),
        };
        assert_eq!(e.to_string(), "engine answered `500`");
    }
}
