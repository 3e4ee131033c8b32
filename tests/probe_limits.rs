//! Probes of servers that accept a connection and never answer (a hung JVM,
//! a mysqld that still accepts TCP) end inside the container within their
//! own limit, shorter than tugboat's: nothing they started is left running
//! there to pile up round after round. The fakes are real listeners in the
//! test images; they carry an `io.tugboat.role` no tugboat probes on its
//! own, so only this test's probes (asked for by kind) reach them.

mod common;

use std::time::{Duration, Instant};

use common::*;
use tugboat::config::Settings;
use tugboat::model::probed::ProbeResult;
use tugboat::probes::run::{probe, ProbeKind};

const ZK_IMAGE: &str = "tugboat-test/zookeeper:3.8";
const DB_IMAGE: &str = "tugboat-test/mariadb:10.11";

/// tugboat waits 5 s for a probe; the container gets 4 s of it (the rest
/// is room for a loaded engine to run the exec).
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
const IN_CONTAINER: &str = "within 4.0s";

fn settings() -> Settings {
    Settings {
        probe_timeout: PROBE_TIMEOUT,
        ..Settings::default()
    }
}

/// `docker run -d` of `image` as `name`, its entrypoint replaced by `cmd`
/// (a fake server), labelled for cleanup and as a role nobody probes.
fn run_fake(run: &str, name: &str, image: &str, env: &[&str], cmd: &[&str]) {
    let label = format!("{TEST_LABEL}={run}");
    let mut args = vec![
        "run",
        "-d",
        "--name",
        name,
        "--label",
        &label,
        "--label",
        "io.tugboat.role=probe-fake",
        "--entrypoint",
        cmd[0],
    ];
    for e in env {
        args.extend(["-e", e]);
    }
    args.push(image);
    args.extend_from_slice(&cmd[1..]);
    docker(&args);
}

/// The container's processes (`docker top`, as the host sees them, so
/// looking adds none) that are not the fake server's own: whatever a probe
/// left behind, zombies included.
fn leftovers(name: &str, server: &[&str]) -> Vec<String> {
    docker(&["top", name, "-o", "pid,stat,args"])
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let (_pid, stat) = (parts.next()?, parts.next()?);
            let args = parts.collect::<Vec<_>>().join(" ");
            let own = !stat.starts_with('Z') && server.iter().any(|s| args.starts_with(s));
            (!own).then(|| format!("{stat} {args}"))
        })
        .collect()
}

/// Wait until the fake listens (its port answers a connect from inside).
async fn wait_listening(name: &str, port: u16) {
    let script = format!(
        "i=0; while [ $i -lt 50 ]; do grep -qi ':{port:04X} 0' /proc/net/tcp /proc/net/tcp6 2>/dev/null && exit 0; sleep 0.1; i=$((i+1)); done; exit 1"
    );
    docker(&["exec", name, "sh", "-c", &script]);
}

