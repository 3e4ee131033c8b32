//! haproxy.cfg rewritten by jobs, against a real HAProxy 2.6: two jobs
//! rewriting one balancer's file never run at once, even on different
//! backends (the second is refused, naming the first), and one after the
//! other both edits are there; a file changed between tugboat's read and
//! its rename keeps the other writer's change; a file larger than tugboat
//! reads, or not UTF-8, is refused and left byte for byte as it was.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tugboat::ops::plan::BalancerStep;

use common::*;
use tugboat::ops::haproxy_file::{self, CfgFileError};
use tugboat::ops::job::{JobEvent, JobOutcome};
use tugboat::ops::plan::{Plan, PlanAction, PlanTarget, Step, StepOp};
use tugboat::ops::runner::JobRunner;
use tugboat::ops::scale_step::ScaleStep;
use tugboat::ops::AuditLog;

const SOCKET: &str = "ipv4@127.0.0.1:9999";

/// Two backends: be_a with `a`, be_b with `b`.
fn config(a: &[String], b: &[String]) -> String {
    let servers = |names: &[String]| -> String {
        names
            .iter()
            .map(|n| format!("    server {n} {n}:8080\n"))
            .collect()
    };
    format!(
        "global\n{STATS_SOCKETS}\
         defaults\n    mode http\n    timeout connect 1s\n    timeout client 10s\n    timeout server 10s\n    timeout check 1s\n\
         frontend fe_a\n    bind :8080\n    default_backend be_a\n\
         frontend fe_b\n    bind :8081\n    default_backend be_b\n\
         backend be_a\n    option httpchk GET /\n    default-server check inter 1s fall 2 rise 1\n{}\
         backend be_b\n    option httpchk GET /\n    default-server check inter 1s fall 2 rise 1\n{}",
        servers(a),
        servers(b)
    )
}

/// A labelled network with busybox httpd apps `{run}-{name}`, and a
/// writable HAProxy `{run}-lb` of `image` on it: (balancer id, its
/// haproxy.cfg on this machine, app names).
fn balancer_with_apps(
    run: &str,
    dir: &std::path::Path,
    image: &str,
    apps: &[&str],
    cfg: impl Fn(&[String]) -> String,
) -> (String, std::path::PathBuf, Vec<String>) {
    let label = format!("{TEST_LABEL}={run}");
    let net = format!("{run}-net");
    docker(&["network", "create", "--label", &label, &net]);
    let apps: Vec<String> = apps.iter().map(|a| format!("{run}-{a}")).collect();
    for a in &apps {
        docker_run_on(a, &net, &label, &[BUSYBOX]);
    }
    let lb = format!("{run}-lb");
    let file = run_haproxy_image(run, &lb, &net, dir, &cfg(&apps), true, image);
    let id = docker(&["inspect", "-f", "{{.Id}}", &lb])
        .trim()
        .to_string();
    (id, file, apps)
}

/// A plan of one step on `local`, its target the backend `local/lb/BACKEND`.
fn plan(action: PlanAction, backend: &str, op: StepOp) -> Plan {
    Plan {
        steps: vec![Step::new(action.to_string(), op)],
        action,
        host: "local".into(),
        target: PlanTarget::Container {
            host: "local".into(),
            name: format!("lb/{backend}"),
        },
    }
}

async fn connected_fleet() -> Fleet {
    let fleet = Fleet::start(&[spec("local", LOCAL_URL)], &fast_settings(), false);
    assert!(
        fleet
            .handle("local")
            .wait_connected(Duration::from_secs(15))
            .await
    );
    fleet
}

/// The outcome of job `id`, waited for.
async fn finished(events: &Mutex<Vec<JobEvent>>, id: u64) -> JobOutcome {
    let start = Instant::now();
    loop {
        let done = events.lock().unwrap().iter().find_map(|e| match e {
            JobEvent::Finished { id: i, outcome, .. } if *i == id => Some(outcome.clone()),
            _ => None,
        });
        if let Some(outcome) = done {
            return outcome;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "job {id} never finished"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

// One thread: the first job cannot even start its step before the second
// asks for its claims, so the refusal does not depend on timing. The
// busybox image: haproxy -c bounded by the shell, busybox's sha256sum.
#[tokio::test(flavor = "current_thread")]
async fn two_jobs_rewriting_one_haproxy_cfg_run_one_after_the_other() {
    require_engine();
    let run = unique("cfgjobs");
    let _cleanup = Cleanup::new(&run);
    let dir = tempfile::tempdir().unwrap();
    let (lb, file, apps) = balancer_with_apps(
        &run,
        dir.path(),
        HAPROXY_BUSYBOX,
        &["a1", "a2", "b1", "b2"],
        |apps| config(&apps[..2], &apps[2..3]),
    );
    let (a2, b2) = (apps[1].clone(), apps[3].clone());
    let fleet = connected_fleet().await;
    let runner = JobRunner::new(
        fleet.handles.clone(),
        probe_settings(),
        AuditLog::new(dir.path().join("audit.jsonl")),
    );
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let events = events.clone();
        Arc::new(move |e: JobEvent| events.lock().unwrap().push(e))
    };

    // A switchover's kind of edit on be_a, a scale's on be_b: other
    // backends, other servers, one file.
    let persist = plan(
        PlanAction::Switchover,
        "be_a",
        StepOp::Balancer(BalancerStep::PersistServers {
            container_id: lb.clone(),
            backend: "be_a".into(),
            servers: vec![(a2.clone(), false)],
        }),
    );
    let add = plan(
        PlanAction::Scale { to: 2 },
        "be_b",
        StepOp::Scale(ScaleStep::HaproxyAddServer {
            container_id: lb.clone(),
            socket: SOCKET.into(),
            backend: "be_b".into(),
            server: b2.clone(),
            replica: b2.clone(),
            replica_host: "local".into(),
            port: 8080,
        }),
    );
    let (first, _control) = runner.start(persist, sink.clone());
    let second = runner.run(add.clone(), sink.clone()).await;
    let held = format!(
        "job {first} (switchover local/lb/be_a) is already working on haproxy.cfg of balancer local/{}",
        &lb[..12]
    );
    assert_eq!(
        second,
        JobOutcome::Refused {
            reason: held.clone()
        }
    );
    assert_eq!(finished(&events, first).await, JobOutcome::Done);
    // The refused job changed nothing: no server b2 at runtime or in the file.
    assert!(!runtime_api(&run_lb(&run), "show stat").contains(&b2));
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains(&format!("server {b2}")), "{text}");

    // Now free: both edits end up in the file.
    assert_eq!(runner.run(add, sink.clone()).await, JobOutcome::Done);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains(&format!("    server {a2} {a2}:8080 disabled\n")),
        "{text}"
    );
    assert!(
        text.contains(&format!("    server {b2} {b2}:8080\n")),
        "{text}"
    );
    assert!(runtime_api(&run_lb(&run), "show stat").contains(&b2));
}

