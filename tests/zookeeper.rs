//! Real ZooKeeper 3.8 ensembles (tugboat-test/zookeeper, the official
//! image's interface): leader and followers, mntr figures when whitelisted,
//! srvr alone otherwise, and a new leader after the old one is killed.

mod common;
#[path = "common/zk_client.rs"]
mod zk_client;

use std::time::{Duration, Instant};
use tugboat::ops::plan::{ContainerStep, ZkStep};

use common::*;
use tugboat::model::answers::zookeeper::ZkMode;
use tugboat::model::ensemble::Ensemble;
use tugboat::model::probed::{ensembles, zookeeper_targets, ProbeBook};
use tugboat::probes::run::{probe, ProbeKind};

/// One leader, two followers.
fn healthy(e: &Ensemble) -> bool {
    modes(e) == [ZkMode::Follower, ZkMode::Follower, ZkMode::Leader]
}

/// Start a `*`-whitelisted 3-member ensemble, watch the local engine, and
/// wait until the ensemble is healthy.
async fn healthy_ensemble(run: &str, tag: &str) -> (String, Fleet, ProbeBook, Ensemble) {
    let name = start_ensemble(run, tag, Some("*"));
    let mut fleet = Fleet::start(&[spec("local", LOCAL_URL)], &fast_settings(), false);
    let mut book = ProbeBook::default();
    let (e, _) = wait_ensemble(
        &mut fleet,
        &mut book,
        &name,
        Duration::from_secs(90),
        healthy,
    )
    .await;
    (name, fleet, book, e)
}

async fn probe_all(fleet: &Fleet, book: &mut ProbeBook) {
    let rounds = zookeeper_targets(&fleet.inventory).into_iter().map(|key| {
        let handle = fleet.handle(&key.0).clone();
        async move {
            let result = probe(&handle, &key.1, ProbeKind::Zookeeper, &probe_settings()).await;
            (key, result)
        }
    });
    for (key, result) in futures_util::future::join_all(rounds).await {
        book.record(key, 0, result);
    }
}

fn find<'a>(all: &'a [Ensemble], name: &str) -> Option<&'a Ensemble> {
    all.iter().find(|e| e.name == name)
}

fn modes(e: &Ensemble) -> Vec<ZkMode> {
    let mut m: Vec<ZkMode> = e.members.iter().map(|m| m.mode).collect();
    m.sort_by_key(|m| m.as_str());
    m
}

