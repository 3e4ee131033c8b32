//! A MariaDB primary and two replicas deployed as swarm services on the
//! swarm of three (Engine 26 Docker-in-Docker hosts, scripts/swarm.sh):
//! services db1..db3 in stack `db`, one task each, pinned to a node, its
//! data on a volume of that node, found by service name on an overlay
//! network (the official image's interface). tugboat probes them in their
//! task containers and restarts the database task by task through swarm
//! while a client writes to the primary: each replica's task replaced and
//! caught up before the next, the primary last, and every acknowledged
//! write on every server afterwards; and a dropped session (SIGHUP) stops
//! the job after the member it was at.

mod common;
#[path = "common/swarm.rs"]
mod swarm;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::*;
use swarm::Swarm;

/// The stack the database's services are in: the cluster's name in tugboat.
const STACK: &str = "db";
const IMAGE: &str = "tugboat-test/mariadb:10.11";
/// Root's password on the test servers (a test fixture, handed to the
/// servers in their environment as users do).
const ROOT_PW: &str = "swarm-root-pw";
/// The client container that writes to the primary, on node 1.
const WRITER: &str = "tb-swdb-writer";
/// The tag a rolling update puts the services on.
const NEXT_IMAGE: &str = "tugboat-test/mariadb:10.11-next";

/// Three services db1..db3, each with one task pinned to node i and its
/// data on a volume there; db1 the primary, the others read-only.
fn deploy_database(swarm: &Swarm) {
    swarm.overlay_network("dbnet");
    for i in 1..=3 {
        let name = format!("db{i}");
        let node = format!("node.hostname=={}", swarm.name(i - 1));
        let data = format!("type=volume,source=db{i}data,target=/var/lib/mysql");
        let server_id = format!("--server-id={i}");
        let root = format!("MARIADB_ROOT_PASSWORD={ROOT_PW}");
        let mut args = vec![
            // A task's hostname is its container's id unless set: files
            // named after it (binary logs) would change with every task.
            "--hostname",
            &name,
            "--endpoint-mode",
            "dnsrr",
            "--constraint",
            &node,
            "--mount",
            &data,
            "--env",
            &root,
            IMAGE,
            &server_id,
            "--log-bin=mysql-bin",
            "--relay-log=relay-bin",
            "--log-slave-updates",
            "--binlog-format=ROW",
        ];
        if i > 1 {
            args.push("--read-only=1");
        }
        swarm.stack_service(&name, STACK, "dbnet", &args);
    }
}

/// The running container of service `service` on node `i`, if any.
fn task_container(swarm: &Swarm, i: usize, service: &str) -> Option<String> {
    let filter = format!("label=com.docker.swarm.service.name={service}");
    let out = swarm.docker_on(i, &["ps", "-q", "--filter", &filter]);
    out.lines().next().map(str::to_string)
}

/// `statement` run as root in db`n`'s task container (node n-1), over TCP.
fn sql(swarm: &Swarm, n: usize, statement: &str) -> Result<String, String> {
    let service = format!("db{n}");
    let id = task_container(swarm, n - 1, &service).ok_or(format!("{service}: no task runs"))?;
    let pw = format!("MYSQL_PWD={ROOT_PW}");
    let out = swarm.try_docker_on(
        n - 1,
        &[
            "exec",
            "-e",
            &pw,
            &id,
            "mariadb",
            "--protocol=tcp",
            "-h127.0.0.1",
            "-uroot",
            "-NB",
            "-e",
            statement,
        ],
    );
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).to_string())
    }
}

/// db2 and db3 replicate from db1 (by its service name), and the table
/// the client writes exists.
fn set_up_replication(swarm: &Swarm) {
    for n in 1..=3 {
        eventually(180, &format!("db{n} answers"), || {
            sql(swarm, n, "SELECT 1").map(|_| ())
        });
    }
    let primary = "CREATE USER 'repl'@'%' IDENTIFIED BY 'repl-pw'; \
                   GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%'; \
                   CREATE DATABASE app; CREATE TABLE app.w (n BIGINT PRIMARY KEY)";
    sql(swarm, 1, primary).expect("the primary's setup");
    for n in 2..=3 {
        sql(
            swarm,
            n,
            "CHANGE MASTER TO MASTER_HOST='db1', MASTER_USER='repl', MASTER_PASSWORD='repl-pw', \
             MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=2; START SLAVE",
        )
        .expect("a replica's setup");
    }
    for n in 2..=3 {
        eventually(60, &format!("db{n} replicates the table"), || {
            sql(swarm, n, "SELECT COUNT(*) FROM app.w").map(|_| ())
        });
    }
}

