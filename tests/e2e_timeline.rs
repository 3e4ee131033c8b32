//! The incident timeline end to end (tmux, 80x24): while tugboat watches,
//! a container is OOM-killed, a balancer's server goes DOWN (its app
//! killed) and an operator starts it again from tugboat; the Timeline pane
//! shows all three in order with the bad ones marked, and `tugboat
//! timeline --since 10m` exports the same for a postmortem (JSON lines and
//! a Markdown table).

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use std::time::Duration;

use common::*;
use tmux::Tmux;

#[test]
fn an_oom_kill_a_server_down_and_a_job_in_one_timeline() {
    require_engine();
    let run = unique("ttl");
    let _cleanup = Cleanup::new(&run);
    let dir = tempfile::tempdir().unwrap();
    let cluster = format!("{run}-app");
    let label = |_| vec![format!("io.tugboat.cluster={cluster}")];
    let (apps, lb) = apps_behind_haproxy(&run, 2, "be_tl", label, dir.path());
    let cfg = tempfile::tempdir().unwrap();
    let tmux = Tmux::tugboat(cfg.path());
    // On the Balancer pane its servers are probed: both UP first.
    tmux.keys(&["4"]);
    tmux.filter(&lb);
    tmux.wait_for("both servers UP", Duration::from_secs(30), |s| {
        s.matches(" UP").count() >= 2
    });

    // A process that doubles a string until the kernel kills it.
    let hog = format!("{run}-hog");
    run_busybox(
        &run,
        &hog,
        &["--memory", "16m", "--memory-swap", "16m"],
        &["sh", "-c", "a=0123456789; while :; do a=\"$a$a\"; done"],
    );
    docker(&["kill", &apps[0]]);
    tmux.wait_for("the server DOWN", Duration::from_secs(30), |s| {
        s.contains("DOWN")
    });
    let exit = docker(&[
        "inspect",
        "-f",
        "{{.State.OOMKilled}} {{.State.ExitCode}}",
        &hog,
    ]);
    assert_eq!(exit, "true 137", "the hog was OOM-killed");

    // The operator starts the app again from tugboat: a job.
    tmux.keys(&["1"]);
    tmux.filter(&apps[0]);
    tmux.keys(&["G", "t"]);
    tmux.wait_for("the confirmation", Duration::from_secs(10), |s| {
        s.contains("Start 1 container")
    });
    tmux.keys(&["y", "6"]);
    let screen = tmux.wait_for("the timeline", Duration::from_secs(30), |s| {
        s.contains("out of memory")
            && s.contains("DOWN: server")
            && s.contains("job start")
            && s.contains(": done")
    });
    let rows: Vec<&str> = screen.lines().collect();
    let row_of = |text: &str| rows.iter().position(|l| l.contains(text)).unwrap();
    assert!(row_of("out of memory") < row_of("DOWN: server"), "{screen}");
    assert!(row_of("DOWN: server") < row_of("job start"), "{screen}");
    assert!(
        !screen.contains("tugboat-lease"),
        "leases are not events: {screen}"
    );
    for bad in ["out of memory", "DOWN: server"] {
        assert!(rows[row_of(bad)].contains("!!"), "{bad} marked: {screen}");
    }
    tmux.keys(&["q"]);
    tmux.wait_for("tugboat to exit", Duration::from_secs(10), |s| {
        s.contains("EXITED=0")
    });

    // The export, from the engine's events and the audit log.
    let host = ["--host", "local=unix:///var/run/docker.sock"];
    let (code, json, err) = run_tugboat(
        cfg.path(),
        &[],
        &[&host[..], &["timeline", "--since", "10m", "--json"]].concat(),
    );
    assert_eq!(code, 0, "{err}");
    let entries: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let find = |object: &str, what: &str| {
        entries.iter().position(|e| {
            e["object"].as_str().is_some_and(|o| o.contains(object))
                && e["what"].as_str().is_some_and(|w| w.contains(what))
        })
    };
    let oom = find(&hog, "out of memory").unwrap_or_else(|| panic!("{json}"));
    let died = find(&hog, "exited with 137").unwrap_or_else(|| panic!("{json}"));
    let job = find(&format!("job start containers/{}", apps[0]), "done")
        .unwrap_or_else(|| panic!("{json}"));
    assert!(oom < job && died < job, "{json}");
    assert_eq!(entries[oom]["severity"], "bad");
    assert_eq!(entries[job]["source"], "operator");
    let (_, md, _) = run_tugboat(
        cfg.path(),
        &[],
        &[&host[..], &["timeline", "--since", "10m", "--markdown"]].concat(),
    );
    assert!(
        md.starts_with("| time (UTC) | host | source | object | what |"),
        "{md}"
    );
    assert!(md.contains("**out of memory"), "{md}");
}
