//! `tugboat config`: print a commented config.toml with every default, or
//! check a config file the way tugboat reads it; and the keymap the TUI
//! starts with, from the `[keys]` of the config it loaded.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{ArgGroup, Args};

use super::{EXIT_OK, EXIT_USAGE};
use crate::app::keymap::Keymap;
use crate::app::keymap_load::{self, KeymapError};
use crate::app::keymap_text::keys_config_text;
use crate::app::user_actions::build_keymap;
use crate::config::{self, ConfigFile, HostEnv, KeysTable, Paths, Theme, UserActionSpec};

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("what").required(true).args(["print_default", "check"])))]
pub struct ConfigArgs {
    /// Print a config.toml with every setting and key at its default, each
    /// with what it does (`> ~/.config/tugboat/config.toml`, then edit).
    #[arg(long)]
    pub print_default: bool,
    /// Check FILE as tugboat reads it: print `FILE: ok`, or every error
    /// with its line and key (exit 2).
    #[arg(long, value_name = "FILE")]
    pub check: Option<PathBuf>,
}

pub fn run(args: &ConfigArgs) -> ExitCode {
    let Some(path) = &args.check else {
        print!("{}", default_config());
        return ExitCode::from(EXIT_OK);
    };
    let errors = check_errors(path);
    if errors.is_empty() {
        println!("{}: ok", path.display());
        return ExitCode::from(EXIT_OK);
    }
    for e in &errors {
        eprintln!("{}", crate::model::sanitize(e));
    }
    let n = errors.len();
    let s = if n == 1 { "" } else { "s" };
    eprintln!("{}: {n} error{s}", path.display());
    ExitCode::from(EXIT_USAGE)
}

/// The whole default config: settings, examples, then every key.
pub fn default_config() -> String {
    format!(
        "{}\n{}",
        config::default_config_text(),
        keys_config_text(&keymap_load::default_keymap())
    )
}

/// Every error of the config file at `path`, each with its line; none:
/// tugboat would start with it as it is.
pub fn check_errors(path: &Path) -> Vec<String> {
    let src = match std::fs::read_to_string(path) {
        Ok(src) => src,
        Err(e) => return vec![format!("{}: cannot read: {e}", path.display())],
    };
    // Past a syntax error nothing else can be read.
    let file = match config::parse_config(path, &src) {
        Ok(file) => file,
        Err(e) => return vec![e.to_string()],
    };
    let mut errors = Vec::new();
    // The file's hosts as the loader merges them (DOCKER_HOST is not the file's).
    let env = HostEnv {
        docker_host: None,
        ..HostEnv::from_process()
    };
    if let Err(e) = config::resolve_hosts(&file, &[], &env) {
        errors.push(e.to_string());
    }
    if let Some(e) = theme_error(&file) {
        errors.push(e);
    }
    errors.extend(
        build_keymap(&file.keys, &file.actions)
            .errors
            .iter()
            .map(|e| e.to_string()),
    );
    errors
}

/// A `theme =` that names no theme (or a broken theme file), at its line.
fn theme_error(file: &ConfigFile) -> Option<String> {
    let at = file.theme_at.as_ref()?;
    let config_dir = Paths::discover().config_dir;
    let e = Theme::load(&file.settings.theme, &config_dir).err()?;
    Some(format!("{at}: theme: {e}"))
}

/// The keymap for the TUI: a mistake in `[keys]` stops it (said on stderr,
/// exit 2); two actions on one key only make the first win, said on the
/// status line (the notice returned).
pub fn keymap_for_tui(
    keys: &KeysTable,
    actions: &[UserActionSpec],
) -> Result<(Arc<Keymap>, Option<String>), ExitCode> {
    let built = build_keymap(keys, actions);
    if built.errors.iter().any(KeymapError::stops_start) {
        for e in &built.errors {
            eprintln!("tugboat: {}", crate::model::sanitize(&e.to_string()));
        }
        eprintln!("tugboat: `tugboat config --check FILE` checks a config file");
        return Err(ExitCode::from(EXIT_USAGE));
    }
    let conflicts: Vec<String> = built.errors.iter().map(|e| e.to_string()).collect();
    let notice = (!conflicts.is_empty())
        .then(|| crate::model::sanitize(&format!("keys: {}", conflicts.join(" · "))));
    Ok((Arc::new(built.keymap), notice))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_make_a_notice_and_mistakes_stop_the_tui() {
        let parse = |src: &str| config::parse_config(Path::new("c.toml"), src).unwrap().keys;
        let (keymap, notice) = keymap_for_tui(&parse(""), &[]).unwrap();
        assert_eq!(notice, None);
        assert_eq!(
            keymap.bindings().len(),
            keymap_load::default_keymap().bindings().len()
        );
        let (_, notice) = keymap_for_tui(&parse("[keys.nodes]\nlogs = \"o\"\n"), &[]).unwrap();
        let notice = notice.unwrap();
        assert!(
            notice.starts_with("keys: c.toml:2:1: key o: \"logs\" (nodes)"),
            "{notice}"
        );
        assert!(keymap_for_tui(&parse("[keys.nodes]\nkill = \"j\"\n"), &[]).is_err());
        assert!(keymap_for_tui(&parse("[keys.nodes]\nreboot = \"j\"\n"), &[]).is_err());
    }
}
