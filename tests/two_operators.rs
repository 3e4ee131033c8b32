//! Two tugboats on one cluster — two terminals, two bastions: separate
//! config and data directories, so nothing in memory or in a journal is
//! shared, only the engine. While one switches the cluster over, the
//! other's switchover is refused, naming the holder and that its process
//! runs; afterwards no lease is left. A holder `kill -9`ed leaves its
//! leases: the other is refused saying the process is gone and that
//! `tugboat recover` frees them; after the holder's recover, the other's
//! switchover runs. Each time, asked of the servers: one primary holding
//! every acknowledged write.

mod common;
#[path = "common/failover_bed.rs"]
mod failover_bed;

use common::*;
use failover_bed::*;

/// The lease volumes a job on cluster `run` holds now.
fn leases_of(run: &str) -> Vec<String> {
    docker(&[
        "volume",
        "ls",
        "-q",
        "--filter",
        &format!("label=io.tugboat.lease.job=switchover cluster/{run}"),
    ])
    .lines()
    .map(str::to_string)
    .collect()
}

#[test]
fn a_second_tugboat_is_refused_naming_the_first_and_after_a_kill_9_until_recover() {
    require_engine();
    let bed = Bed::start("dbtwo");
    let _cleanup = Cleanup::new(&bed.run);
    bed.wait_ready();
    for r in &bed.dbs[1..] {
        sql(r, "SET GLOBAL read_only = 1").expect("read-only replica");
    }
    let writer = bed.start_writer();
    poll("the writer's first writes", || acked(&writer).len() >= 20);
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let host = format!("local={LOCAL_URL}");
    let failover = ["--host", &host, "failover", &bed.run, "--yes"];

    // One runs (its fence is up at step 5); the other is refused.
    let job = RunningJob::until(first.path(), &failover, "step 5: ");
    let (code, out, err) = run_tugboat(second.path(), &[], &failover);
    let said = format!("{out}\n{err}");
    assert_eq!(code, 3, "refused: {said}");
    assert!(
        said.contains(&format!(
            "is held by another tugboat's job (switchover cluster/{})",
            bed.run
        )),
        "{said}"
    );
    assert!(
        said.contains(&format!("(pid {})", job.child.id())),
        "{said}"
    );
    assert!(said.contains("its process runs"), "{said}");
    let (code, rest, err) = job.finish(false);
    assert_eq!(code, Some(0), "{rest:?}\n{err}");
    assert_eq!(
        leases_of(&bed.run),
        Vec::<String>::new(),
        "leases given back"
    );
    let now = one_primary(&bed);
    holds_every_ack(&now, &writer);

    // The holder killed mid-job: its leases stay, and say so.
    let mut job = RunningJob::until(first.path(), &failover, "step 5: ");
    let pid = job.child.id();
    job.child.kill().expect("kill -9");
    let _ = job.child.wait();
    assert!(
        !leases_of(&bed.run).is_empty(),
        "a killed job leaves its leases"
    );
    let (code, out, err) = run_tugboat(second.path(), &[], &failover);
    let said = format!("{out}\n{err}");
    assert_eq!(code, 3, "refused: {said}");
    assert!(said.contains(&format!("(pid {pid})")), "{said}");
    assert!(
        said.contains("its process is gone: `tugboat recover`"),
        "{said}"
    );
    // The holder's own recover makes its leftovers safe and frees them.
    let (code, out, err) = run_tugboat(first.path(), &[], &["--host", &host, "recover", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("free the leases"), "{out}");
    assert_eq!(
        leases_of(&bed.run),
        Vec::<String>::new(),
        "freed by recover"
    );
    let before = one_primary(&bed);
    let (code, out, err) = run_tugboat(second.path(), &[], &failover);
    assert_eq!(code, 0, "{out}\n{err}");
    let after = one_primary(&bed);
    assert_ne!(after, before, "the second tugboat switched over");
    holds_every_ack(&after, &writer);
}
