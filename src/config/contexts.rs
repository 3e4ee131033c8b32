//! Reading the docker CLI's contexts from `<docker_config_dir>`.
//!
//! Layout written by `docker context create`:
//! - `config.json` with `"currentContext": "NAME"` (absent for "default");
//! - `contexts/meta/<id>/meta.json` with the name and endpoint;
//! - `contexts/tls/<id>/docker/{ca,cert,key}.pem` when TLS material exists.
//!
//! Contexts are incidental to tugboat, so a broken one is logged and
//! skipped rather than stopping startup.

use std::path::Path;

use serde::Deserialize;

use super::engine_url::check_url;
use super::tls_paths::TlsPaths;

/// One docker CLI context with a usable docker endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerContext {
    pub name: String,
    pub host: String,
    pub tls: Option<TlsPaths>,
}

#[derive(Deserialize)]
struct Meta {
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "Endpoints", default)]
    endpoints: Endpoints,
}

#[derive(Deserialize, Default)]
struct Endpoints {
    docker: Option<Endpoint>,
}

#[derive(Deserialize)]
struct Endpoint {
    #[serde(rename = "Host")]
    host: Option<String>,
    #[serde(rename = "SkipTLSVerify", default)]
    skip_tls_verify: bool,
}

/// `currentContext` from `<docker_config_dir>/config.json`, if set and non-empty.
pub fn current_context(docker_config_dir: &Path) -> Option<String> {
    let path = docker_config_dir.join("config.json");
    let text = std::fs::read_to_string(&path).ok()?;
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(v) => v
            .get("currentContext")
            .and_then(|c| c.as_str())
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "ignoring unreadable docker config");
            None
        }
    }
}

/// Every context under `contexts/meta/`, sorted by name.
///
/// Sorted because `read_dir` order is arbitrary and the host list order
/// is visible in the UI.
pub fn list_contexts(docker_config_dir: &Path) -> Vec<DockerContext> {
    let meta_dir = docker_config_dir.join("contexts").join("meta");
    let Ok(entries) = std::fs::read_dir(&meta_dir) else {
        return Vec::new();
    };
    let mut out: Vec<DockerContext> = entries
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| read_context(docker_config_dir, &e.file_name().to_string_lossy()))
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// One context by its directory id; `None` (with a log line) if unusable.
fn read_context(docker_config_dir: &Path, id: &str) -> Option<DockerContext> {
    let path = docker_config_dir
        .join("contexts")
        .join("meta")
        .join(id)
        .join("meta.json");
    let text = std::fs::read_to_string(&path).ok()?;
    let meta: Meta = match serde_json::from_str(&text) {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "skipping unreadable docker context");
            return None;
        }
    };
    // "default" is implicit in the docker CLI and cannot be stored.
    if meta.name.is_empty() || meta.name == "default" {
        return None;
    }
    let endpoint = meta.endpoints.docker?;
    let host = endpoint.host.filter(|h| !h.is_empty())?;
    if let Err(e) = check_url(&host) {
        tracing::warn!(context = %meta.name, error = %e, "skipping docker context");
        return None;
    }
    let dir = docker_config_dir
        .join("contexts")
        .join("tls")
        .join(id)
        .join("docker");
    let tls = context_tls(&host, &dir, endpoint.skip_tls_verify, &meta.name);
    Some(DockerContext {
        name: meta.name,
        host,
        tls,
    })
}

