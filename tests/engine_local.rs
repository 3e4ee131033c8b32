//! The foundation against the real local engine: inventory, events,
//! restart through the core, read-only refusal and the audit log.

mod common;

use std::time::Duration;

use common::*;
use tugboat::app::rows::{node_rows, NodeRow, Sort};
use tugboat::docker::HostError;
use tugboat::model::{cluster_of, ClusterKind, ContainerState, MountKind};
use tugboat::ops::job::JobOutcome;
use tugboat::ops::plan::restart_plan;
use tugboat::ops::runner::JobRunner;
use tugboat::ops::AuditLog;

const WAIT: Duration = Duration::from_secs(15);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn labelled_containers_and_volumes_appear_with_mounts_and_groups() {
    require_engine();
    let run = unique("inv");
    let _cleanup = Cleanup::new(&run);
    let label = format!("{TEST_LABEL}={run}");
    let vol = format!("{run}-data");
    docker(&["volume", "create", "--label", &label, &vol]);
    let web = format!("{run}-web");
    let bind_dir = tempfile::tempdir().unwrap();
    let bind = format!("{}:/srv:ro", bind_dir.path().display());
    let mount = format!("{vol}:/data");
    docker(&[
        "run",
        "-d",
        "--name",
        &web,
        "--label",
        &label,
        "--label",
        &format!("com.docker.compose.project={run}-shop"),
        "-v",
        &mount,
        "-v",
        &bind,
        "--tmpfs",
        "/scratch",
        "-p",
        "127.0.0.1::8080",
        BUSYBOX,
        "sh",
        "-c",
        "dd if=/dev/zero of=/data/blob bs=1024 count=64 2>/dev/null; exec sleep 600",
    ]);
    // Sizes are read when hosts are listed: let the blob be written first.
    for _ in 0..50 {
        if docker(&[
            "exec",
            &web,
            "sh",
            "-c",
            "wc -c < /data/blob 2>/dev/null || echo 0",
        ]) == "65536"
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let stopped = format!("{run}-old");
    docker(&[
        "create", "--name", &stopped, "--label", &label, "-v", &mount, BUSYBOX, "true",
    ]);

    let mut fleet = Fleet::start(&[spec("local", LOCAL_URL)], &fast_settings(), false);
    fleet
        .wait_for("both containers and the volume", WAIT, |inv| {
            inv.containers_on("local")
                .filter(|c| c.name.starts_with(&run))
                .count()
                == 2
                && inv
                    .volumes
                    .contains_key(&("local".to_string(), vol.clone()))
        })
        .await;

    let c = fleet.container_named("local", &web).unwrap().clone();
    assert_eq!(c.state, ContainerState::Running);
    assert_eq!(cluster_of(&c).kind, ClusterKind::Compose);
    assert_eq!(cluster_of(&c).name, format!("{run}-shop"));
    let kinds: Vec<MountKind> = c.mounts.iter().map(|m| m.kind).collect();
    assert!(
        kinds.contains(&MountKind::Volume) && kinds.contains(&MountKind::Bind),
        "{kinds:?}"
    );
    assert!(
        c.ports
            .iter()
            .any(|p| p.private_port == 8080 && p.public_port.is_some()),
        "{:?}",
        c.ports
    );
    assert!(c.started_at.is_some());

    let users = fleet.inventory.volume_users("local", &vol);
    let names: Vec<(&str, bool)> = users
        .iter()
        .map(|u| (u.container.as_str(), u.running))
        .collect();
    assert_eq!(names, [(stopped.as_str(), false), (web.as_str(), true)]);

    // Grouping in the Nodes pane: the compose project forms its own cluster row.
    let rows = node_rows(&fleet.inventory, &run, Sort::default());
    assert!(rows.iter().any(|r| matches!(r, NodeRow::Cluster { cluster, count: 1, .. } if cluster.name == format!("{run}-shop"))));

    // Engine 20.10 reports volume sizes only in the old /system/df shape.
    fleet
        .wait_for("the volume's size", WAIT, |inv| {
            inv.volumes
                .get(&("local".to_string(), vol.clone()))
                .and_then(|v| v.size)
                .is_some_and(|s| s >= 64 * 1024)
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docker_kill_shows_through_the_event_stream_within_a_second() {
    require_engine();
    let run = unique("kill");
    let _cleanup = Cleanup::new(&run);
    let name = format!("{run}-victim");
    run_busybox(&run, &name, &[], &["sleep", "600"]);
    // Re-listing every 30 s must not be what catches it: only events can.
    let mut fleet = Fleet::start(&[spec("local", LOCAL_URL)], &fast_settings(), false);
    fleet
        .wait_for("the running container", WAIT, |inv| {
            inv.containers_on("local")
                .any(|c| c.name == name && c.state == ContainerState::Running)
        })
        .await;
    docker(&["kill", &name]);
    fleet
        .wait_for("the kill to show", Duration::from_secs(1), |inv| {
            inv.containers_on("local")
                .any(|c| c.name == name && c.state == ContainerState::Exited)
        })
        .await;
    docker(&["rm", "-f", "-v", &name]);
    fleet
        .wait_for("the removal to show", Duration::from_secs(2), |inv| {
            !inv.containers_on("local").any(|c| c.name == name)
        })
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_through_the_core_restarts_and_is_audited() {
    require_engine();
    let run = unique("restart");
    let _cleanup = Cleanup::new(&run);
    let name = format!("{run}-svc");
    let id = run_busybox(&run, &name, &[], &["sleep", "600"]);
    let before = started_at(&name);
    let audit_dir = tempfile::tempdir().unwrap();
    let audit = AuditLog::new(audit_dir.path().join("audit.jsonl"));

    // Read-only: the core refuses, nothing happens, the refusal is recorded.
    let ro = Fleet::start(&[spec("local", LOCAL_URL)], &fast_settings(), true);
    assert!(ro.handle("local").wait_connected(WAIT).await);
    let plan = restart_plan("local", &id, &name, tugboat::docker::RESTART_GRACE_SECS);
    let sink = std::sync::Arc::new(|_| {});
    let ro_runner = JobRunner::new(ro.handles.clone(), probe_settings(), audit.clone());
    let refused = ro_runner.run(plan.clone(), sink.clone()).await;
    assert!(
        matches!(&refused, JobOutcome::Refused { reason } if reason.contains("read-only")),
        "{refused:?}"
    );
    // The handle refuses too, whatever calls it.
    assert_eq!(
        ro.handle("local").restart_container(&id).await,
        Err(HostError::ReadOnly)
    );
    assert_eq!(started_at(&name), before, "read-only must not restart");

    let rw = Fleet::start(&[spec("local", LOCAL_URL)], &fast_settings(), false);
    assert!(rw.handle("local").wait_connected(WAIT).await);
    let runner = JobRunner::new(rw.handles.clone(), probe_settings(), audit.clone());
    assert_eq!(
        runner.run(plan, sink).await,
        JobOutcome::Done,
        "restart works"
    );
    let after = started_at(&name);
    assert_ne!(after, before, "StartedAt must change on a restart");
    assert_eq!(
        docker(&["inspect", "-f", "{{.State.Running}}", &name]),
        "true"
    );

    let records = audit.read_all().unwrap();
    let outcomes: Vec<&str> = records.iter().map(|r| r.outcome.as_str()).collect();
    assert_eq!(outcomes.len(), 3);
    assert!(
        outcomes[0].starts_with("refused: read-only")
            && outcomes[1] == "started"
            && outcomes[2] == "done",
        "{outcomes:?}"
    );
    // `tugboat audit` prints the same log from the data directory.
    std::fs::create_dir_all(audit_dir.path().join("data")).unwrap();
    std::fs::copy(audit.path(), audit_dir.path().join("data/audit.jsonl")).unwrap();
    let (code, text, err) = run_tugboat(audit_dir.path(), &[], &["audit"]);
    assert_eq!(code, 0, "{err}");
    // A header, one line per record, a job's plan indented under its first.
    let printed: Vec<&str> = text.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(printed.len(), 4, "{text}");
    assert!(
        printed[0].starts_with("TIME")
            && printed[1].contains("refused: read-only")
            && printed[2].contains(" started ")
            && printed[3].contains(" done "),
        "{text}"
    );
    let (_, json, _) = run_tugboat(audit_dir.path(), &[], &["audit", "--json"]);
    assert_eq!(json.lines().count(), 3);
    assert!(records.iter().all(|r| r.action == "restart"
        && r.target == format!("local/{name}")
        && r.host == "local"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inspect_masks_secrets_and_logs_stream_sanitized_lines() {
    require_engine();
    let run = unique("inspect");
    let _cleanup = Cleanup::new(&run);
    let name = format!("{run}-db");
    let script = r#"printf 'hello \033]0;pwned\007world\n'; i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.2; done"#;
    run_busybox(
        &run,
        &name,
        &[
            "-e",
            "MARIADB_ROOT_PASSWORD=hunter2-secret",
            "-e",
            "ZOO_MY_ID=3",
        ],
        &["sh", "-c", script],
    );
    let fleet = Fleet::start(&[spec("local", LOCAL_URL)], &fast_settings(), false);
    let handle = fleet.handle("local");
    assert!(handle.wait_connected(WAIT).await);

    let sections = handle.inspect_container(&name).await.unwrap();
    let env = &sections
        .iter()
        .find(|s| s.title == "Environment")
        .unwrap()
        .lines;
    assert!(
        env.contains(&"MARIADB_ROOT_PASSWORD=********".to_string()),
        "{env:?}"
    );
    assert!(env.contains(&"ZOO_MY_ID=3".to_string()));
    let all: String = sections
        .iter()
        .flat_map(|s| s.lines.iter())
        .cloned()
        .collect();
    assert!(!all.contains("hunter2"), "the password must never be shown");

    // Follow: the stream delivers history and then new lines as they come.
    use futures_util::StreamExt;
    let stream = handle.container_logs(&name, 100).await.unwrap();
    let mut stream = std::pin::pin!(stream);
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !text.contains("tick 8") {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("log lines keep coming");
        text.push_str(&String::from_utf8_lossy(&chunk.unwrap().unwrap()));
    }
    let first = text.lines().next().unwrap();
    assert!(
        first.contains('\u{1b}'),
        "the raw stream carries the escape"
    );
    assert_eq!(tugboat::model::sanitize(first), "hello world");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stats_sample_reports_cpu_and_memory_of_a_busy_container() {
    require_engine();
    let run = unique("stats");
    let _cleanup = Cleanup::new(&run);
    let name = format!("{run}-busy");
    run_busybox(&run, &name, &[], &["sh", "-c", "while :; do :; done"]);
    let fleet = Fleet::start(&[spec("local", LOCAL_URL)], &fast_settings(), false);
    let handle = fleet.handle("local");
    assert!(handle.wait_connected(WAIT).await);
    let stats = handle.container_stats(&name).await.expect("a stats sample");
    assert!(
        stats.cpu_percent > 20.0,
        "a spinning shell uses CPU: {stats:?}"
    );
    assert!(
        stats.memory_bytes > 0 && stats.memory_limit >= stats.memory_bytes,
        "{stats:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_runs_inside_with_secrets_in_env_and_changes_refused_read_only() {
    use tugboat::docker::ExecPurpose;
    require_engine();
    let run = unique("exec");
    let _cleanup = Cleanup::new(&run);
    let name = format!("{run}-box");
    run_busybox(&run, &name, &[], &["sleep", "600"]);
    let fleet = Fleet::start(&[spec("local", LOCAL_URL)], &fast_settings(), true);
    let handle = fleet.handle("local");
    assert!(handle.wait_connected(WAIT).await);
    let script = "echo \"pw=$PROBE_PASSWORD\"; echo oops >&2; exit 3";
    let env = vec!["PROBE_PASSWORD=s3cret".to_string()];
    let out = handle
        .exec(
            &name,
            &["sh", "-c", script],
            &env,
            ExecPurpose::Probe,
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    assert_eq!(out.stdout, "pw=s3cret\n");
    assert_eq!(out.stderr, "oops\n");
    assert_eq!(out.exit_code, Some(3));
    // The secret went through the exec's environment, not the container's.
    assert!(!docker(&["inspect", &name]).contains("s3cret"));
    // A changing exec is refused read-only, before anything runs.
    let refused = handle
        .exec(
            &name,
            &["touch", "/tmp/x"],
            &[],
            ExecPurpose::Change,
            Duration::from_secs(10),
        )
        .await;
    assert_eq!(refused, Err(HostError::ReadOnly));
    assert_eq!(
        docker(&[
            "exec",
            &name,
            "sh",
            "-c",
            "test -e /tmp/x && echo yes || echo no"
        ]),
        "no"
    );
    // A command that never ends costs its timeout, not a hang.
    let slow = handle
        .exec(
            &name,
            &["sleep", "30"],
            &[],
            ExecPurpose::Probe,
            Duration::from_millis(500),
        )
        .await;
    assert!(matches!(slow, Err(HostError::Engine(e)) if e.contains("no answer")));
}
