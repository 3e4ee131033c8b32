//! Issue 11's promise, on a cluster `tugboat create` made (MariaDB primary,
//! two replicas, HAProxy): with one client writing through HAProxy's writer
//! port as the application account and one writing straight to the primary
//! as root, each recording what the server acknowledged, a switchover, a
//! switchover back, a failover after `docker kill` and the rejoin of the
//! dead primary. After each: every acknowledged write is on the serving
//! primary (switchovers: none missing; the failover: the count missing is
//! printed), exactly one server is writable, every other replicates from
//! it, and the writer port reaches it. Then a reload of HAProxy and a
//! restart of the old primary keep the roles.
//!
//! Under the same two clients, tugboat `kill -9`ed mid-switchover (after
//! the promotion, then before it) and `tugboat recover`: the same checks,
//! then the cluster destroyed.

mod common;
mod create_common;
#[path = "create_common/template_db.rs"]
mod template_db;

use std::collections::HashSet;

use common::db_client::acked;
use common::*;
use create_common::*;
use template_db::*;

/// `tugboat failover NAME [ARGS] --yes`, with a root client writing straight
/// to the primary until writes resume on the new one (after the promotion,
/// long before the old primary's lock is released: as an operator's
/// client, it then goes to the new primary). Returns tugboat's output.
fn switchover_with_root_writer(
    dir: &std::path::Path,
    db: &Db,
    args: &[&str],
    root_client: &str,
) -> String {
    wait_acks(root_client, 20);
    let mut all = vec![
        "--host".to_string(),
        format!("local={LOCAL_URL}"),
        "failover".into(),
        db.name.clone(),
    ];
    all.extend(args.iter().map(|a| a.to_string()));
    all.push("--yes".into());
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    let mut job = RunningJob::until(dir, &all, "step 1: ");
    let mut seen = job.seen.clone();
    for line in job.lines.by_ref() {
        let line = line.unwrap_or_default();
        seen.push(line.clone());
        if line.starts_with("step ") && line.contains("(writes resume)") {
            break;
        }
    }
    docker(&["kill", root_client]);
    let (code, rest, err) = job.finish(false);
    assert_eq!(code, Some(0), "{seen:?}\n{rest:?}\n{err}");
    rest.join("\n")
}

