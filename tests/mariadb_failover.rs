//! MariaDB switchover and failover against real servers: a GTID primary with
//! two replicas (tugboat-test/mariadb:10.11) behind an HAProxy writer
//! backend (tugboat-test/haproxy:2.6), with a client writing numbered rows
//! through HAProxy and printing each one the server acknowledged.
//! Switchover under that load (headless, plus read-only refusal and the
//! audit), failover after `docker kill` of the primary (core), and a
//! candidate removed in the middle of a job.

mod common;

use std::time::{Duration, Instant};

use common::*;
use tugboat::ops::db_failover::{db_cluster, failover_plan, FailoverKind};
use tugboat::ops::job::JobOutcome;
use tugboat::ops::runner::JobRunner;
use tugboat::ops::AuditLog;

const DB_IMAGE: &str = "tugboat-test/mariadb:10.11";
const ROOT_PW: &str = "r00t-Pa55-failover";
const REPL_PW: &str = "r3pl-Pa55-failover";

/// A primary `db1`, replicas `db2` and `db3`, and `lb` whose writer
/// backend sends to db1 only (the others `disabled`, i.e. MAINT).
struct Bed {
    run: String,
    net: String,
    label: String,
    dbs: [String; 3],
    lb: String,
    _config: tempfile::TempDir,
}

fn start_db(bed_label: &str, net: &str, run: &str, name: &str, id: u32, primary: Option<&str>) {
    let mut args: Vec<String> = vec![
        "run".into(),
        "-d".into(),
        "--name".into(),
        name.into(),
        "--network".into(),
        net.into(),
        "--label".into(),
        bed_label.into(),
        "--label".into(),
        format!("io.tugboat.cluster={run}"),
        "-e".into(),
        format!("MARIADB_ROOT_PASSWORD={ROOT_PW}"),
        "-e".into(),
        "MARIADB_REPLICATION_USER=repl".into(),
        "-e".into(),
        format!("MARIADB_REPLICATION_PASSWORD={REPL_PW}"),
    ];
    match primary {
        Some(p) => args.extend(["-e".into(), format!("MARIADB_MASTER_HOST={p}")]),
        None => {
            for e in [
                "MARIADB_USER=app",
                "MARIADB_PASSWORD=app-pw",
                "MARIADB_DATABASE=t",
            ] {
                args.extend(["-e".into(), e.into()]);
            }
        }
    }
    args.extend([
        DB_IMAGE.to_string(),
        format!("--server-id={id}"),
        "--log-bin".into(),
        format!("--log-basename={name}"),
        "--binlog-format=ROW".into(),
        "--log-slave-updates".into(),
    ]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    docker(&args);
}

impl Bed {
    fn start(prefix: &str) -> Bed {
        let run = unique(prefix);
        let label = format!("{TEST_LABEL}={run}");
        let net = format!("{run}-net");
        docker(&["network", "create", "--label", &label, &net]);
        let dbs = [1, 2, 3].map(|i| format!("{run}-db{i}"));
        start_db(&label, &net, &run, &dbs[0], 1, None);
        for (i, r) in dbs.iter().enumerate().skip(1) {
            start_db(&label, &net, &run, r, i as u32 + 1, Some(&dbs[0]));
        }
        let servers: String = dbs
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let off = if i == 0 { "" } else { " disabled" };
                format!("    server db{} {d}:3306{off}\n", i + 1)
            })
            .collect();
        let config = format!(
            "global\n    stats socket /var/run/haproxy.sock mode 600 level admin\n\
             defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 30s\n    timeout server 30s\n\
             frontend fe_db\n    bind :3306\n    default_backend db_writer\n\
             backend db_writer\n    default-server init-addr last,libc,none\n{servers}"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let lb = format!("{run}-lb");
        run_haproxy(&run, &lb, &net, dir.path(), &config, false);
        Bed {
            run,
            net,
            label,
            dbs,
            lb,
            _config: dir,
        }
    }

    /// Wait until both replicas replicate and the table exists everywhere.
    fn wait_ready(&self) {
        poll("db1 answers", || {
            sql(&self.dbs[0], "SELECT 1").is_ok_and(|o| o == "1")
        });
        sql(&self.dbs[0], "CREATE TABLE t.w (n INT PRIMARY KEY)").expect("table");
        for r in &self.dbs[1..] {
            poll(&format!("{r} has the table"), || {
                sql(r, "SELECT COUNT(*) FROM t.w").is_ok()
            });
        }
    }

    /// A client writing 1, 2, 3… through the balancer, one connection per
    /// row, printing `ack N` once the server acknowledged the commit.
    fn start_writer(&self) -> String {
        let name = format!("{}-writer", self.run);
        let script = format!(
            "i=0; while :; do i=$((i+1)); if MYSQL_PWD=app-pw mariadb --connect-timeout=2 -h{lb} -uapp \
             -e \"INSERT INTO t.w VALUES ($i)\" 2>/dev/null; then echo ack $i; fi; sleep 0.05; done",
            lb = self.lb
        );
        docker(&[
            "run",
            "-d",
            "--name",
            &name,
            "--network",
            &self.net,
            "--label",
            &self.label,
            DB_IMAGE,
            "bash",
            "-c",
            &script,
        ]);
        name
    }
}

