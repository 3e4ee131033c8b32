//! A client TLS connection with the host's CA, certificate and key, for the
//! raw requests bollard cannot make for us (see `raw`).

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, RootCertStore};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

use super::error::{RawError, TlsError};
use crate::config::TlsPaths;

pub async fn connect(addr: &str, tls: &TlsPaths) -> Result<TlsStream<TcpStream>, RawError> {
    let config = client_config(tls)?;
    let host = addr.rsplit_once(':').map_or(addr, |(h, _)| h);
    let name = ServerName::try_from(host.trim_matches(['[', ']']).to_string()).map_err(|e| {
        TlsError::ServerName {
            host: host.into(),
            detail: e.to_string(),
        }
    })?;
    let tcp = TcpStream::connect(addr)
        .await
        .map_err(|source| RawError::Unreachable {
            addr: addr.into(),
            source,
        })?;
    TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|source| RawError::Handshake {
            addr: addr.into(),
            source,
        })
}

fn client_config(tls: &TlsPaths) -> Result<ClientConfig, TlsError> {
    let file_err = |path: &std::path::Path, e: &dyn std::fmt::Display| TlsError::File {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(&tls.ca).map_err(|e| file_err(&tls.ca, &e))? {
        let cert = cert.map_err(|e| file_err(&tls.ca, &e))?;
        roots.add(cert).map_err(|e| file_err(&tls.ca, &e))?;
    }
    let certs = CertificateDer::pem_file_iter(&tls.cert)
        .map_err(|e| file_err(&tls.cert, &e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| file_err(&tls.cert, &e))?;
    let key = PrivateKeyDer::from_pem_file(&tls.key).map_err(|e| file_err(&tls.key, &e))?;
    ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Protocols)?
        .with_root_certificates(roots)
        .with_client_auth_cert(certs, key)
        .map_err(TlsError::ClientCert)
}
