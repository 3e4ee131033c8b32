//! `config.toml`: user hosts and the `[settings]` tunables.
//!
//! ```toml
//! [settings]
//! relist_interval_secs = 30
//! theme = "default"
//! colors = "auto"      # or "truecolor", "256", "16"
//!
//! [[hosts]]
//! name = "db1"
//! url = "tcp://10.0.0.5:2376"
//! tls_cert_path = "~/.docker/db1"   # or tls_ca / tls_cert / tls_key
//!
//! [keys.nodes]                      # see config::keys
//! restart = "X"
//!
//! [[actions]]                       # see config::actions
//! name = "zk-stat"
//! scope = "container"
//! command = ["docker", "exec", "{container}", "zkServer.sh", "status"]
//! ```

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Deserializer};
use toml::Spanned;

use super::actions::{actions_from, RawAction, UserActionSpec};
use super::credentials::{self, DbCredential, RawCredential};
use super::engine_url::check_url;
use super::error::{line_col, ConfigError};
use super::keys::{KeysTable, Place, RawKeys};
use super::theme::ColorDepth;
use super::tls_paths::TlsPaths;

/// Tunables with defaults in the binary, overridable in config.toml `[settings]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Full re-list of every host, a safety net behind the event stream.
    pub relist_interval: Duration,
    /// Heartbeat that catches hung hosts.
    pub ping_interval: Duration,
    /// Upper bound for any one Docker API request.
    pub request_timeout: Duration,
    /// How often container CPU/memory stats are sampled.
    pub stats_interval: Duration,
    /// Stats requests in flight per host (each one is a slow API call).
    pub stats_concurrency: usize,
    /// How often each service (ZooKeeper, HAProxy, MySQL) is probed while shown.
    pub probe_interval: Duration,
    /// Upper bound for one probe (an exec inside the container).
    pub probe_timeout: Duration,
    /// Theme name: `<config_dir>/themes/<theme>.toml` or a builtin
    /// (`BUILTIN_THEMES`); `--theme` overrides it.
    pub theme: String,
    /// How many colours the terminal shows; `Auto` asks the environment.
    pub colors: ColorSetting,
    /// `[[credentials]]` for database probes, when a container's own
    /// environment has no root password.
    pub db_credentials: Vec<DbCredential>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            relist_interval: Duration::from_secs(30),
            ping_interval: Duration::from_secs(5),
            request_timeout: Duration::from_secs(5),
            stats_interval: Duration::from_secs(5),
            stats_concurrency: 4,
            probe_interval: Duration::from_secs(2),
            probe_timeout: Duration::from_secs(5),
            theme: "default".to_string(),
            colors: ColorSetting::Auto,
            db_credentials: Vec::new(),
        }
    }
}

/// `colors =` under `[settings]`: how many colours themes are brought
/// down to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorSetting {
    /// "auto": from `COLORTERM` and `TERM` (`ColorDepth::from_env`).
    #[default]
    Auto,
    /// "truecolor" (or "24bit"): every `#rrggbb` as written.
    TrueColor,
    /// "256": the xterm 256-colour palette.
    Ansi256,
    /// "16": the 16 named ANSI colours.
    Ansi16,
}

impl ColorSetting {
    /// The depth this setting fixes; `None` for `Auto`.
    pub fn fixed(self) -> Option<ColorDepth> {
        match self {
            ColorSetting::Auto => None,
            ColorSetting::TrueColor => Some(ColorDepth::TrueColor),
            ColorSetting::Ansi256 => Some(ColorDepth::Ansi256),
            ColorSetting::Ansi16 => Some(ColorDepth::Ansi16),
        }
    }

    /// As written in config.toml.
    pub fn name(self) -> &'static str {
        match self {
            ColorSetting::Auto => "auto",
            ColorSetting::TrueColor => "truecolor",
            ColorSetting::Ansi256 => "256",
            ColorSetting::Ansi16 => "16",
        }
    }

    /// The depth to draw with: the fixed one, or for `Auto` what the
    /// environment says.
    pub fn depth(self) -> ColorDepth {
        self.fixed().unwrap_or_else(ColorDepth::from_env)
    }
}

impl<'de> Deserialize<'de> for ColorSetting {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = ColorSetting;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("\"auto\", \"truecolor\", \"256\" or \"16\"")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ColorSetting, E> {
                match v.trim().to_ascii_lowercase().as_str() {
                    "auto" => Ok(ColorSetting::Auto),
                    "truecolor" | "24bit" => Ok(ColorSetting::TrueColor),
                    "256" => Ok(ColorSetting::Ansi256),
                    "16" => Ok(ColorSetting::Ansi16),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Str(v), &self)),
                }
            }

            // `colors = 256` without quotes means the same.
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<ColorSetting, E> {
                match v {
                    256 => Ok(ColorSetting::Ansi256),
                    16 => Ok(ColorSetting::Ansi16),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Signed(v), &self)),
                }
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// One `[[hosts]]` entry, with TLS paths already resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostEntry {
    pub name: String,
    pub url: String,
    pub tls: Option<TlsPaths>,
}

