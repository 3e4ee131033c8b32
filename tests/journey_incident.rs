//! Issue 20's journey on a cluster `tugboat create` made (MariaDB primary,
//! two replicas, HAProxy), with the application writing through HAProxy's
//! writer port and an admin's batch job writing straight to the primary as
//! root, in the TUI (tmux, 80x24) with the config `create` wrote:
//!
//! - `L` on a server: the cluster's logs merged; `l` keeps the warnings.
//! - `p` on the primary: refused (switch it first); it still writes.
//! - `*` on a replica marks both replicas; `S` is refused (the last
//!   healthy replica); both still replicate.
//! - One replica marked with Space, stopped (confirmed), started again
//!   (`t`): it replicates from the primary again.
//! - The batch job done, a switchover under the application's load
//!   (`tugboat failover NAME --yes`).
//! - The Timeline pane (6) and `tugboat timeline --json` show the
//!   replica's exit, both jobs and the switchover.
//!
//! Checked by asking the services: which server is writable, who
//! replicates from whom, and every acknowledged write on the primary.

mod common;
mod create_common;
#[path = "create_common/template_db.rs"]
mod template_db;
#[path = "common/tmux.rs"]
mod tmux;

use std::time::Duration;

use common::db_client::acked;
use common::*;
use create_common::tugboat;
use template_db::*;
use tmux::Tmux;

fn running(name: &str) -> bool {
    docker(&["inspect", "-f", "{{.State.Running}}", name]) == "true"
}

/// Show the Nodes pane with only `container` (its host and cluster rows
/// above it) and select it.
fn select_only(tmux: &Tmux, container: &str) {
    tmux.keys(&["1", "Escape"]);
    tmux.filter(container);
    tmux.keys(&["g", "j", "j"]);
}

/// `7 of 120 lines` from the status line's filter note.
fn shown_of_all(screen: &str) -> (usize, usize) {
    let note = screen
        .split("showing warn and worse: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no filter note: {screen}"));
    let mut words = note.split_whitespace();
    let shown = words.next().and_then(|n| n.parse().ok());
    let all = words.nth(1).and_then(|n| n.parse().ok());
    match (shown, all) {
        (Some(s), Some(a)) => (s, a),
        _ => panic!("unreadable filter note: {screen}"),
    }
}

#[test]
fn an_incident_on_a_created_database_through_logs_marks_lifecycle_and_timeline() {
    require_engine();
    let bed = create_cluster("jrn");
    let (db, run) = (&bed.db, &bed.run);
    let [db1, db2, db3] = [&db.servers[0], &db.servers[1], &db.servers[2]];
    let app = db.writer(
        run,
        "app",
        &["-h", &db.lb, "-P", "3306", "-uapp"],
        &db.app_pw.clone(),
        "w",
        0,
    );
    let batch = db.writer(
        run,
        "batch",
        &["-h", db1, "-uroot"],
        &db.root.password,
        "r",
        0,
    );
    wait_acks(&app, 20);
    wait_acks(&batch, 20);

    let tmux = Tmux::tugboat(bed.dir.path());
    // The cluster's logs, merged; `l`: warnings and errors only.
    select_only(&tmux, db2);
    tmux.keys(&["L"]);
    tmux.wait_for("the merged logs", Duration::from_secs(20), |s| {
        s.contains("members, in time order") && s.contains(" | ")
    });
    tmux.keys(&["l"]);
    let screen = tmux.wait_for("the level filter", Duration::from_secs(5), |s| {
        s.contains("[warn+]")
    });
    let (shown, all) = shown_of_all(&screen);
    assert!(shown < all, "{screen}");
    tmux.keys(&["Escape"]);

    // The primary cannot be paused from here: the refusal names it.
    select_only(&tmux, db1);
    tmux.press_until("p", "the refusal", Duration::from_secs(30), |s| {
        s.contains("refused: ") && s.contains("is the primary")
    });
    tmux.keys(&["Escape"]);
    assert!(running(db1));

    // Both replicas by role: stopping them would leave none healthy.
    select_only(&tmux, db2);
    tmux.press_until("*", "both replicas marked", Duration::from_secs(30), |s| {
        s.contains("marked every replica") && !s.contains("not probed yet")
    });
    // (Until the balancer's first answer is in, S says to try again.)
    tmux.press_until("S", "the refusal", Duration::from_secs(30), |s| {
        s.contains("refused: ") && s.contains("would be left without")
    });
    tmux.keys(&["M"]);
    assert!(running(db2) && running(db3));

    // One replica, marked with Space: stopped, then started again.
    select_only(&tmux, db3);
    tmux.keys(&["Space"]);
    tmux.press_until("S", "the confirmation", Duration::from_secs(30), |s| {
        s.contains("Stop 1 container")
    });
    tmux.keys(&["y", "5"]);
    tmux.wait_for("the stop done", Duration::from_secs(90), |_| {
        last_outcome(bed.dir.path()) == "done" && !running(db3)
    });
    let during = acked(&app).len();
    wait_acks(&app, during + 10);
    select_only(&tmux, db3);
    tmux.keys(&["M"]);
    tmux.press_until("t", "the confirmation", Duration::from_secs(30), |s| {
        s.contains("Start 1 container")
    });
    tmux.keys(&["y"]);
    eventually(60, "db3 runs again", || {
        running(db3).then_some(()).ok_or("stopped".into())
    });

    // The timeline: db3's exit and both jobs, on screen and exported.
    tmux.keys(&["6"]);
    tmux.wait_for(
        "the start job in the timeline",
        Duration::from_secs(30),
        |s| s.contains("job start"),
    );
    tmux.keys(&["q"]);

    // The batch job ends (a root client keeps writing to the server it was
    // given, whichever role it has); a switchover under the application's
    // load moves the primary off db1.
    wait_acks(&app, acked(&app).len() + 10);
    docker(&["kill", &batch]);
    let (code, out, err) = tugboat(bed.dir.path(), &["failover", &db.name, "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let primary = db.writable().pop().expect("a writable server");
    assert_ne!(&primary, db1, "the primary moved");

    let host = ["--host", "local=unix:///var/run/docker.sock"];
    let (code, json, err) = run_tugboat(
        bed.dir.path(),
        &[],
        &[&host[..], &["timeline", "--since", "15m", "--json"]].concat(),
    );
    assert_eq!(code, 0, "{err}");
    let entries: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let find = |object: &[&str], what: &str| {
        entries
            .iter()
            .position(|e| {
                e["object"]
                    .as_str()
                    .is_some_and(|o| object.iter().all(|part| o.contains(part)))
                    && e["what"].as_str().is_some_and(|w| w.contains(what))
            })
            .unwrap_or_else(|| panic!("no {object:?} {what}: {json}"))
    };
    let exited = find(&[&format!("container {db3}")], "exited with");
    let stop = find(&["job stop", db3], "");
    let start = find(&["job start", db3], "");
    let switchover = find(&["job switchover", &db.name], "");
    assert!(
        stop < start && exited < start && start < switchover,
        "{json}"
    );

    // The services: the new primary alone writable, both others replicate
    // from it, the writer port reaches it, and every acknowledged write of
    // both clients is there.
    wait_acks(&app, acked(&app).len() + 10);
    assert_eq!(
        db.holds(&primary, &[(&app, "w"), (&batch, "r")]),
        0,
        "acknowledged writes went missing"
    );
}
