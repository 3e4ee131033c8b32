//! The wizard's effects of listing the hosts' images and saving a spec
//! file (creating a cluster is `create_job`).

use std::path::Path;

use super::inbox::Outbox;
use crate::app::{Level, Msg};
use crate::config::private_fs::write_private;
use crate::config::Paths;
use crate::docker::HostHandle;

/// Each host's local image tags, as it answers; a host that does not
/// answer stays unknown (the create's preflight asks it again).
pub fn list_images(outbox: &Outbox, hosts: Vec<HostHandle>) {
    for h in hosts {
        let outbox = outbox.clone();
        tokio::spawn(async move {
            if let Ok(images) = h.local_images().await {
                outbox
                    .send(Msg::HostImages {
                        host: h.name.clone(),
                        images,
                    })
                    .await;
            }
        });
    }
}

/// Write `text` to `path`; a relative path is under the config directory
/// (`specs/NAME.toml`). The outcome is for the status line: the loop
/// applies it itself (written at once, nothing to wait for).
pub fn save_spec(path: &Path, text: &str) -> Msg {
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
    Msg::Status { level, text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::create::spec::{ClusterSpec, Template};

    #[test]
    fn a_spec_is_written_and_the_outcome_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("specs/zk.toml");
        let text = ClusterSpec::new("zk", Template::Zookeeper).to_toml();
        let said = save_spec(&path, &text);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600, "a spec may hold secrets");
        assert_eq!(mode(&dir.path().join("specs")), 0o700);
        match said {
            Msg::Status { level, text } => {
                assert_eq!(level, Level::Ok);
                assert!(text.contains("specs/zk.toml"), "{text}");
            }
            other => panic!("{other:?}"),
        }
        // A file where the directory should be: the reason, no panic.
        let blocked = dir.path().join("specs/zk.toml/x.toml");
        match save_spec(&blocked, &text) {
            Msg::Status { level, text } => {
                assert_eq!(level, Level::Error);
                assert!(text.contains("could not save the spec"), "{text}");
            }
            other => panic!("{other:?}"),
        }
    }
}
