//! A ZooKeeper ensemble spread over two engines (the local one and a
//! Docker-in-Docker Engine 26 host) by `tugboat create`: members talk
//! through ports published on each host's address and form a quorum.

mod common;
mod create_common;

use std::process::Command;

use common::*;
use create_common::*;

const HOST2: &str = "tb-it-create-host2";
const HOST2_ADDR: &str = "127.0.0.31";

/// The second engine, removed when dropped.
struct Dind;

impl Dind {
    fn start() -> Dind {
        let status = Command::new("bash")
            .arg(repo_root().join("scripts/dind.sh"))
            .args(["start", HOST2, HOST2_ADDR, "tugboat-test/dind:trixie"])
            .status()
            .expect("scripts/dind.sh runs");
        assert!(
            status.success(),
            "could not start the Docker-in-Docker host"
        );
        Dind
    }
}

impl Drop for Dind {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["rm", "-f", "-v", HOST2])
            .output();
    }
}

/// Copy the ZooKeeper image into the (empty) inner engine when missing.
fn load_zookeeper(url: &str) {
    let here = Command::new("docker")
        .env("DOCKER_HOST", url)
        .args(["image", "inspect", ZK])
        .output()
        .is_ok_and(|o| o.status.success());
    if !here {
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "docker save {ZK} | DOCKER_HOST={url} docker load >/dev/null"
            ))
            .status()
            .expect("sh runs");
        assert!(status.success(), "could not load {ZK} into {HOST2}");
    }
}

fn mode(url: Option<&str>, container: &str) -> String {
    docker_at(
        url,
        &[
            "exec",
            container,
            "bash",
            "-c",
            // The spec's client port, inside every member's container.
            "exec 3<>/dev/tcp/127.0.0.1/32181; echo srvr >&3; grep Mode <&3",
        ],
    )
}

#[test]
fn an_ensemble_spread_over_two_engines_forms_a_quorum() {
    require_engine();
    let name = unique("spread");
    let _gone = ClusterCleanup(name.clone());
    let _dind = Dind::start();
    let url2 = format!("tcp://{HOST2_ADDR}:2375");
    load_zookeeper(&url2);
    // Containers on the inner engine reach the local host's published ports
    // at the local bridge's gateway; local ones reach the inner engine's at
    // its container's address on that bridge (TESTBED.md §4).
    let gateway = docker(&[
        "network",
        "inspect",
        "-f",
        "{{(index .IPAM.Config 0).Gateway}}",
        "bridge",
    ]);
    let host2_ip = docker(&["inspect", "-f", "{{.NetworkSettings.IPAddress}}", HOST2]);
    let spec = format!(
        "name = \"{name}\"\ntemplate = \"zookeeper\"\n\
         [placement]\nhosts = [\"local\", \"host2\"]\naddresses = {{ local = \"{gateway}\", host2 = \"{host2_ip}\" }}\n\
         [zookeeper]\nimage = \"{ZK}\"\nmembers = 3\nvolumes = false\n\
         client_port = 32181\npeer_port = 32888\nelection_port = 33888\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spec.toml");
    std::fs::write(&path, spec).unwrap();
    let path = path.display().to_string();
    let hosts = [
        "--host".to_string(),
        format!("local={LOCAL_URL}"),
        "--host".to_string(),
        format!("host2={url2}"),
    ];
    let args = |more: &[&str]| -> Vec<String> {
        let mut a = hosts.to_vec();
        a.extend(more.iter().map(|s| s.to_string()));
        a
    };
    let create = args(&["create", "--from", &path, "--yes"]);
    let create: Vec<&str> = create.iter().map(String::as_str).collect();
    let (code, out, err) = run_tugboat(dir.path(), &[], &create);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains(&format!("created container {name}-zk2 on host2")),
        "{out}"
    );
    assert!(out.contains("verified: 3 members serve;"), "{out}");

    // Asked directly, the members agree: one leader, two followers.
    let modes = [
        mode(None, &format!("{name}-zk1")),
        mode(Some(&url2), &format!("{name}-zk2")),
        mode(None, &format!("{name}-zk3")),
    ];
    assert_eq!(
        modes.iter().filter(|m| m.contains("leader")).count(),
        1,
        "{modes:?}"
    );
    assert_eq!(
        modes.iter().filter(|m| m.contains("follower")).count(),
        2,
        "{modes:?}"
    );

    let destroy = args(&["destroy", &name, "--yes", "--volumes"]);
    let destroy: Vec<&str> = destroy.iter().map(String::as_str).collect();
    let (code, out, err) = run_tugboat(dir.path(), &[], &destroy);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(objects_of(&name).is_empty(), "{:?}", objects_of(&name));
    let filter = format!("label=io.tugboat.cluster={name}");
    assert_eq!(
        docker_at(Some(&url2), &["ps", "-aq", "--filter", &filter]),
        ""
    );
}
