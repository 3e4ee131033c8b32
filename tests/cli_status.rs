//! `tugboat status`: table and JSON against the real local engine, and the
//! exit codes (0 all hosts answered, 1 some did not, 2 bad usage or config).

mod common;

use std::process::Command;

use common::*;

fn tugboat(config_dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tugboat"))
        .env("TUGBOAT_CONFIG_DIR", config_dir)
        .env("TUGBOAT_DATA_DIR", config_dir.join("data"))
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .env("DOCKER_CONFIG", config_dir.join("no-docker-cli"))
        .args(args)
        .output()
        .expect("tugboat runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn status_lists_local_containers_as_json_and_table() {
    require_engine();
    let run = unique("status");
    let _cleanup = Cleanup::new(&run);
    let label = format!("{TEST_LABEL}={run}");
    let name = format!("{run}-zk");
    docker(&[
        "run",
        "-d",
        "--name",
        &name,
        "--label",
        &label,
        "--label",
        &format!("io.tugboat.cluster={run}-ens"),
        "--label",
        "io.tugboat.role=zookeeper",
        BUSYBOX,
        "sleep",
        "600",
    ]);
    let dir = tempfile::tempdir().unwrap();
    // With nothing configured, the local engine is used.
    let (code, json, err) = tugboat(dir.path(), &["status", "--json"]);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["hosts"][0]["name"], "local");
    assert_eq!(report["hosts"][0]["state"], "up");
    let c = report["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name.as_str())
        .unwrap();
    assert_eq!(c["role"], "zookeeper");
    assert_eq!(c["cluster"], format!("{run}-ens"));
    assert_eq!(c["cluster_kind"], "tugboat");
    assert_eq!(c["state"], "running");
    let cluster = report["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == format!("{run}-ens"))
        .unwrap();
    assert_eq!(cluster["members"][0], format!("local/{name}"));

    let (code, table, _) = tugboat(dir.path(), &["status"]);
    assert_eq!(code, 0);
    let line = table
        .lines()
        .find(|l| l.contains(&name))
        .expect("the container's row");
    assert!(
        line.contains("zookeeper") && line.contains("running"),
        "{line}"
    );
}

#[test]
fn unreachable_host_exits_1_and_bad_input_exits_2() {
    require_engine();
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = tugboat(
        dir.path(),
        &[
            "--host",
            "local=unix:///var/run/docker.sock",
            "--host",
            "gone=tcp://127.0.0.1:1",
            "status",
        ],
    );
    assert_eq!(code, 1, "{out}");
    let gone = out
        .lines()
        .find(|l| l.trim_start().starts_with("gone"))
        .unwrap();
    assert!(
        gone.contains("unreachable") && gone.contains("refused"),
        "{gone}"
    );

    let (code, _, err) = tugboat(dir.path(), &["--host", "nonsense", "status"]);
    assert_eq!(code, 2);
    assert!(err.contains("NAME=URL"), "{err}");

    std::fs::write(
        dir.path().join("config.toml"),
        "[[hosts]]\nname = \"a\"\nurl = 5\n",
    )
    .unwrap();
    let (code, _, err) = tugboat(dir.path(), &["status"]);
    assert_eq!(code, 2);
    assert!(err.contains("config.toml:3"), "names file and line: {err}");

    let (code, _, err) = tugboat(dir.path(), &["status", "--bogus"]);
    assert_eq!(code, 2, "{err}");
}
