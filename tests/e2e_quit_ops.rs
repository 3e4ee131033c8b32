//! `q` in the TUI (tmux, 80x24) while an operation runs, at the step that
//! changes the most, then `y` (stop it safely): a rolling restart with its
//! first server drained, a scale-down draining the server that would go,
//! a restore unpacking into the new volume it made, a create from the
//! wizard with its members made. Afterwards, asked of HAProxy and the
//! engine: every server takes requests again, nothing was removed, no
//! half-filled volume, helper or half-made cluster is left; the audit log
//! says the job was stopped because tugboat was quit.

#[path = "common/backup_fixture.rs"]
mod backup_fixture;
mod common;
mod create_common;
#[path = "common/tmux.rs"]
mod tmux;

use std::time::Duration;

use backup_fixture::volume_with_user;
use common::*;
use tmux::Tmux;

#[test]
fn q_mid_rolling_restart_makes_the_drained_server_ready() {
    require_engine();
    let run = unique("tq-roll");
    let _cleanup = Cleanup::new(&run);
    let dir = tempfile::tempdir().unwrap();
    let cluster = format!("{run}-c");
    let label = |_| vec![format!("io.tugboat.cluster={cluster}")];
    let (apps, lb) = apps_behind_haproxy(&run, 2, "be_app", label, dir.path());
    let cfg = tempfile::tempdir().unwrap();
    let tmux = Tmux::tugboat(cfg.path());
    tmux.filter(&cluster);
    // The host row first, then the cluster's.
    tmux.keys(&["j"]);
    // Until the balancer's first answers are in, R says to try again.
    tmux.press_until("R", "the confirmation", Duration::from_secs(30), |s| {
        s.contains("Rolling restart") || s.contains("rolling restart")
    });
    // Step 2 drains the first server; later ones restart it, make it ready.
    tmux.confirm_and_wait_for_step(2);
    tmux.quit_stopping_jobs();
    answered_by(&lb, &ids(&apps), "both servers after the quit");
    let outcome = last_outcome(cfg.path());
    assert!(
        outcome.starts_with("stopped: tugboat was quit"),
        "{outcome}"
    );
}

#[test]
fn q_mid_scale_down_leaves_exactly_the_remaining_replicas_serving() {
    require_engine();
    let run = unique("tq-scale");
    let _cleanup = Cleanup::new(&run);
    let dir = tempfile::tempdir().unwrap();
    let labels = |i: usize| {
        vec![
            format!("com.docker.compose.project={run}"),
            "com.docker.compose.service=web".to_string(),
            format!("com.docker.compose.container-number={i}"),
        ]
    };
    let (apps, lb) = apps_behind_haproxy(&run, 3, "be_web", labels, dir.path());
    let cfg = tempfile::tempdir().unwrap();
    let tmux = Tmux::tugboat(cfg.path());
    tmux.filter(&format!("{run}-web"));
    // Host row, project row, then the first replica of the service.
    tmux.keys(&["j", "j"]);
    // Until the balancer's first answers are in, - says to try again.
    tmux.press_until("-", "the confirmation", Duration::from_secs(30), |s| {
        s.contains("Scale service")
    });
    // Step 1 drains the server that would go; step 2 waits for its sessions.
    tmux.confirm_and_wait_for_step(1);
    tmux.quit_stopping_jobs();
    // Stopped before the server was deleted: all three stay and answer.
    // Stopped after the deletion, before the container went: it still runs
    // but is out of the backend (safe: nothing is drained), two answer.
    // Or the job had finished: two. Never a drained server left.
    let left: Vec<String> = apps
        .iter()
        .filter(|a| !docker(&["ps", "-q", "--filter", &format!("name=^{a}$")]).is_empty())
        .cloned()
        .collect();
    let outcome = last_outcome(cfg.path());
    let serving = match left.len() {
        3 if outcome.contains("ready again") => left.clone(),
        3 => {
            assert!(
                outcome.starts_with("stopped: tugboat was quit after 3 of 4"),
                "{outcome}"
            );
            let cfg_text = docker(&["exec", &lb, "cat", "/usr/local/etc/haproxy/haproxy.cfg"]);
            assert!(!cfg_text.contains(&apps[2]), "{cfg_text}");
            left[..2].to_vec()
        }
        2 => {
            assert!(!left.contains(&apps[2]), "{left:?}");
            left.clone()
        }
        _ => panic!("{left:?} left; {outcome}"),
    };
    answered_by(&lb, &ids(&serving), "the replicas served, after the quit");
}

