//! A rolling restart, headless, of two busybox apps behind a real HAProxy:
//! each server is drained before its container restarts and made ready
//! after, so a client asking every 100 ms through HAProxy sees no failed
//! request, and both servers end UP.

mod common;

use std::time::Duration;

use common::*;

/// One request through the balancer, from inside it: "STATUS|BODY".
/// (`say` comes from `SAY_SH`.)
const ASK: &str = "r=$(say 8080 'GET / HTTP/1.0\\r\\nHost: app\\r\\n\\r\\n'); \
    printf '%s|%s\\n' \"$(printf '%s' \"$r\" | head -n 1 | tr -d '\\r')\" \"$(printf '%s' \"$r\" | tail -n 1)\"";

/// Wait (30 s at most) until requests through `lb` reach every app in `ids`.
fn every_app_answers(lb: &str, ids: &[String], what: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let answers = docker(&[
            "exec",
            lb,
            "sh",
            "-c",
            &format!("{SAY_SH}{ASK}; {ASK}; {ASK}; {ASK}"),
        ]);
        if ids
            .iter()
            .all(|id| answers.contains(&format!("200 OK|{id}")))
        {
            return;
        }
        assert!(std::time::Instant::now() < deadline, "{what}: {answers}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn rolling_restart_drains_each_server_so_no_request_fails() {
    require_engine();
    let run = unique("rollb");
    let _cleanup = Cleanup::new(&run);
    let label = format!("{TEST_LABEL}={run}");
    let net = format!("{run}-net");
    docker(&["network", "create", "--label", &label, &net]);
    let cluster = format!("{run}-app");
    let apps: Vec<String> = (1..=2).map(|i| format!("{run}-app{i}")).collect();
    for a in &apps {
        let tag = format!("io.tugboat.cluster={cluster}");
        run_busybox(&run, a, &["--network", &net, "--label", &tag], &[]);
    }
    let dir = tempfile::tempdir().unwrap();
    let lb = format!("{run}-lb");
    run_haproxy(
        &run,
        &lb,
        &net,
        dir.path(),
        &http_haproxy_config("be_app", &apps),
        false,
    );
    let ids: Vec<String> = apps
        .iter()
        .map(|a| docker(&["inspect", "-f", "{{.Id}}", a])[..12].to_string())
        .collect();
    every_app_answers(&lb, &ids, "apps never answered");
    let before: Vec<String> = apps.iter().map(|a| started_at(a)).collect();

    // The client: one request every 100 ms until told to stop.
    let client = std::process::Command::new("docker")
        .args([
            "exec",
            &lb,
            "sh",
            "-c",
            &format!("{SAY_SH}while [ ! -e /tmp/stop ]; do {ASK}; sleep 0.1; done"),
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(1));

    let cfg = tempfile::tempdir().unwrap();
    let host = format!("local={LOCAL_URL}");
    let (code, out, err) = run_tugboat(
        cfg.path(),
        &[],
        &["--host", &host, "restart", "--rolling", &cluster, "--yes"],
    );
    std::thread::sleep(Duration::from_secs(1));
    docker(&["exec", &lb, "touch", "/tmp/stop"]);
    let answers = String::from_utf8(client.wait_with_output().unwrap().stdout).unwrap();

    assert_eq!(code, 0, "{out}{err}");
    for a in &apps {
        assert!(
            out.contains(&format!("drain be_app/{a} on {lb} before restarting {a}")),
            "{out}"
        );
        assert!(
            out.contains(&format!("make be_app/{a} on {lb} ready again")),
            "{out}"
        );
    }
    for (a, old) in apps.iter().zip(&before) {
        assert_ne!(&started_at(a), old, "{a} was restarted");
    }
    let lines: Vec<&str> = answers.lines().collect();
    assert!(lines.len() > 20, "the client kept asking: {answers}");
    let failed: Vec<&&str> = lines.iter().filter(|l| !l.contains("200 OK|")).collect();
    assert!(
        failed.is_empty(),
        "requests failed during the restart: {failed:?}"
    );
    // Both back in rotation at the end.
    let tail: Vec<&str> = lines.iter().rev().take(6).copied().collect();
    for id in &ids {
        assert!(
            tail.iter().any(|l| l.ends_with(id.as_str())),
            "{id} answers again: {tail:?}"
        );
    }

    // Stopped once the first server is drained (SIGTERM), while its member
    // restarts (SIGINT), and while the job waits for it to run again
    // (SIGHUP, the session gone): the job undoes the drain on its way out,
    // and both servers take requests again.
    for (signal, code, at) in [("TERM", 143, 2), ("INT", 130, 4), ("HUP", 129, 5)] {
        let job = RunningJob::until(
            cfg.path(),
            &["--host", &host, "restart", "--rolling", &cluster, "--yes"],
            &format!("step {at}:"),
        );
        job.signal(signal);
        let (exit, rest, _) = job.finish(signal == "HUP");
        assert_eq!(exit, Some(code), "SIG{signal}: {rest:?}");
        let audit = std::fs::read_to_string(cfg.path().join("data/audit.jsonl")).unwrap();
        let last = audit.lines().last().unwrap_or_default();
        assert!(
            last.contains(&format!("interrupted by SIG{signal} after")),
            "SIG{signal}: {last}"
        );
        // Stopped right after the drain, the undo makes the server ready;
        // later, the plan's own "ready" may have done it first.
        if signal == "TERM" {
            assert!(
                last.contains(&format!(
                    "make be_app/{} on {lb} ready again: done",
                    apps[0]
                )),
                "SIG{signal}: {last}"
            );
        }
        every_app_answers(&lb, &ids, "both servers answer again after the stop");
    }

    // Killed (-9) with the first server drained: nothing can undo at once;
    // `tugboat recover` makes the server ready from the journal.
    let mut job = RunningJob::until(
        cfg.path(),
        &["--host", &host, "restart", "--rolling", &cluster, "--yes"],
        "step 3:",
    );
    job.child.kill().unwrap();
    job.child.wait().unwrap();
    let (code, out, err) = run_tugboat(cfg.path(), &[], &["--host", &host, "recover", "--yes"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains(&format!("make be_app/{} ready again", apps[0])),
        "{out}"
    );
    every_app_answers(&lb, &ids, "both servers answer again after the recovery");
}
