//! The wizard's effects of listing the hosts' images and saving a spec
//! file (creating a cluster is `create_job`).

use std::path::Path;

use tokio::sync::mpsc;

use crate::app::{Level, Msg};
use crate::config::private_fs::write_private;
use crate::config::Paths;
use crate::docker::HostHandle;

/// Each host's local image tags, as it answers; a host that does not
/// answer stays unknown (the create's preflight asks it again).
pub fn list_images(tx: &mpsc::UnboundedSender<Msg>, hosts: Vec<HostHandle>) {
    for h in hosts {
        let tx = tx.clone();
        tokio::spawn(async move {
            if let Ok(images) = h.local_images().await {
                let _ = tx.send(Msg::HostImages {
                    host: h.name.clone(),
                    images,
                });
            }
        });
    }
}

/// Write `text` to `path`; a relative path is under the config directory
/// (`specs/NAME.toml`). The outcome goes to the status line.
pub fn save_spec(tx: &mpsc::UnboundedSender<Msg>, path: &Path, text: &str) {
    let full = if path.is_relative() {
        Paths::discover().config_dir.join(path)
    } else {
        path.to_path_buf()
    };
    // Private: a spec may carry passwords or the names of secret files.
    let result = write_private(&full, text.as_bytes());
    let (level, text) = match result {
        Ok(()) => (Level::Ok, format!("spec saved to {}", full.display())),
        Err(e) => (
            Level::Error,
            format!("could not save the spec to {}: {e}", full.display()),
        ),
    };
    let _ = tx.send(Msg::Status { level, text });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::create::spec::{ClusterSpec, Template};

    #[test]
    fn a_spec_is_written_and_the_outcome_reported() {
        let dir = tempfile::tempdir().unwrap();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let path = dir.path().join("specs/zk.toml");
        let text = ClusterSpec::new("zk", Template::Zookeeper).to_toml();
        save_spec(&tx, &path, &text);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600, "a spec may hold secrets");
        assert_eq!(mode(&dir.path().join("specs")), 0o700);
        match rx.try_recv() {
            Ok(Msg::Status { level, text }) => {
                assert_eq!(level, Level::Ok);
                assert!(text.contains("specs/zk.toml"), "{text}");
            }
            other => panic!("{other:?}"),
        }
        // A file where the directory should be: the reason, no panic.
        let blocked = dir.path().join("specs/zk.toml/x.toml");
        save_spec(&tx, &blocked, &text);
        match rx.try_recv() {
            Ok(Msg::Status { level, text }) => {
                assert_eq!(level, Level::Error);
                assert!(text.contains("could not save the spec"), "{text}");
            }
            other => panic!("{other:?}"),
        }
    }
}
