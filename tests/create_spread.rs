//! A ZooKeeper ensemble spread over two engines (the local one and a
//! Docker-in-Docker Engine 26 host) by `tugboat create`: members talk
//! through ports published on each host's address and form a quorum.

mod common;
mod create_common;

use common::*;
use create_common::*;

const HOST2: &str = "tb-it-create-host2";
const HOST2_ADDR: &str = "127.0.0.31";

fn mode(url: Option<&str>, container: &str) -> String {
    docker_at(
        url,
        &[
            "exec",
            container,
            "bash",
            "-c",
            // The spec's client port, inside every member's container.
            "exec 3<>/dev/tcp/127.0.0.1/22181; echo srvr >&3; grep Mode <&3",
        ],
    )
}

/// The address the product chose for `host`, from the plan line of a dry run.
fn chosen_address(out: &str, host: &str) -> String {
    let marker = format!("reach {host} at ");
    let line = out
        .lines()
        .find(|l| l.contains(&marker))
        .unwrap_or_else(|| panic!("no address line for {host} in:\n{out}"));
    let rest = &line[line.find(&marker).unwrap() + marker.len()..];
    rest.split(':').next().unwrap().to_string()
}

/// Ports below the ephemeral range (32768-60999 here): a port in it may be
/// taken at any moment by an outgoing connection's source port, and the
/// engine then cannot publish it.
fn spec_text(name: &str, addresses: &str) -> String {
    format!(
        "name = \"{name}\"\ntemplate = \"zookeeper\"\n\
         [placement]\nhosts = [\"local\", \"host2\"]\naddresses = {{ {addresses} }}\n\
         [zookeeper]\nimage = \"{ZK}\"\nmembers = 3\nvolumes = false\n\
         client_port = 22181\npeer_port = 22888\nelection_port = 23888\n"
    )
}

fn reach_helpers(url: Option<&str>) -> String {
    docker_at(
        url,
        &[
            "ps",
            "-aq",
            "--filter",
            "label=io.tugboat.helper=reach-check",
        ],
    )
}

#[test]
fn an_ensemble_spread_over_two_engines_forms_a_quorum() {
    require_engine();
    let name = unique("spread");
    let _gone = ClusterCleanup(name.clone());
    let dind = Dind::start(HOST2, HOST2_ADDR);
    let url2 = dind.url.clone();
    dind.load(ZK);
    // Local containers reach the inner engine's published ports at its
    // container's address on the local bridge (TESTBED.md §4); where the
    // inner engine's containers reach the local host's is tugboat's to find.
    let host2_ip = docker(&["inspect", "-f", "{{.NetworkSettings.IPAddress}}", HOST2]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("spec.toml");
    let path_s = path.display().to_string();
    let hosts = [
        "--host".to_string(),
        format!("local={LOCAL_URL}"),
        "--host".to_string(),
        format!("host2={url2}"),
    ];
    let run = |more: &[&str]| {
        let mut a: Vec<&str> = hosts.iter().map(String::as_str).collect();
        a.extend(more);
        run_tugboat(dir.path(), &[], &a)
    };

    // The plan shows the address found for local and where it came from.
    std::fs::write(&path, spec_text(&name, &format!("host2 = \"{host2_ip}\""))).unwrap();
    let (code, out, err) = run(&["create", "--from", &path_s, "--dry-run"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let local_addr = chosen_address(&out, "local");
    assert!(
        local_addr.parse::<std::net::Ipv4Addr>().is_ok(),
        "not an address: {local_addr:?}\n{out}"
    );
    assert!(
        out.contains(&format!(
            "reach host2 at {host2_ip}:22182 (set in the spec)"
        )),
        "{out}"
    );

    // A wrong address (host2 said to be at the local host, where nothing
    // publishes 22182) fails in the preflight, naming it; nothing is made.
    std::fs::write(
        &path,
        spec_text(&name, &format!("host2 = \"{local_addr}\"")),
    )
    .unwrap();
    let (code, out, err) = run(&["create", "--from", &path_s, "--yes"]);
    assert_eq!(code, 1, "{out}\n{err}");
    let all = format!("{out}\n{err}");
    assert!(
        all.contains(&format!(
            "containers on local cannot reach host2 at {local_addr}:22182 (set in the spec)"
        )),
        "{all}"
    );
    assert!(all.contains("nothing was created"), "{all}");
    assert!(!all.contains("verification timed out"), "{all}");
    assert!(objects_of(&name).is_empty(), "{:?}", objects_of(&name));
    assert_eq!(reach_helpers(None), "");
    assert_eq!(reach_helpers(Some(&url2)), "");

    // The right addresses: the preflight passes and the members form a quorum.
    std::fs::write(&path, spec_text(&name, &format!("host2 = \"{host2_ip}\""))).unwrap();
    let (code, out, err) = run(&["create", "--from", &path_s, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains(&format!(
            "every host's containers reach local at {local_addr}, host2 at {host2_ip}"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("create container {name}-zk2 on host2")),
        "{out}"
    );
    assert!(out.contains("verified: 3 members serve;"), "{out}");
    assert_eq!(reach_helpers(None), "");
    assert_eq!(reach_helpers(Some(&url2)), "");

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

    let (code, out, err) = run(&["destroy", &name, "--yes", "--volumes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(objects_of(&name).is_empty(), "{:?}", objects_of(&name));
    let filter = format!("label=io.tugboat.cluster={name}");
    assert_eq!(
        docker_at(Some(&url2), &["ps", "-aq", "--filter", &filter]),
        ""
    );
}
