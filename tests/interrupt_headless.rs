//! Headless jobs and signals, against the real engine: SIGINT, SIGTERM and
//! SIGHUP (with the terminal gone) in the middle of a backup's copy, while
//! the volume's user is paused. Each stops the job at its safe point: the
//! user runs again, no partial archive or helper container is left, the
//! exit code is 128 + the signal, and the audit log says "interrupted".

#[path = "common/backup_fixture.rs"]
mod backup_fixture;
mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use backup_fixture::*;
use common::*;
use serde_json::Value;

/// Start `tugboat backup SOURCE --pause` and return once its copy runs
/// with the user paused.
fn backup_until_paused(config: &Path, dir: &Path, source: &str, user: &str) -> RunningJob {
    let dir = dir.to_str().unwrap();
    let args = [
        "--host", HOST, "backup", source, "--dir", dir, "--image", BUSYBOX, "--pause", "--yes",
    ];
    let job = RunningJob::until(config, &args, "step 2:");
    let deadline = Instant::now() + Duration::from_secs(30);
    while state(user) != "paused" {
        assert!(Instant::now() < deadline, "the user was never paused");
        std::thread::sleep(Duration::from_millis(20));
    }
    job
}

#[test]
fn a_signal_mid_backup_stops_it_safely_and_says_interrupted() {
    require_engine();
    let run = unique("int-bk");
    let _cleanup = Cleanup::new(&run);
    let config = tempfile::tempdir().unwrap();
    let dir = config.path().join("out");
    let (source, user) = volume_with_user(&run);

    for (signal, code) in [("INT", 130), ("TERM", 143), ("HUP", 129)] {
        // The copy runs while its user is paused: that is the moment to stop.
        let job = backup_until_paused(config.path(), &dir, &source, &user);
        job.signal(signal);
        // SIGHUP: the session is gone, nobody reads what tugboat says.
        let (exit, rest, err) = job.finish(signal == "HUP");
        assert_eq!(exit, Some(code), "SIG{signal}: {rest:?} {err}");
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
        assert_eq!(
            helpers_of(&source),
            "",
            "SIG{signal}: no helper container left"
        );
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

/// `kill -9` mid-copy leaves the user paused, a helper and a partial file;
/// the next start says so, and `tugboat recover` makes them safe.
#[test]
fn after_kill_9_recover_unpauses_and_removes_what_the_job_left() {
    require_engine();
    let run = unique("int-k9");
    let _cleanup = Cleanup::new(&run);
    let config = tempfile::tempdir().unwrap();
    let dir = config.path().join("out");
    let (source, user) = volume_with_user(&run);
    let mut job = backup_until_paused(config.path(), &dir, &source, &user);
    job.child.kill().unwrap(); // SIGKILL
    job.child.wait().unwrap();
    assert_eq!(state(&user), "paused", "a killed job cannot clean up");
    assert_ne!(helpers_of(&source), "");
    assert!(
        files_in(&dir).iter().any(|f| f.ends_with(".partial")),
        "{:?}",
        files_in(&dir)
    );

    let (code, out, err) = tugboat(config.path(), &["recover", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("Plan (recover job 1 of process"), "{out}");
    assert!(out.contains(&format!("unpause {user} on local")), "{out}");
    assert_eq!(state(&user), "running");
    assert_eq!(helpers_of(&source), "", "helpers removed");
    assert_eq!(files_in(&dir), Vec::<String>::new(), "partial file removed");
    let (code, out, _) = tugboat(config.path(), &["recover", "--yes"]);
    assert_eq!((code, out.trim()), (0, "nothing to recover"));
}

/// The last audit record's action and outcome.
fn last_audited(config: &Path) -> (String, String) {
    let audit = std::fs::read_to_string(config.join("data/audit.jsonl")).unwrap();
    let last: Value = serde_json::from_str(audit.lines().last().unwrap()).unwrap();
    (
        last["action"].as_str().unwrap().to_string(),
        last["outcome"].as_str().unwrap().to_string(),
    )
}

/// A restore stopped while it unpacks into the new volume it made: the
/// helper goes, and so does the half-filled volume.
#[test]
fn a_signal_mid_restore_removes_the_half_restored_volume() {
    require_engine();
    let run = unique("int-rs");
    let _cleanup = Cleanup::new(&run);
    let config = tempfile::tempdir().unwrap();
    let dir = config.path().join("out");
    let (source, _user) = volume_with_user(&run);
    let archive = backup(config.path(), &source, &dir);
    let archive = archive.to_str().unwrap();
    for (signal, code) in [("INT", 130), ("TERM", 143), ("HUP", 129)] {
        let target = format!("{run}-into-{signal}");
        let _gone = CreatedVolume(target.clone());
        let args = [
            "--host", HOST, "restore", archive, "--into", &target, "--yes",
        ];
        let job = RunningJob::until(config.path(), &args, "step 3:");
        job.signal(signal);
        let (exit, rest, err) = job.finish(signal == "HUP");
        assert_eq!(exit, Some(code), "SIG{signal}: {rest:?} {err}");
        assert!(!volume_exists(&target), "SIG{signal}: {target} was left");
        assert_eq!(helpers_of(&target), "", "SIG{signal}: a helper was left");
        let (action, outcome) = last_audited(config.path());
        assert_eq!(action, "restore");
        assert!(
            outcome.starts_with(&format!("interrupted by SIG{signal} after 2 of 3 steps"))
                && outcome.contains(&format!(
                    "remove the half-restored volume {target} on local: done"
                )),
            "{outcome}"
        );
    }
    // The archive is kept, whole.
    assert!(Path::new(archive).exists());
}

/// A create stopped while it verifies removes everything it made, for
/// SIGTERM and SIGHUP as for Ctrl-C; one killed with -9 leaves a
/// half-made cluster that `tugboat recover` removes.
#[test]
fn a_signal_mid_create_removes_the_half_made_cluster_and_recover_after_kill_9() {
    require_engine();
    let config = tempfile::tempdir().unwrap();
    let labelled = |name: &str| {
        docker(&[
            "ps",
            "-aq",
            "--filter",
            &format!("label=io.tugboat.cluster={name}"),
        ])
    };
    let networks = |name: &str| {
        docker(&[
            "network",
            "ls",
            "-q",
            "--filter",
            &format!("label=io.tugboat.cluster={name}"),
        ])
    };
    for (signal, code) in [("TERM", Some(143)), ("HUP", Some(129)), ("KILL", None)] {
        let name = unique("int-cr");
        let _gone = ClusterGone(name.clone());
        // The health path answers 404: the checks never pass, so the run
        // stays in its verification until the signal.
        let spec = format!(
            "name = \"{name}\"\ntemplate = \"app\"\n[app]\nimage = \"{BUSYBOX}\"\nport = 8080\nreplicas = 2\nhealth_path = \"/nope\"\nhaproxy_image = \"tugboat-test/haproxy:2.6\"\n"
        );
        let path = config.path().join(format!("{name}.toml"));
        std::fs::write(&path, spec).unwrap();
        let args = [
            "--host",
            HOST,
            "create",
            "--from",
            path.to_str().unwrap(),
            "--yes",
        ];
        let mut job = RunningJob::until(config.path(), &args, "step 6:");
        if signal == "KILL" {
            job.child.kill().unwrap();
            job.child.wait().unwrap();
            assert_ne!(labelled(&name), "", "a killed create cannot clean up");
            let (code, out, err) = tugboat(config.path(), &["recover", "--yes"]);
            assert_eq!(code, 0, "{out}\n{err}");
            assert!(
                out.contains(&format!(
                    "remove what the cut-off create of cluster {name} made on local"
                )),
                "{out}"
            );
        } else {
            job.signal(signal);
            let (exit, _, err) = job.finish(true);
            assert_eq!(exit, code, "SIG{signal}: {err}");
            let (action, outcome) = last_audited(config.path());
            assert_eq!(action, "create");
            assert!(
                outcome.starts_with(&format!("interrupted by SIG{signal} after 5 of 6 steps")),
                "{outcome}"
            );
        }
        assert_eq!(labelled(&name), "", "{signal}: containers left");
        assert_eq!(networks(&name), "", "{signal}: networks left");
    }
}

/// Removes a cluster a failed test left.
struct ClusterGone(String);

impl Drop for ClusterGone {
    fn drop(&mut self) {
        let filter = format!("label=io.tugboat.cluster={}", self.0);
        for kind in [["ps", "-aq"], ["network", "ls"]] {
            let mut args = vec![kind[0], kind[1]];
            if kind[0] == "network" {
                args.push("-q");
            }
            args.extend(["--filter", &filter]);
            let ids = std::process::Command::new("docker")
                .args(&args)
                .output()
                .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
                .unwrap_or_default();
            for id in ids.split_whitespace() {
                let rm: &[&str] = if kind[0] == "ps" {
                    &["rm", "-f", "-v"]
                } else {
                    &["network", "rm"]
                };
                let _ = std::process::Command::new("docker")
                    .args(rm)
                    .arg(id)
                    .output();
            }
        }
    }
}
