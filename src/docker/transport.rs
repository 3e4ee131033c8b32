//! bollard clients over connections tugboat opens itself (ssh processes,
//! TLS it configures): a hyper client around a connector, handed to
//! bollard as a custom transport.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bollard::{BollardRequest, Docker, API_DEFAULT_VERSION};
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::io::{AsyncRead, AsyncWrite};

/// A bollard client for `url` whose connections `connector` opens.
pub(super) fn docker<C>(
    connector: C,
    url: &str,
    timeout_secs: u64,
) -> Result<Docker, bollard::errors::Error>
where
    C: tower_service::Service<hyper::Uri, Response = Conn> + Clone + Send + Sync + 'static,
    C::Future: Send + Unpin + 'static,
    C::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let client = Arc::new(Client::builder(TokioExecutor::new()).build(connector));
    let transport = move |req: BollardRequest| {
        let client = Arc::clone(&client);
        async move { Ok(client.request(req).await?) }
    };
    Docker::connect_with_custom_transport(transport, Some(url), timeout_secs, API_DEFAULT_VERSION)
}

/// Any byte stream as a connection hyper can use.
pub(super) struct Conn(TokioIo<Box<dyn Stream>>);

pub(super) trait Stream: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Stream for T {}

impl Conn {
    pub(super) fn new(stream: impl Stream + 'static) -> Conn {
        Conn(TokioIo::new(Box::new(stream)))
    }
}

impl hyper::rt::Read for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl Connection for Conn {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}
