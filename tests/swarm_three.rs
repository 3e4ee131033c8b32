//! A swarm of three Engine 26 hosts (scripts/swarm.sh), seen through
//! tugboat's inventory of all three and driven by the real binary:
//! - one manager and two workers: 6 replicas spread 2 a node, a worker
//!   drained (its tasks move to the other two) and activated, the service
//!   scaled 6 → 3 → 6 → 2;
//! - three managers: one lost (quorum kept: the others still answer, the
//!   lost node shown down), then a second (quorum lost: what the engine and
//!   tugboat say then).
//!
//! Each swarm is built once; times are printed (`--nocapture`), only loose
//! bounds asserted.

mod common;
#[path = "common/swarm.rs"]
mod swarm;

use std::time::{Duration, Instant};

use common::*;
use swarm::Swarm;
use tugboat::model::swarm::SwarmNode;
use tugboat::model::swarm_service::ManagerQuorum;
use tugboat::model::{HostState, Inventory};

const SERVICE_LABEL: &str = "com.docker.swarm.service.name";

/// Running task containers of swarm service `service` on `host`, as tugboat lists them.
fn tasks_running(inv: &Inventory, host: &str, service: &str) -> usize {
    inv.containers_on(host)
        .filter(|c| c.is_running() && c.labels.get(SERVICE_LABEL).is_some_and(|s| s == service))
        .count()
}

/// Running task containers of `service` on each of the swarm's hosts.
fn spread(inv: &Inventory, swarm: &Swarm, service: &str) -> Vec<usize> {
    (0..3)
        .map(|i| tasks_running(inv, &swarm.name(i), service))
        .collect()
}

fn nodes<'a>(inv: &'a Inventory, host: &str) -> &'a [SwarmNode] {
    inv.host(host)
        .map(|h| h.swarm_nodes.as_slice())
        .unwrap_or(&[])
}

fn node<'a>(inv: &'a Inventory, on: &str, hostname: &str) -> Option<&'a SwarmNode> {
    nodes(inv, on).iter().find(|n| n.hostname == hostname)
}

fn role_of(inv: &Inventory, host: &str) -> Option<String> {
    inv.host(host)?.engine.as_ref()?.swarm_role.clone()
}

/// The tugboat binary with the swarm's three hosts configured.
fn tugboat(cfg: &std::path::Path, swarm: &Swarm, args: &[&str]) -> (i32, String, String) {
    let flags = swarm.host_flags();
    let mut all: Vec<&str> = flags.iter().map(String::as_str).collect();
    all.extend_from_slice(args);
    run_tugboat(cfg, &[], &all)
}

