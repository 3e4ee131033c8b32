//! `tugboat create` when something goes wrong at each step: a missing
//! image (nothing created), a taken port, a member that exits, checks that
//! never pass, a cancel. After each, no object made by the run remains and
//! a pre-existing volume with the cluster's name prefix is intact.

mod common;
mod create_common;

use std::time::Duration;

use common::*;
use create_common::*;

/// A volume `NAME-keep` made before the run (with the test's run label, so
/// `Cleanup` removes it), holding a file.
fn pre_existing_volume(name: &str, run: &str) -> String {
    let vol = format!("{name}-keep");
    let label = format!("{TEST_LABEL}={run}");
    docker(&["volume", "create", "--label", &label, &vol]);
    let mount = format!("{vol}:/v");
    docker(&[
        "run",
        "--rm",
        "--label",
        &label,
        "-v",
        &mount,
        BUSYBOX,
        "sh",
        "-c",
        "echo kept > /v/f",
    ]);
    vol
}

fn assert_intact(vol: &str) {
    let mount = format!("{vol}:/v");
    let out = docker(&["run", "--rm", "-v", &mount, BUSYBOX, "cat", "/v/f"]);
    assert_eq!(out, "kept", "the pre-existing volume {vol} was touched");
}

#[test]
fn a_missing_image_is_reported_with_local_images_and_nothing_is_created() {
    require_engine();
    let name = unique("miss");
    let _gone = ClusterCleanup(name.clone());
    let dir = tempfile::tempdir().unwrap();
    let spec = format!(
        "name = \"{name}\"\ntemplate = \"zookeeper\"\n[zookeeper]\nimage = \"tugboat-test/zookeeper:0.0-missing\"\n"
    );
    // Found before the question (and by a dry run, which then fails), with
    // the pull to run and where.
    for extra in [&[][..], &["--dry-run"][..]] {
        let (code, out, err) = create(dir.path(), &spec, extra);
        assert_eq!(code, 2, "{extra:?}: {out}\n{err}");
        assert!(
            err.contains(
                "image tugboat-test/zookeeper:0.0-missing is not on host local: \
                 run `docker pull tugboat-test/zookeeper:0.0-missing` on local first"
            ),
            "{err}"
        );
        assert!(err.contains(ZK), "the local image that would fit: {err}");
        assert!(!out.contains("] created "), "{out}");
        assert!(objects_of(&name).is_empty(), "{:?}", objects_of(&name));
    }
    let (code, json, err) = create(dir.path(), &spec, &["--dry-run", "--json"]);
    assert_eq!(code, 2, "{json}\n{err}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let missing = report["missing_images"][0].as_str().unwrap_or_default();
    assert!(
        missing.contains("docker pull tugboat-test/zookeeper:0.0-missing"),
        "{json}"
    );
}

/// How many objects the job's undo removed, by its progress lines.
fn undone(out: &str) -> usize {
    out.lines()
        .filter(|l| l.trim_start().starts_with("undo: remove ") && l.ends_with(": done"))
        .count()
}

#[test]
fn a_taken_port_rolls_back_and_leaves_a_pre_existing_volume_alone() {
    require_engine();
    let name = unique("port");
    let run = unique("port-run");
    let _cleanup = Cleanup::new(&run);
    let _gone = ClusterCleanup(name.clone());
    let vol = pre_existing_volume(&name, &run);
    // Something outside Docker holds the port, so the plan cannot see it
    // and starting the balancer is what fails.
    let listener = std::net::TcpListener::bind("0.0.0.0:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let spec = app_spec(&name, BUSYBOX, "/", Some(port));
    let (code, out, err) = create(dir.path(), &spec, &[]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains(&format!("create container {name}-app2")),
        "{out}"
    );
    assert!(out.contains(&format!("{name}-lb")), "{out}");
    // The balancer that could not start was removed by its own step; the
    // undo removes the rest, newest first.
    assert_eq!(undone(&out), 3, "{out}");
    for gone in [
        format!("undo: remove container {name}-app2 on local: done"),
        format!("undo: remove network {name} on local: done"),
    ] {
        assert!(out.contains(&gone), "{gone}: {out}");
    }
    assert!(objects_of(&name).is_empty(), "{:?}", objects_of(&name));
    assert_intact(&vol);
    drop(listener);
}

#[test]
fn a_member_that_exits_fails_the_run_and_rolls_back() {
    require_engine();
    let name = unique("exit");
    let run = unique("exit-run");
    let _cleanup = Cleanup::new(&run);
    let _gone = ClusterCleanup(name.clone());
    let vol = pre_existing_volume(&name, &run);
    let dir = tempfile::tempdir().unwrap();
    // A "member" that says why and ends at once: the MariaDB image's
    // entrypoint refuses to start without a root password setting.
    let spec = format!(
        "name = \"{name}\"\ntemplate = \"zookeeper\"\n[zookeeper]\nimage = \"{MARIADB}\"\nmembers = 1\n"
    );
    let (code, out, err) = create(dir.path(), &spec, &[]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains(&format!("container {name}-zk1 on local stopped")),
        "{out}"
    );
    // Its own words, read before the rollback removed it.
    assert!(
        out.contains(&format!("last log lines of {name}-zk1:"))
            && out.contains("password option is not specified"),
        "{out}"
    );
    assert_eq!(undone(&out), 4, "{out}");
    assert!(objects_of(&name).is_empty(), "{:?}", objects_of(&name));
    assert_intact(&vol);
}

#[test]
fn checks_that_never_pass_time_out_and_roll_back() {
    require_engine();
    let name = unique("slow");
    let _gone = ClusterCleanup(name.clone());
    let dir = tempfile::tempdir().unwrap();
    // The health path answers 404: HAProxy never marks the servers UP.
    let spec = app_spec(&name, BUSYBOX, "/no-such-page", None);
    let (code, out, err) = create(dir.path(), &spec, &["--verify-timeout", "6"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("verification timed out after 6s"), "{out}");
    // HAProxy's own words on why, read before the rollback removed it.
    assert!(out.contains("wrong status, code: 404"), "{out}");
    // The reason names the balancer whose servers never came UP.
    assert!(out.contains(&format!("{name}-lb")), "{out}");
    assert_eq!(undone(&out), 4, "{out}");
    assert!(objects_of(&name).is_empty(), "{:?}", objects_of(&name));
}

#[test]
fn an_existing_network_by_the_cluster_name_stops_the_run_before_anything() {
    require_engine();
    let name = unique("net");
    let run = unique("net-run");
    let _cleanup = Cleanup::new(&run);
    let _gone = ClusterCleanup(name.clone());
    docker(&[
        "network",
        "create",
        "--label",
        &format!("{TEST_LABEL}={run}"),
        &name,
    ]);
    let dir = tempfile::tempdir().unwrap();
    let spec = app_spec(&name, BUSYBOX, "/", None);
    let (code, out, err) = create(dir.path(), &spec, &[]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains(&format!("network {name} already exists on local")),
        "{out}"
    );
    // The network someone else made is still there.
    let id = docker(&["network", "inspect", "-f", "{{.Name}}", &name]);
    assert_eq!(id, name);
    assert!(objects_of(&name).containers.is_empty());
}

#[test]
fn ctrl_c_during_the_run_rolls_back() {
    require_engine();
    let name = unique("int");
    let _gone = ClusterCleanup(name.clone());
    let dir = tempfile::tempdir().unwrap();
    // Checks that never pass keep the run going until the interrupt.
    let spec = app_spec(&name, BUSYBOX, "/no-such-page", None);
    let path = dir.path().join("spec.toml");
    std::fs::write(&path, spec).unwrap();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_tugboat"))
        .env("TUGBOAT_CONFIG_DIR", dir.path())
        .env("TUGBOAT_DATA_DIR", dir.path().join("data"))
        .env_remove("DOCKER_HOST")
        .args(["--host", &format!("local={LOCAL_URL}"), "create", "--yes"])
        .args(["--from", &path.display().to_string()])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the balancer exists, i.e. the run is verifying.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while objects_of(&name).containers.len() < 3 {
        assert!(
            std::time::Instant::now() < deadline,
            "the run never got going"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let pid = child.id().to_string();
    std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    // 128 + SIGINT: stopped by the signal, after the rollback.
    assert_eq!(out.status.code(), Some(130), "{text}");
    assert!(text.contains("interrupted by SIGINT after"), "{text}");
    assert_eq!(undone(&text), 4, "{text}");
    assert!(objects_of(&name).is_empty(), "{:?}", objects_of(&name));
}

#[test]
fn a_host_that_does_not_answer_stops_the_run_before_anything() {
    require_engine();
    let name = unique("down");
    let _gone = ClusterCleanup(name.clone());
    let dir = tempfile::tempdir().unwrap();
    let spec = format!(
        "name = \"{name}\"\ntemplate = \"app\"\n[placement]\nhosts = [\"gone\"]\n\
         [app]\nimage = \"{BUSYBOX}\"\nport = 8080\nhaproxy_image = \"{HAPROXY}\"\n"
    );
    let path = dir.path().join("spec.toml");
    std::fs::write(&path, spec).unwrap();
    let path = path.display().to_string();
    let local = format!("local={LOCAL_URL}");
    // Nothing listens on the discard port: the host never connects.
    let args = [
        "--host",
        &local,
        "--host",
        "gone=tcp://127.0.0.1:9",
        "create",
        "--from",
        &path,
        "--yes",
    ];
    let (code, out, err) = run_tugboat(dir.path(), &[], &args);
    assert_eq!(code, 1, "{out}\n{err}");
    // An error is said on stderr (the one contract: src/cli/contract.rs).
    assert!(
        err.contains("host gone is not reachable: nothing was created"),
        "{out}\n{err}"
    );
    assert!(objects_of(&name).is_empty(), "{:?}", objects_of(&name));
}
