//! A headless switchover stopped at every one of its steps, under a
//! client's write load, by SIGINT, SIGTERM and SIGHUP in turn: before the
//! promotion the job undoes its fence (the old primary writable and behind
//! the writer again); from the promotion on it finishes. Either way,
//! asked of the servers and of HAProxy: exactly one writable primary, the
//! writer backend sends only to it, every other server replicates from it,
//! and it holds every write the client saw acknowledged. The audit log
//! says "interrupted" for every stopped run. The same, in the TUI (tmux):
//! `q` while the switchover's step N runs, then `y` (stop it safely).

mod common;
#[path = "common/failover_bed.rs"]
mod failover_bed;
#[path = "common/tmux.rs"]
mod tmux;

use std::time::{Duration, Instant};

use common::*;
use failover_bed::*;
use tmux::Tmux;

/// Run `tugboat failover` and send `signal` once it prints `step N:`;
/// returns the exit code and the plan's line count.
fn switchover_stopped_at(
    cfg: &std::path::Path,
    cluster: &str,
    step: usize,
    signal: &str,
) -> (Option<i32>, usize) {
    let host = format!("local={LOCAL_URL}");
    let args = ["--host", &host, "failover", cluster, "--yes"];
    let job = RunningJob::until(cfg, &args, &format!("step {step}:"));
    let steps = job
        .seen
        .iter()
        .take_while(|l| !l.starts_with("step "))
        .filter(|l| {
            let t = l.trim_start();
            t.split_once(". ")
                .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        })
        .count();
    job.signal(signal);
    let (exit, _, _) = job.finish(signal == "HUP");
    (exit, steps)
}

/// The bed with its replicas read-only (as a switchover leaves its
/// followers) and a client writing through the balancer: the bed, the
/// client's container and the primary.
fn bed_under_load(prefix: &str) -> (Bed, String, String) {
    let bed = Bed::start(prefix);
    bed.wait_ready();
    for r in &bed.dbs[1..] {
        sql(r, "SET GLOBAL read_only = 1").expect("read-only replica");
    }
    let writer = bed.start_writer();
    let primary = one_primary(&bed);
    (bed, writer, primary)
}

#[test]
fn a_switchover_stopped_at_any_step_leaves_one_primary_with_every_acknowledged_write() {
    require_engine();
    let (bed, writer, mut primary) = bed_under_load("dbint");
    let _cleanup = Cleanup::new(&bed.run);
    let cfg = tempfile::tempdir().expect("temp dir");
    let signals = [("INT", 130), ("TERM", 143), ("HUP", 129)];
    let mut step = 1;
    let mut total = usize::MAX;
    let (mut stopped, mut finished) = (0, 0);
    while step <= total {
        let (signal, code) = signals[step % signals.len()];
        let before = acked(&writer).len();
        poll("the client writes", || acked(&writer).len() >= before + 5);
        let (exit, steps) = switchover_stopped_at(cfg.path(), &bed.run, step, signal);
        total = steps;
        let now = one_primary(&bed);
        if exit == Some(code) {
            // Stopped before its point of no return: nothing changed hands.
            assert_eq!(now, primary, "SIG{signal} at step {step}");
            stopped += 1;
            let audit = std::fs::read_to_string(cfg.path().join("data/audit.jsonl")).unwrap();
            let last = audit.lines().last().unwrap();
            assert!(
                last.contains(&format!("interrupted by SIG{signal}")),
                "step {step}: {last}"
            );
        } else {
            // Past it: finished, the new primary serves.
            assert_eq!(exit, Some(0), "SIG{signal} at step {step}");
            assert_ne!(now, primary, "SIG{signal} at step {step}");
            finished += 1;
        }
        holds_every_ack(&now, &writer);
        // Writes go on through the writer port.
        let after = acked(&writer).len();
        poll("writes after the stop", || {
            acked(&writer).len() >= after + 5
        });
        primary = now;
        step += 1;
    }
    assert!(
        total >= 8,
        "a switchover has its fence, promotion and repointing: {total}"
    );
    assert!(
        stopped >= 3 && finished >= 1,
        "stopped {stopped}, finished {finished}"
    );
    docker(&["kill", &writer]);
    holds_every_ack(&primary, &writer);
}

