//! Two tugboats on one cluster — two terminals, two bastions: separate
//! config and data directories, so nothing in memory or in a journal is
//! shared, only the engine. While one switches the cluster over, the
//! other's switchover is refused, naming the holder and that its process
//! runs; afterwards no lease is left. A holder `kill -9`ed leaves its
//! leases: the other is refused saying the process is gone and that
//! `tugboat recover` frees them; after the holder's recover, the other's
//! switchover runs; `tugboat leases free` frees a cut-off job's leases
//! where its recover cannot run. `tugboat leases` and a third operator's
//! TUI name the running job. Each time, asked of the servers: one primary
//! holding every acknowledged write. Two tugboats on one volume: while one
//! backs it up, the other's backup of it and its forced restore into it
//! are refused naming the first.

#[path = "common/backup_fixture.rs"]
mod backup_fixture;
mod common;
#[path = "common/failover_bed.rs"]
mod failover_bed;
#[path = "common/tmux.rs"]
mod tmux;

use std::time::Duration;

use common::*;
use failover_bed::*;
use tmux::Tmux;

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

    // One runs, held still (SIGSTOP) right after it took its leases, so
    // the other's try cannot come after its end; the other is refused.
    let job = RunningJob::until(first.path(), &failover, "step 2: ");
    job.signal("STOP");
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
    // `tugboat leases` names the job and its holder.
    let (code, out, err) = run_tugboat(second.path(), &[], &["--host", &host, "leases"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let listed: Vec<&str> = out
        .lines()
        .filter(|l| l.contains(&format!("job: switchover cluster/{}", bed.run)))
        .collect();
    assert_eq!(listed.len(), leases_of(&bed.run).len(), "{out}");
    assert!(
        listed
            .iter()
            .all(|l| l.contains(&format!("(pid {})", job.child.id()))
                && l.ends_with("its process runs")),
        "{out}"
    );
    // A TUI of a third operator shows it under Jobs.
    {
        let third = tempfile::tempdir().unwrap();
        let tmux = Tmux::tugboat(third.path());
        tmux.keys(&["5"]);
        tmux.wait_for("the other tugboat's job", Duration::from_secs(15), |s| {
            s.lines().any(|l| {
                l.contains("other")
                    && l.contains("runs")
                    && l.contains(&format!("switchover cluster/{}", bed.run))
            })
        });
    }
    job.signal("CONT");
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

    // Killed again, and its recover cannot run (another user's, another
    // machine's): the other frees its leases by hand, after confirming.
    let mut job = RunningJob::until(first.path(), &failover, "step 2: ");
    job.child.kill().expect("kill -9");
    let _ = job.child.wait();
    let left = leases_of(&bed.run);
    assert!(!left.is_empty(), "a killed job leaves its leases");
    let free = ["--host", host.as_str(), "leases", "free", left[0].as_str()];
    let (code, out, err) = run_tugboat(second.path(), &[], &free);
    assert_eq!(code, 3, "asked first, not confirmed: {out}\n{err}");
    assert_eq!(leases_of(&bed.run), left, "nothing freed unconfirmed");
    let yes: Vec<&str> = free.iter().copied().chain(["--yes"]).collect();
    let (code, out, err) = run_tugboat(second.path(), &[], &yes);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains(&format!("free the {} lease(s)", left.len())),
        "{out}"
    );
    assert_eq!(leases_of(&bed.run), Vec::<String>::new(), "freed");
    let (_, audit, _) = run_tugboat(second.path(), &[], &["audit"]);
    assert!(audit.contains("free-leases"), "audited: {audit}");
    // What the cut-off job left (a drained writer, say) is its recover's.
    let (code, out, err) = run_tugboat(first.path(), &[], &["--host", &host, "recover", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let last = one_primary(&bed);
    holds_every_ack(&last, &writer);
}

#[test]
fn a_backup_running_in_one_tugboat_refuses_the_others_backup_and_restore_of_its_volume() {
    require_engine();
    let run = unique("bktwo");
    let _cleanup = Cleanup::new(&run);
    let (volume, user) = backup_fixture::volume_with_user(&run);
    let (first, second) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let out_dir = second.path().join("out");
    // The second's archive of it, made before: what it will try to restore.
    let archive = backup_fixture::backup(second.path(), &volume, &out_dir);
    let dir = first.path().join("out");
    let host = backup_fixture::HOST;
    let args = [
        "--host",
        host,
        "backup",
        &volume,
        "--dir",
        dir.to_str().unwrap(),
        "--image",
        BUSYBOX,
        "--pause",
        "--yes",
    ];
    // The first copies, its user paused, held still while the other tries.
    let job = RunningJob::until(first.path(), &args, "step 2: ");
    job.signal("STOP");
    let refused = |said: &str| {
        said.contains("is held by another tugboat's job (backup ")
            && said.contains(&format!("(pid {})", job.child.id()))
            && said.contains("its process runs")
    };
    let (code, out, err) = backup_fixture::tugboat(
        second.path(),
        &[
            "backup",
            &volume,
            "--dir",
            out_dir.to_str().unwrap(),
            "--image",
            BUSYBOX,
            "--yes",
        ],
    );
    let said = format!("{out}\n{err}");
    assert_eq!(code, 3, "refused: {said}");
    assert!(refused(&said), "{said}");
    let (code, out, err) = backup_fixture::tugboat(
        second.path(),
        &[
            "restore",
            archive.to_str().unwrap(),
            "--into",
            &volume,
            "--force",
            "--yes",
        ],
    );
    let said = format!("{out}\n{err}");
    assert_eq!(code, 3, "refused: {said}");
    // Refused before any plan: the volume's user runs (the first job is
    // held before it pauses it), which rules a restore into it out
    // whoever holds it; nothing was leased or written.
    assert!(
        said.contains(&format!(
            "refused: volume {volume} is used by running container"
        )),
        "{said}"
    );
    job.signal("CONT");
    let job_pid = job.child.id();
    let (code, rest, err) = job.finish(false);
    assert_eq!(code, Some(0), "{rest:?}\n{err}");
    assert_eq!(
        backup_fixture::state(&user),
        "running",
        "unpaused after the copy"
    );
    assert_eq!(backup_fixture::helpers_of(&volume), "", "no helper left");
    let pid = format!("label=io.tugboat.lease.pid={job_pid}");
    let leases = docker(&["volume", "ls", "-q", "--filter", &pid]);
    assert_eq!(leases, "", "every lease given back");
}
