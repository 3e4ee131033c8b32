//! Which Docker hosts to watch: flags, config file, DOCKER_HOST, docker contexts.
//!
//! `resolve_hosts` is a pure merge over its inputs (plus reading the docker
//! CLI's context files), so every precedence rule is unit-tested.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

use super::contexts::{current_context, list_contexts};
use super::engine_url::check_url;
use super::error::{ConfigError, UrlError};
use super::file::ConfigFile;
use super::tls_paths::TlsPaths;

/// The engine every docker install listens on when nothing else is said.
pub const LOCAL_ENGINE_URL: &str = "unix:///var/run/docker.sock";

/// Where a host came from (shown in the UI, used for de-duplication precedence).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum HostSource {
    Flag,
    ConfigFile,
    DockerHostEnv,
    DockerContext(String),
    LocalDefault,
}

impl fmt::Display for HostSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostSource::Flag => f.write_str("--host"),
            HostSource::ConfigFile => f.write_str("config file"),
            HostSource::DockerHostEnv => f.write_str("DOCKER_HOST"),
            HostSource::DockerContext(name) => write!(f, "docker context `{name}`"),
            HostSource::LocalDefault => f.write_str("local default"),
        }
    }
}

/// One host to connect to, after merging every source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostSpec {
    pub name: String,
    pub url: String,
    pub tls: Option<TlsPaths>,
    pub source: HostSource,
}

impl HostSpec {
    /// How tugboat reaches the engine, for the host row and `status`:
    /// "tls", "tls (unverified)", "ssh", "unix", or "plain" for TCP
    /// without TLS.
    pub fn transport(&self) -> &'static str {
        if let Some(tls) = &self.tls {
            return tls.label();
        }
        match self
            .url
            .split_once("://")
            .map(|(s, _)| s.to_ascii_lowercase())
        {
            Some(s) if s == "ssh" => "ssh",
            Some(s) if s == "unix" => "unix",
            _ => "plain",
        }
    }
}

/// Everything the host resolver reads from the outside world, so the merge is a pure function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostEnv {
    pub docker_host: Option<String>,
    pub docker_context: Option<String>,
    pub docker_tls_verify: bool,
    pub docker_cert_path: Option<PathBuf>,
    /// `$DOCKER_CONFIG` or `~/.docker`.
    pub docker_config_dir: PathBuf,
}

impl HostEnv {
    /// Reads `DOCKER_HOST`, `DOCKER_CONTEXT`, `DOCKER_TLS_VERIFY`,
    /// `DOCKER_CERT_PATH` and `DOCKER_CONFIG` from the process environment.
    pub fn from_process() -> HostEnv {
        HostEnv::from_env_with(|k| std::env::var_os(k))
    }

    /// `from_process` with the environment passed in. Empty values count
    /// as unset, as in the docker CLI.
    pub fn from_env_with(get_env: impl Fn(&str) -> Option<OsString>) -> HostEnv {
        let get = |k: &str| get_env(k).filter(|v| !v.is_empty());
        let string = |k: &str| get(k).map(|v| v.to_string_lossy().into_owned());
        let docker_config_dir = get("DOCKER_CONFIG")
            .map(PathBuf::from)
            .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().join(".docker")))
            .unwrap_or_else(|| PathBuf::from(".docker"));
        HostEnv {
            docker_host: string("DOCKER_HOST"),
            docker_context: string("DOCKER_CONTEXT"),
            docker_tls_verify: get("DOCKER_TLS_VERIFY").is_some(),
            docker_cert_path: get("DOCKER_CERT_PATH").map(PathBuf::from),
            docker_config_dir,
        }
    }
}

/// Splits one `--host NAME=URL` value and checks the URL.
pub fn parse_host_flag(flag: &str) -> Result<(String, String), ConfigError> {
    let bad = || ConfigError::BadHostFlag {
        value: flag.to_string(),
    };
    let (name, url) = flag.split_once('=').ok_or_else(bad)?;
    let (name, url) = (name.trim(), url.trim());
    if name.is_empty() || url.is_empty() {
        return Err(bad());
    }
    checked(url, name, "--host")?;
    Ok((name.to_string(), url.to_string()))
}

fn checked(url: &str, name: &str, origin: &str) -> Result<(), ConfigError> {
    check_url(url).map_err(|e| match e {
        UrlError::Unsupported { .. } => ConfigError::UnsupportedScheme {
            origin: origin.to_string(),
            name: name.to_string(),
            url: url.to_string(),
        },
        source => ConfigError::BadHostUrl {
            origin: origin.to_string(),
            name: name.to_string(),
            source,
        },
    })
}

