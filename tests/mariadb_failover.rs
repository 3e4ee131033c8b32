//! MariaDB switchover and failover against real servers: a GTID primary with
//! two replicas (tugboat-test/mariadb:10.11) behind an HAProxy writer
//! backend (tugboat-test/haproxy:2.6), with a client writing numbered rows
//! through HAProxy and printing each one the server acknowledged.
//! Switchover under that load (headless, plus read-only refusal and the
//! audit), failover after `docker kill` of the primary (core), and a
//! candidate removed in the middle of a job.

mod common;
#[path = "common/failover_bed.rs"]
mod failover_bed;

use std::time::{Duration, Instant};

use common::files::files_text;
use common::*;
use failover_bed::*;
use tugboat::ops::db_failover::{db_cluster, failover_plan, FailoverAsk, FailoverKind};
use tugboat::ops::job::{JobEvent, JobOutcome};
use tugboat::ops::runner::JobRunner;
use tugboat::ops::AuditLog;

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
    // And after a reload (SIGHUP to the master), from the rewritten file.
    docker(&["kill", "-s", "HUP", &bed.lb]);
    poll("the balancer reloaded with the new writer", || {
        let states = writer_states(&bed.lb);
        states.len() == 3
            && states
                .iter()
                .all(|(server, status)| (status == "MAINT") != (*server == new_server))
    });

    // Audited, and no password anywhere.
    let (_, audit, _) = tugboat(cfg.path(), &["audit", "--json"]);
    let file =
        std::fs::read_to_string(cfg.path().join("data").join("audit.jsonl")).expect("audit file");
    assert!(
        audit.contains("refused: read-only") && audit.contains("\"done\""),
        "{audit}"
    );
    assert!(
        audit.contains("switchover") && audit.contains("fence the primary"),
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
            match failover_plan(&cluster, &FailoverAsk::default()) {
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
        let refused = failover_plan(&cluster, &FailoverAsk::to(&r3))
            .unwrap_err()
            .to_string();
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
    // The plan was made while the primary was down; it is back before the
    // job starts: the job asks again and stops at its first step, nothing
    // changed (its server still in the writer backend).
    docker(&["start", &primary]);
    poll("the old primary answers again", || {
        sql(&primary, "SELECT 1").is_ok_and(|o| o == "1")
    });
    let outcome = runner
        .run(planned.plan.clone(), std::sync::Arc::new(|_| {}))
        .await;
    assert!(
        matches!(&outcome, JobOutcome::Failed { step: 1, error } if error.contains("runs again")),
        "{outcome:?}"
    );
    assert_eq!(writer_states(&bed.lb)[0], ("db1".into(), "no check".into()));
    assert!(replica_of(&r2).is_some(), "db2 was not promoted");
    docker(&["kill", &primary]);
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

    // The old primary comes back: `rejoin` compares its transactions with
    // the new primary's (nothing it lacks) and makes it a replica.
    docker(&["start", &primary]);
    poll("the old primary answers", || {
        sql(&primary, "SELECT 1").is_ok_and(|o| o == "1")
    });
    let (code, out, err) = tugboat(cfg.path(), &["rejoin", &bed.run, &primary, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    poll(
        "the old primary replicates from the new one, every row",
        || replicating_from(&primary, &r2) && rows(&primary).len() == 21,
    );
    assert_eq!(sql(&primary, "SELECT @@global.read_only").unwrap(), "1");
    // A server with a write of its own (root ignores read_only) is refused,
    // naming the transaction, and left as it was.
    sql(&r3, "STOP SLAVE; INSERT INTO t.w VALUES (999)").expect("divergent write");
    let (code, out, err) = tugboat(cfg.path(), &["rejoin", &bed.run, &r3, "--yes"]);
    assert_ne!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("holds transactions the primary lacks (0-3-"),
        "{out}\n{err}"
    );
    assert!(
        replica_of(&r3).is_some_and(|(_, io, _)| io == "No"),
        "left stopped"
    );
    assert!(!rows(&r2).contains(&999));
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
                match failover_plan(&cluster, &FailoverAsk::to(&to)) {
                    Ok(p) => return Ok::<_, String>(p),
                    Err(e) if start.elapsed() > Duration::from_secs(60) => {
                        return Err(e.to_string())
                    }
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

    // The candidate disappears mid-job, once the primary is fenced (had it
    // gone before the job, the job's first asking would have stopped it,
    // nothing changed): the job stops at the first step that needs it,
    // says which and why, and undoes what it did.
    let catch_up = planned
        .plan
        .lines()
        .iter()
        .position(|l| l.contains("applied"))
        .expect("a catch-up step")
        + 1;
    let gone = r3.clone();
    let remove_at_catch_up = move |e: JobEvent| {
        if matches!(e, JobEvent::Step { index, .. } if index + 1 == catch_up) {
            docker(&["rm", "-f", "-v", &gone]);
        }
    };
    let outcome = runner
        .run(
            planned.plan.clone(),
            std::sync::Arc::new(remove_at_catch_up),
        )
        .await;
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

/// An admin (root: READ ONLY ADMIN, so `read_only` does not stop it)
/// writing straight to the primary, not through HAProxy, while the
/// switchover runs: the fence (a global read lock, its other sessions
/// killed) stops it too, so every write it was told was committed is on the
/// new primary.
#[test]
fn an_admin_writing_straight_to_the_primary_loses_nothing_in_a_switchover() {
    require_engine();
    let bed = Bed::start("dbadm");
    let _cleanup = Cleanup::new(&bed.run);
    bed.wait_ready();
    let admin = bed.start_writer_on(&bed.dbs[0], "root", ROOT_PW, "admin", 1_000_000);
    poll("the admin's first acknowledged writes", || {
        acked(&admin).len() >= 20
    });
    let cfg = tempfile::tempdir().expect("temp dir");
    let host = format!("local={LOCAL_URL}");
    // The admin's client goes at step 11 (the new writer awaited), after
    // the promotion (step 8) and before the old primary's release (step
    // 12): without the fence its writes would be acknowledged by the old
    // primary all that while, and be missing on the new one. (After the
    // release root could write on it again: MariaDB's read_only does not
    // bind READ ONLY ADMIN, so an admin must not write to a replica.)
    let args = ["--host", &host, "failover", &bed.run, "--yes"];
    let job = RunningJob::until(cfg.path(), &args, "step 11: ");
    docker(&["kill", &admin]);
    let (code, rest, err) = job.finish(false);
    assert_eq!(code, Some(0), "{rest:?}\n{err}");
    let new = bed
        .dbs
        .iter()
        .find(|d| sql(d, "SELECT @@global.read_only").is_ok_and(|v| v == "0"))
        .expect("one writable primary")
        .clone();
    assert_ne!(new, bed.dbs[0]);
    let acks = acked(&admin);
    assert!(acks.len() >= 20, "{}", acks.len());
    let on_new = rows(&new);
    let lost: Vec<&u64> = acks.iter().filter(|n| !on_new.contains(n)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged writes lost: {lost:?}",
        lost.len()
    );
}

/// A hand-made cluster whose servers name no replication account in their
/// environment (replication set up by SQL): the switchover finds the
/// account a replica stores and the old primary replicates with it; on the
/// way back the operator gives it (`--replication-user`, the password in
/// TUGBOAT_REPLICATION_PASSWORD; the flag without it is bad usage). The
/// password is in no output and no file tugboat wrote.
#[test]
fn a_hand_made_cluster_without_account_variables_switches_over_and_back() {
    require_engine();
    let bed = Bed::start_with("dbacct", false);
    let _cleanup = Cleanup::new(&bed.run);
    bed.wait_ready();
    let [db1, db2, db3] = bed.dbs.clone();
    for r in [&db2, &db3] {
        poll(&format!("{r} replicates"), || replicating_from(r, &db1));
    }
    let cfg = tempfile::tempdir().expect("temp dir");
    let (code, out, err) = tugboat(cfg.path(), &["failover", &bed.run, "--to", &db2, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("find the replication account"), "{out}");
    poll("db1 replicates from db2", || replicating_from(&db1, &db2));
    poll("db3 replicates from db2", || replicating_from(&db3, &db2));

    let host = format!("local={LOCAL_URL}");
    let back = [
        "--host",
        &host,
        "failover",
        &bed.run,
        "--to",
        &db1,
        "--replication-user",
        "repl",
        "--yes",
    ];
    let (code, out, err) = run_tugboat(cfg.path(), &[], &back);
    assert_eq!(code, 2, "no password: bad usage\n{out}\n{err}");
    assert!(err.contains("TUGBOAT_REPLICATION_PASSWORD"), "{err}");
    assert!(replicating_from(&db1, &db2), "nothing changed");
    let (code, out2, err2) = run_tugboat(
        cfg.path(),
        &[("TUGBOAT_REPLICATION_PASSWORD", REPL_PW)],
        &back,
    );
    assert_eq!(code, 0, "{out2}\n{err2}");
    poll("db2 replicates from db1", || replicating_from(&db2, &db1));
    assert_eq!(sql(&db1, "SELECT @@global.read_only").unwrap(), "0");
    for text in [out, err, out2, err2, files_text(cfg.path())] {
        assert!(!text.contains(REPL_PW), "the password leaked: {text}");
    }
}

/// A failover to a replica that another got further than (one more of the
/// dead primary's transactions reached only the other) stops right before
/// the promotion, naming the one that got further: promoted, the candidate
/// could never be its source. Left to choose, the plan takes that one, and
/// the candidate follows it with the row it lacked.
#[test]
fn a_failover_to_a_replica_another_got_further_than_stops_before_promoting_it() {
    require_engine();
    let bed = Bed::start("dbfar");
    let _cleanup = Cleanup::new(&bed.run);
    bed.wait_ready();
    let [primary, r2, r3] = bed.dbs.clone();
    for r in [&r2, &r3] {
        poll(&format!("{r} replicates"), || replicating_from(r, &primary));
    }
    sql(&r2, "STOP SLAVE IO_THREAD").expect("stop db2's IO thread");
    sql(&primary, "INSERT INTO t.w VALUES (1)").expect("insert");
    poll("db3 has the row", || rows(&r3).len() == 1);
    docker(&["kill", &primary]);

    let cfg = tempfile::tempdir().expect("temp dir");
    let (code, out, err) = tugboat(cfg.path(), &["failover", &bed.run, "--to", &r2, "--yes"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains(&format!("{r3} got further than {r2}"))
            && out.contains("nothing was promoted"),
        "{out}\n{err}"
    );
    // Not promoted: still a replica of the dead primary (a promotion
    // resets replication), the writer backend's servers all out.
    assert_eq!(
        replica_of(&r2).map(|(source, _, _)| source),
        Some(primary.clone()),
        "{out}"
    );
    assert!(rows(&r2).is_empty());
    assert!(
        !writer_states(&bed.lb)
            .iter()
            .any(|(_, state)| state != "MAINT"),
        "no server takes writes: {:?}",
        writer_states(&bed.lb)
    );

    let (code, out, err) = tugboat(cfg.path(), &["failover", &bed.run, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains(&format!("{primary} -> {r3}")), "{out}");
    assert_eq!(sql(&r3, "SELECT @@global.read_only").unwrap(), "0");
    poll("db2 replicates from db3, with the row it lacked", || {
        replicating_from(&r2, &r3) && rows(&r2).len() == 1
    });
}
