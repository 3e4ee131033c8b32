//! `e` in the TUI (tmux, 80x24): a shell in a container on a second
//! engine (Docker-in-Docker, over TCP) beside the local one; a command
//! typed in it answers on the screen, `exit` gives tugboat the terminal
//! back; the audit records who opened it where and for how long, never
//! what was typed. Read-only refuses it. (Over ssh://: `ssh_host.rs`.)

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use std::time::Duration;

use common::*;
use tmux::Tmux;

const HOST2: &str = "tb-it-shell-host2";
const HOST2_ADDR: &str = "127.0.0.41";

#[test]
fn a_shell_on_a_second_engine_answers_and_gives_the_terminal_back() {
    require_engine();
    let run = unique("tsh");
    let dind = Dind::start(HOST2, HOST2_ADDR);
    dind.load(BUSYBOX);
    let mut cleanup = Cleanup::new(&run);
    cleanup.hosts.push(Some(dind.url.clone()));
    let name = format!("{run}-box");
    docker_at(
        Some(&dind.url),
        &[
            "run",
            "-d",
            "--name",
            &name,
            "--label",
            &format!("{TEST_LABEL}={run}"),
            BUSYBOX,
            "sleep",
            "600",
        ],
    );
    let cfg = tempfile::tempdir().unwrap();
    let host2 = format!("host2={}", dind.url);
    let tmux = Tmux::tugboat_on(
        cfg.path(),
        &["local=unix:///var/run/docker.sock", &host2],
        &[],
    );
    tmux.shell_round_trip(&name);
    tmux.keys(&["q"]);
    tmux.wait_for("tugboat to exit", Duration::from_secs(10), |s| {
        s.contains("EXITED=0")
    });
    let audit = std::fs::read_to_string(cfg.path().join("data/audit.jsonl")).unwrap();
    let record: serde_json::Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
    assert_eq!(record["action"], "shell", "{audit}");
    assert_eq!(record["target"], format!("host2/{name}"), "{audit}");
    assert!(
        record["outcome"]
            .as_str()
            .unwrap()
            .starts_with("done: the shell exited with 0 after"),
        "{audit}"
    );
    assert!(record["duration_ms"].as_u64().unwrap() > 0, "{audit}");
    assert!(
        !audit.contains("shell-") && !audit.contains("echo"),
        "what was typed: {audit}"
    );

    // Read-only: refused, no shell.
    let ro = tempfile::tempdir().unwrap();
    let tmux = Tmux::tugboat_on(
        ro.path(),
        &["local=unix:///var/run/docker.sock", &host2, "--read-only"],
        &[],
    );
    tmux.filter(&name);
    tmux.keys(&["G", "e"]);
    tmux.wait_for("the refusal", Duration::from_secs(10), |s| {
        s.contains("read-only")
    });
    std::thread::sleep(Duration::from_millis(500));
    assert!(!tmux.screen().contains("a shell in"), "{}", tmux.screen());
}