/// Merge host sources, de-duplicated by URL (first source wins) and by name.
///
/// Precedence: `--host` flags, then the config file's `[[hosts]]`, then
/// `DOCKER_HOST` (named "env"), then the docker CLI's current context, then
/// every other context sorted by name. A host already present under the same
/// URL is skipped, but lends its TLS paths if the first one had none. A name
/// clash with a different URL is an error among flags and config hosts; env
/// and context hosts are renamed instead (`ctx:NAME`). An explicit current
/// context of "default" adds the local engine unless DOCKER_HOST is set.
/// With nothing found at all, the result is the local engine named "local".
pub fn resolve_hosts(
    file: &ConfigFile,
    flags: &[String],
    env: &HostEnv,
) -> Result<Vec<HostSpec>, ConfigError> {
    let mut m = Merger::default();
    for flag in flags {
        let (name, url) = parse_host_flag(flag)?;
        m.add_explicit(spec(name, url, None, HostSource::Flag))?;
    }
    for h in &file.hosts {
        checked(&h.url, &h.name, "config file")?;
        let s = spec(
            h.name.clone(),
            h.url.clone(),
            h.tls.clone(),
            HostSource::ConfigFile,
        );
        m.add_explicit(s)?;
    }
    let docker_host = env.docker_host.as_deref().filter(|h| !h.is_empty());
    if let Some(url) = docker_host {
        checked(url, "env", "DOCKER_HOST")?;
        let tls = (env.docker_tls_verify && scheme_is(url, "tcp")).then(|| {
            let dir = env
                .docker_cert_path
                .as_ref()
                .unwrap_or(&env.docker_config_dir);
            TlsPaths::in_dir(dir)
        });
        let s = spec("env".into(), url.into(), tls, HostSource::DockerHostEnv);
        m.add_implicit(s, "DOCKER_HOST");
    }

    let contexts = list_contexts(&env.docker_config_dir);
    let current = env
        .docker_context
        .clone()
        .filter(|c| !c.is_empty())
        .or_else(|| current_context(&env.docker_config_dir));
    match current.as_deref() {
        Some("default") if docker_host.is_none() => {
            let src = HostSource::DockerContext("default".into());
            m.add_implicit(
                spec("local".into(), LOCAL_ENGINE_URL.into(), None, src),
                "ctx",
            );
        }
        // "default" with DOCKER_HOST set is the env host, already added.
        None | Some("default") => {}
        Some(name) => match contexts.iter().find(|c| c.name == name) {
            Some(c) => {
                let src = HostSource::DockerContext(c.name.clone());
                m.add_implicit(
                    spec(c.name.clone(), c.host.clone(), c.tls.clone(), src),
                    "ctx",
                );
            }
            None => tracing::warn!(context = %name, "current docker context not found"),
        },
    }
    for c in contexts
        .iter()
        .filter(|c| Some(c.name.as_str()) != current.as_deref())
    {
        let src = HostSource::DockerContext(c.name.clone());
        m.add_implicit(
            spec(c.name.clone(), c.host.clone(), c.tls.clone(), src),
            "ctx",
        );
    }

    if m.hosts.is_empty() {
        let s = spec(
            "local".into(),
            LOCAL_ENGINE_URL.into(),
            None,
            HostSource::LocalDefault,
        );
        m.hosts.push(s);
    }
    Ok(m.hosts)
}

fn spec(name: String, url: String, tls: Option<TlsPaths>, source: HostSource) -> HostSpec {
    HostSpec {
        name,
        url,
        tls,
        source,
    }
}

fn scheme_is(url: &str, scheme: &str) -> bool {
    url.split_once("://")
        .is_some_and(|(s, _)| s.eq_ignore_ascii_case(scheme))
}

/// Comparison key for URLs: `TCP://h:1/` and `tcp://h:1` are the same engine.
fn url_key(url: &str) -> String {
    lower_scheme(url.trim().trim_end_matches('/'))
}

/// `TCP://h:2375` → `tcp://h:2375`; the rest as it is. The config accepts
/// a scheme in any case, as the docker CLI does.
pub fn lower_scheme(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => format!("{}://{rest}", scheme.to_ascii_lowercase()),
        None => url.to_string(),
    }
}

#[derive(Default)]
struct Merger {
    hosts: Vec<HostSpec>,
}

impl Merger {
    /// Skips `s` if its URL is already present; true when it was a duplicate.
    fn merge_same_url(&mut self, s: &HostSpec) -> bool {
        let key = url_key(&s.url);
        match self.hosts.iter_mut().find(|h| url_key(&h.url) == key) {
            Some(existing) => {
                // A flag cannot carry TLS paths; keep the ones the config
                // or a context knows for the same engine.
                if existing.tls.is_none() {
                    existing.tls = s.tls.clone();
                }
                true
            }
            None => false,
        }
    }

    /// Flags and config hosts: a name clash is the user's mistake to fix.
    fn add_explicit(&mut self, s: HostSpec) -> Result<(), ConfigError> {
        if self.merge_same_url(&s) {
            return Ok(());
        }
        if let Some(first) = self.hosts.iter().find(|h| h.name == s.name) {
            return Err(ConfigError::DuplicateHost {
                name: s.name,
                first_url: first.url.clone(),
                first_origin: first.source.to_string(),
                second_url: s.url,
                second_origin: s.source.to_string(),
            });
        }
        self.hosts.push(s);
        Ok(())
    }

    /// Env and contexts: nobody chose these names, so rename on a clash.
    fn add_implicit(&mut self, mut s: HostSpec, prefix: &str) {
        if self.merge_same_url(&s) {
            return;
        }
        let taken = |n: &str| self.hosts.iter().any(|h| h.name == n);
        if taken(&s.name) {
            let base = format!("{prefix}:{}", s.name);
            let mut name = base.clone();
            let mut n = 2;
            while taken(&name) {
                name = format!("{base}:{n}");
                n += 1;
            }
            s.name = name;
        }
        self.hosts.push(s);
    }
}

#[cfg(test)]
#[path = "hosts_tests.rs"]
mod tests;
