//! Headless jobs and signals, against the real engine: SIGINT, SIGTERM and
//! SIGHUP (with the terminal gone) in the middle of a backup's copy, while
//! the volume's user is paused. Each stops the job at its safe point: the
//! user runs again, no partial archive or helper container is left, the
//! exit code is 128 + the signal, and the audit log says "interrupted".

#[path = "common/backup_fixture.rs"]
mod backup_fixture;
mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use backup_fixture::*;
use common::*;
use serde_json::Value;

fn state(container: &str) -> String {
    docker(&["inspect", "-f", "{{.State.Status}}", container])
}

#[test]
fn a_signal_mid_backup_stops_it_safely_and_says_interrupted() {
    require_engine();
    let run = unique("int-bk");
    let _cleanup = Cleanup::new(&run);
    let config = tempfile::tempdir().unwrap();
    let dir = config.path().join("out");
    let source = format!("{run}-src");
    volume(&run, &source);
    // Random data compresses slowly: the copy lasts seconds, not milliseconds.
    in_volume(
        &run,
        &source,
        "dd if=/dev/urandom of=/v/data bs=1M count=300 2>/dev/null",
    );
    let user = format!("{run}-user");
    run_busybox(
        &run,
        &user,
        &["-v", &format!("{source}:/data")],
        &["sleep", "600"],
    );

    for (signal, code) in [("INT", 130), ("TERM", 143), ("HUP", 129)] {
        let mut child = tugboat_command(config.path(), &[])
            .args(["--host", HOST, "backup", &source, "--dir"])
            .arg(&dir)
            .args(["--image", BUSYBOX, "--pause", "--yes"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tugboat runs");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut seen = Vec::new();
        for line in lines.by_ref() {
            let line = line.unwrap();
            seen.push(line.clone());
            if line.starts_with("step 2:") {
                break;
            }
        }
        assert!(
            seen.last().is_some_and(|l| l.starts_with("step 2:")),
            "{seen:?}"
        );
        // The copy runs while its user is paused: that is the moment to stop.
        let deadline = Instant::now() + Duration::from_secs(30);
        while state(&user) != "paused" {
            assert!(Instant::now() < deadline, "the user was never paused");
            std::thread::sleep(Duration::from_millis(20));
        }
        let pid = child.id().to_string();
        assert_eq!(
            std::process::Command::new("kill")
                .args([&format!("-{signal}"), &pid])
                .status()
                .unwrap()
                .code(),
            Some(0)
        );
        let rest: Vec<String> = if signal == "HUP" {
            // The session is gone: nobody reads what tugboat says any more.
            drop(lines);
            Vec::new()
        } else {
            lines.map(|l| l.unwrap()).collect()
        };
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "SIG{signal}: {rest:?} {err}");
        assert!(
            err.contains(&format!("SIG{signal}: stopping the job")),
            "{err}"
        );
        if signal != "HUP" {
            let last = rest.last().cloned().unwrap_or_default();
            assert!(
                last.starts_with(&format!("interrupted by SIG{signal} after 1 of 2 steps")),
                "{rest:?}"
            );
            assert!(last.contains("partial file removed"), "{last}");
        }

        assert_eq!(state(&user), "running", "SIG{signal}: the user runs again");
        assert_eq!(
            files_in(&dir),
            Vec::<String>::new(),
            "SIG{signal}: no file left"
        );
        let helpers = docker(&[
            "ps",
            "-aq",
            "--filter",
            &format!("label=io.tugboat.volume={source}"),
        ]);
        assert_eq!(helpers, "", "SIG{signal}: no helper container left");
        let audit = std::fs::read_to_string(config.path().join("data/audit.jsonl")).unwrap();
        let last: Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
        assert_eq!(last["action"], "backup");
        let outcome = last["outcome"].as_str().unwrap();
        assert!(
            outcome.starts_with(&format!("interrupted by SIG{signal} after 1 of 2 steps")),
            "{outcome}"
        );
    }
}
