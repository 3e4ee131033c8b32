//! A switchover whose candidate is slow to catch up: the replicas stop
//! applying what they receive right after the switchover asked them where
//! they replicate from (their SQL threads stopped, as a long statement or
//! an admin's `STOP SLAVE` would), so the job waits in its catch-up step
//! behind the fence. Applied again after a few seconds, the switchover
//! completes. If the fence ends while the job waits (another tool kills
//! its lock session), the check right before the promotion refuses to
//! promote, and the undo gives the old primary back: writable, unlocked,
//! the writer again. And an old primary that does not answer for a moment
//! when its fence is to be released, while an admin's write waits behind
//! the lock: the release asks again, so the lock cannot end on its own
//! and let that write commit on a server that is no longer the primary.
//! Each time, asked of the servers and HAProxy: one primary holding every
//! acknowledged write.

mod common;
#[path = "common/failover_bed.rs"]
mod failover_bed;

use std::time::Duration;

use common::*;
use failover_bed::*;

/// The bed, its replicas read-only (as a switchover leaves them), and an
/// application writing through HAProxy.
fn busy_bed(prefix: &str) -> (Bed, String) {
    let bed = Bed::start(prefix);
    bed.wait_ready();
    for r in &bed.dbs[1..] {
        sql(r, "SET GLOBAL read_only = 1").expect("read-only replica");
    }
    let app = bed.start_writer();
    poll("the application's first writes", || acked(&app).len() >= 20);
    (bed, app)
}

fn set_applying(bed: &Bed, on: bool) {
    let statement = if on {
        "START SLAVE SQL_THREAD"
    } else {
        "STOP SLAVE SQL_THREAD"
    };
    for r in &bed.dbs[1..] {
        sql(r, statement).expect("the replica's SQL thread");
    }
}

/// A switchover started headless, held still (SIGSTOP) once it asked the
/// servers, while the replicas stop applying, then let go: it is left
/// waiting in its catch-up step (step 6).
fn switchover_waiting_to_catch_up(bed: &Bed, cfg: &std::path::Path) -> RunningJob {
    let host = format!("local={LOCAL_URL}");
    let args = [
        "--host",
        host.as_str(),
        "failover",
        bed.run.as_str(),
        "--yes",
    ];
    let mut job = RunningJob::until(cfg, &args, "step 3: ");
    job.signal("STOP");
    set_applying(bed, false);
    // A write the replicas have not applied, whatever the application's
    // pace: an admin's, straight on the primary before the fence (a
    // fresh CI run's switchover found nothing to wait for, the writers
    // already drained, and promoted at once).
    sql(&bed.dbs[0], "INSERT INTO t.w VALUES (900000001)").expect("the admin's write");
    job.signal("CONT");
    for line in job.lines.by_ref() {
        let line = line.unwrap_or_default();
        job.seen.push(line.clone());
        if line.starts_with("step 6: ") {
            return job;
        }
    }
    panic!("never reached the catch-up: {:?}", job.seen);
}

#[test]
fn a_slow_catch_up_is_waited_for_and_the_switchover_completes() {
    require_engine();
    let (bed, app) = busy_bed("dbslow");
    let _cleanup = Cleanup::new(&bed.run);
    let cfg = tempfile::tempdir().unwrap();
    let job = switchover_waiting_to_catch_up(&bed, cfg.path());
    // Seconds behind, behind the fence: nothing is acknowledged meanwhile.
    std::thread::sleep(Duration::from_secs(3));
    set_applying(&bed, true);
    let (code, rest, err) = job.finish(false);
    assert_eq!(code, Some(0), "{rest:?}\n{err}");
    let now = one_primary(&bed);
    assert_ne!(now, bed.dbs[0], "the primary changed");
    holds_every_ack(&now, &app);
    assert_eq!(
        lock_sessions(&bed.dbs[0]),
        0,
        "the old primary's lock is gone"
    );
}

