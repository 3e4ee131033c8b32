//! Configuration: the config file, host sources and themes.
//!
//! Defaults live in the binary; users override them in
//! `<config_dir>/config.toml` and `<config_dir>/themes/*.toml`. Every
//! error names the file, line and column, and what was expected.

mod actions;
mod contexts;
mod credentials;
mod default_text;
mod engine_url;
mod error;
mod file;
mod hosts;
mod keys;
mod paths;
pub mod private_fs;
mod ssh_url;
mod theme;
mod tls_paths;

pub use actions::{ActionScope, ArgPart, Placeholder, UserActionSpec, DEFAULT_ACTION_TIMEOUT};
pub use contexts::{current_context, list_contexts, DockerContext};
pub use credentials::{Binding, DbCredential, Secret};
pub use default_text::{default_config_text, toml_string};
pub use engine_url::check_url;
pub use error::{ConfigError, UrlError};
pub use file::{
    load_config_file, load_named_config_file, parse_config, ColorSetting, ConfigFile, HostEntry,
    Settings,
};
pub use hosts::{
    lower_scheme, parse_host_flag, resolve_hosts, HostEnv, HostSource, HostSpec, LOCAL_ENGINE_URL,
};
pub use keys::{parse_keys_document, KeysContext, KeysEntry, KeysTable, Place};
pub use paths::{Paths, CONFIG_DIR_ENV, DATA_DIR_ENV};
pub use ssh_url::{parse_ssh_url, SshUrl};
pub use theme::{ColorDepth, Theme, BUILTIN_THEMES};
pub use tls_paths::TlsPaths;
