//! A minimal HTTP GET to the engine for the one answer bollard cannot read:
//! `/system/df` on engines older than API 1.52, whose volume sizes sit in a
//! `Volumes` array that bollard 0.21's model no longer has (TESTBED.md §6).
//!
//! Only a GET with `Connection: close`, answered as HTTP/1.0, so the body is
//! whatever follows the headers, with no chunking to undo.

use std::collections::HashMap;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use super::error::RawError;
use crate::config::{HostSpec, SshUrl};

/// Fetch `path` from the host and parse the body as JSON.
pub async fn get_json(spec: &HostSpec, path: &str, timeout: Duration) -> Result<Value, RawError> {
    let body = tokio::time::timeout(timeout, get(spec, path))
        .await
        .map_err(|_| RawError::NoAnswer {
            path: path.into(),
            secs: timeout.as_secs(),
        })??;
    serde_json::from_slice(&body).map_err(|source| RawError::BadJson {
        path: path.into(),
        source,
    })
}

async fn get(spec: &HostSpec, path: &str) -> Result<Vec<u8>, RawError> {
    let url = spec.url.as_str();
    if let Some(tls) = &spec.tls {
        let addr = url
            .strip_prefix("tcp://")
            .or(url.strip_prefix("https://"))
            .unwrap_or(url)
            .trim_end_matches('/');
        let stream = super::tls::connect(addr, tls).await?;
        return exchange(stream, path).await;
    }
    if let Some(socket) = url.strip_prefix("unix://") {
        let stream = tokio::net::UnixStream::connect(socket)
            .await
            .map_err(|source| RawError::Unreachable {
                addr: socket.into(),
                source,
            })?;
        exchange(stream, path).await
    } else if let Some(addr) = url.strip_prefix("tcp://").or(url.strip_prefix("http://")) {
        let addr = addr.trim_end_matches('/');
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|source| RawError::Unreachable {
                addr: addr.into(),
                source,
            })?;
        exchange(stream, path).await
    } else if url.starts_with("ssh://") {
        let dest = crate::config::parse_ssh_url(url)?;
        ssh_exchange(&dest, path).await
    } else {
        Err(RawError::UnsupportedUrl { url: url.into() })
    }
}

/// Over SSH the engine is reached the way the docker CLI does it: the remote
/// `docker system dial-stdio` bridges stdin/stdout to the engine's socket.
async fn ssh_exchange(dest: &SshUrl, path: &str) -> Result<Vec<u8>, RawError> {
    // The main ssh transport's command line, so both trust the same hosts.
    let mut child = super::ssh::dial_stdio(dest)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|source| RawError::Io {
            step: "ssh",
            source,
        })?;
    let stdin = child.stdin.take().ok_or(RawError::NoPipe("stdin"))?;
    let stdout = child.stdout.take().ok_or(RawError::NoPipe("stdout"))?;
    exchange(tokio::io::join(stdout, stdin), path).await
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    path: &str,
) -> Result<Vec<u8>, RawError> {
    let request = format!("GET {path} HTTP/1.0\r\nHost: docker\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|source| RawError::Io {
            step: "write",
            source,
        })?;
    let response = read_bounded(stream, ANSWER_LIMIT).await?;
    split_response(&response)
}

/// The most of an answer read: `/system/df` of a host with thousands of
/// volumes and images is a few MiB; an engine (or whatever answers in its
/// place) sending more must not fill memory.
const ANSWER_LIMIT: usize = 32 << 20;

/// All `stream` sends until it closes, refused once past `limit` bytes.
async fn read_bounded<S: AsyncRead + Unpin>(stream: S, limit: usize) -> Result<Vec<u8>, RawError> {
    let mut response = Vec::new();
    // One byte past the limit tells an answer of exactly `limit` from a
    // longer one.
    let mut bounded = stream.take(limit as u64 + 1);
    match bounded.read_to_end(&mut response).await {
        Ok(_) => {}
        // A TLS peer that closes without close_notify: the body is complete
        // when the headers and some body arrived (HTTP/1.0 ends at close).
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof && !response.is_empty() => {}
        Err(source) => {
            return Err(RawError::Io {
                step: "read",
                source,
            })
        }
    }
    if response.len() > limit {
        return Err(RawError::TooLarge { limit });
    }
    Ok(response)
}