/// A client on node 1 that inserts 1, 2, 3, … into app.w on db1, a new
/// connection every 50 ms, and prints `ack N` for each acknowledged row.
fn start_writer(swarm: &Swarm, first: u64) {
    let script = format!(
        "i={first}; while :; do i=$((i+1)); if mariadb --connect-timeout=2 -hdb1 -uroot \
         -e \"INSERT INTO app.w VALUES ($i)\" 2>/dev/null; then echo ack $i $(date +%s%3N); fi; \
         sleep 0.05; done"
    );
    let pw = format!("MYSQL_PWD={ROOT_PW}");
    let label = format!("{TEST_LABEL}=swarm");
    swarm.docker_on(
        0,
        &[
            "run",
            "-d",
            "--name",
            WRITER,
            "--network",
            "dbnet",
            "--label",
            &label,
            "-e",
            &pw,
            IMAGE,
            "bash",
            "-c",
            &script,
        ],
    );
}

/// The rows the writer saw acknowledged, with when (ms since the epoch).
fn acked(swarm: &Swarm) -> Vec<(u64, u64)> {
    swarm
        .docker_on(0, &["logs", WRITER])
        .lines()
        .filter_map(|l| {
            let mut words = l.strip_prefix("ack ")?.split_whitespace();
            Some((words.next()?.parse().ok()?, words.next()?.parse().ok()?))
        })
        .collect()
}

fn rows(swarm: &Swarm, n: usize) -> Result<HashSet<u64>, String> {
    Ok(sql(swarm, n, "SELECT n FROM app.w")?
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect())
}

