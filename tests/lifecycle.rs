//! Lifecycle plans run by the kernel on the real engine, each checked with
//! the docker CLI: pause and unpause, kill and start, stop, and remove
//! (its anonymous volume goes with it, a named one stays); a bulk stop
//! interrupted while its first container stops ends there (the second
//! still runs, the audit says why), and so does each other bulk action;
//! read-only refuses before anything.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use tugboat::model::probed::ProbeBook;
use tugboat::model::{ContainerKey, ContainerState, Inventory};
use tugboat::ops::audit::AuditLog;
use tugboat::ops::job::{JobControl, JobEvent, JobOutcome};
use tugboat::ops::lifecycle::{lifecycle_plan, Lifecycle};
use tugboat::ops::plan::Plan;
use tugboat::ops::runner::JobRunner;

const WAIT: Duration = Duration::from_secs(20);

fn state_of(name: &str) -> String {
    docker(&["inspect", "-f", "{{.State.Status}}", name])
}

/// The plan for `action` on `names`, made from what the engine lists now
/// (only this run's containers, so another test's balancer is no guard
/// here), once each shows in `state`.
async fn plan(
    fleet: &mut Fleet,
    run: &str,
    action: Lifecycle,
    names: &[&str],
    state: ContainerState,
) -> Plan {
    let wanted: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    fleet
        .wait_for("the containers' state", WAIT, |inv| {
            wanted.iter().all(|n| {
                inv.containers
                    .values()
                    .any(|c| c.name == n.as_str() && c.state == state)
            })
        })
        .await;
    let mut inv: Inventory = fleet.inventory.clone();
    inv.containers
        .retain(|_, c| c.labels.get(TEST_LABEL).is_some_and(|v| v.as_str() == run));
    let keys: Vec<ContainerKey> = names
        .iter()
        .map(|n| {
            let c = fleet.container_named("local", n).expect("listed");
            (c.host.clone(), c.id.clone())
        })
        .collect();
    lifecycle_plan(&inv, &ProbeBook::default(), action, &keys)
        .unwrap()
        .plan
}

