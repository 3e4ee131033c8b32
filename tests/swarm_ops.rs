//! Swarm node operations guarded by what they would cost, on a swarm of
//! three (one manager, two workers; scripts/swarm.sh): a drain that would
//! take a ZooKeeper ensemble running as services below its quorum is
//! refused by the CLI before any plan and, for a plan made without that
//! look, by the step right before it acts; a drain that keeps the quorum
//! runs. Promotions and demotions keep the managers' raft quorum: the last
//! manager is not demoted, a worker that is down is not promoted.

mod common;
#[path = "common/swarm.rs"]
mod swarm;

use std::time::Duration;

use common::{fast_settings, require_engine, unique, Fleet};
use swarm::Swarm;
use tugboat::ops::job::JobOutcome;

/// The ensemble's image: named as the official one is (the guard knows a
/// service's role by its image), busybox inside, as the inner engines have
/// no room for Java.
const ZK_IMAGE: &str = "tugboat-test/zookeeper:stub";

fn tugboat(cfg: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    common::run_tugboat(cfg, &[], args)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_changes_keep_data_services_and_managers_whole() {
    require_engine();
    let bed = Swarm::up(&unique("tb-swops"), 1);
    let (mgr, w2, w3) = (bed.name(0), bed.name(1), bed.name(2));
    for i in 0..3 {
        bed.docker_on(i, &["tag", "tugboat-test/busybox:latest", ZK_IMAGE]);
    }
    // zk1 and zk2 pinned to the first worker, zk3 to the second: one stack.
    for (service, node) in [("zk1", &w2), ("zk2", &w2), ("zk3", &w3)] {
        let constraint = format!("node.hostname=={node}");
        bed.docker_on(
            0,
            &[
                "service",
                "create",
                "--detach",
                "--name",
                service,
                "--label",
                "com.docker.stack.namespace=coord",
                "--container-label",
                "com.docker.stack.namespace=coord",
                "--constraint",
                &constraint,
                ZK_IMAGE,
                "sleep",
                "3600",
            ],
        );
    }
    let mut fleet = Fleet::start(&bed.specs(), &fast_settings(), false);
    fleet
        .wait_for(
            "three ensemble members running",
            Duration::from_secs(60),
            |inv| {
                inv.host(&mgr).is_some_and(|h| {
                    h.swarm_services.len() == 3 && h.swarm_services.iter().all(|s| s.running == 1)
                })
            },
        )
        .await;

    let cfg = tempfile::tempdir().unwrap();
    let flags: Vec<String> = bed.host_flags();
    let run = |args: &[&str]| {
        let mut all: Vec<&str> = flags.iter().map(String::as_str).collect();
        all.extend_from_slice(args);
        tugboat(cfg.path(), &all)
    };
    let availability = |node: &str| {
        bed.docker_on(
            0,
            &["node", "inspect", "-f", "{{.Spec.Availability}}", node],
        )
    };

    // Draining the worker with two of three members: refused, nothing changed.
    let (code, out, err) = run(&["node", "drain", &w2, "--on", &mgr, "--yes"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(
        err.contains("would stop 2 of the 3 running members of ZooKeeper ensemble coord: 1 left, below its quorum of 2"),
        "{err}"
    );
    assert_eq!(availability(&w2), "active");

    // The same drain planned without that look (as a stale screen would):
    // the step asks the manager again and refuses.
    let runner = tugboat::ops::runner::JobRunner::new(
        fleet.handles.clone(),
        fast_settings(),
        tugboat::ops::AuditLog::new(cfg.path().join("audit.jsonl")),
    );
    let plan = tugboat::ops::plan::node_availability_plan(&mgr, &w2, "drain").unwrap();
    match runner.run(plan, std::sync::Arc::new(|_| {})).await {
        JobOutcome::Failed { error, .. } => {
            assert!(error.contains("ZooKeeper ensemble coord"), "{error}")
        }
        other => panic!("the drain ran: {other:?}"),
    }
    assert_eq!(availability(&w2), "active");

    // The worker with one member: 2 of 3 stay, the drain runs.
    let (code, out, err) = run(&["node", "drain", &w3, "--on", &mgr, "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(availability(&w3), "drain");
    let (code, out, err) = run(&["node", "activate", &w3, "--on", &mgr, "--yes"]);
    assert_eq!(code, 0, "{out}{err}");

    // Promote a worker (2 managers, both reachable), then demote it again.
    let role = |node: &str| bed.docker_on(0, &["node", "inspect", "-f", "{{.Spec.Role}}", node]);
    let (code, out, err) = run(&["node", "promote", &w2, "--on", &mgr, "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(role(&w2), "manager");
    let (code, out, err) = run(&["node", "demote", &w2, "--on", &mgr, "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(role(&w2), "worker");
    // The last manager stays one.
    let (code, out, err) = run(&["node", "demote", &mgr, "--on", &mgr, "--yes"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(err.contains("without a manager"), "{err}");
    assert_eq!(role(&mgr), "manager");

    // A worker that is down would be a manager that cannot vote: 1 of 2
    // reachable is below the quorum of 2.
    common::docker(&["stop", "-t", "1", &w3]);
    fleet
        .wait_for(
            "the stopped worker seen down",
            Duration::from_secs(60),
            |inv| {
                inv.host(&mgr).is_some_and(|h| {
                    h.swarm_nodes
                        .iter()
                        .any(|n| n.hostname == w3 && n.state == "down")
                })
            },
        )
        .await;
    let (code, out, err) = run(&["node", "promote", &w3, "--on", &mgr, "--yes"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(err.contains("below the raft quorum of 2"), "{err}");
    assert_eq!(role(&w3), "worker");
}