/// In the TUI: `f` on the cluster, `y`, then `q` and `y` once the Jobs
/// pane shows step `step` running. Returns the plan's step count, and
/// whether the job was still running when quit.
fn tui_switchover_quit_at(bed: &Bed, cfg: &std::path::Path, step: usize) -> (usize, bool) {
    let env = format!(
        "TUGBOAT_CONFIG_DIR={d} TUGBOAT_DATA_DIR={d}/data",
        d = cfg.display()
    );
    let bin = env!("CARGO_BIN_EXE_tugboat");
    let script = format!("{env} {bin} --host local={LOCAL_URL}; echo EXITED=$?; sleep 30");
    let tmux = Tmux::start(&unique("tugboat-sw"), &script);
    tmux.wait_for("the host row", Duration::from_secs(15), |s| {
        s.contains("running · up")
    });
    tmux.keys(&["/"]);
    for c in bed.run.chars() {
        tmux.keys(&[&c.to_string()]);
    }
    // The host row comes first: the cluster's row is the next one.
    tmux.keys(&["Enter", "j"]);
    // `f` needs the servers' roles from a probe round: ask until it offers.
    let start = Instant::now();
    loop {
        tmux.keys(&["f"]);
        let screen = tmux.screen();
        if screen.contains("Database switchover") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no switchover offered:\n{screen}"
        );
        std::thread::sleep(Duration::from_millis(700));
    }
    tmux.keys(&["y", "5"]);
    let wanted = format!("step {step}/");
    let seen = tmux.wait_for("the step", Duration::from_secs(60), |s| {
        s.contains(&wanted) || s.contains(" · done") || s.contains("failed at")
    });
    let total = seen
        .split(&wanted)
        .nth(1)
        .or_else(|| seen.split("] ").nth(1))
        .and_then(|t| {
            t.split(|c: char| !c.is_ascii_digit())
                .find(|n| !n.is_empty())
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    assert!(!seen.contains("failed at"), "{seen}");
    tmux.keys(&["q"]);
    let asked = tmux.wait_for("the question or the exit", Duration::from_secs(10), |s| {
        s.contains("Quit while") || s.contains("EXITED=")
    });
    let running = asked.contains("Quit while");
    if running {
        tmux.keys(&["y"]);
    }
    let after = tmux.wait_for("tugboat to exit", Duration::from_secs(60), |s| {
        s.contains("EXITED=")
    });
    assert!(after.contains("EXITED=0"), "{after}");
    (total, running)
}

/// The steps of the plan the last audited job ran.
fn planned_steps(cfg: &std::path::Path) -> Option<usize> {
    let audit = std::fs::read_to_string(cfg.join("data/audit.jsonl")).ok()?;
    let last: serde_json::Value = serde_json::from_str(audit.lines().last()?).ok()?;
    Some(last["plan"].as_array()?.len())
}

#[test]
fn quitting_the_tui_at_any_step_of_a_switchover_leaves_one_primary() {
    require_engine();
    let (bed, writer, mut primary) = bed_under_load("dbtui");
    let _cleanup = Cleanup::new(&bed.run);
    let cfg = tempfile::tempdir().expect("temp dir");
    let (mut step, mut total, mut quit_running) = (1, usize::MAX, 0);
    while step <= total {
        let (steps, running) = tui_switchover_quit_at(&bed, cfg.path(), step);
        // The plan's length from the audit (one line a step): the screen
        // may have shown the job done before its step count was read.
        total = planned_steps(cfg.path()).unwrap_or(steps);
        quit_running += usize::from(running);
        // Shown when the check below fails.
        let audit =
            std::fs::read_to_string(cfg.path().join("data/audit.jsonl")).unwrap_or_default();
        eprintln!("step {step}: {}", audit.lines().last().unwrap_or_default());
        let now = one_primary(&bed);
        holds_every_ack(&now, &writer);
        if running {
            let audit = std::fs::read_to_string(cfg.path().join("data/audit.jsonl")).unwrap();
            let last = audit.lines().last().unwrap_or_default();
            // Stopped before the promotion, or finished after it.
            assert!(
                (last.contains("stopped: tugboat was quit") && now == primary)
                    || (last.contains("\"outcome\":\"done\"") && now != primary),
                "step {step}: {last}"
            );
        }
        primary = now;
        step += 1;
    }
    assert!(total >= 8, "{total}");
    assert!(
        quit_running >= 3,
        "quit while running only {quit_running} times"
    );
    docker(&["kill", &writer]);
    holds_every_ack(&primary, &writer);
}

/// `kill -9` of tugboat mid-switchover leaves the old primary fenced
/// (read-only, a global lock held for 150 s, its writer in maintenance):
/// `tugboat recover` makes it safe the right way round. Cut off before the
/// promotion: the old primary is writable again behind its writer; after:
/// it stays read-only, the lock released, the new primary serving. Either
/// way one writable primary holding every acknowledged write.
#[test]
fn recover_after_kill_9_mid_switchover_leaves_one_primary() {
    require_engine();
    let (bed, writer, first) = bed_under_load("swk9");
    let _cleanup = Cleanup::new(&bed.run);
    let cfg = tempfile::tempdir().expect("temp dir");
    let host = format!("local={LOCAL_URL}");
    let args = ["--host", &host, "failover", &bed.run, "--yes"];
    // "step 7:" checks the fence before the promotion; "step 10:" makes
    // the new writer ready after it.
    for (step, promoted) in [("step 7:", false), ("step 10:", true)] {
        let before = one_primary(&bed);
        let mut job = RunningJob::until(cfg.path(), &args, step);
        job.child.kill().expect("kill -9");
        let _ = job.child.wait();
        assert_eq!(
            lock_sessions(&before),
            1,
            "{step}: the fence was left holding"
        );
        let (code, out, err) = run_tugboat(cfg.path(), &[], &["--host", &host, "recover", "--yes"]);
        assert_eq!(code, 0, "{step}\n{out}\n{err}");
        assert!(out.contains("make the fenced primary"), "{out}");
        assert_eq!(lock_sessions(&before), 0, "{step}: the lock released");
        let writable: Vec<&String> = bed
            .dbs
            .iter()
            .filter(|d| sql(d, "SELECT @@global.read_only").is_ok_and(|o| o == "0"))
            .collect();
        assert_eq!(writable.len(), 1, "{step}: {writable:?}");
        if promoted {
            let new = writable[0].clone();
            assert_ne!(new, before, "{step}");
            assert!(
                writer_states(&bed.lb)
                    .iter()
                    .any(|(s, st)| *s == server_of(&new) && st != "MAINT"),
                "{step}: writes go to the new primary: {:?}",
                writer_states(&bed.lb)
            );
            // The old primary, read-only, rejoins as a replica; so does a
            // replica the cut-off job had not repointed yet.
            for d in bed.dbs.iter().filter(|d| **d != new) {
                if replicating_from(d, &new) {
                    continue;
                }
                let (code, out, err) = run_tugboat(
                    cfg.path(),
                    &[],
                    &["--host", &host, "rejoin", &bed.run, d, "--yes"],
                );
                assert_eq!(code, 0, "{d}\n{out}\n{err}");
            }
        } else {
            assert_eq!(*writable[0], before, "{step}");
            assert!(
                writer_states(&bed.lb)
                    .iter()
                    .any(|(s, st)| *s == server_of(&before) && st != "MAINT"),
                "{step}: writes back to the old primary: {:?}",
                writer_states(&bed.lb)
            );
        }
        let now = one_primary(&bed);
        holds_every_ack(&now, &writer);
    }
    assert_ne!(one_primary(&bed), first);
}