fn acked(writer: &str) -> Vec<u64> {
    docker(&["logs", writer])
        .lines()
        .filter_map(|l| l.strip_prefix("ack ")?.trim().parse().ok())
        .collect()
}

/// Run SQL as root in `name` (password in the exec's env); tab-separated rows.
fn sql(name: &str, statement: &str) -> Result<String, String> {
    client(name, "-NB", statement)
}

/// The client over TCP, so the entrypoint's temporary (socket-only) server
/// never answers.
fn client(name: &str, format: &str, statement: &str) -> Result<String, String> {
    let out = std::process::Command::new("docker")
        .args(["exec", "-e", &format!("MYSQL_PWD={ROOT_PW}"), name])
        .args(["mariadb", "--protocol=tcp", "-h127.0.0.1", "-uroot", format])
        .args(["-e", statement])
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).to_string())
    }
}

fn poll(what: &str, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < Duration::from_secs(120), "never: {what}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// (Master_Host, Slave_IO_Running, Slave_SQL_Running) of a replica.
fn replica_of(name: &str) -> Option<(String, String, String)> {
    let text = client(name, "-E", "SHOW SLAVE STATUS").ok()?;
    let field = |f: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{f}: ")))
            .unwrap_or("")
            .to_string()
    };
    let host = field("Master_Host");
    (!host.is_empty()).then(|| (host, field("Slave_IO_Running"), field("Slave_SQL_Running")))
}

fn replicating_from(name: &str, source: &str) -> bool {
    replica_of(name).is_some_and(|(h, io, sqlt)| h == source && io == "Yes" && sqlt == "Yes")
}

/// Each writer-backend server's status as `show stat` prints it.
fn writer_states(lb: &str) -> Vec<(String, String)> {
    let out = docker(&[
        "exec",
        lb,
        "sh",
        "-c",
        "echo 'show stat' | socat stdio /var/run/haproxy.sock",
    ]);
    out.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f.len() > 17 && f[0] == "db_writer" && f[1] != "BACKEND")
                .then(|| (f[1].to_string(), f[17].to_string()))
        })
        .collect()
}