#[test]
fn a_fence_that_ends_during_the_catch_up_stops_the_promotion_and_is_undone() {
    require_engine();
    let (bed, app) = busy_bed("dbfenceend");
    let _cleanup = Cleanup::new(&bed.run);
    let cfg = tempfile::tempdir().unwrap();
    let job = switchover_waiting_to_catch_up(&bed, cfg.path());
    let db1 = &bed.dbs[0];
    assert_eq!(lock_sessions(db1), 1, "the fence holds while the job waits");
    // Another tool ends the lock session while the candidate catches up.
    let kill = "SELECT CONCAT('KILL ', ID, ';') FROM information_schema.PROCESSLIST \
                WHERE INFO LIKE '%tugboat-fence%' AND ID <> CONNECTION_ID()";
    let kills = sql(db1, kill).expect("the lock session");
    sql(db1, &kills).expect("killed");
    assert_eq!(lock_sessions(db1), 0, "the lock session ended");
    set_applying(&bed, true);
    let (code, rest, err) = job.finish(false);
    let said = format!("{rest:?}\n{err}");
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("the fence no longer holds on the primary (its lock session ended): refusing to promote"),
        "{said}"
    );
    // Undone: db1 writable (read back), unlocked, the writer again, and
    // the application writes on.
    assert_eq!(sql(db1, "SELECT @@global.read_only").unwrap(), "0");
    assert_eq!(one_primary(&bed), *db1, "db1 is the primary still");
    let before = acked(&app).len();
    poll("the application writes again", || {
        acked(&app).len() > before + 5
    });
    holds_every_ack(db1, &app);
}

#[test]
fn an_old_primary_that_does_not_answer_at_the_release_is_asked_again() {
    require_engine();
    let (bed, app) = busy_bed("dbrelease");
    let _cleanup = Cleanup::new(&bed.run);
    let cfg = tempfile::tempdir().unwrap();
    let db1 = &bed.dbs[0];
    let host = format!("local={LOCAL_URL}");
    let args = ["--host", host.as_str(), "failover", &bed.run, "--yes"];
    // Held still once the writers moved to the new primary: the release of
    // the old one's lock comes next.
    let job = RunningJob::until_line(cfg.path(), &args, |line| {
        line.starts_with("step ") && line.contains("(writes resume)")
    });
    job.signal("STOP");
    // An admin's write straight on the old primary, queued behind the lock.
    let admin = format!("{}-admin", bed.run);
    let script = format!(
        "mariadb --connect-timeout=2 -h{db1} -uroot \
         -e 'INSERT INTO t.w VALUES (900000002)' && echo ack"
    );
    let password = format!("MYSQL_PWD={ROOT_PW}");
    docker_run_on(
        &admin,
        &bed.net,
        &bed.label,
        &["-e", &password, DB_IMAGE, "bash", "-c", &script],
    );
    // MariaDB 10.11 names the wait after its backup lock.
    let queued = "SELECT COUNT(*) FROM information_schema.PROCESSLIST \
                  WHERE STATE LIKE 'Waiting for %lock%' AND INFO LIKE '%900000002%'";
    poll("the admin's write queued behind the lock", || {
        let n = sql(db1, queued);
        if n.as_deref() != Ok("1") {
            let all = sql(db1, "SELECT CONCAT_WS(' ', ID, USER, COMMAND, STATE, INFO) FROM information_schema.PROCESSLIST");
            let logs = docker(&["logs", &admin]);
            eprintln!("not queued yet: {n:?}; {all:?}; admin said {logs:?}");
        }
        n.as_deref() == Ok("1")
    });
    // The old primary does not answer for a few seconds (its host busy).
    docker(&["pause", db1]);
    job.signal("CONT");
    std::thread::sleep(Duration::from_secs(4));
    docker(&["unpause", db1]);

    let (code, rest, err) = job.finish(false);
    let said = format!("{rest:?}\n{err}");
    assert_eq!(code, Some(0), "{said}");
    assert!(
        said.contains("asking again"),
        "the release said it waits: {said}"
    );
    let now = one_primary(&bed);
    assert_ne!(now, *db1, "the primary changed");
    holds_every_ack(&now, &app);
    assert_eq!(lock_sessions(db1), 0, "the old primary's lock is gone");
    assert!(replicating_from(db1, &now), "the old primary follows {now}");
    // Its session killed before the lock went: never acknowledged, and
    // not on the old primary either.
    poll("the admin's client ended", || {
        docker(&["inspect", "-f", "{{.State.Running}}", &admin]).trim() == "false"
    });
    assert!(
        !docker(&["logs", &admin]).contains("ack"),
        "the admin's write was refused"
    );
    assert!(
        !rows(db1).contains(&900000002),
        "no write queued behind the lock committed"
    );
}