/// Status line check and header/body split of an HTTP/1.0 response.
fn split_response(response: &[u8]) -> Result<Vec<u8>, RawError> {
    let end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or(RawError::Truncated)?;
    let head = String::from_utf8_lossy(&response[..end]);
    let status = head.lines().next().unwrap_or_default();
    let code = status.split_whitespace().nth(1).unwrap_or_default();
    if code != "200" {
        return Err(RawError::Status {
            status: status.into(),
        });
    }
    Ok(response[end + 4..].to_vec())
}

/// Volume sizes from either shape of `/system/df`:
/// - API < 1.52: `{"Volumes": [{"Name": …, "UsageData": {"Size": …}}]}`
/// - API ≥ 1.52: `{"VolumeUsage": {"Items": [{"Name": …, "UsageData": {"Size": …}}]}}`
///
/// A size of -1 means the engine has not computed it; such volumes are left out.
pub fn volume_sizes(df: &Value) -> HashMap<String, u64> {
    let items = df
        .get("Volumes")
        .filter(|v| v.is_array())
        .or_else(|| df.get("VolumeUsage").and_then(|u| u.get("Items")));
    items
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| {
            let name = v.get("Name")?.as_str()?;
            let size = v.get("UsageData")?.get("Size")?.as_i64()?;
            Some((name.to_string(), u64::try_from(size).ok()?))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_body_follows_the_headers() {
        let r = b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"a\":1}";
        assert_eq!(split_response(r).unwrap(), b"{\"a\":1}");
        let bad = b"HTTP/1.0 404 Not Found\r\n\r\n{}";
        assert!(split_response(bad).unwrap_err().to_string().contains("404"));
        assert!(split_response(b"HTTP/1.0 200").is_err());
    }

    #[tokio::test]
    async fn an_answer_is_read_up_to_the_limit_and_refused_past_it() {
        let answer = b"HTTP/1.0 200 OK\r\n\r\n{}";
        let read = read_bounded(&answer[..], answer.len()).await.unwrap();
        assert_eq!(read, answer);
        let e = read_bounded(&answer[..], answer.len() - 1)
            .await
            .unwrap_err();
        assert!(matches!(e, RawError::TooLarge { limit } if limit == answer.len() - 1));
        // An endless answer ends at the limit too.
        let endless = tokio::io::repeat(b'x');
        let e = read_bounded(endless, 1 << 16).await.unwrap_err();
        assert_eq!(
            e.to_string(),
            "the engine's answer is larger than 65536 bytes: not read"
        );
    }

    #[test]
    fn sizes_from_captured_engine_20_10_and_26_answers() {
        for fixture in [
            include_str!("../../tests/fixtures/docker/df-engine-20.10.json"),
            include_str!("../../tests/fixtures/docker/df-engine-26.1.json"),
        ] {
            let sizes = volume_sizes(&serde_json::from_str(fixture).unwrap());
            assert_eq!(sizes.get("fixture-data"), Some(&102_400));
            assert_eq!(sizes.get("fixture-empty"), Some(&0));
            assert_eq!(sizes.len(), 2);
        }
    }

    #[test]
    fn sizes_from_the_api_1_52_shape() {
        let df = serde_json::json!({"VolumeUsage": {"TotalCount": 2, "Items": [
            {"Name": "a", "UsageData": {"Size": 4096, "RefCount": 1}},
            {"Name": "b", "UsageData": {"Size": -1, "RefCount": 0}}
        ]}});
        let sizes = volume_sizes(&df);
        assert_eq!(sizes.get("a"), Some(&4096));
        assert_eq!(sizes.get("b"), None);
    }
}
