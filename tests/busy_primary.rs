//! Switchovers on a primary that is never quiet: an admin's batch job
//! writing straight to it as root (READ ONLY ADMIN: `read_only` does not
//! stop it) with statements of a few seconds back to back, or one long
//! statement, while the application writes through HAProxy. Each
//! switchover completes — the fence's lock waits for the running
//! statement, whose session it kills — or, when the fence cannot hold,
//! undoes itself and says why. Afterwards, asked of the servers and of
//! HAProxy: exactly one writable server, the writer backend sends only to
//! it, the others replicate from it, and it holds every write the
//! application and the admin saw acknowledged.

mod common;
#[path = "common/failover_bed.rs"]
mod failover_bed;

use common::*;
use failover_bed::*;

/// An admin's batch job: as root, straight on `host`, write statements of
/// about `secs` seconds each, back to back (an INSERT whose SELECT sleeps
/// holds the table for writing all along), rows numbered from `first` + 1;
/// `ack N` for each acknowledged. It stops at its first failure, as a
/// batch that checks for errors does.
fn start_batch(bed: &Bed, name: &str, host: &str, secs: u32, first: u64) -> String {
    let name = format!("{}-{name}", bed.run);
    let script = format!(
        "i={first}; while :; do i=$((i+1)); \
         mariadb --connect-timeout=2 -h{host} -uroot \
         -e \"INSERT INTO t.w SELECT $i FROM (SELECT SLEEP({secs})) s\" || exit 0; \
         echo ack $i; done"
    );
    let password = format!("MYSQL_PWD={ROOT_PW}");
    docker_run_on(
        &name,
        &bed.net,
        &bed.label,
        &["-e", &password, DB_IMAGE, "bash", "-c", &script],
    );
    name
}

/// `tugboat failover RUN --yes [EXTRA]` on the bed: (exit code, stdout,
/// stderr).
fn switchover(bed: &Bed, extra: &[&str]) -> (i32, String, String) {
    let cfg = tempfile::tempdir().expect("temp dir");
    let mut args = vec!["failover", &bed.run, "--yes"];
    args.extend_from_slice(extra);
    tugboat(cfg.path(), &args)
}

/// After the switchover: one primary other than db1, holding every
/// acknowledged write of each client.
fn switched_keeping_every_ack(bed: &Bed, clients: &[&str]) -> String {
    let now = one_primary(bed);
    assert_ne!(now, bed.dbs[0], "the primary changed");
    for c in clients {
        holds_every_ack(&now, c);
    }
    assert_eq!(
        lock_sessions(&bed.dbs[0]),
        0,
        "the old primary's lock is gone"
    );
    now
}

#[test]
fn a_switchover_beside_an_admins_back_to_back_write_statements_completes() {
    require_engine();
    let bed = Bed::start("dbbusy");
    let _cleanup = Cleanup::new(&bed.run);
    bed.wait_ready();
    let app = bed.start_writer();
    let batch = start_batch(&bed, "batch", &bed.dbs[0], 2, 1_000_000);
    poll("the application's and the batch's first writes", || {
        acked(&app).len() >= 20 && acked(&batch).len() >= 2
    });
    let (code, out, err) = switchover(&bed, &[]);
    // Before the fence marked its own lock, its kill pass killed it while
    // the lock waited for the batch's statement: "did not hold", and the
    // primary left read-only.
    assert_eq!(code, 0, "{out}\n{err}");
    switched_keeping_every_ack(&bed, &[&app, &batch]);
    // The batch's running statement was killed by the fence (never
    // acknowledged), and the batch stopped there.
    let state = docker(&["inspect", "-f", "{{.State.Running}}", &batch]);
    assert_eq!(state.trim(), "false", "the batch stopped at the fence");
}

#[test]
fn a_switchover_beside_one_long_write_statement_completes() {
    require_engine();
    let bed = Bed::start("dblong");
    let _cleanup = Cleanup::new(&bed.run);
    bed.wait_ready();
    let app = bed.start_writer();
    let long = start_batch(&bed, "long", &bed.dbs[0], 30, 2_000_000);
    poll("the application's first writes", || acked(&app).len() >= 20);
    // The 30 s statement runs: before the lock came first, `SET GLOBAL
    // read_only=1` waited behind it and the step ran out of time ("no
    // answer within …").
    std::thread::sleep(std::time::Duration::from_secs(2));
    let (code, out, err) = switchover(&bed, &[]);
    assert_eq!(code, 0, "{out}\n{err}");
    switched_keeping_every_ack(&bed, &[&app, &long]);
    assert!(
        acked(&long).is_empty(),
        "the long statement was never acknowledged"
    );
}

/// A fence that cannot hold — another tool kills every session that
/// carries the fence's mark, so the lock never stays — fails the raise,
/// which undoes itself: the old primary writable again (read back), back
/// in the writer backend, and the failure says what happened. Before, the
/// raise's `read_only=1` stayed and no server of the cluster was writable.
#[test]
fn a_fence_that_cannot_hold_undoes_itself_and_leaves_one_writable_primary() {
    require_engine();
    let bed = Bed::start("dbnofence");
    let _cleanup = Cleanup::new(&bed.run);
    bed.wait_ready();
    let app = bed.start_writer();
    poll("the application's first writes", || acked(&app).len() >= 20);
    let killer = format!("{}-killer", bed.run);
    let kill_marked = "SELECT CONCAT('KILL ', ID, ';') FROM information_schema.PROCESSLIST \
         WHERE INFO LIKE '%tugboat-fence%' AND ID <> CONNECTION_ID()";
    let script = format!(
        "while :; do mariadb -h{db1} -uroot -N -e \"{kill_marked}\" | mariadb -h{db1} -uroot -f; \
         sleep 0.05; done",
        db1 = bed.dbs[0]
    );
    let password = format!("MYSQL_PWD={ROOT_PW}");
    docker_run_on(
        &killer,
        &bed.net,
        &bed.label,
        &["-e", &password, DB_IMAGE, "bash", "-c", &script],
    );
    // The operator's shorter wait is the one the fence keeps to.
    let (code, out, err) = switchover(&bed, &["--fence-wait", "3"]);
    docker(&["rm", "-f", &killer]);
    assert_ne!(code, 0, "{out}\n{err}");
    let said = format!("{out}\n{err}");
    assert!(
        said.contains("the fence did not hold within 3s: the lock waited for"),
        "{said}"
    );
    assert!(said.contains("a longer --fence-wait SECS"), "{said}");
    assert!(
        said.contains("the fence was lifted again (lock ended, writable, read_only=0 checked)"),
        "{said}"
    );
    // The bed's replicas were made writable by hand; the old primary is
    // what the undo must give back: writable, unlocked, the writer.
    let db1 = &bed.dbs[0];
    assert_eq!(sql(db1, "SELECT @@global.read_only").unwrap(), "0");
    assert_eq!(lock_sessions(db1), 0, "no lock left");
    let states = writer_states(&bed.lb);
    assert!(
        states.iter().all(|(s, st)| (s == "db1") == (st != "MAINT")),
        "writes go to db1 alone: {states:?}"
    );
    let before = acked(&app).len();
    poll("the application writes again", || {
        acked(&app).len() > before + 5
    });
    holds_every_ack(db1, &app);
}
