//! Measures one probe round (median of N) of a 3-member ZooKeeper ensemble
//! and of an HAProxy with a 3-server backend, each beside a baseline: the
//! same question asked with `docker exec` from the CLI. Used by
//! `scripts/bench-probes`, which starts the services and passes their names.
//!
//!   probe_round ZK_CONTAINER,ZK_CONTAINER,ZK_CONTAINER LB_CONTAINER [ROUNDS]

use std::time::{Duration, Instant};

use tugboat::config::{HostSource, HostSpec, Settings};
use tugboat::docker::spawn_hosts;
use tugboat::probes::run::{probe, ProbeKind};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn cli(args: &[&str]) {
    let ok = std::process::Command::new("docker")
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(ok, "docker {} failed", args.join(" "));
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (zk, lb) = (
        args.get(1).expect("ZK containers"),
        args.get(2).expect("LB container"),
    );
    let rounds: usize = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(21);
    let zk: Vec<&str> = zk.split(',').collect();
    let spec = HostSpec {
        name: "local".into(),
        url: "unix:///var/run/docker.sock".into(),
        tls: None,
        source: HostSource::Flag,
    };
    let handle = spawn_hosts(&[spec], &Settings::default(), true, |_| {}).remove(0);
    assert!(handle.wait_connected(Duration::from_secs(10)).await);
    let settings = Settings::default();

    let mut zk_rounds = Vec::new();
    let mut lb_rounds = Vec::new();
    let mut zk_cli = Vec::new();
    let mut lb_cli = Vec::new();
    for _ in 0..rounds {
        // A round asks every member at once, as the probe loops do.
        let t = Instant::now();
        futures_util::future::join_all(
            zk.iter()
                .map(|id| probe(&handle, id, ProbeKind::Zookeeper, &settings)),
        )
        .await;
        zk_rounds.push(t.elapsed());
        let t = Instant::now();
        probe(&handle, lb, ProbeKind::Haproxy, &settings).await;
        lb_rounds.push(t.elapsed());

        let t = Instant::now();
        std::thread::scope(|s| {
            for id in &zk {
                s.spawn(move || {
                    cli(&[
                        "exec",
                        id,
                        "bash",
                        "-c",
                        "exec 3<>/dev/tcp/127.0.0.1/2181; printf srvr >&3; cat <&3",
                    ])
                });
            }
        });
        zk_cli.push(t.elapsed());
        let t = Instant::now();
        cli(&[
            "exec",
            lb,
            "bash",
            "-c",
            "exec 3<>/dev/tcp/127.0.0.1/9999 && echo 'show stat' >&3 && cat <&3",
        ]);
        lb_cli.push(t.elapsed());
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (zk_m, zk_c, lb_m, lb_c) = (
        median(zk_rounds),
        median(zk_cli),
        median(lb_rounds),
        median(lb_cli),
    );
    println!("probe rounds, medians of {rounds}:");
    println!("  ZooKeeper, 3 members (srvr+mntr each)   {:>7.1} ms   docker exec CLI (srvr only): {:>7.1} ms   ratio {:.2}", ms(zk_m), ms(zk_c), ms(zk_m) / ms(zk_c));
    println!("  HAProxy, 3-server backend (show stat)   {:>7.1} ms   docker exec CLI:             {:>7.1} ms   ratio {:.2}", ms(lb_m), ms(lb_c), ms(lb_m) / ms(lb_c));
}