#[test]
fn q_mid_restore_removes_the_half_restored_volume() {
    require_engine();
    let run = unique("tq-rs");
    let _cleanup = Cleanup::new(&run);
    let (source, _user) = volume_with_user(&run);
    let cfg = tempfile::tempdir().unwrap();
    // A backup where the TUI looks for them: the data directory's backups/.
    let (code, out, err) = run_tugboat(
        cfg.path(),
        &[],
        &[
            "--host",
            &format!("local={LOCAL_URL}"),
            "backup",
            &source,
            "--yes",
        ],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    let tmux = Tmux::tugboat(cfg.path());
    tmux.keys(&["2"]);
    tmux.filter(&source);
    tmux.wait_for("the volume row", Duration::from_secs(10), |s| {
        s.contains("Volumes · 1 ")
    });
    tmux.keys(&["u"]);
    tmux.wait_for("the confirmation", Duration::from_secs(10), |s| {
        s.contains("Restore volume")
    });
    // Step 2 makes the new volume, step 3 unpacks 300 MB into it.
    tmux.confirm_and_wait_for_step(2);
    tmux.quit_stopping_jobs();
    let restored = docker(&[
        "volume",
        "ls",
        "-q",
        "--filter",
        &format!("name={source}-restored"),
    ]);
    assert_eq!(restored, "", "the half-restored volume is gone");
    let outcome = last_outcome(cfg.path());
    assert!(
        outcome.starts_with("stopped: tugboat was quit after 1 of 3")
            || outcome.contains("remove the half-restored volume"),
        "{outcome}"
    );
}

#[test]
fn q_mid_wizard_create_removes_the_half_made_cluster() {
    require_engine();
    let name = unique("tq-cr");
    let _gone = create_common::ClusterCleanup(name.clone());
    let cfg = tempfile::tempdir().unwrap();
    let tmux = Tmux::tugboat(cfg.path());
    // ZooKeeper, the name, the default placement; the image field (second)
    // set to the test image; Enter through the rest to the review.
    tmux.keys(&["n", "1", "Enter"]);
    for c in name.chars() {
        tmux.keys(&[&c.to_string()]);
    }
    tmux.keys(&["Enter", "Enter", "Enter"]);
    for _ in 0..20 {
        tmux.keys(&["BSpace"]);
    }
    for c in create_common::ZK.chars() {
        tmux.keys(&[&c.to_string()]);
    }
    for _ in 0..6 {
        tmux.keys(&["Enter"]);
    }
    tmux.wait_for("the review", Duration::from_secs(10), |s| {
        s.contains("Review the plan")
    });
    // y creates; q closes the progress screen (the job goes on); the Jobs
    // pane shows it. Steps: preflight, network, 6 volumes, 3 members, check.
    tmux.keys(&["y"]);
    tmux.wait_for("the progress screen", Duration::from_secs(10), |s| {
        s.contains("preflight")
    });
    tmux.keys(&["q", "5"]);
    tmux.wait_for_step(10);
    tmux.quit_stopping_jobs();
    let left = create_common::objects_of(&name);
    assert!(left.is_empty(), "half-made cluster left: {left:?}");
    let outcome = last_outcome(cfg.path());
    assert!(
        outcome.starts_with("stopped: tugboat was quit"),
        "{outcome}"
    );
}