/// The parsed `config.toml`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConfigFile {
    pub hosts: Vec<HostEntry>,
    pub settings: Settings,
    /// `[keys]` as written, checked against the actions by the keymap.
    pub keys: KeysTable,
    /// Where `theme =` was written, to place a theme that does not exist.
    pub theme_at: Option<Place>,
    /// `[[actions]]`: the user's own commands, in the order written.
    pub actions: Vec<UserActionSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    hosts: Vec<RawHost>,
    #[serde(default)]
    settings: RawSettings,
    #[serde(default)]
    credentials: Vec<Spanned<RawCredential>>,
    #[serde(default)]
    keys: RawKeys,
    #[serde(default)]
    actions: Vec<RawAction>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHost {
    name: Spanned<String>,
    #[serde(deserialize_with = "de_url")]
    url: String,
    tls_ca: Option<Spanned<PathBuf>>,
    tls_cert: Option<Spanned<PathBuf>>,
    tls_key: Option<Spanned<PathBuf>>,
    tls_cert_path: Option<PathBuf>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSettings {
    #[serde(default, deserialize_with = "de_interval")]
    relist_interval_secs: Option<u64>,
    #[serde(default, deserialize_with = "de_interval")]
    ping_interval_secs: Option<u64>,
    #[serde(default, deserialize_with = "de_timeout")]
    request_timeout_secs: Option<u64>,
    #[serde(default, deserialize_with = "de_interval")]
    stats_interval_secs: Option<u64>,
    #[serde(default, deserialize_with = "de_positive")]
    stats_concurrency: Option<u64>,
    #[serde(default, deserialize_with = "de_interval")]
    probe_interval_secs: Option<u64>,
    #[serde(default, deserialize_with = "de_timeout")]
    probe_timeout_secs: Option<u64>,
    theme: Option<Spanned<String>>,
    colors: Option<ColorSetting>,
}

/// Zero would mean a busy loop (intervals) or no progress (concurrency).
fn de_positive<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let v = u64::deserialize(d)?;
    if v == 0 {
        return Err(serde::de::Error::custom(
            "expected a number of at least 1, found 0",
        ));
    }
    Ok(Some(v))
}

/// The longest interval (a day) and timeout (an hour) taken: timeouts are
/// multiplied and added to instants, which panics on overflow, and a
/// larger value is a typo rather than a wish.
pub const MAX_INTERVAL_SECS: u64 = 24 * 60 * 60;
pub const MAX_TIMEOUT_SECS: u64 = 60 * 60;

fn de_up_to<'de, D: Deserializer<'de>>(
    d: D,
    max: u64,
    what: &str,
) -> Result<Option<u64>, D::Error> {
    let v = de_positive(d)?;
    match v {
        Some(n) if n > max => Err(serde::de::Error::custom(format!(
            "expected at most {max} seconds ({what}), found {n}"
        ))),
        _ => Ok(v),
    }
}

fn de_interval<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    de_up_to(d, MAX_INTERVAL_SECS, "a day")
}

fn de_timeout<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    de_up_to(d, MAX_TIMEOUT_SECS, "an hour")
}

/// Checked while deserializing so a bad scheme is reported at its line.
fn de_url<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let url = String::deserialize(d)?;
    check_url(&url).map_err(serde::de::Error::custom)?;
    Ok(url)
}

