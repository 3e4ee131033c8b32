//! `tugboat status`: table and JSON against the real local engine, and the
//! exit codes (0 all hosts answered, 1 some did not, 2 bad usage or config).

mod common;

use common::*;

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
    let (code, json, err) = run_tugboat(dir.path(), &[], &["status", "--json"]);
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

    let (code, table, _) = run_tugboat(dir.path(), &[], &["status"]);
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

/// What is not found while a host did not answer may be on it: `restart`
/// and `logs` name the host and exit 1, not "no such thing" (exit 2, and
/// `logs` listed `clusters: ` with nothing after it).
#[test]
fn not_found_while_a_host_is_down_names_the_host_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    for verb in [&["restart", "x"][..], &["logs", "x"]] {
        let args: Vec<&str> = ["--host", "gone=tcp://127.0.0.1:1"]
            .iter()
            .chain(verb)
            .copied()
            .collect();
        let (code, out, err) = run_tugboat(dir.path(), &[], &args);
        assert_eq!(code, 1, "{verb:?}: {out}{err}");
        assert!(err.contains("not answering: gone"), "{verb:?}: {err}");
        assert!(!err.contains("clusters: )"), "{verb:?}: {err}");
    }
    let (code, out, _) = run_tugboat(
        dir.path(),
        &[],
        &["--host", "gone=tcp://127.0.0.1:1", "restart", "x", "--json"],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("\"kind\":\"failed\""), "{out}");
}

#[test]
fn unreachable_host_exits_1_and_bad_input_exits_2() {
    require_engine();
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run_tugboat(
        dir.path(),
        &[],
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

    let (code, _, err) = run_tugboat(dir.path(), &[], &["--host", "nonsense", "status"]);
    assert_eq!(code, 2);
    assert!(err.contains("NAME=URL"), "{err}");

    std::fs::write(
        dir.path().join("config.toml"),
        "[[hosts]]\nname = \"a\"\nurl = 5\n",
    )
    .unwrap();
    let (code, _, err) = run_tugboat(dir.path(), &[], &["status"]);
    assert_eq!(code, 2);
    assert!(err.contains("config.toml:3"), "names file and line: {err}");

    let (code, _, err) = run_tugboat(dir.path(), &[], &["status", "--bogus"]);
    assert_eq!(code, 2, "{err}");

    // A config file named on the command line must exist.
    let (code, _, err) = run_tugboat(
        dir.path(),
        &[],
        &["--config", "/nonexistent.toml", "status"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("/nonexistent.toml: cannot read"), "{err}");
}

#[test]
fn docker_cli_contexts_become_hosts() {
    require_engine();
    let dir = tempfile::tempdir().unwrap();
    let docker_dir = dir.path().join("docker-cli");
    // As the docker CLI lays them out: the current context in config.json,
    // each context's endpoint in contexts/meta/<id>/meta.json.
    let meta = docker_dir.join("contexts/meta/0a1b2c");
    std::fs::create_dir_all(&meta).unwrap();
    std::fs::write(
        docker_dir.join("config.json"),
        r#"{"auths":{},"currentContext":"prod-like"}"#,
    )
    .unwrap();
    std::fs::write(
        meta.join("meta.json"),
        format!(r#"{{"Name":"prod-like","Metadata":{{"Description":"test"}},"Endpoints":{{"docker":{{"Host":"{LOCAL_URL}","SkipTLSVerify":false}}}}}}"#),
    )
    .unwrap();
    let docker_config = docker_dir.to_string_lossy().to_string();
    let (code, json, err) = run_tugboat(
        dir.path(),
        &[("DOCKER_CONFIG", &docker_config)],
        &["status", "--json"],
    );
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let hosts = report["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 1, "{json}");
    assert_eq!(hosts[0]["name"], "prod-like");
    assert_eq!(hosts[0]["state"], "up");
    assert!(
        hosts[0]["source"].as_str().unwrap().contains("prod-like"),
        "{}",
        hosts[0]
    );
}