/// Probe `id` as `kind` three times; each must end with the container's
/// own time-out (not tugboat's) and leave nothing behind. Returns the
/// probes' error texts.
async fn probe_hung(
    handle: &tugboat::docker::HostHandle,
    name: &str,
    kind: ProbeKind,
    server: &[&str],
) -> Vec<String> {
    let mut said = Vec::new();
    for round in 1..=3 {
        let start = Instant::now();
        let result = probe(handle, name, kind, &settings()).await;
        let took = start.elapsed();
        let text = match result {
            ProbeResult::Zookeeper(Ok(p)) => p.error().map(|e| e.to_string()).unwrap_or_default(),
            ProbeResult::Zookeeper(Err(e))
            | ProbeResult::Mysql(Err(e))
            | ProbeResult::Haproxy(Err(e)) => e.to_string(),
            other => panic!("{name}: a hung server answered? {other:?}"),
        };
        assert!(
            took < PROBE_TIMEOUT,
            "{name} round {round}: tugboat had to give up ({took:?}): {text}"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
        let left = leftovers(name, server);
        assert!(
            left.is_empty(),
            "{name} round {round}: left in the container: {left:#?}"
        );
        said.push(text);
    }
    said
}

async fn local_fleet() -> Fleet {
    let fleet = Fleet::start(&[spec("local", LOCAL_URL)], &fast_settings(), true);
    assert!(
        fleet
            .handle("local")
            .wait_connected(Duration::from_secs(10))
            .await
    );
    fleet
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hung_zookeepers_leave_no_probe_behind() {
    require_engine();
    let run = unique("probe-limit-zk");
    let _cleanup = Cleanup::new(&run);
    // The official image's way in: bash's /dev/tcp (and coreutils'
    // timeout). OpenBSD nc accepts and never answers.
    let with_bash = format!("{run}-bash");
    run_fake(&run, &with_bash, ZK_IMAGE, &[], &["nc", "-lk", "2181"]);
    // busybox only: nc, and no timeout that cleans up after itself.
    let with_nc = format!("{run}-nc");
    let nc_server = ["nc", "-ll", "-p", "2181", "-e", "sleep", "1000"];
    run_fake(&run, &with_nc, BUSYBOX, &[], &nc_server);
    wait_listening(&with_bash, 2181).await;
    wait_listening(&with_nc, 2181).await;

    let fleet = local_fleet().await;
    let handle = fleet.handle("local");
    for said in [
        probe_hung(handle, &with_bash, ProbeKind::Zookeeper, &["nc -lk"]).await,
        probe_hung(
            handle,
            &with_nc,
            ProbeKind::Zookeeper,
            &["nc -ll", "sleep 1000"],
        )
        .await,
    ] {
        for text in said {
            assert!(text.contains(IN_CONTAINER), "{text}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_mariadb_leaves_no_client_behind() {
    require_engine();
    let run = unique("probe-limit-db");
    let _cleanup = Cleanup::new(&run);
    // The real client against a port that accepts and never greets.
    let name = format!("{run}-db");
    run_fake(
        &run,
        &name,
        DB_IMAGE,
        &["MARIADB_ROOT_PASSWORD=secret"],
        &["socat", "TCP-LISTEN:3306,fork,reuseaddr", "EXEC:sleep 1000"],
    );
    wait_listening(&name, 3306).await;
    let fleet = local_fleet().await;
    let said = probe_hung(
        fleet.handle("local"),
        &name,
        ProbeKind::Mysql,
        &["socat TCP-LISTEN", "sleep 1000"],
    )
    .await;
    for text in said {
        // The client's own connect time-out, or the script's limit.
        assert!(
            text.contains(IN_CONTAINER) || text.contains("ERROR 2013"),
            "{text}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_haproxy_stats_socket_leaves_no_reader_behind() {
    require_engine();
    let run = unique("probe-limit-lb");
    let _cleanup = Cleanup::new(&run);
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("haproxy.cfg");
    std::fs::write(
        &cfg,
        "global\n    stats socket ipv4@127.0.0.1:9999 level admin\n",
    )
    .unwrap();
    let mount = format!("{}:/usr/local/etc/haproxy/haproxy.cfg:ro", cfg.display());
    let name = format!("{run}-lb");
    let label = format!("{TEST_LABEL}={run}");
    // The alpine-like image: busybox's nc, no bash, no socat.
    docker(&[
        "run",
        "-d",
        "--name",
        &name,
        "--label",
        &label,
        "--label",
        "io.tugboat.role=probe-fake",
        "-v",
        &mount,
        "--entrypoint",
        "nc",
        HAPROXY_BUSYBOX,
        "-ll",
        "-p",
        "9999",
        "-e",
        "sleep",
        "1000",
    ]);
    wait_listening(&name, 9999).await;
    let fleet = local_fleet().await;
    let said = probe_hung(
        fleet.handle("local"),
        &name,
        ProbeKind::Haproxy,
        &["nc -ll", "sleep 1000"],
    )
    .await;
    for text in said {
        assert!(text.contains(IN_CONTAINER), "{text}");
    }
}
