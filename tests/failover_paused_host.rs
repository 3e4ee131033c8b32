//! A failover is refused while the primary's host is paused (its engine
//! does not answer: the primary may still run and take writes there), on
//! real engines: a MariaDB primary on a second engine (Docker-in-Docker), a
//! replica of it on the local one. Seen by the TUI's inventory (host tasks
//! that knew the primary, then lost its host), the plan is refused and
//! names `--primary-is-gone`; stated gone, a failover is planned. The
//! headless `failover`, which never sees the primary, refuses too and
//! changes nothing.

mod common;

use std::process::Command;
use std::time::Duration;

use common::*;
use tugboat::cli::status::collect;
use tugboat::model::HostState;
use tugboat::ops::db_failover::{db_cluster, failover_plan, FailoverAsk, FailoverKind};

const HOST2: &str = "tb-it-dbhost2";
const HOST2_ADDR: &str = "127.0.0.15";
const MARIADB: &str = "tugboat-test/mariadb:10.11";
const ROOT_PW: &str = "paused-host-root";

/// `docker run` of a MariaDB server of cluster `run` on `url` (None: local).
fn run_db(url: Option<&str>, run: &str, name: &str, id: u32, source: Option<&str>) {
    let label = format!("{TEST_LABEL}={run}");
    let cluster = format!("io.tugboat.cluster={run}");
    let root = format!("MARIADB_ROOT_PASSWORD={ROOT_PW}");
    let server_id = format!("--server-id={id}");
    let basename = format!("--log-basename={name}");
    let mut args = vec![
        "run", "-d", "--name", name, "--label", &label, "--label", &cluster, "-e", &root,
    ];
    let master = source.map(|s| format!("MARIADB_MASTER_HOST={s}"));
    if let Some(m) = &master {
        args.extend(["-e", m, "-e", "MARIADB_REPLICATION_USER=repl"]);
        args.extend(["-e", "MARIADB_REPLICATION_PASSWORD=repl-pw"]);
    }
    args.extend([MARIADB, &server_id, "--log-bin", &basename]);
    docker_at(url, &args);
}

fn answers(url: Option<&str>, name: &str) -> bool {
    let mut c = Command::new("docker");
    if let Some(u) = url {
        c.env("DOCKER_HOST", u);
    }
    c.args(["exec", "-e", &format!("MYSQL_PWD={ROOT_PW}"), name])
        .args(["mariadb", "--protocol=tcp", "-h127.0.0.1", "-uroot", "-NB"])
        .args(["-e", "SELECT @@global.read_only"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failover_is_refused_while_the_primary_host_is_paused() {
    require_engine();
    let run = unique("dbpause");
    let dind = Dind::start(HOST2, HOST2_ADDR);
    dind.load(MARIADB);
    let url2 = dind.url.clone();
    let mut cleanup = Cleanup::new(&run);
    cleanup.hosts.push(Some(url2.clone()));
    let primary = format!("{run}-db1");
    let replica = format!("{run}-db2");
    run_db(Some(&url2), &run, &primary, 1, None);
    run_db(None, &run, &replica, 2, Some(&primary));
    for (url, name) in [(Some(url2.as_str()), &primary), (None, &replica)] {
        let start = std::time::Instant::now();
        while !answers(url, name) {
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "{name} never answered"
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }
    let specs = [spec("local", LOCAL_URL), spec("host2", &url2)];
    let settings = fast_settings();
    let probes = probe_settings();

    // Both hosts answer, both servers probed (the replica names the
    // primary as its source, though it cannot reach it across engines).
    let book = loop {
        let (inv, book, _) = collect(&specs, &probes).await;
        if let Some(c) = db_cluster(&inv, &book, &run) {
            if c.nodes.len() == 2 && c.nodes.iter().all(|n| matches!(n.probe, Some(Ok(_)))) {
                break book;
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };

    // The TUI's view: host tasks that saw the primary, then its host paused.
    let mut fleet = Fleet::start(&specs, &settings, false);
    fleet
        .wait_for("both hosts listed", Duration::from_secs(30), |inv| {
            inv.containers.values().any(|c| c.name == primary)
                && inv.containers.values().any(|c| c.name == replica)
        })
        .await;
    docker(&["pause", HOST2]);
    fleet
        .wait_for(
            "host2 unreachable while paused",
            Duration::from_secs(30),
            |inv| {
                matches!(
                    inv.host("host2").map(|h| &h.state),
                    Some(HostState::Unreachable { .. })
                )
            },
        )
        .await;
    let cluster = db_cluster(&fleet.inventory, &book, &run).expect("the cluster, as last seen");
    let refused = failover_plan(&cluster, &FailoverAsk::default())
        .expect_err("no failover while the primary's host does not answer")
        .to_string();
    assert!(
        refused.contains(&primary) && refused.contains("unreachable host host2"),
        "{refused}"
    );
    assert!(refused.contains("--primary-is-gone"), "{refused}");
    let stated = FailoverAsk {
        primary_is_gone: true,
        no_balancer: true,
        ..FailoverAsk::default()
    };
    let planned = failover_plan(&cluster, &stated).expect("stated gone: planned");
    assert_eq!(planned.kind, FailoverKind::Failover);
    assert_eq!(planned.candidate, replica);

    // Headless, the paused host never answers: refused, nothing changed.
    let cfg = tempfile::tempdir().expect("temp dir");
    let (h1, h2) = (format!("local={LOCAL_URL}"), format!("host2={url2}"));
    let (code, out, err) = run_tugboat(
        cfg.path(),
        &[],
        &[
            "--host",
            &h1,
            "--host",
            &h2,
            "failover",
            &run,
            "--no-balancer",
            "--yes",
        ],
    );
    assert_ne!(code, 0, "{out}\n{err}");
    assert!(!out.contains("step 1:"), "a job ran: {out}");
    let read_only = Command::new("docker")
        .args(["exec", "-e", &format!("MYSQL_PWD={ROOT_PW}"), &replica])
        .args(["mariadb", "--protocol=tcp", "-h127.0.0.1", "-uroot", "-NB"])
        .args(["-e", "SHOW SLAVE STATUS"])
        .output()
        .expect("docker runs");
    assert!(
        String::from_utf8_lossy(&read_only.stdout).contains(&primary),
        "the replica still replicates from the paused primary"
    );
    docker(&["unpause", HOST2]);
}
