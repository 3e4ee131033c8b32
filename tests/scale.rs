//! Scaling a compose-labelled busybox service behind a real HAProxy 2.6,
//! headless, 1 → 3 → 1: after each step the requests through HAProxy are
//! answered by exactly the replicas that should exist, and haproxy.cfg
//! lists them. Bad counts, read-only and stateful roles are refused.

mod common;

use std::collections::BTreeSet;

use common::*;

fn config(first: &str) -> String {
    format!(
        "global\n{STATS_SOCKETS}\
         defaults\n    mode http\n    timeout connect 1s\n    timeout client 10s\n    timeout server 10s\n    timeout check 1s\n\
         frontend fe_app\n    bind :8080\n    default_backend be_app\n\
         backend be_app\n    balance roundrobin\n    option httpchk GET /\n    default-server check inter 1s fall 2 rise 1\n\
         \x20   server web1 {first}:8080\n"
    )
}

/// Short ids of the service's containers, as the app answers with its hostname.
fn replica_ids(project: &str) -> BTreeSet<String> {
    docker(&[
        "ps",
        "-a",
        "--filter",
        &format!("label=com.docker.compose.project={project}"),
        "--format",
        "{{.ID}}",
    ])
    .lines()
    .map(str::to_string)
    .collect()
}

#[test]
fn compose_service_behind_haproxy_scales_one_three_one() {
    require_engine();
    let run = unique("scale");
    let _cleanup = Cleanup::new(&run);
    let label = format!("{TEST_LABEL}={run}");
    let net = format!("{run}-net");
    docker(&["network", "create", "--label", &label, &net]);
    let first = format!("{run}-web-1");
    run_busybox(
        &run,
        &first,
        &[
            "--network",
            &net,
            "--network-alias",
            "web",
            "--label",
            &format!("com.docker.compose.project={run}"),
            "--label",
            "com.docker.compose.service=web",
            "--label",
            "com.docker.compose.container-number=1",
        ],
        &[],
    );
    let dir = tempfile::tempdir().unwrap();
    let lb = format!("{run}-lb");
    // Writable: scaling writes the new servers into it.
    let cfg_file = run_haproxy(&run, &lb, &net, dir.path(), &config(&first), true);
    let cfg = tempfile::tempdir().unwrap();
    let host = format!("local={LOCAL_URL}");
    let tugboat = |args: &[&str]| {
        let mut all = vec!["--host", host.as_str()];
        all.extend_from_slice(args);
        run_tugboat(cfg.path(), &[], &all)
    };
    // Wait for the balancer to see the first replica UP.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while answering(&lb, 15) != replica_ids(&run) {
        assert!(std::time::Instant::now() < deadline, "web-1 never answered");
        std::thread::sleep(std::time::Duration::from_millis(500));
    }

    // Refusals first: nothing changes.
    let (code, _, err) = tugboat(&["scale", "web", "-1", "--yes"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("0 or more"), "{err}");
    let (code, out, err) = tugboat(&["--read-only", "scale", "web", "3", "--yes"]);
    assert_eq!(code, 3, "read-only refuses: {out}{err}");
    assert!(out.contains("read-only"), "{out}");
    assert_eq!(replica_ids(&run).len(), 1);
    let (code, _, err) = tugboat(&["scale", "web", "3"]);
    assert_eq!(code, 3, "not confirmed without a terminal: {err}");
    assert_eq!(replica_ids(&run).len(), 1);

    // 1 → 3: two new replicas, numbered 2 and 3, in the backend and the file.
    let (code, out, err) = tugboat(&["scale", &format!("{run}/web"), "3", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    let three = replica_ids(&run);
    assert_eq!(three.len(), 3);
    assert_eq!(answering(&lb, 15), three, "every replica answers");
    let numbers = docker(&[
        "ps",
        "--filter",
        &format!("label=com.docker.compose.project={run}"),
        "--format",
        "{{.Names}} {{.Label \"com.docker.compose.container-number\"}}",
    ]);
    for n in 2..=3 {
        assert!(numbers.contains(&format!("{run}-web-{n} {n}")), "{numbers}");
    }
    let text = std::fs::read_to_string(&cfg_file).unwrap();
    for n in 2..=3 {
        assert!(
            text.contains(&format!("server {run}-web-{n} {run}-web-{n}:8080")),
            "haproxy.cfg keeps the new servers for a reload:\n{text}"
        );
    }

    // 3 → 2 stopped by a signal while it drains web-3: the server is made
    // ready again and every replica still answers.
    for (signal, code) in [("TERM", 143), ("INT", 130), ("HUP", 129)] {
        let job = RunningJob::until(
            cfg.path(),
            &["--host", &host, "scale", "web", "2", "--yes"],
            "step 1:",
        );
        assert!(job.seen.last().unwrap().contains("drain"), "{:?}", job.seen);
        job.signal(signal);
        let (exit, rest, _) = job.finish(signal == "HUP");
        assert_eq!(exit, Some(code), "SIG{signal}: {rest:?}");
        if signal != "HUP" {
            let last = rest.last().cloned().unwrap_or_default();
            assert!(
                last.starts_with(&format!("interrupted by SIG{signal}"))
                    && last.contains("ready again: done"),
                "{rest:?}"
            );
        }
        assert_eq!(replica_ids(&run), three, "SIG{signal}: nothing was removed");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        while answering(&lb, 15) != three {
            assert!(
                std::time::Instant::now() < deadline,
                "SIG{signal}: web-3 was left out of the balance"
            );
            std::thread::sleep(std::time::Duration::from_millis(500));
        }
    }

    // 3 → 1: the highest numbers go, drained and deleted first.
    let (code, out, err) = tugboat(&["scale", "web", "1", "--yes", "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("\"outcome\":\"done\""), "{out}");
    let one = replica_ids(&run);
    assert_eq!(one.len(), 1);
    assert_eq!(
        docker(&["inspect", "-f", "{{.Name}}", one.iter().next().unwrap()]),
        format!("/{first}")
    );
    assert_eq!(answering(&lb, 15), one, "only web-1 answers");
    let text = std::fs::read_to_string(&cfg_file).unwrap();
    assert!(!text.contains(&format!("{run}-web-2")), "{text}");
    assert!(text.contains("server web1 "), "{text}");

    // The audit log has every attempt, the refusal included.
    let (code, audit, _) = tugboat(&["audit"]);
    assert_eq!(code, 0);
    // Refused once (read-only), then its intent and its outcome.
    assert_eq!(audit.matches("scale to 3").count(), 3, "{audit}");
    for signal in ["SIGTERM", "SIGINT", "SIGHUP"] {
        assert!(
            audit.contains(&format!("interrupted by {signal}")),
            "{audit}"
        );
    }
    assert!(audit.contains("scale to 1"), "{audit}");
}