/// Probe until `pred` holds for the ensemble (panics after `limit`).
async fn wait_ensemble(
    fleet: &mut Fleet,
    book: &mut ProbeBook,
    name: &str,
    limit: Duration,
    pred: impl Fn(&Ensemble) -> bool,
) -> (Ensemble, Duration) {
    let start = Instant::now();
    loop {
        fleet.drain();
        probe_all(fleet, book).await;
        let all = ensembles(&fleet.inventory, book);
        if let Some(e) = find(&all, name).filter(|e| pred(e)) {
            return (e.clone(), start.elapsed());
        }
        assert!(
            start.elapsed() < limit,
            "ensemble {name} never got there: {:#?}",
            find(&all, name)
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ensembles_show_leaders_quorum_and_failover() {
    require_engine();
    let run = unique("zk");
    let _cleanup = Cleanup::new(&run);
    let open = start_ensemble(&run, "open", Some("*"));
    let strict = start_ensemble(&run, "strict", None);
    let mut fleet = Fleet::start(&[spec("local", LOCAL_URL)], &fast_settings(), false);
    let mut book = ProbeBook::default();

    // Whitelist `*`: mntr adds the leader's synced followers.
    let (e, _) = wait_ensemble(&mut fleet, &mut book, &open, Duration::from_secs(90), |e| {
        healthy(e)
            && e.members
                .iter()
                .any(|m| m.monitor.as_ref().and_then(|x| x.synced_followers) == Some(2))
    })
    .await;
    let health = e.health();
    assert_eq!(health.summary(), "3/3 up · quorum OK · tolerates 1");
    assert!(health.warnings.is_empty(), "{:?}", health.warnings);
    assert_eq!(
        e.members.iter().map(|m| m.server_id).collect::<Vec<_>>(),
        [Some(1), Some(2), Some(3)]
    );
    let leader = health.leader.clone().expect("one leader");

    // The official default whitelist (srvr only) still gives modes, no mntr.
    let (strict_e, _) = wait_ensemble(
        &mut fleet,
        &mut book,
        &strict,
        Duration::from_secs(90),
        healthy,
    )
    .await;
    assert!(strict_e
        .members
        .iter()
        .all(|m| m.monitor.is_none() && m.stats.is_some()));

    // Headless status reports the same.
    let cfg = tempfile::tempdir().unwrap();
    let (code, json, err) = run_tugboat(
        cfg.path(),
        &[],
        &["--host", &format!("local={LOCAL_URL}"), "status", "--json"],
    );
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let ens = report["ensembles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == open.as_str())
        .unwrap();
    assert_eq!(ens["leader"], leader.as_str());
    assert_eq!(ens["members_up"], 3);
    assert_eq!(ens["tolerates"], 1);
    assert!(ens["members"][0]["zxid"]
        .as_str()
        .unwrap()
        .starts_with("0x"));

    // Kill the leader: a new one within 15 s, the old one unreachable and the
    // other survivor following again (right after the election it may still
    // say "not serving" for a probe round, so wait for the settled state).
    docker(&["kill", &leader]);
    let (after, took) = wait_ensemble(&mut fleet, &mut book, &open, Duration::from_secs(15), |e| {
        let h = e.health();
        h.leader.as_ref().is_some_and(|l| *l != leader)
            && e.members
                .iter()
                .any(|m| m.container == leader && m.mode == ZkMode::Unreachable)
            && modes(e) == [ZkMode::Follower, ZkMode::Leader, ZkMode::Unreachable]
    })
    .await;
    let h = after.health();
    assert_eq!(h.summary(), "2/3 up · quorum OK · tolerates 0");
    eprintln!("new leader {} after {took:?}", h.leader.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rolling_restart_restarts_every_member_leader_last() {
    use tugboat::model::{ClusterKey, ClusterKind};
    use tugboat::ops::job::{JobEvent, JobOutcome};
    use tugboat::ops::plan::StepOp;
    use tugboat::ops::rolling::members_of;
    use tugboat::ops::rolling::rolling_restart_plan;
    use tugboat::ops::runner::JobRunner;
    use tugboat::ops::AuditLog;
    require_engine();
    let run = unique("zkroll");
    let _cleanup = Cleanup::new(&run);
    let (name, mut fleet, mut book, e) = healthy_ensemble(&run, "roll").await;
    let leader = e.health().leader.unwrap();
    let before: Vec<String> = e.members.iter().map(|m| started_at(&m.container)).collect();
    let cluster = ClusterKey {
        kind: ClusterKind::Tugboat,
        name: name.clone(),
    };
    let members = members_of(&fleet.inventory, &book, &cluster).unwrap();
    assert_eq!(members.len(), 3);
    let plan = rolling_restart_plan(&name, &members, 10).unwrap();
    let last_restart = plan
        .steps
        .iter()
        .rev()
        .find_map(|s| match &s.op {
            StepOp::Container(ContainerStep::Restart { id }) => Some(id.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        e.members
            .iter()
            .find(|m| m.container_id == last_restart)
            .unwrap()
            .container,
        leader
    );

    let dir = tempfile::tempdir().unwrap();
    let runner = JobRunner::new(
        fleet.handles.clone(),
        probe_settings(),
        AuditLog::new(dir.path().join("a.jsonl")),
    );
    let steps = std::sync::Arc::new(std::sync::Mutex::new(0));
    let finished = std::sync::Arc::new(std::sync::Mutex::new(None));
    let (counted, ended) = (steps.clone(), finished.clone());
    let sink = std::sync::Arc::new(move |ev: JobEvent| match ev {
        JobEvent::Step { .. } => *counted.lock().unwrap() += 1,
        JobEvent::Finished { outcome, .. } => *ended.lock().unwrap() = Some(outcome),
        _ => {}
    });
    // A client writes every 100 ms throughout, to whichever member serves.
    let addrs: Vec<std::net::SocketAddr> = e
        .members
        .iter()
        .map(|m| {
            let c = fleet.container_named("local", &m.container).unwrap();
            format!("{}:2181", c.ips[0]).parse().unwrap()
        })
        .collect();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = zk_client::write_every(addrs, Duration::from_millis(100), stop.clone());
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (job, _control) = runner.start(plan, sink);
    // While it runs, a restart of one of its members is refused, naming it.
    let member = &members[0];
    let single = tugboat::ops::plan::restart_plan("local", &member.id, &member.name, 10);
    let refused = runner
        .run(single, std::sync::Arc::new(|_: JobEvent| {}))
        .await;
    assert_eq!(
        refused,
        JobOutcome::Refused {
            reason: format!(
                "job {job} (rolling restart cluster/{name}) is already working on container local/{}",
                &member.id[..12]
            )
        }
    );
    let outcome = loop {
        if let Some(o) = finished.lock().unwrap().take() {
            break o;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let writes = writer.join().unwrap();
    assert_eq!(outcome, JobOutcome::Done);
    assert_eq!(*steps.lock().unwrap(), 12);
    // Quorum is lost at most once (the leader's election), and briefly;
    // followers restarting cost the writer nothing it notices.
    let outages = writes.gaps_over(Duration::from_secs(3));
    eprintln!(
        "writes: {} of {} acknowledged; gaps over 3s: {outages:?}",
        writes.acked.len(),
        writes.attempts
    );
    assert!(outages.len() <= 1, "more than one outage: {outages:?}");
    assert!(
        outages.iter().all(|g| *g < Duration::from_secs(20)),
        "{outages:?}"
    );
    assert!(writes.acked.len() > 50, "{} writes", writes.acked.len());
    for (m, old) in e.members.iter().zip(&before) {
        assert_ne!(
            &started_at(&m.container),
            old,
            "{} was restarted",
            m.container
        );
    }
    // Every member serves again, with quorum.
    let (after, _) = wait_ensemble(
        &mut fleet,
        &mut book,
        &name,
        Duration::from_secs(60),
        healthy,
    )
    .await;
    assert_eq!(after.health().summary(), "3/3 up · quorum OK · tolerates 1");
}

/// A rolling restart never takes the ensemble below quorum: a member that
/// stops after the plan was made stops the job at its first guard, and
/// with a member down no plan is made at all. Nothing is restarted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolling_restart_with_a_member_down_restarts_nothing() {
    use tugboat::model::{ClusterKey, ClusterKind};
    use tugboat::ops::job::JobOutcome;
    use tugboat::ops::plan::StepOp;
    use tugboat::ops::rolling::members_of;
    use tugboat::ops::rolling::rolling_restart_plan;
    use tugboat::ops::runner::JobRunner;
    use tugboat::ops::AuditLog;
    require_engine();
    let run = unique("zkguard");
    let _cleanup = Cleanup::new(&run);
    let (name, fleet, book, e) = healthy_ensemble(&run, "guard").await;
    let cluster = ClusterKey {
        kind: ClusterKind::Tugboat,
        name: name.clone(),
    };
    let members = members_of(&fleet.inventory, &book, &cluster).unwrap();
    let plan = rolling_restart_plan(&name, &members, 10).unwrap();
    assert!(
        matches!(plan.steps[0].op, StepOp::Zk(ZkStep::GuardQuorum { .. })),
        "{:?}",
        plan.steps[0]
    );
    // The plan was made with 3/3 up; then the follower that is not the
    // first to be restarted stops (the leader stays: no election to wait out).
    let StepOp::Zk(ZkStep::GuardQuorum { restarting, .. }) = &plan.steps[0].op else {
        unreachable!()
    };
    let down = e
        .members
        .iter()
        .find(|m| &m.container_id != restarting && m.mode == ZkMode::Follower)
        .unwrap()
        .container
        .clone();
    docker(&["stop", "-t", "1", &down]);
    let up: Vec<&str> = e
        .members
        .iter()
        .map(|m| m.container.as_str())
        .filter(|c| *c != down)
        .collect();
    let before: Vec<String> = up.iter().map(|c| started_at(c)).collect();

    let dir = tempfile::tempdir().unwrap();
    let runner = JobRunner::new(
        fleet.handles.clone(),
        probe_settings(),
        AuditLog::new(dir.path().join("a.jsonl")),
    );
    let outcome = runner
        .run(
            plan,
            std::sync::Arc::new(|_: tugboat::ops::job::JobEvent| {}),
        )
        .await;
    match &outcome {
        JobOutcome::Failed { step: 1, error } => {
            assert!(error.contains("would cost it its quorum"), "{error}")
        }
        other => panic!("expected the guard to stop the job: {other:?}"),
    }
    let after: Vec<String> = up.iter().map(|c| started_at(c)).collect();
    assert_eq!(before, after, "no member was restarted");

    // Headless, with the member still down: refused before any plan runs.
    let config = tempfile::tempdir().unwrap();
    let (code, out, err) = run_tugboat(
        config.path(),
        &[],
        &[
            "--host",
            &format!("local={LOCAL_URL}"),
            "restart",
            "--rolling",
            &name,
            "--yes",
        ],
    );
    assert_ne!(code, 0, "{out}\n{err}");
    assert!(
        err.contains("2 of 3 members serve and the ensemble needs 2"),
        "{out}\n{err}"
    );
    let after: Vec<String> = up.iter().map(|c| started_at(c)).collect();
    assert_eq!(before, after, "no member was restarted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leader_move_gives_another_member_the_lead_and_says_how_long() {
    use tugboat::ops::job::{JobEvent, JobOutcome};
    use tugboat::ops::plan::zookeeper_leader_move_plan;
    use tugboat::ops::runner::JobRunner;
    use tugboat::ops::AuditLog;
    require_engine();
    let run = unique("zkmove");
    let _cleanup = Cleanup::new(&run);
    let (name, mut fleet, mut book, _) = healthy_ensemble(&run, "move").await;
    // Right after the election the leader may not count its followers as
    // synced yet (mntr), and the move rightly refuses until it does.
    let (e, _) = wait_ensemble(&mut fleet, &mut book, &name, Duration::from_secs(60), |e| {
        healthy(e) && zookeeper_leader_move_plan(e).is_ok()
    })
    .await;
    let old = e.health().leader.unwrap();
    let plan = zookeeper_leader_move_plan(&e).expect("followers are in sync");
    let dir = tempfile::tempdir().unwrap();
    let runner = JobRunner::new(
        fleet.handles.clone(),
        probe_settings(),
        AuditLog::new(dir.path().join("a.jsonl")),
    );
    let took = std::sync::Arc::new(std::sync::Mutex::new(0));
    let sink = {
        let took = took.clone();
        std::sync::Arc::new(move |ev: JobEvent| {
            if let JobEvent::Finished { millis, .. } = ev {
                *took.lock().unwrap() = millis;
            }
        })
    };
    assert_eq!(runner.run(plan, sink).await, JobOutcome::Done);
    let (after, _) = wait_ensemble(
        &mut fleet,
        &mut book,
        &name,
        Duration::from_secs(60),
        healthy,
    )
    .await;
    let new = after.health().leader.unwrap();
    assert_ne!(new, old, "leadership moved");
    eprintln!("leader move {old} -> {new}: {} ms", *took.lock().unwrap());

    // Headless, the same move: `tugboat failover ENSEMBLE`.
    let cfg = tempfile::tempdir().unwrap();
    let host = format!("local={LOCAL_URL}");
    let (code, out, err) = run_tugboat(
        cfg.path(),
        &[],
        &["--host", &host, "failover", &name, "--yes", "--json"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("\"action\":\"leader move\""), "{out}");
    let (moved, _) = wait_ensemble(
        &mut fleet,
        &mut book,
        &name,
        Duration::from_secs(60),
        healthy,
    )
    .await;
    assert_ne!(moved.health().leader.unwrap(), new, "moved again, headless");

    // With a member down the ensemble tolerates nothing more: refused.
    let follower = after
        .members
        .iter()
        .find(|m| m.mode == ZkMode::Follower)
        .unwrap()
        .container
        .clone();
    docker(&["stop", "-t", "1", &follower]);
    let (degraded, _) = wait_ensemble(&mut fleet, &mut book, &name, Duration::from_secs(30), |e| {
        e.health().up == 2
    })
    .await;
    let refused = zookeeper_leader_move_plan(&degraded)
        .unwrap_err()
        .to_string();
    assert!(refused.contains("could lose quorum"), "{refused}");
    let (code, _, err) = run_tugboat(
        cfg.path(),
        &[],
        &["--host", &host, "failover", &name, "--yes"],
    );
    assert_eq!(code, 3, "refused headless too: {err}");
    assert!(err.contains("could lose quorum"), "{err}");
}
