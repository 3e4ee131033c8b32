//! A real MariaDB 10.11 primary with two GTID replicas (tugboat-test/mariadb,
//! the official image's interface): roles, threads and lag from probes that
//! take the root password from the container's environment, and a stopped
//! SQL thread shown as such. The password appears in no output.

mod common;

use std::time::{Duration, Instant};

use common::*;
use tugboat::model::answers::mysql::{DbProbe, DbRole, ThreadState};
use tugboat::model::probed::database_targets;
use tugboat::ops::job::JobOutcome;
use tugboat::ops::rolling::{rolling_restart_plan, Member};
use tugboat::ops::runner::JobRunner;
use tugboat::ops::AuditLog;
use tugboat::probes::run::{probe, ProbeKind};

const DB_IMAGE: &str = "tugboat-test/mariadb:10.11";
const ROOT_PW: &str = "r00t-Pa55-tugboat";

fn start_db(net: &str, label: &str, name: &str, server_id: u32, primary: Option<&str>) {
    let mut args: Vec<String> = [
        "run",
        "-d",
        "--name",
        name,
        "--network",
        net,
        "--label",
        label,
        "--label",
        &format!("io.tugboat.cluster={net}"),
        "-e",
        &format!("MARIADB_ROOT_PASSWORD={ROOT_PW}"),
        "-e",
        "MARIADB_REPLICATION_USER=repl",
        "-e",
        "MARIADB_REPLICATION_PASSWORD=repl-pw",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    if let Some(p) = primary {
        args.extend(["-e".into(), format!("MARIADB_MASTER_HOST={p}")]);
    }
    args.extend([
        DB_IMAGE.to_string(),
        format!("--server-id={server_id}"),
        "--log-bin".into(),
        format!("--log-basename={name}"),
        "--binlog-format=ROW".into(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    docker(&args);
}

async fn probe_db(fleet: &Fleet, name: &str) -> tugboat::model::answers::ProbeOutcome<DbProbe> {
    let c = fleet
        .container_named("local", name)
        .expect("container listed");
    match probe(
        fleet.handle("local"),
        &c.id,
        ProbeKind::Mysql,
        &probe_settings(),
    )
    .await
    {
        tugboat::model::probed::ProbeResult::Mysql(r) => r,
        other => panic!("{other:?}"),
    }
}

async fn wait_probe(
    fleet: &Fleet,
    name: &str,
    what: &str,
    pred: impl Fn(&DbProbe) -> bool,
) -> DbProbe {
    let start = Instant::now();
    loop {
        let last = probe_db(fleet, name).await;
        if let Ok(p) = &last {
            if pred(p) {
                return p.clone();
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "{name}: never {what}; last probe {last:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn sql(name: &str, statement: &str) -> String {
    docker(&[
        "exec",
        "-e",
        &format!("MYSQL_PWD={ROOT_PW}"),
        name,
        "mariadb",
        "-uroot",
        "-N",
        "-e",
        statement,
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn primary_and_replicas_show_roles_threads_and_lag() {
    require_engine();
    let run = unique("db");
    let _cleanup = Cleanup::new(&run);
    let label = format!("{TEST_LABEL}={run}");
    let net = format!("{run}-net");
    docker(&["network", "create", "--label", &label, &net]);
    let primary = format!("{run}-primary");
    let replicas = [format!("{run}-replica1"), format!("{run}-replica2")];
    start_db(&net, &label, &primary, 1, None);
    for (i, r) in replicas.iter().enumerate() {
        start_db(&net, &label, r, i as u32 + 2, Some(&primary));
    }
    let mut fleet = Fleet::start(&[spec("local", LOCAL_URL)], &fast_settings(), false);
    fleet
        .wait_for("the three databases", Duration::from_secs(15), |inv| {
            database_targets(inv)
                .iter()
                .filter(|(_, id)| {
                    inv.containers
                        .values()
                        .any(|c| &c.id == id && c.name.starts_with(&run))
                })
                .count()
                == 3
        })
        .await;

    for r in &replicas {
        let p = wait_probe(&fleet, r, "replicating", |p| {
            p.replica.as_ref().is_some_and(|s| s.is_healthy())
        })
        .await;
        assert_eq!(p.role(), DbRole::Replica);
        let status = p.replica.unwrap();
        assert_eq!(status.source_host, primary);
        assert!(status.seconds_behind.is_some_and(|s| s < 60), "{status:?}");
    }
    let p = wait_probe(&fleet, &primary, "primary with two replicas", |p| {
        p.replicas.len() == 2
    })
    .await;
    assert_eq!(p.role(), DbRole::Primary);
    assert_eq!(p.server_id, Some(1));
    assert!(!p.read_only);
    assert!(p.version.contains("MariaDB"), "{}", p.version);

    // A write on the primary reaches the replicas: their GTID position moves.
    sql(
        &primary,
        "CREATE DATABASE t; CREATE TABLE t.x (id INT PRIMARY KEY); INSERT INTO t.x VALUES (1)",
    );
    let primary_gtid = wait_probe(&fleet, &primary, "a new GTID", |p| !p.gtid.is_empty())
        .await
        .gtid;
    for r in &replicas {
        wait_probe(&fleet, r, "caught up", |p| p.gtid == primary_gtid).await;
        assert_eq!(sql(r, "SELECT id FROM t.x"), "1");
    }

    // A stopped SQL thread shows, with no lag figure.
    sql(&replicas[1], "STOP SLAVE SQL_THREAD");
    let stopped = wait_probe(&fleet, &replicas[1], "SQL thread stopped", |p| {
        p.replica
            .as_ref()
            .is_some_and(|s| s.sql_running == ThreadState::No)
    })
    .await
    .replica
    .unwrap();
    assert_eq!(stopped.io_running, ThreadState::Yes);
    assert_eq!(stopped.seconds_behind, None);

    // With replica2 not replicating, a rolling restart would leave the
    // database no healthy replica while replica1 restarts: refused when
    // planned, and by its guard at run time, restarting nothing.
    let started_at = |name: &str| docker(&["inspect", "-f", "{{.State.StartedAt}}", name]);
    let before: Vec<String> = std::iter::once(&primary)
        .chain(&replicas)
        .map(|n| started_at(n))
        .collect();
    let cfg = tempfile::tempdir().unwrap();
    let host = format!("local={LOCAL_URL}");
    let (code, out, err) = run_tugboat(
        cfg.path(),
        &[],
        &["--host", &host, "restart", "--rolling", &net, "--yes"],
    );
    assert_eq!(code, 3, "refused: {out}\n{err}");
    assert!(
        err.contains(&format!("{} not replicating", replicas[1]))
            && err.contains("without a healthy replica"),
        "{err}"
    );
    let member = |name: &str, replica: bool| Member {
        host: "local".into(),
        id: docker(&["inspect", "-f", "{{.Id}}", name]),
        name: name.into(),
        db_replica: replica,
        leader: !replica,
        db_replicas: 2,
        ..Member::default()
    };
    // The plan as it was made while both replicated.
    let members = [
        member(&primary, false),
        member(&replicas[0], true),
        member(&replicas[1], true),
    ];
    let plan = rolling_restart_plan(&net, &members, 5).unwrap();
    let audit = AuditLog::new(cfg.path().join("audit.jsonl"));
    let runner = JobRunner::new(fleet.handles.clone(), probe_settings(), audit);
    let outcome = runner.run(plan, std::sync::Arc::new(|_| {})).await;
    assert!(
        matches!(&outcome, JobOutcome::Failed { step: 1, error } if error.contains("without a healthy replica")),
        "{outcome:?}"
    );
    let after: Vec<String> = std::iter::once(&primary)
        .chain(&replicas)
        .map(|n| started_at(n))
        .collect();
    assert_eq!(before, after, "nothing was restarted");

    // Headless: replication in the JSON, and the password nowhere.
    let cfg = tempfile::tempdir().unwrap();
    let (code, json, err) = run_tugboat(
        cfg.path(),
        &[],
        &["--host", &format!("local={LOCAL_URL}"), "status", "--json"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        !json.contains(ROOT_PW) && !err.contains(ROOT_PW),
        "the root password leaked"
    );
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rows = report["replication"]
        .as_array()
        .expect("replication in the report");
    let row = |name: &str| {
        rows.iter()
            .find(|r| r["container"] == name)
            .unwrap_or_else(|| panic!("{name} in {rows:?}"))
    };
    assert_eq!(row(&primary)["role"], "primary");
    assert_eq!(row(&replicas[0])["role"], "replica");
    assert_eq!(row(&replicas[0])["source"], primary.as_str());
    assert_eq!(row(&replicas[0])["sql_running"], "yes");
    assert_eq!(row(&replicas[1])["sql_running"], "no");
    let inspect = docker(&["inspect", &primary]);
    assert!(
        inspect.contains(ROOT_PW),
        "sanity: the password is in the container's env"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_file_then_credentials_from_the_config_file() {
    require_engine();
    let run = unique("dbcred");
    let _cleanup = Cleanup::new(&run);
    let name = format!("{run}-db");
    // The password comes from a file, so the container's env has none.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pw"), ROOT_PW).unwrap();
    let mount = format!("{}:/run/secrets:ro", dir.path().display());
    docker(&[
        "run",
        "-d",
        "--name",
        &name,
        "--label",
        &format!("{TEST_LABEL}={run}"),
        "-v",
        &mount,
        "-e",
        "MARIADB_ROOT_PASSWORD_FILE=/run/secrets/pw",
        DB_IMAGE,
    ]);
    let fleet = Fleet::start(&[spec("local", LOCAL_URL)], &fast_settings(), false);
    let mut fleet = fleet;
    fleet
        .wait_for("the database", Duration::from_secs(15), |inv| {
            inv.containers_on("local").any(|c| c.name == name)
        })
        .await;
    let c = fleet.container_named("local", &name).unwrap().clone();
    let ask = |settings: tugboat::config::Settings| {
        let handle = fleet.handle("local").clone();
        let id = c.id.clone();
        async move {
            match probe(&handle, &id, ProbeKind::Mysql, &settings).await {
                tugboat::model::probed::ProbeResult::Mysql(r) => r,
                other => panic!("{other:?}"),
            }
        }
    };
    // The official image's secret file: read inside the container.
    let start = Instant::now();
    loop {
        match ask(probe_settings()).await {
            Ok(p) => {
                assert_eq!(p.role(), DbRole::Standalone);
                break;
            }
            other => assert!(
                start.elapsed() < Duration::from_secs(60),
                "the password file was not used: {other:?}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // A secret file that no longer holds the password: refused, said so.
    std::fs::write(dir.path().join("pw"), "not-the-password").unwrap();
    match ask(probe_settings()).await {
        Err(e) => assert!(e.text().contains("Access denied"), "{e}"),
        other => panic!("expected access denied, got {other:?}"),
    }
    let with_creds = tugboat::config::Settings {
        db_credentials: vec![tugboat::config::DbCredential {
            host: "local".into(),
            binding: tugboat::config::Binding::Container(name.clone()),
            user: "root".into(),
            password: tugboat::config::Secret::new(ROOT_PW),
        }],
        ..probe_settings()
    };
    let p = ask(with_creds)
        .await
        .expect("the config's credentials work");
    assert_eq!(p.role(), DbRole::Standalone);
}
