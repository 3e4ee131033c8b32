//! `tugboat recover` of a journal entry that is old news, against the real
//! engine: the world changed since the job was cut off, so what the entry
//! recorded is no longer what is there. Recover refuses, saying what
//! differs, exits non-zero, and changes nothing:
//! - a ZooKeeper create killed with -9 half-way, the half-made cluster
//!   destroyed, the same create run again to the end: the live cluster's
//!   containers and volumes carry another job's token and all stay;
//! - a switchover killed with -9 after its promotion, recovered, then a
//!   switchover to the third server, then the first entry put back: the
//!   third server stays the one writable primary, behind the writer port.

mod common;
mod create_common;
#[path = "common/failover_bed.rs"]
mod failover_bed;

use std::path::{Path, PathBuf};

use common::{require_engine, Cleanup, RunningJob, LOCAL_URL};
use create_common::{objects_of, ClusterCleanup, ZK};
use failover_bed::{
    acked, lock_sessions, one_primary, poll, replicating_from, server_of, sql, writer_states, Bed,
};

/// The journal's entries (file name, bytes).
fn journal_entries(cfg: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = cfg.join("data/journal");
    let Ok(listing) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    listing
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

fn tugboat(cfg: &Path, args: &[&str]) -> (i32, String, String) {
    failover_bed::tugboat(cfg, args)
}

/// (id, running) of every container of `cluster`, and its volumes.
fn live(cluster: &str) -> (Vec<(String, String)>, Vec<String>) {
    let o = objects_of(cluster);
    let mut containers: Vec<(String, String)> = o
        .containers
        .iter()
        .map(|id| {
            let state = common::docker(&["inspect", "-f", "{{.State.Status}}", id]);
            (id.clone(), state)
        })
        .collect();
    containers.sort();
    let mut volumes = o.volumes;
    volumes.sort();
    (containers, volumes)
}

#[test]
fn recover_refuses_a_cut_off_create_whose_cluster_was_destroyed_and_made_again() {
    require_engine();
    let name = common::unique("rcz");
    let _gone = ClusterCleanup(name.clone());
    let cfg = tempfile::tempdir().unwrap();
    let spec = format!(
        "name = \"{name}\"\ntemplate = \"zookeeper\"\n[zookeeper]\nimage = \"{ZK}\"\nmembers = 3\n"
    );
    let path = cfg.path().join("spec.toml");
    std::fs::write(&path, spec).unwrap();
    let host = format!("local={LOCAL_URL}");
    let create = [
        "--host",
        &host,
        "create",
        "--from",
        path.to_str().unwrap(),
        "--yes",
    ];
    // Step 6 makes zk2's data volume: the network, zk1's volumes and zk1
    // are made, the rest is not.
    let mut job = RunningJob::until(cfg.path(), &create, "step 6:");
    job.child.kill().unwrap(); // SIGKILL
    job.child.wait().unwrap();
    let cut_off = journal_entries(cfg.path());
    assert_eq!(cut_off.len(), 1, "the killed create's entry");
    assert!(
        !objects_of(&name).is_empty(),
        "a killed create cannot clean up"
    );

    // Removed by hand (tugboat destroy), then made again, to the end.
    let (code, out, err) = tugboat(cfg.path(), &["destroy", &name, "--volumes", "--yes"]);
    assert_eq!(code, 0, "destroy\n{out}\n{err}");
    assert!(objects_of(&name).is_empty(), "{:?}", objects_of(&name));
    let (code, out, err) = tugboat(
        cfg.path(),
        &["create", "--from", path.to_str().unwrap(), "--yes"],
    );
    assert_eq!(code, 0, "create again\n{out}\n{err}");
    let before = live(&name);
    assert_eq!(before.0.len(), 3, "{before:?}");
    assert_eq!(before.1.len(), 6, "{before:?}");
    assert!(before.0.iter().all(|(_, s)| s == "running"), "{before:?}");
    // Everything the second create made carries its job's token, which is
    // not the one the cut-off create's entry recorded.
    let recorded: serde_json::Value = serde_json::from_slice(&cut_off[0].1).unwrap();
    let recorded = recorded["token"].as_str().unwrap().to_string();
    assert_eq!(recorded.len(), 32, "{recorded}");
    let label = "{{index .Labels \"io.tugboat.job\"}}";
    let zk1 = format!("{name}-zk1");
    let made = common::docker(&[
        "inspect",
        "-f",
        &label.replace(".Labels", ".Config.Labels"),
        &zk1,
    ]);
    assert_eq!(made.len(), 32, "{made}");
    assert_ne!(made, recorded);
    for volume in &before.1 {
        assert_eq!(
            common::docker(&["volume", "inspect", "-f", label, volume]),
            made
        );
    }
    assert_eq!(
        common::docker(&["network", "inspect", "-f", label, &name]),
        made
    );
    // A copy is not the job's work: the export leaves the token out.
    let (code, yaml, err) = tugboat(cfg.path(), &["export", &name, "--compose"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        yaml.contains(&format!("{name}-zk1")) && !yaml.contains("io.tugboat.job"),
        "{yaml}"
    );

    // The cut-off create's entry is still there; recover refuses it.
    let (code, out, err) = tugboat(cfg.path(), &["recover", "--yes"]);
    assert_ne!(code, 0, "refused\n{out}\n{err}");
    let said = format!("{out}\n{err}");
    assert!(
        said.contains(&format!(
            "container {name}-zk1 was made since by another job"
        )),
        "{said}"
    );
    assert!(said.contains("the cut-off job was"), "{said}");
    assert!(!said.contains("\ndone"), "{said}");
    // Every container (same ids, running) and every volume still there.
    assert_eq!(live(&name), before, "the live cluster was touched");
    // Still refused the next time: the entry stays until checked by hand.
    let (code, _, _) = tugboat(cfg.path(), &["recover", "--yes"]);
    assert_ne!(code, 0);
    assert_eq!(live(&name), before);
}

fn writable(bed: &Bed) -> Vec<String> {
    bed.dbs
        .iter()
        .filter(|d| sql(d, "SELECT @@global.read_only").is_ok_and(|o| o == "0"))
        .cloned()
        .collect()
}

/// Every server not replicating from `primary` is made its replica.
fn rejoin_all(cfg: &Path, bed: &Bed, primary: &str) {
    for d in bed.dbs.iter().filter(|d| *d != primary) {
        if !replicating_from(d, primary) {
            let (code, out, err) = tugboat(cfg, &["rejoin", &bed.run, d, "--yes"]);
            assert_eq!(code, 0, "rejoin {d}\n{out}\n{err}");
        }
    }
}

#[test]
fn recover_refuses_a_cut_off_switchover_entry_after_a_later_switchover() {
    require_engine();
    let bed = Bed::start("rcsw");
    let _cleanup = Cleanup::new(&bed.run);
    bed.wait_ready();
    for r in &bed.dbs[1..] {
        sql(r, "SET GLOBAL read_only = 1").expect("read-only replica");
    }
    let writer = bed.start_writer();
    let first = one_primary(&bed);
    let cfg = tempfile::tempdir().unwrap();
    let host = format!("local={LOCAL_URL}");

    // Cut off past its promotion ("step 10:" makes the new writer ready).
    let failover = ["--host", &host, "failover", &bed.run, "--yes"];
    let mut job = RunningJob::until(cfg.path(), &failover, "step 10:");
    job.child.kill().expect("kill -9");
    let _ = job.child.wait();
    let kept = journal_entries(cfg.path());
    assert_eq!(kept.len(), 1, "the cut-off switchover's entry");
    // Recovered as it should be: the candidate serves.
    let (code, out, err) = tugboat(cfg.path(), &["recover", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let [second] = writable(&bed).try_into().expect("one writable server");
    assert_ne!(second, first);
    rejoin_all(cfg.path(), &bed, &second);
    assert_eq!(one_primary(&bed), second);

    // A later switchover, to the third server.
    let third = bed
        .dbs
        .iter()
        .find(|d| **d != first && **d != second)
        .unwrap()
        .clone();
    let (code, out, err) = tugboat(cfg.path(), &["failover", &bed.run, "--to", &third, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(one_primary(&bed), third);

    // The first entry comes back (a copy, another bastion's stale view):
    // the candidate it names replicates again and would look "not
    // promoted"; acting on it would make the first primary writable.
    let (path, bytes) = &kept[0];
    std::fs::write(path, bytes).unwrap();
    let (code, out, err) = tugboat(cfg.path(), &["recover", "--yes"]);
    let said = format!("{out}\n{err}");
    assert_ne!(code, 0, "refused: {said}");
    assert!(said.contains(&format!("{third} writable now")), "{said}");
    assert!(said.contains("the primary moved since"), "{said}");
    assert!(said.contains("nothing was changed"), "{said}");

    // Nothing changed: the third server is the one primary, behind the
    // writer port, and writes go on through it.
    assert_eq!(writable(&bed), vec![third.clone()]);
    assert_eq!(one_primary(&bed), third);
    assert_eq!(lock_sessions(&first), 0);
    let states = writer_states(&bed.lb);
    assert!(
        states
            .iter()
            .all(|(s, st)| (*s == server_of(&third)) == (st != "MAINT")),
        "{states:?}"
    );
    let now = acked(&writer).len();
    poll("writes through the writer port", || {
        acked(&writer).len() >= now + 5
    });
    common::docker(&["kill", &writer]);
}
