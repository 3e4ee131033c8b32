//! Helpers for the `tugboat create` tests: running the binary on a spec,
//! and finding (and, on drop, removing) what a run made for a cluster.
#![allow(dead_code)]

use std::path::Path;

use super::common::{docker_lines, run_tugboat, LOCAL_URL};

pub const ZK: &str = "tugboat-test/zookeeper:3.8";
pub const MARIADB: &str = "tugboat-test/mariadb:10.11";
pub use super::common::HAPROXY;

/// Everything carrying the cluster's label on the local engine.
#[derive(Debug, Default)]
pub struct Objects {
    pub containers: Vec<String>,
    pub volumes: Vec<String>,
    pub networks: Vec<String>,
}

impl Objects {
    pub fn is_empty(&self) -> bool {
        self.containers.is_empty() && self.volumes.is_empty() && self.networks.is_empty()
    }
}

pub fn objects_of(cluster: &str) -> Objects {
    let filter = format!("label=io.tugboat.cluster={cluster}");
    Objects {
        containers: docker_lines(&["ps", "-aq", "--filter", &filter]),
        volumes: docker_lines(&["volume", "ls", "-q", "--filter", &filter]),
        networks: docker_lines(&["network", "ls", "-q", "--filter", &filter]),
    }
}

/// Removes whatever carries the cluster's label when dropped (even on
/// panic): the objects a `tugboat create` run made carry it, not the run
/// label of `Cleanup`.
pub struct ClusterCleanup(pub String);

impl Drop for ClusterCleanup {
    fn drop(&mut self) {
        let o = objects_of(&self.0);
        for id in &o.containers {
            docker_lines(&["rm", "-f", "-v", id]);
        }
        for v in &o.volumes {
            docker_lines(&["volume", "rm", "-f", v]);
        }
        for n in &o.networks {
            docker_lines(&["network", "rm", n]);
        }
    }
}

/// The binary against the local engine only.
pub fn tugboat(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let host = format!("local={LOCAL_URL}");
    let mut all = vec!["--host", host.as_str()];
    all.extend_from_slice(args);
    run_tugboat(dir, &[], &all)
}

/// Write `spec` to DIR/spec.toml and `tugboat create --from` it with --yes.
pub fn create(dir: &Path, spec: &str, extra: &[&str]) -> (i32, String, String) {
    let path = dir.join("spec.toml");
    std::fs::write(&path, spec).expect("spec written");
    let path = path.display().to_string();
    let mut args = vec!["create", "--from", path.as_str(), "--yes"];
    args.extend_from_slice(extra);
    tugboat(dir, &args)
}

pub fn status_json(dir: &Path) -> serde_json::Value {
    let (_, out, err) = tugboat(dir, &["status", "--json"]);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("status --json: {e}: {out}\n{err}"))
}

/// Two replicas of `image` (listening on 8080) behind HAProxy.
pub fn app_spec(name: &str, image: &str, health: &str, published: Option<u16>) -> String {
    let mut s = format!(
        "name = \"{name}\"\ntemplate = \"app\"\n[app]\nimage = \"{image}\"\nport = 8080\nreplicas = 2\nhealth_path = \"{health}\"\nhaproxy_image = \"{HAPROXY}\"\n"
    );
    if let Some(p) = published {
        s.push_str(&format!("published_port = {p}\n"));
    }
    s
}
