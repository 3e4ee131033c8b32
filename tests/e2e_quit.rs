//! Leaving the TUI while a job runs, in a real terminal (tmux) against the
//! real engine: a backup pauses its volume's user for the copy, then `q`
//! asks, `y` stops the job safely and tugboat exits; and, with a second
//! backup, the terminal closes under it (SIGHUP). Either way the user runs
//! again, no partial archive or helper container is left, and the audit
//! log says why the job stopped.

#[path = "common/backup_fixture.rs"]
mod backup_fixture;
mod common;
#[path = "common/tmux.rs"]
mod tmux;

use std::path::Path;
use std::time::{Duration, Instant};

use backup_fixture::*;
use common::*;
use serde_json::Value;
use tmux::Tmux;

fn wait(what: &str, limit: Duration, pred: impl Fn() -> bool) {
    let start = Instant::now();
    while !pred() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The outcomes audited, without the intent records jobs write as they
/// start (asserted to come first).
fn audit_outcomes(data: &Path) -> Vec<String> {
    let all: Vec<String> = std::fs::read_to_string(data.join("audit.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            v["outcome"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(all.first().map(String::as_str), Some("started"), "{all:?}");
    all.into_iter().filter(|o| o != "started").collect()
}

/// Open the Volumes pane, select `volume`, back it up pausing its users
/// (`B`: busybox users are not paused by default) and wait until the copy
/// runs with the user paused.
fn start_paused_backup(tmux: &Tmux, volume: &str, user: &str) {
    tmux.wait_for("the host row", Duration::from_secs(10), |s| {
        s.contains("running · up")
    });
    tmux.keys(&["2", "/"]);
    for c in volume.chars() {
        tmux.keys(&[&c.to_string()]);
    }
    tmux.keys(&["Enter"]);
    // The name is cut at 80 columns; its user's is not.
    tmux.wait_for("the volume row", Duration::from_secs(10), |s| {
        s.contains("Volumes · 1 ") && s.contains(user)
    });
    tmux.keys(&["B"]);
    let confirm = tmux.wait_for("the confirmation", Duration::from_secs(5), |s| {
        s.contains("Back up volume")
    });
    assert!(confirm.contains("Users are paused"), "{confirm}");
    tmux.keys(&["y"]);
    wait("the user to be paused", Duration::from_secs(30), || {
        state(user) == "paused"
    });
}

fn assert_nothing_left(run: &str, source: &str, user: &str, data: &Path) {
    wait("the user to run again", Duration::from_secs(30), || {
        state(user) == "running"
    });
    assert_eq!(
        files_in(&data.join("backups")),
        Vec::<String>::new(),
        "no partial archive"
    );
    assert_eq!(helpers_of(source), "", "{run}: no helper container left");
}

#[test]
fn quitting_or_losing_the_terminal_mid_backup_leaves_nothing_paused() {
    require_engine();
    let run = unique("e2e-quit");
    let _cleanup = Cleanup::new(&run);
    let (source, user) = volume_with_user(&run);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let bin = env!("CARGO_BIN_EXE_tugboat");
    let env = format!(
        "TUGBOAT_CONFIG_DIR={d} TUGBOAT_DATA_DIR={d}/data",
        d = dir.path().display()
    );

    // q while the copy runs: asked; y stops the job safely, then tugboat exits.
    let script = format!("{env} {bin} --host local={LOCAL_URL}; echo EXITED=$?; sleep 30");
    let tmux = Tmux::start(&unique("tugboat-quit"), &script);
    start_paused_backup(&tmux, &source, &user);
    tmux.keys(&["q"]);
    let asked = tmux.wait_for("the quit question", Duration::from_secs(5), |s| {
        s.contains("Quit while 1 job(s) run?")
    });
    assert!(asked.contains("job 1: backup"), "{asked}");
    assert_eq!(state(&user), "paused", "nothing changes before the answer");
    tmux.keys(&["y"]);
    let after = tmux.wait_for("tugboat to exit", Duration::from_secs(30), |s| {
        s.contains("EXITED=")
    });
    assert!(after.contains("EXITED=0"), "{after}");
    assert_nothing_left(&run, &source, &user, &data);
    let outcomes = audit_outcomes(&data);
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    assert!(
        outcomes[0].starts_with("stopped: tugboat was quit after 1 of 2 steps"),
        "{outcomes:?}"
    );
    drop(tmux);

    // The terminal goes away mid-copy (the SSH session dropped): SIGHUP.
    let pid_file = dir.path().join("pid");
    let script = format!(
        "echo $$ > {pid}; {env} exec {bin} --host local={LOCAL_URL}",
        pid = pid_file.display()
    );
    let tmux = Tmux::start(&unique("tugboat-hup"), &script);
    start_paused_backup(&tmux, &source, &user);
    let pid = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .to_string();
    drop(tmux); // kill-server: the pty closes, tugboat gets SIGHUP
                // Gone, or a zombie nobody reaped yet.
    wait("tugboat to exit", Duration::from_secs(30), || {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |s| {
            s.rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
    });
    assert_nothing_left(&run, &source, &user, &data);
    let outcomes = audit_outcomes(&data);
    assert_eq!(outcomes.len(), 2, "{outcomes:?}");
    assert!(
        outcomes[1].starts_with("interrupted by SIGHUP after 1 of 2 steps"),
        "{outcomes:?}"
    );
}