#[test]
fn two_writers_through_switchover_back_failover_and_rejoin() {
    require_engine();
    let bed = create_cluster("load");
    let (db, dir, run, name) = (&bed.db, &bed.dir, &bed.run, &bed.db.name);
    let [db1, _, _] = [&db.servers[0], &db.servers[1], &db.servers[2]];

    // The application's client, through the writer port, all along.
    let app_client = db.writer(
        run,
        "app",
        &["-h", &db.lb, "-P", "3306", "-uapp"],
        &db.app_pw.clone(),
        "w",
        0,
    );
    wait_acks(&app_client, 20);

    // Switchover: db1 → the most caught-up replica.
    let root1 = db.writer(
        run,
        "root1",
        &["-h", db1, "-uroot"],
        &db.root.password,
        "r",
        0,
    );
    switchover_with_root_writer(dir.path(), db, &[], &root1);
    let second = db.writable().pop().expect("a writable server");
    assert_ne!(&second, db1);
    wait_acks(&app_client, acked(&app_client).len() + 10);
    assert_eq!(
        db.holds(&second, &[(&app_client, "w"), (&root1, "r")]),
        0,
        "a switchover lost writes"
    );

    // Switchover back to db1, root now writing straight to the new primary.
    let root2 = db.writer(
        run,
        "root2",
        &["-h", &second, "-uroot"],
        &db.root.password,
        "r",
        0,
    );
    switchover_with_root_writer(dir.path(), db, &["--to", db1], &root2);
    wait_acks(&app_client, acked(&app_client).len() + 10);
    assert_eq!(
        db.holds(db1, &[(&app_client, "w"), (&root1, "r"), (&root2, "r")]),
        0,
        "the switchover back lost writes"
    );

    // The primary is killed under load: a failover promotes the most
    // advanced replica; what it lacks is counted, not hidden.
    let before: HashSet<u64> = acked(&app_client).into_iter().collect();
    docker(&["kill", db1]);
    let (code, out, err) = tugboat(dir.path(), &["failover", name, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let third = db
        .writable()
        .pop()
        .expect("a writable server after the failover");
    assert_ne!(&third, db1);
    let others: Vec<&String> = db
        .servers
        .iter()
        .filter(|s| *s != db1 && **s != third)
        .collect();
    // The most advanced: the other survivor has nothing the new one lacks.
    // The replica first: what it has, its source had before.
    let on_other = db.rows(others[0], "w");
    let on_third = db.rows(&third, "w");
    assert!(
        on_other.is_subset(&on_third),
        "a less advanced replica was promoted"
    );
    let lost = before.iter().filter(|n| !on_third.contains(n)).count();
    eprintln!(
        "failover: {lost} of {} acknowledged writes missing on {third}",
        before.len()
    );
    wait_acks(&app_client, acked(&app_client).len() + 10);

    // The dead primary comes back and rejoins — or, if it holds writes the
    // new primary lacks, is refused with them listed.
    docker(&["start", db1]);
    eventually(60, "the dead primary answers again", || {
        let got = db.sql(db1, "SELECT 1");
        (got == "1").then_some(()).ok_or(got)
    });
    let (code, out, err) = tugboat(dir.path(), &["rejoin", name, db1, "--yes"]);
    if code != 0 || lost > 0 {
        // It holds writes the new primary lacks (acknowledged ones, or a
        // commit whose ack never reached the client): refused, listed.
        assert_eq!(
            code, 1,
            "holds {lost} writes the primary lacks: {out}\n{err}"
        );
        let said = format!("{out}\n{err}");
        assert!(
            said.contains("holds transactions the primary lacks ("),
            "{said}"
        );
        eprintln!("rejoin refused: {err}");
        return;
    }
    assert_eq!(code, 0, "{out}\n{err}");
    // Every other server replicates from the serving primary; every write
    // acknowledged after the failover is on it.
    let after: Vec<u64> = acked(&app_client)
        .into_iter()
        .filter(|n| !before.contains(n))
        .collect();
    assert!(!after.is_empty());
    db.holds(&third, &[(&app_client, "w")]);

    // Roles hold across a reload of HAProxy and a restart of the old
    // primary (a replica now).
    docker(&["kill", "-s", "HUP", &db.lb]);
    docker(&["restart", db1]);
    eventually(60, "db1 back", || {
        let got = db.sql(db1, "SELECT @@global.read_only");
        (got == "1").then_some(()).ok_or(got)
    });
    wait_acks(&app_client, acked(&app_client).len() + 10);
    let missing_since = {
        let on = db.rows(&third, "w");
        after.iter().filter(|n| !on.contains(n)).count()
    };
    assert_eq!(missing_since, 0);
    db.holds(&third, &[]);
}

/// Runs `tugboat failover NAME --yes` (a switchover: the primary is up)
/// and `kill -9`s it the moment it starts the step `at` picks (given the
/// step lines so far, `step N: WHAT`, the last one the step starting).
/// Returns those lines.
fn kill_9_at(dir: &std::path::Path, db: &Db, at: impl Fn(&[String]) -> bool) -> Vec<String> {
    let host = format!("local={LOCAL_URL}");
    let args = ["--host", &host, "failover", &db.name, "--yes"];
    let mut job = RunningJob::until(dir, &args, "step 1: ");
    let mut steps: Vec<String> = job.seen.last().cloned().into_iter().collect();
    while !at(&steps) {
        match job.lines.next() {
            Some(line) => {
                let line = line.unwrap_or_default();
                if line.starts_with("step ") {
                    steps.push(line);
                }
            }
            None => {
                let (code, _, err) = job.finish(false);
                panic!("the switchover ended ({code:?}) before the step: {steps:?}\n{err}");
            }
        }
    }
    job.child.kill().expect("kill -9");
    let _ = job.child.wait();
    steps
}

/// The candidate of a switchover whose step lines are `steps`, once its
/// promotion started (`step N: promote NAME: …`).
fn promoting(steps: &[String]) -> Option<String> {
    steps.iter().find_map(|l| {
        let (_, what) = l.split_once(": ")?;
        let rest = what.strip_prefix("promote ")?;
        Some(rest.split(':').next()?.to_string())
    })
}

/// `kill -9` of tugboat mid-switchover on a cluster the template made,
/// under the application's client (through the writer port) and root's
/// (straight to the primary). First right after the promotion (the old
/// primary fenced: read-only, its lock held; the candidate writable; its
/// writer not yet in service): `tugboat recover` sends the writers to the
/// candidate and releases the old primary's lock, read-only, and `tugboat
/// rejoin` makes the servers left pointing elsewhere its replicas. Then,
/// the cluster healthy again, right before the promotion (the fence being
/// checked): recover gives the old primary its writers back, writable.
/// Both times: the lock released, exactly one writable server, the writer
/// port reaches it (also after HAProxy reloads its file), every other
/// server replicates from it, no acknowledged write missing on it, and
/// nothing left to recover. Then the cluster is destroyed.
#[test]
fn recover_after_kill_9_mid_switchover_under_two_writers() {
    require_engine();
    let bed = create_cluster("k9load");
    let (db, dir, run, name) = (&bed.db, &bed.dir, &bed.run, &bed.db.name);
    let app_client = db.writer(
        run,
        "app",
        &["-h", &db.lb, "-P", "3306", "-uapp"],
        &db.app_pw,
        "w",
        0,
    );
    wait_acks(&app_client, 20);
    let mut clients = vec![(app_client.clone(), "w")];
    let mut primary = db.servers[0].clone();
    for (round, promoted) in [(1, true), (2, false)] {
        // Root's client, rows numbered apart from the other rounds'.
        let root_client = db.writer(
            run,
            &format!("root{round}"),
            &["-h", &primary, "-uroot"],
            &db.root.password,
            "r",
            round * 1_000_000,
        );
        wait_acks(&root_client, 20);
        let steps = if promoted {
            // The first step after the promotion has just started.
            kill_9_at(dir.path(), db, |s| promoting(&s[..s.len() - 1]).is_some())
        } else {
            kill_9_at(dir.path(), db, |s| {
                s.last()
                    .is_some_and(|l| l.contains("check that the fence on"))
            })
        };
        // Root writes past read-only: an operator's client would now go
        // to whichever server serves, so it stops here.
        docker(&["kill", &root_client]);
        clients.push((root_client, "r"));
        let candidate = promoting(&steps);
        assert_eq!(candidate.is_some(), promoted, "{steps:?}");
        eprintln!("round {round}: killed at {:?}", steps.last());
        // Left fenced: read-only, its lock held. The candidate writable
        // once promoted; before that, no server is (round 2 comes after
        // rejoins, which leave every replica read-only).
        let read_only = |s: &str| db.sql(s, "SELECT @@global.read_only");
        assert_eq!(
            db.root.lock_sessions(&primary),
            1,
            "the fence was left holding"
        );
        assert_eq!(read_only(&primary), "1", "the old primary fenced");
        match &candidate {
            Some(c) => assert_eq!(read_only(c), "0", "promoted: {steps:?}"),
            None => assert_eq!(db.writable(), Vec::<String>::new(), "{steps:?}"),
        }

        let (code, out, err) = tugboat(dir.path(), &["recover", "--yes"]);
        assert_eq!(code, 0, "{out}\n{err}");
        assert!(out.contains("make the fenced primary"), "{out}");
        assert_eq!(db.root.lock_sessions(&primary), 0, "the lock released");
        let (code, out, err) = tugboat(dir.path(), &["recover", "--yes"]);
        assert_eq!(code, 0, "{out}\n{err}");
        assert!(out.contains("nothing to recover"), "{out}");
        // The right way round: the promoted candidate serves and the old
        // primary stays read-only, else the old primary is writable again.
        let serving = candidate.unwrap_or_else(|| primary.clone());
        assert_eq!(read_only(&serving), "0", "{serving} serves");
        if promoted {
            assert_eq!(read_only(&primary), "1", "{primary} stays read-only");
            // The old primary, read-only, and the replica still pointing
            // at it become the new primary's replicas.
            for s in db.servers.iter().filter(|s| **s != serving) {
                if db.root.replicating_from(s, &serving) {
                    continue;
                }
                let (code, out, err) = tugboat(dir.path(), &["rejoin", name, s, "--yes"]);
                assert_eq!(code, 0, "{s}\n{out}\n{err}");
                eprintln!("round {round}: {s} rejoined");
            }
            // The cut came before the switchover wrote the roles a
            // restart reads; recover wrote them: the new primary comes
            // back writable, alone.
            docker(&["restart", &serving]);
            eventually(90, "the new primary writable after its restart", || {
                let ro = db.root.sql(&serving, "SELECT @@global.read_only")?;
                (ro == "0").then_some(()).ok_or(format!("read_only = {ro}"))
            });
            assert_eq!(db.writable(), vec![serving.clone()], "after the restart");
        }
        wait_acks(&app_client, acked(&app_client).len() + 10);
        let on: Vec<(&str, &str)> = clients.iter().map(|(c, t)| (c.as_str(), *t)).collect();
        assert_eq!(db.holds(&serving, &on), 0, "round {round} lost writes");
        // The writers are in haproxy.cfg too: a reload keeps them.
        docker(&["kill", "-s", "HUP", &db.lb]);
        eventually(30, "the writer port after a reload", || {
            let got = db.behind_writer_port();
            (got == serving).then_some(()).ok_or(got)
        });
        primary = serving;
    }
    assert_ne!(primary, db.servers[0]);

    // Writers off the cluster's network, then the cluster goes.
    for (client, _) in &clients {
        docker(&["rm", "-f", client]);
    }
    let (code, out, err) = tugboat(dir.path(), &["destroy", name, "--volumes", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let left = objects_of(name);
    assert!(left.is_empty(), "{left:?}");
}
