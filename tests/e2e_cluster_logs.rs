//! A cluster's logs across two engines (the local one and a Docker-in-
//! Docker host over TCP), merged in true time order: member a on local and
//! b on host2 write in turns, a second apart, from a shared start time;
//! `tugboat logs` (whole, --grep, --follow) and `L` in the TUI show them
//! interleaved as written, whichever host answers first.
//!
//! host2's clock runs 4 s ahead (`scripts/clock-skew-proxy` shifts every
//! time it sends: its `/info` and its log lines' timestamps), so b's lines
//! carry times 4 s late: merged by the engines' times as given they would
//! come a1 a2 a3 b1 b2 b3. The offset is measured and corrected, and they
//! come as written.

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::*;
use tmux::Tmux;

const HOST2: &str = "tb-it-logs-host2";
const HOST2_ADDR: &str = "127.0.0.43";
const TURNS: [&str; 6] = ["a1", "b1", "a2", "b2", "a3", "b3"];

/// A member that waits for `start` (unix seconds) plus `delay`, then says
/// `name`1..3 two seconds apart.
fn member_script(name: &str, start: u64, delay: u64) -> String {
    format!(
        "while [ $(date +%s) -lt {start} ]; do sleep 0.1; done; sleep {delay}; \
         for i in 1 2 3; do echo {name}$i; sleep 2; done; exec sleep 600"
    )
}

/// The texts of `tugboat logs` lines (`time member | text`), in order.
fn texts(out: &str) -> Vec<String> {
    out.lines()
        .filter_map(|l| l.split_once(" | ").map(|(_, t)| t.to_string()))
        .collect()
}

#[test]
fn a_cluster_s_logs_across_two_engines_come_in_the_order_written() {
    require_engine();
    let run = unique("tlog");
    let dind = Dind::start(HOST2, HOST2_ADDR);
    dind.load(BUSYBOX);
    let mut cleanup = Cleanup::new(&run);
    cleanup.hosts.push(Some(dind.url.clone()));
    let cluster = format!("{run}-c");
    let labels = [
        "--label".to_string(),
        format!("{TEST_LABEL}={run}"),
        "--label".to_string(),
        format!("io.tugboat.cluster={cluster}"),
    ];
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    // Room for both containers to start, on a Docker-in-Docker host too.
    let start = now + 12;
    for (url, name, delay) in [(None, "a", 0), (Some(dind.url.as_str()), "b", 1)] {
        let script = member_script(name, start, delay);
        let container = format!("{run}-{name}");
        let mut args = vec!["run", "-d", "--name", &container];
        args.extend(labels.iter().map(String::as_str));
        args.extend([BUSYBOX, "sh", "-c", &script]);
        docker_at(url, &args);
    }
    let cfg = tempfile::tempdir().unwrap();
    let skewed = SkewedEngine::start(&dind.url, 4);
    let host2 = format!("host2={}", skewed.url);
    let hosts = [
        "--host",
        "local=unix:///var/run/docker.sock",
        "--host",
        &host2,
    ];

    // Followed from before the first line: printed in turn as written.
    let mut follow = tugboat_command(cfg.path(), &[])
        .args(hosts)
        .args(["logs", &cluster, "--follow"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = follow.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut got = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            got.push(line);
            if got.len() == TURNS.len() {
                break;
            }
        }
        got
    });
    let deadline = Instant::now() + Duration::from_secs(40);
    while !reader.is_finished() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = follow.kill();
    let _ = follow.wait();
    let followed = reader.join().unwrap().join("\n");
    assert_eq!(texts(&followed), TURNS, "{followed}");
    assert!(followed.contains(&format!("{run}-a | a1")), "{followed}");
    assert!(followed.contains(&format!("{run}-b | b1")), "{followed}");

    // The whole log at once, then only what --grep matches.
    let mut args = hosts.to_vec();
    args.extend(["logs", &cluster, "--since", "10m"]);
    let (code, out, err) = run_tugboat(cfg.path(), &[], &args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(texts(&out), TURNS, "{out}");
    // The offset measured: 4 s ahead, within the round trip.
    let offset: f64 = err
        .split("host2 ")
        .nth(1)
        .and_then(|rest| rest.split('s').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no offset for host2: {err}"));
    assert!((offset - 4.0).abs() < 0.5, "{err}");
    args.extend(["--grep", "^b[13]$"]);
    let (_, out, _) = run_tugboat(cfg.path(), &[], &args);
    assert_eq!(texts(&out), ["b1", "b3"], "{out}");
    let (code, _, err) = run_tugboat(cfg.path(), &[], &[&hosts[..], &["logs", "nope"]].concat());
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no cluster nope"), "{err}");

    // `L` in the TUI on a member: the same order on screen.
    let tmux = Tmux::tugboat_on(
        cfg.path(),
        &["local=unix:///var/run/docker.sock", &host2],
        &[],
    );
    tmux.filter(&cluster);
    tmux.keys(&["G", "L"]);
    let screen = tmux.wait_for("every line", Duration::from_secs(20), |s| {
        s.contains("| b3")
    });
    let on_screen: Vec<&str> = screen
        .lines()
        .filter_map(|l| l.split_once(" | ").map(|(_, t)| t.trim()))
        .collect();
    assert_eq!(on_screen, TURNS, "{screen}");
    assert!(screen.contains("2 members, in time order"), "{screen}");

    // `m`: one member's lines at a time, then every member's again.
    let texts_on = |screen: &str| -> Vec<String> {
        screen
            .lines()
            .filter_map(|l| l.split_once(" | ").map(|(_, t)| t.trim().to_string()))
            .collect()
    };
    for (member, want) in [("a", ["a1", "a2", "a3"]), ("b", ["b1", "b2", "b3"])] {
        tmux.keys(&["m"]);
        let screen = tmux.wait_for("one member", Duration::from_secs(10), |s| {
            texts_on(s) == want
        });
        assert!(screen.contains(&format!("only {run}-{member}")), "{screen}");
    }
    tmux.keys(&["m"]);
    let screen = tmux.wait_for("every member", Duration::from_secs(10), |s| {
        texts_on(s).len() == TURNS.len()
    });
    // `@` with b2's time as the view prints it: b2 becomes the current
    // line; Space marks it and a3 under it; `c` copies both (OSC 52).
    let b2_time = screen
        .lines()
        .find(|l| l.trim_end().ends_with("| b2"))
        .map(|l| l[..12].to_string())
        .unwrap_or_else(|| panic!("no b2 line: {screen}"));
    tmux.run(&["set", "-s", "set-clipboard", "on"]);
    tmux.keys(&["@", &b2_time, "Enter"]);
    tmux.wait_for("the jump", Duration::from_secs(5), |s| {
        s.contains(&format!("at {b2_time}"))
    });
    tmux.keys(&["Space", "Space", "c"]);
    let copied = tmux.buffer_becomes("the marked lines", |b| b.lines().count() == 2);
    assert_eq!(texts(&copied), ["b2", "a3"], "{copied}");
    assert!(copied.starts_with(&b2_time), "{copied}");
}