fn run_lb(run: &str) -> String {
    format!("{run}-lb")
}

/// Files beside the config that are not it (a staged copy left behind).
fn leftovers(lb: &str) -> String {
    docker(&["exec", lb, "ls", "-a", "/usr/local/etc/haproxy"])
        .lines()
        .filter(|l| l.contains("tugboat"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_changed_cut_or_not_text_is_never_written_back() {
    require_engine();
    let run = unique("cfgfile");
    let _cleanup = Cleanup::new(&run);
    let dir = tempfile::tempdir().unwrap();
    let (lb, file, apps) = balancer_with_apps(&run, dir.path(), HAPROXY, &["a1", "b1"], |apps| {
        config(&apps[..1], &apps[1..])
    });
    let fleet = connected_fleet().await;
    let handle = fleet.handle("local");
    let s = probe_settings();
    let original = std::fs::read(&file).unwrap();

    // Changed behind tugboat's back between its read and its rename: the
    // other writer's change stays, tugboat's edit is not written.
    let read = haproxy_file::read(handle, &s, &lb).await.unwrap();
    assert_eq!(read.text.as_bytes(), original);

    // A text haproxy -c finds fault with is not written.
    let broken = read.text.replace(
        "    option httpchk",
        "    no_such_keyword\n    option httpchk",
    );
    let e = haproxy_file::replace(handle, &s, &lb, &read, broken)
        .await
        .unwrap_err();
    assert!(matches!(e, CfgFileError::CheckFailed { .. }), "{e}");
    assert!(e.to_string().contains("no_such_keyword"), "{e}");
    assert_eq!(std::fs::read(&file).unwrap(), original);
    assert_eq!(leftovers(&run_lb(&run)), "", "the staged copy is gone");
    let edited = read.text.replace("rise 1\n", "rise 3\n");
    let foreign = format!("{}# added by an operator\n", read.text);
    std::fs::write(&file, &foreign).unwrap();
    let e = haproxy_file::replace(handle, &s, &lb, &read, edited)
        .await
        .unwrap_err();
    assert!(matches!(e, CfgFileError::Changed { .. }), "{e}");
    assert!(
        e.to_string().contains("changed since tugboat read it"),
        "{e}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), foreign);
    assert_eq!(leftovers(&run_lb(&run)), "", "the staged copy is gone");
    // Read again, the edit goes in on top of their change.
    let again = haproxy_file::read(handle, &s, &lb).await.unwrap();
    let edited = again.text.replace("rise 1\n", "rise 3\n");
    haproxy_file::replace(handle, &s, &lb, &again, edited.clone())
        .await
        .unwrap();
    let now = std::fs::read_to_string(&file).unwrap();
    assert_eq!(now, edited);
    assert!(now.contains("# added by an operator\n") && now.contains("rise 3\n"));

    // A job on a file larger than tugboat reads, then on one that is not
    // UTF-8: refused, every byte left as it was.
    let runner = JobRunner::new(
        fleet.handles.clone(),
        s.clone(),
        AuditLog::new(dir.path().join("audit.jsonl")),
    );
    let persist = plan(
        PlanAction::Switchover,
        "be_a",
        StepOp::Balancer(BalancerStep::PersistServers {
            container_id: lb.clone(),
            backend: "be_a".into(),
            servers: vec![(apps[0].clone(), false)],
        }),
    );
    let mut big = now.clone().into_bytes();
    while big.len() <= tugboat::docker::EXEC_OUTPUT_LIMIT {
        big.extend_from_slice(b"# a long comment that makes the file larger than tugboat reads\n");
    }
    let mut latin1 = now.clone().into_bytes();
    latin1.extend_from_slice(b"# caf\xe9 (Latin-1)\n");
    for (bytes, why) in [
        (&big, "larger than tugboat reads"),
        (&latin1, "is not UTF-8 text"),
    ] {
        std::fs::write(&file, bytes).unwrap();
        let outcome = runner.run(persist.clone(), Arc::new(|_| {})).await;
        assert!(
            matches!(&outcome, JobOutcome::Failed { step: 1, error } if error.contains(why)),
            "{outcome:?}"
        );
        assert!(
            std::fs::read(&file).unwrap() == *bytes,
            "{why}: the file was written"
        );
        assert_eq!(leftovers(&run_lb(&run)), "");
    }
    let e = haproxy_file::read(handle, &s, &lb).await.unwrap_err();
    assert!(
        matches!(e, CfgFileError::NotText { at, .. } if at == now.len() + 5),
        "{e}"
    );
}
