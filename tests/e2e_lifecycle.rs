//! Marks and lifecycle in the TUI (tmux, 80x24) on real containers: the
//! followers of a ZooKeeper ensemble marked by role and stopped (refused:
//! the quorum; all three still serve), then two app replicas behind
//! HAProxy marked with Space and stopped, the job cut by `q` while the
//! first stops (it ends there, audited), then finished by a second
//! tugboat, which leaves the already stopped one out. HAProxy is asked
//! which replicas answer after each.

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use std::time::{Duration, Instant};

use common::*;
use tmux::Tmux;

fn running(name: &str) -> bool {
    docker(&["inspect", "-f", "{{.State.Running}}", name]) == "true"
}

/// On the first member of the filtered ensemble: mark by role until the
/// followers are marked (the first member may lead; probes may still be
/// on their way, when the role is only "zookeeper" or a member is named
/// as not probed yet).
fn mark_the_followers(tmux: &Tmux) {
    let start = Instant::now();
    loop {
        tmux.keys(&["*"]);
        let screen = tmux.wait_for("a role mark", Duration::from_secs(5), |s| {
            s.contains("marked every")
        });
        if screen.contains("marked every follower") && !screen.contains("not probed yet") {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no followers marked; screen:\n{screen}"
        );
        tmux.keys(&["M"]);
        if screen.contains("marked every leader") {
            tmux.keys(&["j"]);
        } else {
            std::thread::sleep(Duration::from_secs(1));
        }
    }
}

#[test]
fn role_marks_refuse_a_quorum_loss_and_a_bulk_stop_survives_a_quit() {
    require_engine();
    let run = unique("tl");
    let _cleanup = Cleanup::new(&run);
    let dir = tempfile::tempdir().unwrap();
    let ensemble = start_ensemble(&run, "zk", Some("*"));
    let app = format!("{run}-app");
    let label = |_| vec![format!("io.tugboat.cluster={app}")];
    let (apps, lb) = apps_behind_haproxy(&run, 3, "be_app", label, dir.path());
    let cfg = tempfile::tempdir().unwrap();

    let tmux = Tmux::tugboat(cfg.path());
    tmux.filter(&ensemble);
    // The host row, the cluster's, then its first member.
    tmux.keys(&["j", "j"]);
    mark_the_followers(&tmux);
    tmux.keys(&["S"]);
    let screen = tmux.wait_for("the refusal", Duration::from_secs(10), |s| {
        s.contains("refused: ensemble")
    });
    assert!(!screen.contains("Stop 2 containers"), "{screen}");
    for i in 1..=3 {
        assert!(running(&format!("{ensemble}-zk{i}")), "zk{i} runs");
    }

    // Two of the app's three replicas, marked one by one.
    tmux.keys(&["M", "Escape"]);
    tmux.filter(&format!("{run}-web"));
    tmux.keys(&["j", "j", "Space", "Space"]);
    tmux.wait_for("two marks", Duration::from_secs(5), |s| {
        s.contains("2 marked")
    });
    // Until the balancer's first answers are in, S says to try again.
    tmux.press_until("S", "the confirmation", Duration::from_secs(30), |s| {
        s.contains("Stop 2 containers")
    });
    // Step 1 asks HAProxy for another UP server, step 2 stops the first
    // replica (its grace period: busybox ignores SIGTERM as PID 1).
    tmux.confirm_and_wait_for_step(2);
    tmux.quit_stopping_jobs();
    let outcome = last_outcome(cfg.path());
    assert!(
        outcome.starts_with("stopped: tugboat was quit"),
        "{outcome}"
    );
    assert!(!running(&apps[0]), "the stop in flight finished");
    assert!(running(&apps[1]), "nothing after it ran");
    answered_by(&lb, &ids(&apps[1..]), "the replicas left, after the quit");
    drop(tmux);
    // The quorum refusal, made before any job, is in the audit log too.
    let audit = std::fs::read_to_string(cfg.path().join("data/audit.jsonl")).unwrap();
    assert!(
        audit.lines().any(|l| l.contains("\"action\":\"stop\"")
            && l.contains("\"outcome\":\"refused: ensemble")
            && l.contains("quorum")),
        "{audit}"
    );

    // Again, from a new tugboat: the stopped one is left out.
    let tmux = Tmux::tugboat(cfg.path());
    tmux.filter(&format!("{run}-web"));
    tmux.keys(&["j", "j", "Space", "Space"]);
    tmux.press_until("S", "the confirmation", Duration::from_secs(30), |s| {
        s.contains("Stop 1 container")
    });
    let screen = tmux.screen();
    assert!(screen.contains("Left out:"), "{screen}");
    assert!(screen.contains("does not run"), "{screen}");
    tmux.keys(&["y", "5"]);
    tmux.wait_for("the job done", Duration::from_secs(60), |_| {
        last_outcome(cfg.path()) == "done"
    });
    assert!(!running(&apps[1]));
    answered_by(&lb, &ids(&apps[2..]), "the one replica left");
}
