//! Why the first requests to a host found no engine to talk to, and what
//! to do about it: a socket this user may not open, no socket at all, or
//! a TCP/SSH host that does not answer. The engine's own text follows the
//! hint (see `DockerError::NoEngine`); this only says what it means.

use std::io::ErrorKind;

/// What kept a request from reaching the engine at all, read from the
/// I/O error at the root of the client's error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectFailure {
    /// The socket (or port) exists, but this user may not open it.
    PermissionDenied,
    /// No such socket file.
    NotFound,
    /// Refused, reset, timed out or no route: nobody listens there.
    NoListener,
}

impl ConnectFailure {
    /// The failure an I/O error's kind means, if it means one.
    pub fn of_kind(kind: ErrorKind) -> Option<Self> {
        match kind {
            ErrorKind::PermissionDenied => Some(Self::PermissionDenied),
            ErrorKind::NotFound => Some(Self::NotFound),
            ErrorKind::ConnectionRefused
            | ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::NotConnected
            | ErrorKind::AddrNotAvailable
            | ErrorKind::HostUnreachable
            | ErrorKind::NetworkUnreachable
            | ErrorKind::NetworkDown
            | ErrorKind::BrokenPipe
            | ErrorKind::UnexpectedEof
            | ErrorKind::TimedOut => Some(Self::NoListener),
            // Any other kind is the engine's or the request's trouble.
            _ => None,
        }
    }

    /// The failure behind `error`: the first I/O error in its source
    /// chain that means one.
    pub fn of_error(error: &(dyn std::error::Error + 'static)) -> Option<Self> {
        let mut next = Some(error);
        while let Some(e) = next {
            if let Some(found) = e
                .downcast_ref::<std::io::Error>()
                .and_then(|io| Self::of_kind(io.kind()))
            {
                return Some(found);
            }
            next = e.source();
        }
        None
    }
}

/// A host whose engine could not be reached, said as what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoEngine {
    #[error(
        "permission denied on {path}: add your user to the `docker` group (then log in again), \
         or use a rootless engine's socket (`--host local=unix://$XDG_RUNTIME_DIR/docker.sock`)"
    )]
    PermissionDenied { path: String },
    #[error("no engine at {path} (is dockerd running? `sudo systemctl start docker`)")]
    NoSocket { path: String },
    #[error("could not connect to {host} at {url}")]
    Unreachable { host: String, url: String },
}

impl NoEngine {
    /// What a first contact with `host` at `url` that failed this way
    /// means. `failure` is None when the request got no answer in time:
    /// a host that never answers is one tugboat could not connect to.
    pub fn of(host: &str, url: &str, failure: Option<ConnectFailure>) -> Self {
        let socket = url
            .get(..7)
            .filter(|s| s.eq_ignore_ascii_case("unix://"))
            .map(|_| url[7..].to_string());
        match (socket, failure) {
            (Some(path), Some(ConnectFailure::PermissionDenied)) => Self::PermissionDenied { path },
            // A socket file left behind by a stopped engine refuses.
            (Some(path), Some(ConnectFailure::NotFound | ConnectFailure::NoListener) | None) => {
                Self::NoSocket { path }
            }
            (None, _) => Self::Unreachable {
                host: host.into(),
                url: url.into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_kinds_map_to_what_kept_the_engine_away() {
        use ConnectFailure as F;
        assert_eq!(
            F::of_kind(ErrorKind::PermissionDenied),
            Some(F::PermissionDenied)
        );
        assert_eq!(F::of_kind(ErrorKind::NotFound), Some(F::NotFound));
        assert_eq!(
            F::of_kind(ErrorKind::ConnectionRefused),
            Some(F::NoListener)
        );
        assert_eq!(F::of_kind(ErrorKind::InvalidData), None);
    }

    /// The I/O error sits deep in the client's chain, as in bollard's
    /// "client error (Connect) (Permission denied (os error 13))".
    #[test]
    fn the_failure_is_found_down_the_source_chain() {
        #[derive(Debug, thiserror::Error)]
        #[error("Error in the hyper legacy client: client error (Connect)")]
        struct Outer(#[source] std::io::Error);
        let denied = Outer(std::io::Error::from_raw_os_error(13));
        assert_eq!(
            ConnectFailure::of_error(&denied),
            Some(ConnectFailure::PermissionDenied)
        );
        let other = Outer(std::io::Error::other("bad answer"));
        assert_eq!(ConnectFailure::of_error(&other), None);
    }

    #[test]
    fn each_cause_says_what_to_do() {
        let sock = "unix:///var/run/docker.sock";
        let denied = NoEngine::of("local", sock, Some(ConnectFailure::PermissionDenied));
        let text = denied.to_string();
        assert!(
            text.starts_with("permission denied on /var/run/docker.sock: add your user to the `docker` group (then log in again)"),
            "{text}"
        );
        assert!(
            text.contains("unix://$XDG_RUNTIME_DIR/docker.sock"),
            "{text}"
        );
        for failure in [
            Some(ConnectFailure::NotFound),
            Some(ConnectFailure::NoListener),
            None,
        ] {
            assert_eq!(
                NoEngine::of("local", sock, failure).to_string(),
                "no engine at /var/run/docker.sock (is dockerd running? `sudo systemctl start docker`)"
            );
        }
        for url in ["tcp://10.0.0.7:2375", "ssh://ops@db-3"] {
            for failure in [
                Some(ConnectFailure::NoListener),
                Some(ConnectFailure::PermissionDenied),
                None,
            ] {
                assert_eq!(
                    NoEngine::of("db-3", url, failure).to_string(),
                    format!("could not connect to db-3 at {url}")
                );
            }
        }
    }
}
