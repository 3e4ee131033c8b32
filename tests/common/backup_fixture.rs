//! Helpers for the backup tests: running tugboat headless against the
//! local engine, filling and describing volumes, and guards that remove
//! what tugboat itself created (helpers a killed run left, new volumes).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::common::*;

pub const DB_IMAGE: &str = "tugboat-test/mariadb:10.11";
pub const HOST: &str = "local=unix:///var/run/docker.sock";

/// `tugboat --host local=… ARGS`, with a private config and data dir.
pub fn tugboat(config: &Path, args: &[&str]) -> (i32, String, String) {
    let mut all = vec!["--host", HOST];
    all.extend_from_slice(args);
    run_tugboat(config, &[], &all)
}

pub fn label(run: &str) -> String {
    format!("{TEST_LABEL}={run}")
}

pub fn volume(run: &str, name: &str) {
    docker(&["volume", "create", "--label", &label(run), name]);
}

/// Run a shell script in a throwaway busybox container with `vol` at /v.
pub fn in_volume(run: &str, vol: &str, script: &str) -> String {
    docker(&[
        "run",
        "--rm",
        "--label",
        &label(run),
        "-v",
        &format!("{vol}:/v"),
        BUSYBOX,
        "sh",
        "-c",
        script,
    ])
}

/// Every entry under /v: path, type, mode, owner, size, link target and
/// content hash, sorted, for comparing two volumes.
pub fn describe(run: &str, vol: &str) -> String {
    in_volume(
        run,
        vol,
        "cd /v && find . | sort | while read -r f; do \
           printf '%s %s\\n' \"$(stat -c '%n %F %a %u:%g %s' \"$f\")\" \
             \"$( [ -L \"$f\" ] && readlink \"$f\" || { [ -f \"$f\" ] && sha256sum < \"$f\" | cut -c1-64; } )\"; \
         done",
    )
}

/// Removes helpers a killed tugboat left on a volume, so the volume can go.
pub struct Helpers(pub String);

impl Drop for Helpers {
    fn drop(&mut self) {
        let filter = format!("label=io.tugboat.volume={}", self.0);
        let ids = Command::new("docker")
            .args(["ps", "-aq", "--filter", &filter])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
            .unwrap_or_default();
        for id in ids.split_whitespace() {
            let _ = Command::new("docker").args(["rm", "-f", "-v", id]).output();
        }
    }
}

/// A volume tugboat created (no test label), removed at the end.
pub struct CreatedVolume(pub String);

impl Drop for CreatedVolume {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["volume", "rm", "-f", &self.0])
            .output();
    }
}

pub fn json(text: &str) -> Value {
    let line = text.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Back up `vol` into `dir` (--yes --json, busybox helper); returns the
/// archive path after checking the command said done.
pub fn backup(config: &Path, vol: &str, dir: &Path) -> PathBuf {
    let (code, out, err) = tugboat(
        config,
        &[
            "backup",
            vol,
            "--dir",
            dir.to_str().unwrap(),
            "--image",
            BUSYBOX,
            "--yes",
            "--json",
        ],
    );
    assert_eq!(code, 0, "backup failed: {out} {err}");
    let report = json(&out);
    assert_eq!(report["outcome"]["outcome"], "done", "{report}");
    PathBuf::from(report["archive"].as_str().expect("archive path"))
}

pub fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

pub fn volume_exists(name: &str) -> bool {
    Command::new("docker")
        .args(["volume", "inspect", name])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `docker inspect -f {{.State.Status}}`.
pub fn state(container: &str) -> String {
    docker(&["inspect", "-f", "{{.State.Status}}", container])
}

/// A volume of 300 MB of random data (it compresses slowly: a backup's
/// copy lasts seconds) and a running busybox user of it: (volume, user).
pub fn volume_with_user(run: &str) -> (String, String) {
    let source = format!("{run}-src");
    volume(run, &source);
    in_volume(
        run,
        &source,
        "dd if=/dev/urandom of=/v/data bs=1M count=300 2>/dev/null",
    );
    let user = format!("{run}-user");
    run_busybox(
        run,
        &user,
        &["-v", &format!("{source}:/data")],
        &["sleep", "600"],
    );
    (source, user)
}

/// Ids of the helper containers of `volume`'s backups and restores.
pub fn helpers_of(volume: &str) -> String {
    docker(&[
        "ps",
        "-aq",
        "--filter",
        &format!("label=io.tugboat.volume={volume}"),
    ])
}