/// How a context reaches a TCP engine, as the docker CLI does it:
/// `SkipTLSVerify` is TLS without checking the engine's certificate (with
/// the client pair when there is one); else the three files are verified
/// TLS, and no file at all is plain TCP. Some files but not all is a
/// mistake: the host gets TLS paths that fail it with a clear error when
/// it connects, never a silent fall-back to plain text. Other schemes
/// (unix, ssh) have no TLS.
fn context_tls(host: &str, dir: &Path, skip_verify: bool, name: &str) -> Option<TlsPaths> {
    let tcp = host
        .split_once("://")
        .is_some_and(|(s, _)| s.eq_ignore_ascii_case("tcp") || s.eq_ignore_ascii_case("https"));
    if !tcp {
        return None;
    }
    let tls = if skip_verify {
        TlsPaths::unverified_in_dir(dir)
    } else {
        TlsPaths::in_dir(dir)
    };
    let present = [&tls.ca, &tls.cert, &tls.key]
        .iter()
        .filter(|p| p.is_file())
        .count();
    if !skip_verify && present == 0 {
        return None;
    }
    if !tls.missing().is_empty() {
        tracing::warn!(context = %name, dir = %dir.display(), "incomplete TLS material: this host will not connect");
    }
    Some(tls)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::fs;
    use std::path::PathBuf;

    /// Writes a context the way `docker context create` does.
    pub(crate) fn write_context(dir: &Path, id: &str, name: &str, host: &str, skip_tls: bool) {
        let meta = dir.join("contexts/meta").join(id);
        fs::create_dir_all(&meta).unwrap();
        let json = format!(
            r#"{{"Name":"{name}","Metadata":{{"Description":""}},"Endpoints":{{"docker":{{"Host":"{host}","SkipTLSVerify":{skip_tls}}}}}}}"#
        );
        fs::write(meta.join("meta.json"), json).unwrap();
    }

    pub(crate) fn write_tls(dir: &Path, id: &str, files: &[&str]) -> PathBuf {
        let tls = dir.join("contexts/tls").join(id).join("docker");
        fs::create_dir_all(&tls).unwrap();
        for f in files {
            fs::write(tls.join(f), "pem").unwrap();
        }
        tls
    }

    // sha256("remote") — what the docker CLI uses as the directory name.
    const REMOTE_ID: &str = "b71199ebd070b36beab7317920c2c2f1d777df8d05e5527d8458fda57cb17a7a";

    #[test]
    fn lists_contexts_sorted_with_tls_when_complete() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        write_context(d, REMOTE_ID, "remote", "tcp://127.0.0.2:2375", false);
        write_context(d, "aaaa", "zeta", "ssh://ops@zeta", false);
        write_context(d, "bbbb", "alpha", "tcp://alpha:2376", false);
        let tls = write_tls(d, "bbbb", &["ca.pem", "cert.pem", "key.pem"]);
        let got = list_contexts(d);
        let names: Vec<_> = got.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["alpha", "remote", "zeta"]);
        assert_eq!(got[1].host, "tcp://127.0.0.2:2375");
        assert_eq!(got[1].tls, None);
        assert_eq!(
            got[0].tls,
            Some(TlsPaths {
                ca: tls.join("ca.pem"),
                cert: tls.join("cert.pem"),
                key: tls.join("key.pem"),
                skip_verify: false,
            })
        );
    }

    #[test]
    fn skip_tls_verify_is_tls_without_verification_never_plain() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        // With a client pair: presented, the CA unused.
        write_context(d, "a", "skip", "tcp://s:2376", true);
        let dir = write_tls(d, "a", &["ca.pem", "cert.pem", "key.pem"]);
        // Without any file: TLS all the same, no client certificate.
        write_context(d, "b", "skip-bare", "tcp://b:2376", true);
        let got = list_contexts(d);
        let skip = got[0].tls.as_ref().expect("TLS");
        assert_eq!(skip, &TlsPaths::unverified_in_dir(&dir));
        assert!(skip.client_cert() && skip.missing().is_empty());
        assert_eq!(skip.label(), "tls (unverified)");
        let bare = got[1].tls.as_ref().expect("TLS without files");
        assert!(bare.skip_verify && !bare.client_cert() && bare.missing().is_empty());
    }

    #[test]
    fn incomplete_material_fails_the_host_instead_of_going_plain() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        write_context(d, "a", "ca-only", "tcp://p:2376", false);
        let dir = write_tls(d, "a", &["ca.pem"]);
        write_context(d, "b", "cert-no-key", "tcp://q:2376", true);
        write_tls(d, "b", &["cert.pem"]);
        let got = list_contexts(d);
        let ca_only = got[0].tls.as_ref().expect("kept as TLS");
        assert_eq!(
            ca_only.missing(),
            vec![dir.join("cert.pem"), dir.join("key.pem")]
        );
        let half = got[1].tls.as_ref().expect("kept as TLS");
        assert_eq!(half.missing().len(), 1);
        assert!(half.missing()[0].ends_with("key.pem"));
    }

    #[test]
    fn tls_only_for_tcp_engines() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        write_context(d, "a", "over-ssh", "ssh://ops@h", true);
        write_tls(d, "a", &["ca.pem"]);
        write_context(d, "b", "plain", "tcp://h:2375", false);
        let got = list_contexts(d);
        assert!(got.iter().all(|c| c.tls.is_none()), "{got:?}");
    }

    #[test]
    fn broken_default_and_unsupported_contexts_are_skipped() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        write_context(d, "ok", "ok", "unix:///run/user/1000/docker.sock", false);
        write_context(d, "np", "win", "npipe:////./pipe/docker_engine", false);
        write_context(d, "df", "default", "unix:///x.sock", false);
        let bad = d.join("contexts/meta/bad");
        fs::create_dir_all(&bad).unwrap();
        fs::write(bad.join("meta.json"), "{not json").unwrap();
        // A context for another orchestrator only, no docker endpoint.
        let k8s = d.join("contexts/meta/k8s");
        fs::create_dir_all(&k8s).unwrap();
        fs::write(
            k8s.join("meta.json"),
            r#"{"Name":"k8s","Metadata":{},"Endpoints":{"kubernetes":{}}}"#,
        )
        .unwrap();
        let got = list_contexts(d);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].name, "ok");
        assert_eq!(got[0].host, "unix:///run/user/1000/docker.sock");
    }

    #[test]
    fn missing_dirs_give_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(list_contexts(tmp.path()).is_empty());
        assert_eq!(current_context(tmp.path()), None);
    }

    #[test]
    fn current_context_from_config_json() {
        let tmp = tempfile::tempdir().unwrap();
        let cfg = tmp.path().join("config.json");
        fs::write(
            &cfg,
            r#"{"auths":{"registry.example":{}},"currentContext":"remote"}"#,
        )
        .unwrap();
        assert_eq!(current_context(tmp.path()).as_deref(), Some("remote"));
        fs::write(&cfg, r#"{"auths":{},"currentContext":""}"#).unwrap();
        assert_eq!(current_context(tmp.path()), None);
        fs::write(&cfg, r#"{"auths":{}}"#).unwrap();
        assert_eq!(current_context(tmp.path()), None);
        fs::write(&cfg, "garbage").unwrap();
        assert_eq!(current_context(tmp.path()), None);
    }
}
