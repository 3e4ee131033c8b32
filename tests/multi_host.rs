//! A second engine (Docker-in-Docker, Engine 26 on a loopback address) beside
//! the local one (Engine 20.10): both listed live; a hung or stopped second
//! host is marked unreachable while the local one stays live.

mod common;

use std::time::Duration;

use common::*;
use tugboat::model::{ContainerState, HostState};

const HOST2: &str = "tb-it-host2";
const HOST2_ADDR: &str = "127.0.0.12";

fn host2_url() -> String {
    format!("tcp://{HOST2_ADDR}:2375")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_engine_beside_the_local_one_and_its_outages() {
    require_engine();
    let run = unique("multi");
    let _dind = Dind::start(HOST2, HOST2_ADDR);
    let url2 = host2_url();
    let mut cleanup = Cleanup::new(&run);
    cleanup.hosts.push(Some(url2.clone()));
    let label = format!("{TEST_LABEL}={run}");
    // host2 is a one-node swarm (TESTBED.md §3): its row says "manager".
    docker_at(
        Some(&url2),
        &["swarm", "init", "--advertise-addr", "127.0.0.1"],
    );
    let vol2 = format!("{run}-vol2");
    let app2 = format!("{run}-app2");
    docker_at(Some(&url2), &["volume", "create", "--label", &label, &vol2]);
    docker_at(Some(&url2), &[
        "run", "-d", "--name", &app2, "--label", &label, "-v", &format!("{vol2}:/data"),
        BUSYBOX, "sh", "-c", "dd if=/dev/zero of=/data/blob bs=1024 count=32 2>/dev/null; touch /data/done; exec sleep 600",
    ]);
    for _ in 0..50 {
        if docker_at(
            Some(&url2),
            &[
                "exec",
                &app2,
                "sh",
                "-c",
                "test -e /data/done && echo yes || echo no",
            ],
        ) == "yes"
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let local_app = format!("{run}-app1");
    docker(&[
        "run", "-d", "--name", &local_app, "--label", &label, BUSYBOX, "sleep", "600",
    ]);

    // Headless status sees both engines and exits 0.
    let cfg = tempfile::tempdir().unwrap();
    let hosts = [
        "--host",
        &format!("local={LOCAL_URL}"),
        "--host",
        &format!("host2={url2}"),
    ];
    let (code, json, err) = run_tugboat(
        cfg.path(),
        &[],
        &[&hosts[..], &["status", "--json"]].concat(),
    );
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let versions: Vec<&str> = report["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["engine_version"].as_str().unwrap())
        .collect();
    assert!(
        versions[0].starts_with("20.10") && versions[1].starts_with("26."),
        "{versions:?}"
    );
    assert_eq!(report["hosts"][0]["swarm_role"], serde_json::Value::Null);
    assert_eq!(report["hosts"][1]["swarm_role"], "manager");
    assert!(report["containers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["name"] == app2.as_str() && c["host"] == "host2"));
    let vol = report["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == vol2.as_str())
        .expect("volume on host2");
    assert!(
        vol["size_bytes"].as_u64().unwrap() >= 32 * 1024,
        "Engine 26 volume size: {vol}"
    );
    assert_eq!(vol["used_by"][0]["container"], app2.as_str());

    // Swarm node drain and activate through the manager, headless.
    let on_host2 = format!("host2={url2}");
    let availability = || {
        docker_at(
            Some(&url2),
            &["node", "inspect", "self", "-f", "{{.Spec.Availability}}"],
        )
    };
    let node = |args: &[&str]| {
        let mut all = vec!["--host", on_host2.as_str()];
        all.extend_from_slice(args);
        run_tugboat(cfg.path(), &[], &all)
    };
    let (code, _, _) = node(&["--read-only", "node", "drain", HOST2, "--yes"]);
    assert_eq!(
        (code, availability().as_str()),
        (3, "active"),
        "read-only refuses"
    );
    let (code, out, err) = node(&["node", "drain", HOST2, "--yes", "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("\"outcome\":\"done\""), "{out}");
    assert_eq!(availability(), "drain");
    let (code, out, err) = node(&["node", "activate", HOST2, "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(availability(), "active");
    let (code, _, err) = node(&["node", "drain", "no-such-node", "--yes"]);
    assert_eq!(
        code, 2,
        "an unknown node is not found before any plan: {err}"
    );

    // A swarm service scaled by its replica count, headless, 1 → 3 → 1.
    let web = format!("{run}-web");
    docker_at(
        Some(&url2),
        &[
            "service",
            "create",
            "--detach",
            "--name",
            &web,
            "--replicas",
            "1",
            BUSYBOX,
        ],
    );
    let running = || {
        docker_at(
            Some(&url2),
            &[
                "ps",
                "--filter",
                &format!("label=com.docker.swarm.service.name={web}"),
                "--filter",
                "status=running",
                "-q",
            ],
        )
        .lines()
        .count()
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while running() != 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the first task never ran"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    for want in [3, 1] {
        let (code, out, err) = node(&["scale", &web, &want.to_string(), "--yes"]);
        assert_eq!(code, 0, "{out}{err}");
        assert!(
            out.contains(&format!("set swarm service {web} to {want} replicas")),
            "{out}"
        );
        // The job waited for the tasks; the engine's own count agrees.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while running() != want {
            assert!(std::time::Instant::now() < deadline, "never {want} tasks");
            std::thread::sleep(Duration::from_millis(300));
        }
    }
    docker_at(Some(&url2), &["service", "rm", &web]);

    // Live: both hosts, each with its own containers.
    let specs = [spec("local", LOCAL_URL), spec("host2", &url2)];
    let mut fleet = Fleet::start(&specs, &fast_settings(), false);
    fleet
        .wait_for("both hosts listed", Duration::from_secs(20), |inv| {
            inv.containers_on("host2").any(|c| c.name == app2)
                && inv.containers_on("local").any(|c| c.name == local_app)
                && inv.hosts_up() == 2
        })
        .await;

    // The manager's swarm nodes are listed, and follow a drain through the
    // engine's node events.
    let availability_seen = |inv: &tugboat::model::Inventory| {
        inv.host("host2")
            .and_then(|h| h.swarm_nodes.first())
            .map(|n| n.availability.clone())
    };
    fleet
        .wait_for("host2's swarm node", Duration::from_secs(10), |inv| {
            availability_seen(inv).as_deref() == Some("active")
        })
        .await;
    let (code, out, err) = node(&["node", "drain", HOST2, "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    fleet
        .wait_for("the drain shown live", Duration::from_secs(5), |inv| {
            availability_seen(inv).as_deref() == Some("drain")
        })
        .await;
    let (code, out, err) = node(&["node", "activate", HOST2, "--yes"]);
    assert_eq!(code, 0, "{out}{err}");

    // A job on host2 when it hangs: app2 ignores SIGTERM, so its restart
    // is still in the engine's hands when the engine stops answering.
    let app2_id = fleet.container_named("host2", &app2).unwrap().id.clone();
    let runner = tugboat::ops::runner::JobRunner::new(
        fleet.handles.clone(),
        fast_settings(),
        tugboat::ops::AuditLog::new(cfg.path().join("mid-job-audit.jsonl")),
    );
    let plan = tugboat::ops::plan::restart_plan("host2", &app2_id, &app2, 10);
    let job = tokio::spawn(async move { runner.run(plan, std::sync::Arc::new(|_| {})).await });
    tokio::time::sleep(Duration::from_millis(500)).await;

    // Hung host: requests never answer; only the heartbeat's timeout notices.
    docker(&["pause", HOST2]);
    fleet
        .wait_for(
            "host2 unreachable while paused",
            Duration::from_secs(10),
            |inv| {
                matches!(
                    inv.host("host2").unwrap().state,
                    HostState::Unreachable { .. }
                )
            },
        )
        .await;
    assert!(
        fleet.inventory.host("local").unwrap().is_up(),
        "the local host stays up"
    );
    // …and the local host is still live: a kill there still shows at once.
    docker(&["kill", &local_app]);
    fleet
        .wait_for(
            "the local kill while host2 hangs",
            Duration::from_secs(1),
            |inv| {
                inv.containers_on("local")
                    .any(|c| c.name == local_app && c.state == ContainerState::Exited)
            },
        )
        .await;
    // Headless status with a hung host: answers within its timeouts, exit 1.
    let started = std::time::Instant::now();
    let (code, text, _) = run_tugboat(cfg.path(), &[], &[&hosts[..], &["status"]].concat());
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("unreachable"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(30));

    // The job did not hang with the host: it failed, saying why.
    let outcome = tokio::time::timeout(Duration::from_secs(40), job)
        .await
        .expect("the job ends while the host hangs")
        .unwrap();
    match &outcome {
        tugboat::ops::job::JobOutcome::Failed { step: 1, error } => {
            assert!(error.contains("no answer"), "{error}")
        }
        other => panic!("expected a failed restart, got {other:?}"),
    }

    docker(&["unpause", HOST2]);
    fleet
        .wait_for("host2 back after unpause", Duration::from_secs(30), |inv| {
            inv.host("host2").unwrap().is_up()
        })
        .await;

    // Stopped host: connection refused.
    docker(&["stop", "-t", "1", HOST2]);
    fleet
        .wait_for(
            "host2 unreachable when stopped",
            Duration::from_secs(10),
            |inv| {
                matches!(
                    inv.host("host2").unwrap().state,
                    HostState::Unreachable { .. }
                )
            },
        )
        .await;
    assert!(fleet.inventory.host("local").unwrap().is_up());
    // The last known containers of host2 are still shown, marked by its host state.
    assert!(fleet
        .inventory
        .containers_on("host2")
        .any(|c| c.name == app2));
}
