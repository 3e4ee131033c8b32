//! The wizard's effects: saving a spec file, and (until the apply engine
//! is merged) the placeholder for creating a cluster.

use std::path::Path;

use tokio::sync::mpsc;

use crate::app::{Level, Msg};
use crate::config::Paths;
use crate::create::spec::ClusterSpec;

/// Write `text` to `path`; a relative path is under the config directory
/// (`specs/NAME.toml`). The outcome goes to the status line.
pub fn save_spec(tx: &mpsc::UnboundedSender<Msg>, path: &Path, text: &str) {
    let full = if path.is_relative() {
        Paths::discover().config_dir.join(path)
    } else {
        path.to_path_buf()
    };
    let result = full
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&full, text));
    let (level, text) = match result {
        Ok(()) => (Level::Ok, format!("spec saved to {}", full.display())),
        Err(e) => (
            Level::Error,
            format!("could not save the spec to {}: {e}", full.display()),
        ),
    };
    let _ = tx.send(Msg::Status { level, text });
}

/// PLACEHOLDER: the apply engine lives on another branch; the lead wires
/// `Effect::CreateCluster` to it at merge time.
pub fn create_not_connected(tx: &mpsc::UnboundedSender<Msg>, spec: &ClusterSpec) {
    let _ = tx.send(Msg::Status {
        level: Level::Warn,
        text: format!(
            "create {}: the apply engine is not connected in this build; nothing was created",
            spec.name
        ),
    });
}