fn volumes_named(part: &str) -> String {
    docker(&["volume", "ls", "-q", "--filter", &format!("name={part}")])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_action_does_what_it_says_on_the_real_engine() {
    require_engine();
    let run = unique("life");
    let _cleanup = Cleanup::new(&run);
    let a = format!("{run}-a");
    let named = format!("{run}-keep");
    let a_id = run_busybox(
        &run,
        &a,
        &["-v", "/scratch", "-v", &format!("{named}:/data")],
        &["sleep", "600"],
    );
    let anonymous = docker(&[
        "inspect",
        "-f",
        "{{range .Mounts}}{{if eq .Destination \"/scratch\"}}{{.Name}}{{end}}{{end}}",
        &a_id,
    ]);
    assert_eq!(anonymous.len(), 64, "{anonymous}");
    let audit_dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::new(audit_dir.path().join("audit.jsonl"));
    let mut fleet = Fleet::start(&[spec("local", LOCAL_URL)], &fast_settings(), false);
    assert!(fleet.handle("local").wait_connected(WAIT).await);
    let runner = JobRunner::new(fleet.handles.clone(), probe_settings(), audit.clone());
    let sink: tugboat::ops::runner::JobSink = Arc::new(|_| {});
    use ContainerState::{Exited, Paused, Running};
    let steps = [
        (Lifecycle::Pause, Running, "paused"),
        (Lifecycle::Unpause, Paused, "running"),
        (Lifecycle::Kill, Running, "exited"),
        (Lifecycle::Start, Exited, "running"),
        (Lifecycle::Stop, Running, "exited"),
    ];
    for (action, from, to) in steps {
        let p = plan(&mut fleet, &run, action, &[&a], from).await;
        assert_eq!(
            runner.run(p, sink.clone()).await,
            JobOutcome::Done,
            "{action:?}"
        );
        assert_eq!(state_of(&a), to, "{action:?}");
    }
    assert_eq!(
        docker(&["inspect", "-f", "{{.State.ExitCode}}", &a]),
        "137",
        "killed by SIGKILL, then stopped past its grace period"
    );
    let p = plan(&mut fleet, &run, Lifecycle::Remove, &[&a], Exited).await;
    assert_eq!(runner.run(p, sink).await, JobOutcome::Done);
    assert_eq!(
        docker(&["ps", "-aq", "--filter", &format!("id={a_id}")]),
        ""
    );
    assert_eq!(volumes_named(&anonymous), "", "the anonymous volume went");
    assert_eq!(volumes_named(&named), named, "the named volume stays");
    docker(&["volume", "rm", &named]);
    let actions: Vec<String> = audit
        .read_all()
        .unwrap()
        .iter()
        .filter(|r| r.outcome == "done")
        .map(|r| r.action.clone())
        .collect();
    assert_eq!(
        actions,
        ["pause", "unpause", "kill", "start", "stop", "remove"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_stop_interrupted_mid_way_stops_after_the_container_in_flight() {
    require_engine();
    let run = unique("life-cut");
    let _cleanup = Cleanup::new(&run);
    let (a, b) = (format!("{run}-a"), format!("{run}-b"));
    // sleep as PID 1 ignores SIGTERM: each stop takes its grace period.
    run_busybox(&run, &a, &[], &["sleep", "600"]);
    run_busybox(&run, &b, &[], &["sleep", "600"]);
    let audit_dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::new(audit_dir.path().join("audit.jsonl"));

    // Read-only: refused before anything runs.
    let mut ro = Fleet::start(&[spec("local", LOCAL_URL)], &fast_settings(), true);
    assert!(ro.handle("local").wait_connected(WAIT).await);
    let p = plan(
        &mut ro,
        &run,
        Lifecycle::Stop,
        &[&a, &b],
        ContainerState::Running,
    )
    .await;
    let ro_runner = JobRunner::new(ro.handles.clone(), probe_settings(), audit.clone());
    let refused = ro_runner.run(p, Arc::new(|_| {})).await;
    assert!(
        matches!(&refused, JobOutcome::Refused { reason } if reason.contains("read-only")),
        "{refused:?}"
    );
    assert_eq!(
        (state_of(&a), state_of(&b)),
        ("running".into(), "running".into())
    );

    let mut fleet = Fleet::start(&[spec("local", LOCAL_URL)], &fast_settings(), false);
    assert!(fleet.handle("local").wait_connected(WAIT).await);
    let p = plan(
        &mut fleet,
        &run,
        Lifecycle::Stop,
        &[&a, &b],
        ContainerState::Running,
    )
    .await;
    assert_eq!(p.steps.len(), 2, "{:?}", p.steps);
    let runner = JobRunner::new(fleet.handles.clone(), probe_settings(), audit.clone());
    let control = JobControl::default();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (cut, log) = (control.clone(), seen.clone());
    let sink: tugboat::ops::runner::JobSink = Arc::new(move |e| {
        if let JobEvent::Step { index, .. } = e {
            log.lock().unwrap().push(index);
            // The first stop is under way: the operator stops the job.
            cut.stop_because("interrupted by SIGHUP");
        }
    });
    let outcome = runner.run_controlled(p, sink, &control).await;
    assert!(
        matches!(&outcome, JobOutcome::Cancelled { completed: 1, why, .. } if why.contains("SIGHUP")),
        "{outcome:?}"
    );
    assert_eq!(*seen.lock().unwrap(), [0]);
    assert_eq!(state_of(&a), "exited", "the stop in flight finished");
    assert_eq!(state_of(&b), "running", "nothing after it ran");
    let last = audit.read_all().unwrap().pop().unwrap();
    assert!(last.outcome.contains("SIGHUP"), "{}", last.outcome);
    assert_eq!(last.action, "stop");
}

/// Each other action on two containers, cut by the operator as its first
/// container is acted on: that one is done, the second untouched, the
/// outcome and the audit say why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bulk_action_cut_after_its_first_container_ends_there() {
    require_engine();
    let run = unique("life-cuts");
    let _cleanup = Cleanup::new(&run);
    let audit_dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::new(audit_dir.path().join("audit.jsonl"));
    let mut fleet = Fleet::start(&[spec("local", LOCAL_URL)], &fast_settings(), false);
    assert!(fleet.handle("local").wait_connected(WAIT).await);
    let runner = JobRunner::new(fleet.handles.clone(), probe_settings(), audit.clone());
    // (action, the state it acts on, its steps, the first's state after,
    // the second's); a start also waits for each to run.
    let cases = [
        (
            Lifecycle::Kill,
            ContainerState::Running,
            2,
            "exited",
            "running",
        ),
        (
            Lifecycle::Start,
            ContainerState::Exited,
            4,
            "running",
            "exited",
        ),
        (
            Lifecycle::Pause,
            ContainerState::Running,
            2,
            "paused",
            "running",
        ),
        (
            Lifecycle::Unpause,
            ContainerState::Paused,
            2,
            "running",
            "paused",
        ),
        (
            Lifecycle::Remove,
            ContainerState::Running,
            2,
            "gone",
            "running",
        ),
    ];
    for (i, (action, before, steps, first_after, second_after)) in cases.into_iter().enumerate() {
        let (a, b) = (format!("{run}-{i}a"), format!("{run}-{i}b"));
        for name in [&a, &b] {
            run_busybox(&run, name, &[], &["sleep", "600"]);
            match before {
                ContainerState::Exited => {
                    docker(&["kill", name]);
                }
                ContainerState::Paused => {
                    docker(&["pause", name]);
                }
                _ => {}
            }
        }
        let p = plan(&mut fleet, &run, action, &[&a, &b], before).await;
        assert_eq!(p.steps.len(), steps, "{action:?}: {:?}", p.steps);
        let control = JobControl::default();
        let cut = control.clone();
        let sink: tugboat::ops::runner::JobSink = Arc::new(move |e| {
            if let JobEvent::Step { .. } = e {
                cut.stop_because("interrupted by SIGHUP");
            }
        });
        let outcome = runner.run_controlled(p, sink, &control).await;
        assert!(
            matches!(&outcome, JobOutcome::Cancelled { completed: 1, why, .. } if why.contains("SIGHUP")),
            "{action:?}: {outcome:?}"
        );
        // `docker inspect` fails for a container that is gone.
        let state = |name: &str| {
            let out = std::process::Command::new("docker")
                .args(["inspect", "-f", "{{.State.Status}}", name])
                .output()
                .unwrap();
            if out.status.success() {
                String::from_utf8_lossy(&out.stdout).trim().to_string()
            } else {
                "gone".into()
            }
        };
        assert_eq!(
            (state(&a), state(&b)),
            (first_after.to_string(), second_after.to_string()),
            "{action:?}"
        );
        let last = audit.read_all().unwrap().pop().unwrap();
        assert_eq!(last.action, action.verb(), "{action:?}");
        assert!(
            last.outcome.contains("SIGHUP"),
            "{action:?}: {}",
            last.outcome
        );
    }
}