/// When each service's running task container started (RFC 3339).
fn started(swarm: &Swarm) -> Vec<String> {
    (1..=3)
        .map(|n| {
            let id = task_container(swarm, n - 1, &format!("db{n}")).unwrap_or_default();
            swarm.docker_on(n - 1, &["inspect", "-f", "{{.State.StartedAt}}", &id])
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mariadb_deployed_as_services_restarts_task_by_task_losing_no_acknowledged_write() {
    require_engine();
    let swarm = Swarm::up("tb-swdb", 1);
    swarm.load_image(IMAGE);
    deploy_database(&swarm);
    set_up_replication(&swarm);

    let cfg = tempfile::tempdir().expect("temp dir");
    let flags = swarm.host_flags();
    let mut args: Vec<&str> = flags.iter().map(String::as_str).collect();
    args.extend(["status", "--json"]);
    // Probed in its task containers: one primary, two replicas, in stack db.
    eventually(90, "tugboat sees db1 primary and two replicas", || {
        let (code, out, err) = run_tugboat(cfg.path(), &[], &args);
        let report: serde_json::Value =
            serde_json::from_str(&out).map_err(|e| format!("{e}: {out}{err}"))?;
        let mut seen: Vec<(String, String, String)> = report["replication"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["cluster"] == STACK)
            .map(|r| {
                let text = |f: &str| r[f].as_str().unwrap_or("-").to_string();
                let service = text("container")
                    .split('.')
                    .next()
                    .unwrap_or("")
                    .to_string();
                (service, text("role"), text("source"))
            })
            .collect();
        seen.sort();
        let want = [
            ("db1", "primary", "-"),
            ("db2", "replica", "db1"),
            ("db3", "replica", "db1"),
        ];
        let want: Vec<(String, String, String)> = want
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect();
        (code == 0 && seen == want)
            .then_some(())
            .ok_or(format!("exit {code}: {seen:?}"))
    });

    let restarted = under_load(&swarm, cfg.path(), &["restart", "--rolling", STACK], 0);
    // A rolling update: each service put on another tag of the image (the
    // same image: no registry here), the same gates, under the same load.
    for i in 0..3 {
        swarm.docker_on(i, &["tag", IMAGE, NEXT_IMAGE]);
    }
    let update = ["restart", "--rolling", STACK, "--image", NEXT_IMAGE];
    let updated = under_load(&swarm, cfg.path(), &update, restarted + 1000);
    for n in 1..=3 {
        let service = format!("db{n}");
        let image = swarm.docker_on(
            0,
            &[
                "service",
                "inspect",
                "-f",
                "{{.Spec.TaskTemplate.ContainerSpec.Image}}",
                &service,
            ],
        );
        assert!(image.starts_with(NEXT_IMAGE), "{service}: {image}");
    }
    hang_up_stops_after_the_member(&swarm, cfg.path(), updated + 1000);
}

/// The SSH session drops (SIGHUP, nobody reads the output any more) while
/// swarm replaces the first replica's task: the job stops there and says
/// so in the audit, the other services keep their tasks, and under the
/// client's load no acknowledged write is lost and both replicas replicate.
fn hang_up_stops_after_the_member(swarm: &Swarm, cfg: &std::path::Path, first: u64) {
    let before = started(swarm);
    start_writer(swarm, first);
    std::thread::sleep(Duration::from_secs(2));
    let flags = swarm.host_flags();
    let mut args: Vec<&str> = flags.iter().map(String::as_str).collect();
    args.extend(["restart", "--rolling", STACK, "--yes"]);
    let job = RunningJob::until_line(cfg, &args, |line| {
        line.starts_with("step ") && line.contains("have swarm replace service db2's task")
    });
    std::thread::sleep(Duration::from_millis(500));
    job.signal("HUP");
    let (code, _, err) = job.finish(true);
    assert_eq!(code, Some(129), "{err}");
    let outcome = last_outcome(cfg);
    assert!(
        outcome.starts_with("interrupted by SIGHUP after"),
        "{outcome}"
    );
    // Swarm finishes the replacement it began; nothing after it was done.
    eventually(60, "db2 runs a new task", || {
        let id = task_container(swarm, 1, "db2").ok_or("no task container running")?;
        let out = swarm.try_docker_on(1, &["inspect", "-f", "{{.State.StartedAt}}", &id]);
        let now = String::from_utf8_lossy(&out.stdout).trim().to_string();
        (now > before[1]).then_some(()).ok_or(now)
    });
    let after = started(swarm);
    assert_eq!(
        (&after[0], &after[2]),
        (&before[0], &before[2]),
        "db1 and db3 kept their tasks"
    );
    std::thread::sleep(Duration::from_secs(2));
    swarm.docker_on(0, &["kill", WRITER]);
    let acks = acked(swarm);
    swarm.docker_on(0, &["rm", WRITER]);
    assert!(acks.len() > 20, "{} writes acknowledged", acks.len());
    for n in 1..=3 {
        eventually(60, &format!("db{n} has every acknowledged row"), || {
            let have = rows(swarm, n)?;
            let missing = acks.iter().filter(|(a, _)| !have.contains(a)).count();
            (missing == 0)
                .then_some(())
                .ok_or(format!("missing {missing} of {}", acks.len()))
        });
    }
    for n in 2..=3 {
        eventually(60, &format!("db{n} replicates"), || {
            let running = sql(swarm, n, "SHOW GLOBAL STATUS LIKE 'Slave_running'")?;
            (running == "Slave_running\tON")
                .then_some(())
                .ok_or(running)
        });
    }
    eprintln!(
        "hung up mid-job: {outcome}; {} writes acknowledged, none lost",
        acks.len()
    );
}

/// `tugboat ARGS --yes` while a client writes to the primary from row
/// `first` + 1: replicas first, the primary last, each task replaced
/// through swarm; every service runs a new task afterwards, every
/// acknowledged row is on every server, and the replicas replicate again.
/// Returns the last row acknowledged.
fn under_load(swarm: &Swarm, cfg: &std::path::Path, what: &[&str], first: u64) -> u64 {
    let before = started(swarm);
    start_writer(swarm, first);
    std::thread::sleep(Duration::from_secs(3));
    let flags = swarm.host_flags();
    let mut args: Vec<&str> = flags.iter().map(String::as_str).collect();
    args.extend(what);
    args.push("--yes");
    let began = Instant::now();
    let (code, out, err) = run_tugboat(cfg, &[], &args);
    let took = began.elapsed();
    std::thread::sleep(Duration::from_secs(3));
    swarm.docker_on(0, &["kill", WRITER]);
    let acks = acked(swarm);
    swarm.docker_on(0, &["rm", WRITER]);
    assert_eq!(code, 0, "{out}\n{err}");
    eprintln!("{what:?} of the swarm database in {took:?}:\n{out}");
    // Replicas first, the primary last, each through swarm.
    let order: Vec<usize> = ["db2", "db3", "db1"]
        .iter()
        .filter_map(|s| out.find(&format!("have swarm replace service {s}'s task")))
        .collect();
    assert!(
        order.len() == 3 && order.windows(2).all(|w| w[0] < w[1]),
        "replicas first, then the primary: {out}"
    );
    assert!(out.contains("replicates again with at most"), "{out}");
    let after = started(swarm);
    for n in 0..3 {
        assert!(
            after[n] > before[n],
            "db{} not replaced: {before:?} {after:?}",
            n + 1
        );
    }
    // No acknowledged write lost, on any server; writes went on after.
    let rows_acked: Vec<u64> = acks.iter().map(|(n, _)| *n).collect();
    assert!(acks.len() > 50, "{} writes acknowledged", acks.len());
    for n in 1..=3 {
        eventually(60, &format!("db{n} has every acknowledged row"), || {
            let have = rows(swarm, n)?;
            let missing: Vec<&u64> = rows_acked.iter().filter(|a| !have.contains(a)).collect();
            missing.is_empty().then_some(()).ok_or(format!(
                "missing {} of {}: {missing:?}",
                missing.len(),
                acks.len()
            ))
        });
    }
    // The replicas replicate from db1 again, both threads running.
    for n in 2..=3 {
        let running = sql(swarm, n, "SHOW GLOBAL STATUS LIKE 'Slave_running'");
        assert_eq!(running.as_deref(), Ok("Slave_running\tON"), "db{n}");
    }
    // The longest stretch without an acknowledged write: the primary's
    // replacement (no switchover without a balancer to move the writers).
    let longest = acks
        .windows(2)
        .map(|w| w[1].1.saturating_sub(w[0].1))
        .max()
        .unwrap_or_default();
    eprintln!(
        "client: {} writes acknowledged, all on db1..db3 after; longest stretch without one \
         {:.1}s",
        acks.len(),
        longest as f64 / 1000.0
    );
    assert!(longest < 120_000, "{longest} ms without a write");
    *rows_acked.last().expect("some writes acknowledged")
}