fn rows(name: &str) -> std::collections::HashSet<u64> {
    sql(name, "SELECT n FROM t.w")
        .expect("rows")
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

fn tugboat(cfg: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let host = format!("local={LOCAL_URL}");
    let mut all = vec!["--host", host.as_str()];
    all.extend_from_slice(args);
    run_tugboat(cfg, &[], &all)
}

#[test]
fn switchover_under_write_load_keeps_every_acknowledged_write() {
    require_engine();
    let bed = Bed::start("dbsw");
    let _cleanup = Cleanup::new(&bed.run);
    bed.wait_ready();
    let writer = bed.start_writer();
    poll("the writer's first acknowledged writes", || {
        acked(&writer).len() >= 20
    });
    let cfg = tempfile::tempdir().expect("temp dir");

    // Read-only: refused in the core, nothing changed, recorded.
    let (code, out, err) = tugboat(cfg.path(), &["--read-only", "failover", &bed.run, "--yes"]);
    assert_eq!(code, 3, "read-only refuses: {out} {err}");
    assert!(out.contains("refused: read-only"), "{out}");
    assert_eq!(sql(&bed.dbs[0], "SELECT @@global.read_only").unwrap(), "0");
    assert!(writer_states(&bed.lb).contains(&("db1".into(), "no check".into())));

    // Not confirmed (no terminal, no --yes): nothing runs.
    let (code, _, err) = tugboat(cfg.path(), &["failover", &bed.run]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("not confirmed"), "{err}");

    let (code, out, err) = tugboat(cfg.path(), &["failover", &bed.run, "--yes", "--json"]);
    assert_eq!(code, 0, "switchover failed: {out} {err}");
    let report: serde_json::Value = serde_json::from_str(out.trim()).expect("JSON report");
    assert_eq!(report["kind"], "switchover");
    assert_eq!(report["primary"], bed.dbs[0].as_str());
    assert_eq!(report["outcome"]["outcome"], "done", "{report}");
    let new = report["candidate"].as_str().expect("candidate").to_string();
    assert!(bed.dbs[1..].contains(&new), "{new}");
    let new_server = format!("db{}", &new[new.len() - 1..]);

    // Writes go on through the new primary.
    let after = acked(&writer).len();
    poll("writes acknowledged after the switchover", || {
        acked(&writer).len() >= after + 20
    });
    docker(&["kill", &writer]);
    let acks = acked(&writer);
    let on_new = rows(&new);
    let lost: Vec<&u64> = acks.iter().filter(|n| !on_new.contains(n)).collect();
    assert!(
        lost.is_empty(),
        "acknowledged writes missing on {new}: {lost:?}"
    );

    // The old primary and the other replica follow the new primary.
    let other = bed.dbs[1..].iter().find(|d| **d != new).unwrap();
    for follower in [&bed.dbs[0], other] {
        poll(&format!("{follower} replicates from {new}"), || {
            replicating_from(follower, &new)
        });
        assert_eq!(sql(follower, "SELECT @@global.read_only").unwrap(), "1");
    }
    assert_eq!(sql(&new, "SELECT @@global.read_only").unwrap(), "0");
    assert_eq!(
        replica_of(&new),
        None,
        "the new primary replicates from nobody"
    );
    poll("the old primary has every acknowledged write", || {
        let old = rows(&bed.dbs[0]);
        acks.iter().all(|n| old.contains(n))
    });

    // Only the new primary takes writes through the balancer.
    for (server, status) in writer_states(&bed.lb) {
        let want = if server == new_server {
            "no check"
        } else {
            "MAINT"
        };
        assert_eq!(status, want, "{server}");
    }

    // Audited, and no password anywhere.
    let (_, audit, _) = tugboat(cfg.path(), &["audit", "--json"]);
    let file =
        std::fs::read_to_string(cfg.path().join("data").join("audit.jsonl")).expect("audit file");
    assert!(
        audit.contains("refused: read-only") && audit.contains("\"done\""),
        "{audit}"
    );
    assert!(
        audit.contains("switchover") && audit.contains("make the primary"),
        "{audit}"
    );
    for text in [&file, &audit, &out, &err] {
        assert!(
            !text.contains(ROOT_PW) && !text.contains(REPL_PW),
            "a password leaked: {text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failover_after_kill_promotes_the_most_advanced_replica() {
    require_engine();
    let bed = Bed::start("dbfo");
    let _cleanup = Cleanup::new(&bed.run);
    bed.wait_ready();
    let [primary, r2, r3] = bed.dbs.clone();
    // db3 falls behind: its SQL thread stops, then more rows arrive.
    poll("db3 replicates", || replicating_from(&r3, &primary));
    sql(&r3, "STOP SLAVE SQL_THREAD").expect("stop");
    for n in 1..=20 {
        sql(&primary, &format!("INSERT INTO t.w VALUES ({n})")).expect("insert");
    }
    poll("db2 has every row", || rows(&r2).len() == 20);
    assert!(rows(&r3).is_empty(), "db3 lags");
    docker(&["kill", &primary]);

    // With db2's SQL thread stopped too, nobody can take over: refused, saying why.
    sql(&r2, "STOP SLAVE SQL_THREAD").expect("stop");
    let cfg = tempfile::tempdir().expect("temp dir");
    let (code, out, err) = tugboat(cfg.path(), &["failover", &bed.run, "--yes"]);
    assert_eq!(code, 3, "{out} {err}");
    assert!(
        err.contains("no healthy replica") && err.contains("SQL thread no"),
        "{err}"
    );
    assert_eq!(writer_states(&bed.lb)[0], ("db1".into(), "no check".into()));
    sql(&r2, "START SLAVE SQL_THREAD").expect("start");

    // The plan, from one probe round of the real servers.
    let hosts = [spec("local", LOCAL_URL)];
    let settings = probe_settings();
    let planned = {
        let start = Instant::now();
        loop {
            let (inv, book, _) = tugboat::cli::status::collect(&hosts, &settings).await;
            let cluster = db_cluster(&inv, &book, &bed.run).expect("the cluster");
            match failover_plan(&cluster, None) {
                Ok(p) => break p,
                Err(e) => assert!(start.elapsed() < Duration::from_secs(60), "{e}"),
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    };
    assert_eq!(planned.kind, FailoverKind::Failover);
    assert_eq!(planned.primary, primary);
    assert_eq!(planned.candidate, r2, "the most advanced replica");
    let start = Instant::now();
    loop {
        let (inv, book, _) = tugboat::cli::status::collect(&hosts, &settings).await;
        let cluster = db_cluster(&inv, &book, &bed.run).expect("the cluster");
        let refused = failover_plan(&cluster, Some(&r3)).unwrap_err();
        if refused.contains(&format!("{r3} cannot take over: SQL thread no")) {
            break;
        }
        // A probe that timed out says "unreachable": ask again.
        assert!(start.elapsed() < Duration::from_secs(60), "{refused}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    let fleet = Fleet::start(&hosts, &probe_settings(), false);
    assert!(
        fleet.handles[0]
            .wait_connected(Duration::from_secs(10))
            .await
    );
    let audit = cfg.path().join("audit.jsonl");
    let runner = JobRunner::new(
        fleet.handles.clone(),
        settings,
        AuditLog::new(audit.clone()),
    );
    let outcome = runner
        .run(planned.plan.clone(), std::sync::Arc::new(|_| {}))
        .await;
    assert_eq!(outcome, JobOutcome::Done);

    assert_eq!(replica_of(&r2), None);
    assert_eq!(sql(&r2, "SELECT @@global.read_only").unwrap(), "0");
    poll("db3 replicates from db2 and catches up", || {
        replicating_from(&r3, &r2) && rows(&r3).len() == 20
    });
    sql(&r2, "INSERT INTO t.w VALUES (21)").expect("the new primary takes writes");
    poll("db3 follows the new primary", || rows(&r3).len() == 21);
    let states = writer_states(&bed.lb);
    assert!(
        states.contains(&("db1".into(), "MAINT".into())),
        "fenced: {states:?}"
    );
    assert!(
        states.contains(&("db2".into(), "no check".into())),
        "{states:?}"
    );
    assert!(
        states.contains(&("db3".into(), "MAINT".into())),
        "{states:?}"
    );
    let record = std::fs::read_to_string(&audit).expect("audit");
    assert!(
        record.contains("failover") && record.contains("\"done\""),
        "{record}"
    );
    assert!(!record.contains(ROOT_PW) && !record.contains(REPL_PW));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_candidate_that_dies_mid_job_fails_that_step_and_a_new_plan_recovers() {
    require_engine();
    let bed = Bed::start("dbmid");
    let _cleanup = Cleanup::new(&bed.run);
    bed.wait_ready();
    let [primary, r2, r3] = bed.dbs.clone();
    for r in [&r2, &r3] {
        poll(&format!("{r} replicates"), || replicating_from(r, &primary));
    }
    let hosts = [spec("local", LOCAL_URL)];
    let settings = probe_settings();
    let plan_to = |to: String| {
        let hosts = hosts.clone();
        let settings = settings.clone();
        let run = bed.run.clone();
        async move {
            // Probes may time out on a busy machine: ask again until a plan comes.
            let start = Instant::now();
            loop {
                let (inv, book, _) = tugboat::cli::status::collect(&hosts, &settings).await;
                let cluster = db_cluster(&inv, &book, &run).expect("the cluster");
                match failover_plan(&cluster, Some(&to)) {
                    Ok(p) => return Ok::<_, String>(p),
                    Err(e) if start.elapsed() > Duration::from_secs(60) => return Err(e),
                    Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
                }
            }
        }
    };
    let planned = plan_to(r3.clone()).await.expect("a switchover to db3");
    assert_eq!(planned.kind, FailoverKind::Switchover);
    let fleet = Fleet::start(&hosts, &probe_settings(), false);
    assert!(
        fleet.handles[0]
            .wait_connected(Duration::from_secs(10))
            .await
    );
    let cfg = tempfile::tempdir().expect("temp dir");
    let audit = cfg.path().join("audit.jsonl");
    let runner = JobRunner::new(
        fleet.handles.clone(),
        settings.clone(),
        AuditLog::new(audit.clone()),
    );

    // The candidate disappears after the plan was made: the job stops at
    // the first step that needs it and says which and why.
    docker(&["rm", "-f", "-v", &r3]);
    let outcome = runner
        .run(planned.plan.clone(), std::sync::Arc::new(|_| {}))
        .await;
    let catch_up = planned
        .plan
        .lines()
        .iter()
        .position(|l| l.contains("applied"))
        .expect("a catch-up step")
        + 1;
    match &outcome {
        JobOutcome::Failed { step, error } => {
            assert_eq!(*step, catch_up, "{error}");
            assert!(error.contains("No such container"), "{error}");
            // Before the promotion, what was done is undone: one writable
            // primary, its writers back.
            assert!(error.contains("made safe: "), "{error}");
            assert!(
                error.contains("writable again (the switchover stopped): done"),
                "{error}"
            );
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    let record = std::fs::read_to_string(&audit).expect("audit");
    assert!(
        record.contains(&format!("failed at step {catch_up} of")),
        "{record}"
    );
    assert_eq!(sql(&primary, "SELECT @@global.read_only").unwrap(), "0");
    assert!(!writer_states(&bed.lb).contains(&("db1".into(), "MAINT".into())));
    assert!(replicating_from(&r2, &primary), "db2 untouched");

    // A new plan from the servers as they are now finishes the job.
    let planned = plan_to(r2.clone()).await.expect("a switchover to db2");
    assert!(
        planned.plan.lines().iter().all(|l| !l.contains(&r3)),
        "the removed server is out of the plan"
    );
    let outcome = runner.run(planned.plan, std::sync::Arc::new(|_| {})).await;
    assert_eq!(outcome, JobOutcome::Done);
    assert_eq!(sql(&r2, "SELECT @@global.read_only").unwrap(), "0");
    poll("db1 replicates from db2", || {
        replicating_from(&primary, &r2)
    });
    assert!(writer_states(&bed.lb).contains(&("db2".into(), "no check".into())));
}
