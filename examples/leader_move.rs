//! Measures a ZooKeeper leader move (median of N): tugboat's plan run by
//! the job runner, from confirmation to another member leading, beside the
//! same done by hand with the CLI (`docker restart` of the leader, then
//! `srvr` asked of the others until one leads). Used by
//! `scripts/bench-leader-move`, which starts the ensemble.
//!
//!   leader_move ENSEMBLE ZK_CONTAINER,ZK_CONTAINER,ZK_CONTAINER [ROUNDS]

use std::sync::Arc;
use std::time::{Duration, Instant};

use tugboat::cli::status::collect;
use tugboat::config::{HostSource, HostSpec, Settings};
use tugboat::docker::spawn_hosts;
use tugboat::model::probed::ensembles;
use tugboat::ops::job::JobOutcome;
use tugboat::ops::plan::{zookeeper_leader_move_plan, Plan};
use tugboat::ops::runner::JobRunner;
use tugboat::ops::AuditLog;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn mode(container: &str) -> String {
    let out = std::process::Command::new("docker")
        .args([
            "exec",
            container,
            "bash",
            "-c",
            "exec 3<>/dev/tcp/127.0.0.1/2181; printf srvr >&3; cat <&3",
        ])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    out.lines()
        .find_map(|l| l.strip_prefix("Mode: "))
        .unwrap_or("")
        .to_string()
}

/// Wait until the ensemble is healthy and its followers in sync, and
/// return the leader move's plan.
async fn ready_plan(specs: &[HostSpec], name: &str) -> Plan {
    let settings = Settings::default();
    for _ in 0..120 {
        let (inv, book, _) = collect(specs, &settings).await;
        if let Some(e) = ensembles(&inv, &book).into_iter().find(|e| e.name == name) {
            if e.health().tolerates == 1 {
                if let Ok(plan) = zookeeper_leader_move_plan(&e) {
                    return plan;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("{name} never became healthy and in sync");
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let name = args.get(1).expect("ENSEMBLE").clone();
    let members: Vec<String> = args
        .get(2)
        .expect("ZK containers")
        .split(',')
        .map(str::to_string)
        .collect();
    let rounds: usize = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(5);
    let specs = vec![HostSpec {
        name: "local".into(),
        url: "unix:///var/run/docker.sock".into(),
        tls: None,
        source: HostSource::Flag,
    }];
    let hosts = spawn_hosts(&specs, &Settings::default(), false, |_| {});
    assert!(hosts[0].wait_connected(Duration::from_secs(10)).await);
    let audit = std::env::temp_dir().join(format!("leader-move-{}.jsonl", std::process::id()));
    let runner = JobRunner::new(hosts, Settings::default(), AuditLog::new(audit.clone()));

    let (mut ours, mut by_hand) = (Vec::new(), Vec::new());
    for round in 1..=rounds {
        let plan = ready_plan(&specs, &name).await;
        let t = Instant::now();
        let outcome = runner.run(plan, Arc::new(|_| {})).await;
        assert_eq!(outcome, JobOutcome::Done, "round {round}");
        ours.push(t.elapsed());

        ready_plan(&specs, &name).await;
        let leader = members
            .iter()
            .find(|m| mode(m) == "leader")
            .expect("a leader")
            .clone();
        let t = Instant::now();
        let ok = std::process::Command::new("docker")
            .args(["restart", "-t", "10", &leader])
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "docker restart {leader}");
        while !members.iter().any(|m| *m != leader && mode(m) == "leader") {
            std::thread::sleep(Duration::from_millis(50));
        }
        by_hand.push(t.elapsed());
        eprintln!(
            "round {round}: tugboat {:.0} ms, by hand {:.0} ms",
            ours[round - 1].as_secs_f64() * 1000.0,
            by_hand[round - 1].as_secs_f64() * 1000.0
        );
    }
    let _ = std::fs::remove_file(audit);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (a, b) = (median(ours), median(by_hand));
    println!("ZooKeeper leader move, 3 members, medians of {rounds}:");
    println!(
        "  tugboat (plan: restart leader, wait up, wait new leader)  {:>7.0} ms   by hand (docker restart + srvr polling): {:>7.0} ms   ratio {:.2}",
        ms(a),
        ms(b),
        ms(a) / ms(b)
    );
}
