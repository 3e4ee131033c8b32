//! Where tugboat keeps its config and its data on disk.

use std::ffi::OsString;
use std::path::PathBuf;

/// Env var that replaces the config directory (tests and portable setups).
pub const CONFIG_DIR_ENV: &str = "TUGBOAT_CONFIG_DIR";
/// Env var that replaces the data directory (audit log, log file).
pub const DATA_DIR_ENV: &str = "TUGBOAT_DATA_DIR";

/// The directories tugboat reads from and writes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// Holds `config.toml` and `themes/` (e.g. `~/.config/tugboat`).
    pub config_dir: PathBuf,
    /// Holds the audit log and the log file (e.g. `~/.local/share/tugboat`).
    pub data_dir: PathBuf,
}

impl Paths {
    /// Platform directories, overridden by `TUGBOAT_CONFIG_DIR` / `TUGBOAT_DATA_DIR`.
    pub fn discover() -> Paths {
        Paths::discover_with(|k| std::env::var_os(k))
    }

    /// `discover` with the environment passed in, so it can be tested
    /// without mutating the process environment.
    pub fn discover_with(get_env: impl Fn(&str) -> Option<OsString>) -> Paths {
        let non_empty = |k: &str| get_env(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        let project = directories::ProjectDirs::from("", "", "tugboat");
        // Without a home directory (rare: system users, scratch containers)
        // fall back to the temp dir so logging still has somewhere to go.
        let fallback = std::env::temp_dir().join("tugboat");
        let config_dir = non_empty(CONFIG_DIR_ENV).unwrap_or_else(|| match &project {
            Some(p) => p.config_dir().to_path_buf(),
            None => fallback.join("config"),
        });
        let data_dir = non_empty(DATA_DIR_ENV).unwrap_or_else(|| match &project {
            Some(p) => p.data_dir().to_path_buf(),
            None => fallback.join("data"),
        });
        Paths {
            config_dir,
            data_dir,
        }
    }

    /// `<config_dir>/config.toml`.
    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    /// `<config_dir>/themes`, where user themes live.
    pub fn themes_dir(&self) -> PathBuf {
        self.config_dir.join("themes")
    }

    /// `<data_dir>/audit.jsonl`: one JSON record per operation.
    pub fn audit_log(&self) -> PathBuf {
        self.data_dir.join("audit.jsonl")
    }

    /// `<data_dir>/tugboat.log`: tracing output (the TUI owns the terminal).
    pub fn log_file(&self) -> PathBuf {
        self.data_dir.join("tugboat.log")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_overrides_both_dirs() {
        let p = Paths::discover_with(|k| match k {
            CONFIG_DIR_ENV => Some("/tmp/cfg".into()),
            DATA_DIR_ENV => Some("/tmp/data".into()),
            _ => None,
        });
        assert_eq!(p.config_dir, PathBuf::from("/tmp/cfg"));
        assert_eq!(p.config_file(), PathBuf::from("/tmp/cfg/config.toml"));
        assert_eq!(p.themes_dir(), PathBuf::from("/tmp/cfg/themes"));
        assert_eq!(p.audit_log(), PathBuf::from("/tmp/data/audit.jsonl"));
        assert_eq!(p.log_file(), PathBuf::from("/tmp/data/tugboat.log"));
    }

    #[test]
    fn empty_override_is_ignored() {
        let p = Paths::discover_with(|k| (k == CONFIG_DIR_ENV).then(|| "".into()));
        assert_ne!(p.config_dir, PathBuf::from(""));
        assert!(p.config_dir.ends_with("tugboat") || p.config_dir.ends_with("config"));
    }
}