/// Reads and parses `config.toml`; a missing file means "all defaults".
pub fn load_config_file(path: &Path) -> Result<ConfigFile, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(src) => parse_config(path, &src),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ConfigFile::default()),
        Err(source) => Err(ConfigError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Reads and parses a config file the user named (`--config`): unlike the
/// default one, a missing file is an error, not "all defaults".
pub fn load_named_config_file(path: &Path) -> Result<ConfigFile, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(src) => parse_config(path, &src),
        Err(source) => Err(ConfigError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Parses config text; `path` is used for messages and relative TLS paths.
pub fn parse_config(path: &Path, src: &str) -> Result<ConfigFile, ConfigError> {
    let raw: RawFile = toml::from_str(src).map_err(|e| ConfigError::from_toml(path, src, &e))?;
    let at = |span: std::ops::Range<usize>, message: String| {
        let (line, column) = line_col(src, span.start);
        ConfigError::Parse {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    };
    let hosts = hosts_from(raw.hosts, path, src, &at)?;
    let theme_at = raw.settings.theme.as_ref().map(|t| {
        let (line, column) = line_col(src, t.span().start);
        Place {
            path: path.to_path_buf(),
            line,
            column,
        }
    });
    let db_credentials = raw
        .credentials
        .into_iter()
        .map(|c| credentials::resolve(c, &|var| std::env::var(var).ok()))
        .collect::<Result<_, _>>()
        .map_err(|(span, msg)| at(span, msg))?;
    let actions = actions_from(raw.actions, path, src).map_err(|(span, msg)| at(span, msg))?;
    Ok(ConfigFile {
        hosts,
        settings: settings_from(raw.settings, db_credentials),
        keys: raw.keys.placed(path, src),
        theme_at,
        actions,
    })
}

/// The `[[hosts]]` entries checked: a name each, TLS files complete, a
/// name used twice only for the same URL (the repeat dropped).
fn hosts_from(
    raw_hosts: Vec<RawHost>,
    path: &Path,
    src: &str,
    at: &dyn Fn(std::ops::Range<usize>, String) -> ConfigError,
) -> Result<Vec<HostEntry>, ConfigError> {
    let base = path.parent().unwrap_or(Path::new("."));
    let mut hosts: Vec<(HostEntry, std::ops::Range<usize>)> = Vec::new();
    for raw in raw_hosts {
        let name_span = raw.name.span();
        let name = raw.name.get_ref().trim().to_string();
        if name.is_empty() {
            return Err(at(name_span, "expected a non-empty host `name`".into()));
        }
        let tls = resolve_tls(&raw, base).map_err(|(span, msg)| at(span, msg))?;
        if let Some((prev, prev_span)) = hosts.iter().find(|(h, _)| h.name == name) {
            if prev.url == raw.url {
                continue; // an exact repeat is harmless
            }
            let (prev_line, _) = line_col(src, prev_span.start);
            return Err(at(
                name_span,
                format!(
                    "host name `{name}` is already used on line {prev_line} for `{}`",
                    prev.url
                ),
            ));
        }
        hosts.push((
            HostEntry {
                name,
                url: raw.url,
                tls,
            },
            name_span,
        ));
    }
    Ok(hosts.into_iter().map(|(h, _)| h).collect())
}

/// `[settings]` over the defaults.
fn settings_from(s: RawSettings, db_credentials: Vec<DbCredential>) -> Settings {
    let d = Settings::default();
    let secs = |v: Option<u64>, def: Duration| v.map(Duration::from_secs).unwrap_or(def);
    Settings {
        relist_interval: secs(s.relist_interval_secs, d.relist_interval),
        ping_interval: secs(s.ping_interval_secs, d.ping_interval),
        request_timeout: secs(s.request_timeout_secs, d.request_timeout),
        stats_interval: secs(s.stats_interval_secs, d.stats_interval),
        stats_concurrency: s
            .stats_concurrency
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX))
            .unwrap_or(d.stats_concurrency),
        probe_interval: secs(s.probe_interval_secs, d.probe_interval),
        probe_timeout: secs(s.probe_timeout_secs, d.probe_timeout),
        theme: s.theme.map(Spanned::into_inner).unwrap_or(d.theme),
        colors: s.colors.unwrap_or(d.colors),
        db_credentials,
    }
}

type SpannedMsg = (std::ops::Range<usize>, String);

/// `tls_cert_path` gives all three files; explicit `tls_*` keys override
/// single files. Without a dir, all three keys are needed: verified TLS
/// uses all of them (see `TlsPaths::missing`).
fn resolve_tls(raw: &RawHost, base: &Path) -> Result<Option<TlsPaths>, SpannedMsg> {
    let file = |p: &Option<Spanned<PathBuf>>| p.as_ref().map(|s| expand(s.get_ref(), base));
    let (ca, cert, key) = (file(&raw.tls_ca), file(&raw.tls_cert), file(&raw.tls_key));
    if let Some(dir) = &raw.tls_cert_path {
        let dir = expand(dir, base);
        return Ok(Some(TlsPaths {
            ca: ca.unwrap_or_else(|| dir.join("ca.pem")),
            cert: cert.unwrap_or_else(|| dir.join("cert.pem")),
            key: key.unwrap_or_else(|| dir.join("key.pem")),
            skip_verify: false,
        }));
    }
    match (ca, cert, key) {
        (None, None, None) => Ok(None),
        (Some(ca), Some(cert), Some(key)) => Ok(Some(TlsPaths {
            ca,
            cert,
            key,
            skip_verify: false,
        })),
        _ => {
            let given = [&raw.tls_ca, &raw.tls_cert, &raw.tls_key]
                .into_iter()
                .flatten()
                .map(|s| s.span())
                .next()
                .unwrap_or_else(|| raw.name.span());
            Err((
                given,
                format!(
                    "host `{}`: expected all of tls_ca, tls_cert and tls_key, or tls_cert_path",
                    raw.name.get_ref()
                ),
            ))
        }
    }
}

/// `~/x` is relative to the home dir, `x` to the config file's dir.
fn expand(p: &Path, base: &Path) -> PathBuf {
    if let Ok(rest) = p.strip_prefix("~") {
        if let Some(dirs) = directories::BaseDirs::new() {
            return dirs.home_dir().join(rest);
        }
    }
    if p.is_relative() {
        base.join(p)
    } else {
        p.to_path_buf()
    }
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