/// `docker service create` on manager 0, labelled for the test bed's cleanup.
fn create_service(swarm: &Swarm, name: &str, replicas: u32) {
    swarm.docker_on(
        0,
        &[
            "service",
            "create",
            "--detach",
            "--name",
            name,
            "--label",
            &format!("{TEST_LABEL}=swarm"),
            "--replicas",
            &replicas.to_string(),
            // busybox as PID 1 ignores SIGTERM: without this every task
            // moved or removed waits out the default 10 s.
            "--stop-grace-period",
            "1s",
            BUSYBOX,
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_manager_two_workers_spread_drain_and_scale() {
    require_engine();
    let started = Instant::now();
    let swarm = Swarm::up("tb-swarm1", 1);
    println!(
        "swarm of 1 manager + 2 workers up in {:?}",
        started.elapsed()
    );
    let mut fleet = Fleet::start(&swarm.specs(), &fast_settings(), false);
    let manager = swarm.name(0);

    // The manager lists all three nodes ready and active, itself the leader.
    fleet
        .wait_for(
            "three hosts and three nodes",
            Duration::from_secs(30),
            |inv| {
                inv.hosts_up() == 3
                    && nodes(inv, &manager).len() == 3
                    && nodes(inv, &manager)
                        .iter()
                        .all(|n| n.state == "ready" && n.availability == "active")
            },
        )
        .await;
    let inv = &fleet.inventory;
    let roles: Vec<_> = (0..3).map(|i| role_of(inv, &swarm.name(i))).collect();
    assert_eq!(
        roles,
        [Some("manager"), Some("worker"), Some("worker")].map(|r| r.map(String::from))
    );
    let leaders: Vec<&str> = nodes(inv, &manager)
        .iter()
        .filter(|n| n.leader)
        .map(|n| n.hostname.as_str())
        .collect();
    assert_eq!(leaders, [manager.as_str()]);
    for i in 1..3 {
        assert_eq!(node(inv, &manager, &swarm.name(i)).unwrap().role, "worker");
        assert!(
            nodes(inv, &swarm.name(i)).is_empty(),
            "a worker lists no nodes"
        );
    }

    // Six replicas, two a node: each host's own task containers, labelled.
    let web = "tb-swarm1-web";
    create_service(&swarm, web, 6);
    let took = fleet
        .wait_for("6 tasks, 2 a node", Duration::from_secs(60), |inv| {
            spread(inv, &swarm, web) == [2, 2, 2]
        })
        .await;
    println!("6 replicas running 2 a node, seen by tugboat after {took:?}");

    drain_and_activate(&mut fleet, &swarm, web).await;
    scale_service(&mut fleet, &swarm, web).await;
    println!("one-manager scenario: {:?} in all", started.elapsed());
}

/// `tugboat node drain` of a worker: its tasks leave it for the other two;
/// then `activate`.
async fn drain_and_activate(fleet: &mut Fleet, swarm: &Swarm, web: &str) {
    let cfg = tempfile::tempdir().unwrap();
    let (manager, worker) = (swarm.name(0), swarm.name(1));
    let started = Instant::now();
    let (code, out, err) = tugboat(
        cfg.path(),
        swarm,
        &[
            "node", "drain", &worker, "--on", &manager, "--yes", "--json",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("\"outcome\":\"done\""), "{out}");
    let took = fleet
        .wait_for(
            "the drained worker's tasks moved",
            Duration::from_secs(60),
            |inv| {
                let s = spread(inv, swarm, web);
                s[1] == 0
                    && s[0] + s[2] == 6
                    && node(inv, &manager, &worker).is_some_and(|n| n.availability == "drain")
            },
        )
        .await;
    println!(
        "drain of {worker}: its tasks on the other two nodes {:?} after the command began \
         ({took:?} after it returned); spread {:?}",
        started.elapsed(),
        spread(&fleet.inventory, swarm, web)
    );
    // The drained node's own containers are still listed (stopped, not gone).
    assert!(
        fleet
            .inventory
            .containers_on(&worker)
            .any(|c| c.labels.get(SERVICE_LABEL).is_some_and(|s| s == web)),
        "the drained worker's stopped task containers are still listed"
    );

    let (code, out, err) = tugboat(
        cfg.path(),
        swarm,
        &[
            "node", "activate", &worker, "--on", &manager, "--yes", "--json",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    fleet
        .wait_for("the worker active again", Duration::from_secs(10), |inv| {
            node(inv, &manager, &worker).is_some_and(|n| n.availability == "active")
        })
        .await;
}

/// `tugboat scale` of the swarm service through its manager, counted on the
/// hosts: 6 → 3 → 6 → 2, its name found once whichever hosts run its tasks.
async fn scale_service(fleet: &mut Fleet, swarm: &Swarm, web: &str) {
    let cfg = tempfile::tempdir().unwrap();
    let manager = swarm.name(0);
    // With every host configured the service's tasks are on several hosts:
    // the name is the swarm service's, found once through its manager,
    // with or without --on naming that manager.
    for (want, on) in [(3usize, None), (6, Some(&manager)), (2, None)] {
        let started = Instant::now();
        let count = want.to_string();
        let mut args = vec!["scale", web, &count, "--yes"];
        if let Some(on) = on {
            args.extend(["--on", on]);
        }
        let (code, out, err) = tugboat(cfg.path(), swarm, &args);
        assert_eq!(code, 0, "scale to {want}: {out}{err}");
        assert!(
            out.contains(&format!("set swarm service {web} to {want} replicas")),
            "{out}"
        );
        fleet
            .wait_for(
                &format!("{want} running tasks across the hosts"),
                Duration::from_secs(30),
                |inv| spread(inv, swarm, web).iter().sum::<usize>() == want,
            )
            .await;
        println!(
            "scale to {want}: running on the hosts {:?}, {:?} after the command began",
            spread(&fleet.inventory, swarm, web),
            started.elapsed()
        );
    }
    // Scaled up after the activate, the new tasks used all three nodes; the
    // last count holds.
    let settled = spread(&fleet.inventory, swarm, web);
    assert_eq!(settled.iter().sum::<usize>(), 2, "{settled:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_managers_lose_one_then_quorum() {
    require_engine();
    let started = Instant::now();
    let swarm = Swarm::up("tb-swarm3", 3);
    println!("swarm of 3 managers up in {:?}", started.elapsed());
    let mut fleet = Fleet::start(&swarm.specs(), &fast_settings(), false);

    fleet
        .wait_for(
            "three managers, one leader",
            Duration::from_secs(30),
            |inv| {
                inv.hosts_up() == 3
                    && (0..3).all(|i| {
                        let list = nodes(inv, &swarm.name(i));
                        list.len() == 3
                            && list
                                .iter()
                                .all(|n| n.role == "manager" && n.state == "ready")
                            && list.iter().filter(|n| n.leader).count() == 1
                    })
            },
        )
        .await;
    for i in 0..3 {
        assert_eq!(
            role_of(&fleet.inventory, &swarm.name(i)).as_deref(),
            Some("manager")
        );
    }
    // The leader watches; the two others are lost, so no election muddles
    // the times measured.
    let leader = nodes(&fleet.inventory, &swarm.name(0))
        .iter()
        .find(|n| n.leader)
        .unwrap()
        .hostname
        .clone();
    let watch = (0..3).find(|&i| swarm.name(i) == leader).unwrap();
    let lost: Vec<usize> = (0..3).filter(|&i| i != watch).collect();

    // A service of three: its tasks keep running whatever the managers do.
    let web = "tb-swarm3-web";
    create_service(&swarm, web, 3);
    fleet
        .wait_for("3 tasks, 1 a node", Duration::from_secs(60), |inv| {
            spread(inv, &swarm, web) == [1, 1, 1]
        })
        .await;

    lose_one_manager(&mut fleet, &swarm, watch, lost[0]).await;
    lose_quorum(&mut fleet, &swarm, watch, lost[1], web).await;
    println!("three-manager scenario: {:?} in all", started.elapsed());
}

/// One manager of three stopped: the two left keep quorum and answer, and
/// the watching manager's node list shows the lost one down.
async fn lose_one_manager(fleet: &mut Fleet, swarm: &Swarm, watch: usize, gone: usize) {
    let (watcher, victim) = (swarm.name(watch), swarm.name(gone));
    // A graceful stop, as a host shut down (bounded: an engine busy leaving
    // may outlast the default 10 s), run beside the fleet: the loss is
    // timed from when the engine stops answering tugboat, within the stop.
    let began = Instant::now();
    let mut stop = std::process::Command::new("docker")
        .args(["stop", "-t", "3", &victim])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("docker stop runs");
    let unreachable = fleet
        .wait_for(
            "the lost manager's engine",
            Duration::from_secs(30),
            |inv| {
                matches!(
                    inv.host(&victim).unwrap().state,
                    HostState::Unreachable { .. }
                )
            },
        )
        .await;
    let took = fleet
        .wait_for(
            "the lost manager shown down",
            Duration::from_secs(60),
            |inv| node(inv, &watcher, &victim).is_some_and(|n| n.state == "down"),
        )
        .await;
    assert!(stop.wait().unwrap().success(), "docker stop {victim}");
    println!(
        "manager {victim} stopped: its engine unreachable to tugboat {unreachable:?} after \
         `docker stop` began; shown down in {watcher}'s node list {took:?} after that \
         (lost-manager detection time), {:?} after the stop began",
        began.elapsed()
    );
    let inv = &fleet.inventory;
    assert!(node(inv, &watcher, &victim).unwrap().role == "manager");
    // Quorum kept: both managers left still answer `docker node ls`.
    for i in (0..3).filter(|&i| i != gone) {
        let list = swarm.docker_on(i, &["node", "ls", "--format", "{{.Hostname}} {{.Status}}"]);
        assert!(list.contains(&format!("{victim} Down")), "{list}");
    }
}

/// A second manager of three stopped: the last one has no quorum. The
/// engine says so; tugboat's view of that host is recorded.
async fn lose_quorum(fleet: &mut Fleet, swarm: &Swarm, watch: usize, gone: usize, web: &str) {
    let (watcher, victim) = (swarm.name(watch), swarm.name(gone));
    docker(&["stop", "-t", "3", &victim]);
    let began = Instant::now();
    let loss = quorum_error(swarm, watch, &victim);
    println!(
        "quorum lost: `docker node ls` on {watcher} still answered, {victim} listed unreachable \
         {:?} after the second stop returned; it failed {:?} after: {:?}; on the way: {:?}",
        loss.listed_unreachable,
        began.elapsed(),
        loss.error,
        loss.others
    );
    assert!(
        loss.error.contains("The swarm does not have a leader"),
        "{}",
        loss.error
    );
    // What the engine's /info says then, for a model of the quorum.
    let info = swarm.docker_on(
        watch,
        &[
            "info",
            "--format",
            "ControlAvailable={{.Swarm.ControlAvailable}} Managers={{.Swarm.Managers}} \
             Nodes={{.Swarm.Nodes}} Error={{.Swarm.Error}}",
        ],
    );
    println!("docker info on {watcher} without quorum: {info}");

    // What tugboat shows today (printed whole for the record). The running
    // fleet keeps the last node list it got: a failed list replaces none.
    fleet.drain();
    let inv = &fleet.inventory;
    let host = inv.host(&watcher).unwrap();
    println!("the running fleet's view of {watcher}: {host:?}");
    assert!(host.is_up(), "the engine itself answers: {:?}", host.state);
    assert_eq!(role_of(inv, &watcher).as_deref(), Some("manager"));
    assert!(node(inv, &watcher, &swarm.name(3 - watch - gone)).is_some_and(|n| n.state == "down"));
    // The lost node's task was placed again, maybe here: one or two.
    assert!(
        tasks_running(inv, &watcher, web) >= 1,
        "its tasks still run and are listed"
    );

    // Its last node list still says the second lost manager is ready (no
    // leader was left to mark it down), but unreachable: 1 of 3 managers
    // reachable is no quorum, said before the engine says it.
    println!("{victim} in that list: {:?}", node(inv, &watcher, &victim));
    let quorum = ManagerQuorum::of(&host.swarm_nodes);
    assert_eq!((quorum.managers, quorum.reachable), (3, 1), "{quorum:?}");
    assert!(!quorum.has_quorum());
    // And the manager's own words, once its listing fails.
    fleet
        .wait_for("the manager's trouble", Duration::from_secs(20), |inv| {
            inv.host(&watcher)
                .and_then(|h| h.swarm_trouble.as_ref())
                .is_some_and(|t| t.as_str().contains("The swarm does not have a leader"))
        })
        .await;
    new_tugboat_without_quorum(swarm, watch, gone, web).await;
}

/// A tugboat started against the manager left without quorum: connected,
/// its containers listed, no node list; a drain through it fails.
async fn new_tugboat_without_quorum(swarm: &Swarm, watch: usize, gone: usize, web: &str) {
    let watcher = swarm.name(watch);
    let mut fresh = Fleet::start(
        &[spec(&watcher, &swarm.url(watch))],
        &fast_settings(),
        false,
    );
    fresh
        .wait_for(
            "the manager without quorum listed",
            Duration::from_secs(20),
            |inv| {
                inv.host(&watcher).is_some_and(|h| h.is_up())
                    && tasks_running(inv, &watcher, web) >= 1
            },
        )
        .await;
    // The node list request follows the container list; give it time to fail.
    tokio::time::sleep(Duration::from_secs(2)).await;
    fresh.drain();
    let host = fresh.inventory.host(&watcher).unwrap();
    println!("a new tugboat's view of {watcher}: {host:?}");
    assert_eq!(
        role_of(&fresh.inventory, &watcher).as_deref(),
        Some("manager")
    );
    // No node list, and why: the swarm's trouble in the engine's words
    // (the Services pane says "quorum lost: no leader").
    assert!(host.swarm_nodes.is_empty(), "no node list without a leader");
    let trouble = host.swarm_trouble.as_ref().map(|t| t.as_str().to_string());
    assert!(
        trouble
            .as_deref()
            .is_some_and(|t| t.contains("The swarm does not have a leader")),
        "{trouble:?}"
    );

    let cfg = tempfile::tempdir().unwrap();
    let gone_first = swarm.name(3 - watch - gone);
    let (code, out, err) = tugboat(
        cfg.path(),
        swarm,
        &[
            "node",
            "drain",
            &gone_first,
            "--on",
            &watcher,
            "--yes",
            "--json",
        ],
    );
    println!(
        "node drain without quorum: exit {code}; {}{}",
        out.trim(),
        err.trim()
    );
    assert_ne!(code, 0, "a drain cannot succeed without quorum");
}

/// What `docker node ls` on manager `i` said after `victim`, a second
/// manager of three, was stopped.
struct QuorumLoss {
    /// The error it failed with at last, for want of a leader.
    error: String,
    /// Other errors met on the way.
    others: Vec<String>,
    /// When it still answered but first listed `victim` as unreachable.
    listed_unreachable: Option<Duration>,
}

/// Ask `docker node ls` on manager `i` until it fails for want of a leader
/// (60 s at most).
fn quorum_error(swarm: &Swarm, i: usize, victim: &str) -> QuorumLoss {
    let began = Instant::now();
    let mut others = Vec::new();
    let mut listed_unreachable = None;
    let format = "{{.Hostname}} {{.ManagerStatus}}";
    loop {
        let out = swarm.try_docker_on(i, &["node", "ls", "--format", format]);
        let said = String::from_utf8_lossy(&out.stderr).trim().to_string();
        if out.status.success() {
            let list = String::from_utf8_lossy(&out.stdout);
            if listed_unreachable.is_none() && list.contains(&format!("{victim} Unreachable")) {
                listed_unreachable = Some(began.elapsed());
            }
        } else if said.contains("does not have a leader") {
            return QuorumLoss {
                error: said,
                others,
                listed_unreachable,
            };
        } else if !others.contains(&said) {
            others.push(said.clone());
        }
        assert!(
            began.elapsed() < Duration::from_secs(60),
            "quorum never lost: {said:?} {others:?}"
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}
