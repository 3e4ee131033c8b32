//! A host's client TLS material. Below the config file, the docker
//! contexts and the host merge, which all make one.

use std::path::PathBuf;

/// Client TLS material for one host (PEM files).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsPaths {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
    /// TLS without checking the engine's certificate (a docker context's
    /// `SkipTLSVerify`, as the docker CLI does it): the CA is not used, the
    /// client certificate and key only when both exist.
    pub skip_verify: bool,
}

impl TlsPaths {
    /// `ca.pem`, `cert.pem`, `key.pem` in `dir`: the docker CLI's layout.
    pub fn in_dir(dir: &std::path::Path) -> TlsPaths {
        TlsPaths {
            ca: dir.join("ca.pem"),
            cert: dir.join("cert.pem"),
            key: dir.join("key.pem"),
            skip_verify: false,
        }
    }

    /// `in_dir` without checking the engine's certificate.
    pub fn unverified_in_dir(dir: &std::path::Path) -> TlsPaths {
        TlsPaths {
            skip_verify: true,
            ..TlsPaths::in_dir(dir)
        }
    }

    /// Whether the client presents a certificate: always when verifying,
    /// else when both of its files exist.
    pub fn client_cert(&self) -> bool {
        !self.skip_verify || (self.cert.is_file() && self.key.is_file())
    }

    /// The files this connection needs that are missing: all three when
    /// verifying; unverified, the key without its certificate or the other
    /// way round. Never a reason to connect without TLS.
    pub fn missing(&self) -> Vec<PathBuf> {
        let files: Vec<&PathBuf> = if self.skip_verify {
            match (self.cert.is_file(), self.key.is_file()) {
                (true, false) => vec![&self.key],
                (false, true) => vec![&self.cert],
                _ => Vec::new(),
            }
        } else {
            vec![&self.ca, &self.cert, &self.key]
        };
        files
            .into_iter()
            .filter(|p| !p.is_file())
            .cloned()
            .collect()
    }

    /// How the host row names this security: "tls" or "tls (unverified)".
    pub fn label(&self) -> &'static str {
        if self.skip_verify {
            "tls (unverified)"
        } else {
            "tls"
        }
    }
}
