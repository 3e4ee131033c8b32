//! Where tugboat keeps its config and its data on disk.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::private_fs::{check_own_dir, ensure_own_dir, Links, UnsafeDir};

/// Env var that replaces the config directory (tests and portable setups).
pub const CONFIG_DIR_ENV: &str = "TUGBOAT_CONFIG_DIR";
/// Env var that replaces the data directory (audit log, log file).
pub const DATA_DIR_ENV: &str = "TUGBOAT_DATA_DIR";
/// The data directory's subdirectory of unfinished jobs, which `recover`
/// acts on (ops::runner::journal_dir names the same place).
pub const JOURNAL_DIR: &str = "journal";

/// The directories tugboat reads from and writes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// Holds `config.toml` and `themes/` (e.g. `~/.config/tugboat`).
    pub config_dir: PathBuf,
    /// Holds the audit log and the log file (e.g. `~/.local/share/tugboat`).
    pub data_dir: PathBuf,
    /// Without a home directory: this user's own directory in the shared
    /// temp dir (`/tmp/tugboat-UID`), which holds the others and must be
    /// made, or found, private before anything in it is read.
    pub temp_root: Option<PathBuf>,
}

impl Paths {
    /// Platform directories, overridden by `TUGBOAT_CONFIG_DIR` / `TUGBOAT_DATA_DIR`.
    pub fn discover() -> Paths {
        Paths::discover_with(|k| std::env::var_os(k))
    }

    /// `discover`, then `checked`: what every command starts from.
    pub fn discover_checked() -> Result<Paths, UnsafeDir> {
        Paths::discover().checked()
    }

    /// `discover` with the environment passed in, so it can be tested
    /// without mutating the process environment.
    pub fn discover_with(get_env: impl Fn(&str) -> Option<OsString>) -> Paths {
        let project = directories::ProjectDirs::from("", "", "tugboat")
            .map(|p| (p.config_dir().to_path_buf(), p.data_dir().to_path_buf()));
        let uid = rustix::process::geteuid().as_raw();
        Paths::from_parts(get_env, project, &std::env::temp_dir(), uid)
    }

    /// The directories from the environment, the platform's (config, data)
    /// when there is a home directory, else a per-user one in `temp`.
    fn from_parts(
        get_env: impl Fn(&str) -> Option<OsString>,
        project: Option<(PathBuf, PathBuf)>,
        temp: &Path,
        uid: u32,
    ) -> Paths {
        let non_empty = |k: &str| get_env(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        // Without a home directory (rare: system users, scratch containers)
        // the temp dir, which every local user can write: the name is this
        // user's, and `checked` refuses it unless it is this user's alone.
        let fallback = temp.join(format!("tugboat-{uid}"));
        let mut temp_root = None;
        let mut pick = |env: &str, from_project: Option<&PathBuf>, sub: &str| {
            non_empty(env).unwrap_or_else(|| match from_project {
                Some(dir) => dir.clone(),
                None => {
                    temp_root = Some(fallback.clone());
                    fallback.join(sub)
                }
            })
        };
        let config_dir = pick(CONFIG_DIR_ENV, project.as_ref().map(|p| &p.0), "config");
        let data_dir = pick(DATA_DIR_ENV, project.as_ref().map(|p| &p.1), "data");
        Paths {
            config_dir,
            data_dir,
            temp_root,
        }
    }

    /// Made safe to use before anything is read or written: the temp root,
    /// when used, is created 0700 or must already be a directory of this
    /// user that nobody else can write (not a link); the data directory and
    /// its journal, when they exist, must be this user's and writable by
    /// nobody else (the journal not a link either): another user must not
    /// be able to plant a journal that `recover` acts on.
    pub fn checked(self) -> Result<Paths, UnsafeDir> {
        if let Some(root) = &self.temp_root {
            ensure_own_dir(root)?;
            for dir in [&self.config_dir, &self.data_dir] {
                if dir.starts_with(root) {
                    check_own_dir(dir, Links::Refuse)?;
                }
            }
        }
        check_own_dir(&self.data_dir, Links::Follow)?;
        check_own_dir(&self.journal_dir(), Links::Refuse)?;
        Ok(self)
    }

    /// `<data_dir>/journal`: the unfinished jobs `recover` reads.
    pub fn journal_dir(&self) -> PathBuf {
        self.data_dir.join(JOURNAL_DIR)
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
    fn without_a_home_both_go_under_a_per_user_temp_dir() {
        let p = Paths::from_parts(|_| None, None, Path::new("/tmp"), 1000);
        assert_eq!(p.temp_root, Some(PathBuf::from("/tmp/tugboat-1000")));
        assert_eq!(p.config_dir, PathBuf::from("/tmp/tugboat-1000/config"));
        assert_eq!(p.data_dir, PathBuf::from("/tmp/tugboat-1000/data"));
        let home = Some((PathBuf::from("/h/c"), PathBuf::from("/h/d")));
        let p = Paths::from_parts(|_| None, home, Path::new("/tmp"), 1000);
        assert_eq!(p.temp_root, None);
        // Both overridden: the temp dir is not used at all.
        let p = Paths::from_parts(
            |k| Some(format!("/x/{k}").into()),
            None,
            Path::new("/tmp"),
            7,
        );
        assert_eq!(p.temp_root, None);
    }

    #[test]
    fn the_temp_root_is_made_private_and_a_planted_one_refused() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let uid = rustix::process::geteuid().as_raw();
        let paths = || Paths::from_parts(|_| None, None, tmp.path(), uid);
        let p = paths().checked().unwrap();
        let root = p.temp_root.clone().unwrap();
        let mode = std::fs::metadata(&root).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);

        // A journal planted as a link inside (by this user or root only,
        // but recover must not follow it anywhere).
        std::fs::create_dir_all(p.data_dir.clone()).unwrap();
        std::os::unix::fs::symlink(tmp.path(), p.journal_dir()).unwrap();
        let e = paths().checked().unwrap_err();
        assert_eq!(e.path, p.journal_dir());

        // The root itself replaced by a link to a directory someone made.
        std::fs::remove_dir_all(&root).unwrap();
        let planted = tmp.path().join("planted");
        std::fs::create_dir(&planted).unwrap();
        std::os::unix::fs::symlink(&planted, &root).unwrap();
        let e = paths().checked().unwrap_err();
        assert_eq!(e.path, root);
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert!(!planted.join("data").exists());
    }

    #[test]
    fn empty_override_is_ignored() {
        let p = Paths::discover_with(|k| (k == CONFIG_DIR_ENV).then(|| "".into()));
        assert_ne!(p.config_dir, PathBuf::from(""));
        assert!(p.config_dir.ends_with("tugboat") || p.config_dir.ends_with("config"));
    }
}
