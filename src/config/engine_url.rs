//! Which engine URLs tugboat can connect to. Below the config file, the
//! docker contexts and the host merge, which all check theirs with it.

use super::error::UrlError;
use super::ssh_url::parse_ssh_url;

const SCHEMES: [&str; 5] = ["unix", "tcp", "http", "https", "ssh"];

/// `Ok` when tugboat knows how to connect to `url`; `Err` says why not.
pub fn check_url(url: &str) -> Result<(), UrlError> {
    let scheme = url.split_once("://").and_then(|(scheme, rest)| {
        let scheme = scheme.to_ascii_lowercase();
        (SCHEMES.contains(&scheme.as_str()) && !rest.is_empty()).then_some(scheme)
    });
    match scheme.as_deref() {
        // Its parts become ssh's arguments: refused here, before any runs.
        Some("ssh") => parse_ssh_url(url).map(|_| ()),
        Some(_) => Ok(()),
        None => Err(UrlError::Unsupported { url: url.into() }),
    }
}
