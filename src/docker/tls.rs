//! Client TLS connections with the host's CA, certificate and key: the
//! engine client's (`docker`), so that a context's `SkipTLSVerify` can mean
//! TLS without certificate checks, as in the docker CLI (bollard's own TLS
//! client always verifies, so tugboat does not build it), and the raw
//! requests' (see `raw`).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bollard::Docker;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

use super::error::{RawError, TlsError};
use super::transport::Conn;
use crate::config::TlsPaths;

pub async fn connect(addr: &str, tls: &TlsPaths) -> Result<TlsStream<TcpStream>, RawError> {
    let config = client_config(tls)?;
    let name = server_name(addr)?;
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

/// A bollard client for `url` (`tcp://` or `https://`) over TLS set up
/// from `tls`. Its files are read here, once: a bad one fails the host.
pub fn docker(url: &str, tls: &TlsPaths, timeout_secs: u64) -> Result<Docker, TlsError> {
    let addr: Arc<str> = url
        .strip_prefix("tcp://")
        .or(url.strip_prefix("https://"))
        .unwrap_or(url)
        .trim_end_matches('/')
        .into();
    let connector = Connector {
        name: server_name(&addr)?,
        addr,
        tls: TlsConnector::from(Arc::new(client_config(tls)?)),
    };
    // bollard builds https:// request URIs; the connector ignores them.
    let https = format!("https://{}", connector.addr);
    super::transport::docker(connector, &https, timeout_secs).map_err(|e| TlsError::Client {
        detail: e.to_string(),
    })
}

/// Opens one TLS connection to the engine.
#[derive(Clone)]
struct Connector {
    addr: Arc<str>,
    name: ServerName<'static>,
    tls: TlsConnector,
}

impl tower_service::Service<hyper::Uri> for Connector {
    type Response = Conn;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = std::io::Result<Conn>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: hyper::Uri) -> Self::Future {
        let Connector { addr, name, tls } = self.clone();
        Box::pin(async move {
            let tcp = TcpStream::connect(&*addr).await?;
            tcp.set_nodelay(true)?;
            Ok(Conn::new(tls.connect(name, tcp).await?))
        })
    }
}

/// The name the engine's certificate must carry: the URL's host.
fn server_name(addr: &str) -> Result<ServerName<'static>, TlsError> {
    let host = addr.rsplit_once(':').map_or(addr, |(h, _)| h);
    ServerName::try_from(host.trim_matches(['[', ']']).to_string()).map_err(|e| {
        TlsError::ServerName {
            host: host.into(),
            detail: e.to_string(),
        }
    })
}

fn client_config(tls: &TlsPaths) -> Result<ClientConfig, TlsError> {
    let file_err = |path: &std::path::Path, e: &dyn std::fmt::Display| TlsError::File {
        path: path.to_path_buf(),
        detail: e.to_string(),
    };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Protocols)?;
    let builder = if tls.skip_verify {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unverified(provider)))
    } else {
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(&tls.ca).map_err(|e| file_err(&tls.ca, &e))? {
            let cert = cert.map_err(|e| file_err(&tls.ca, &e))?;
            roots.add(cert).map_err(|e| file_err(&tls.ca, &e))?;
        }
        builder.with_root_certificates(roots)
    };
    if !tls.client_cert() {
        return Ok(builder.with_no_client_auth());
    }
    let certs = CertificateDer::pem_file_iter(&tls.cert)
        .map_err(|e| file_err(&tls.cert, &e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| file_err(&tls.cert, &e))?;
    let key = PrivateKeyDer::from_pem_file(&tls.key).map_err(|e| file_err(&tls.key, &e))?;
    builder
        .with_client_auth_cert(certs, key)
        .map_err(TlsError::ClientCert)
}

/// `SkipTLSVerify`: any certificate is taken for the engine's (the user
/// chose this in the docker context; the host row says "unverified").
/// The handshake's signatures are still checked, so the session is
/// encrypted with whoever holds the certificate's key.
#[derive(Debug)]
struct Unverified(Arc<CryptoProvider>);

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
