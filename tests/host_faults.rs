//! Issue 22's host faults, done for real to Docker-in-Docker hosts while
//! host tasks watch them (the TUI's inventory) and the real binary runs in
//! tmux beside them:
//!
//! - a host cut off mid-session (its link down inside its network
//!   namespace: connections hang, nothing refuses them), Engine 26 and 20.10;
//! - a host's engine restarted (`docker restart` of the host);
//! - a swarm worker's host stopped: the worker unreachable, and its
//!   manager marks the node down;
//! - an ssh host whose connection drops (sshd's sessions killed), and one
//!   cut off.
//!
//! Each is detected within the configured timeout (ping interval plus
//! request timeout, with slack), the other hosts stay live, the host comes
//! back without anyone doing anything, and the TUI's host row says
//! unreachable, why and since when. Throughout, keys are timed from key
//! to frame as tests/flood.rs does. A job on a host cut off mid-step stops
//! there and is reported. The figures are printed (`--nocapture`).

mod common;
#[path = "common/fault_bed.rs"]
mod fault_bed;
#[path = "common/key_timer.rs"]
mod key_timer;
#[path = "common/tmux.rs"]
mod tmux;

use std::cell::Cell;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use fault_bed::{make_swarm, start_all, Agent, Host};
use key_timer::{keys_inside, KeyTimer};
use tmux::Tmux;
use tugboat::config::{HostSpec, Settings};
use tugboat::model::{HostState, Inventory};

const TRIXIE: &str = "tugboat-test/dind:trixie";
const BOOKWORM: &str = "tugboat-test/dind:bookworm";
/// Loose bounds the issue asks for; exact figures are printed.
const SLACK: Duration = Duration::from_secs(3);
const RECOVERY_LIMIT: Duration = Duration::from_secs(30);
const KEY_LIMIT: Duration = Duration::from_millis(100);
/// The TUI's and the headless jobs' settings: a dead host noticed in 3 s.
const FAST_CONFIG: &str = "[settings]\nping_interval_secs = 1\nrequest_timeout_secs = 2\n";

fn unreachable(inv: &Inventory, host: &str) -> bool {
    matches!(
        inv.host(host).map(|h| &h.state),
        Some(HostState::Unreachable { .. })
    )
}

fn up(inv: &Inventory, host: &str) -> bool {
    inv.host(host).is_some_and(|h| h.is_up())
}

/// The state the manager `host` reports for swarm node `hostname`.
fn node_state(inv: &Inventory, host: &str, hostname: &str) -> Option<String> {
    inv.host(host)?
        .swarm_nodes
        .iter()
        .find(|n| n.hostname == hostname)
        .map(|n| n.state.clone())
}

/// One fault's figures, as the closing note gives them.
struct Row {
    fault: String,
    detected: Duration,
    recovered: Duration,
}

/// The host tasks' view, with every other host checked to stay up.
struct Watch {
    fleet: Fleet,
    names: Vec<String>,
    settings: Settings,
    run: String,
}

impl Watch {
    /// Wait for `pred`, every host but `hit` (and `also`) up at each update.
    async fn wait(
        &mut self,
        what: &str,
        limit: Duration,
        hit: &[&str],
        pred: impl Fn(&Inventory) -> bool,
    ) -> Duration {
        let others: Vec<String> = self
            .names
            .iter()
            .filter(|n| !hit.contains(&n.as_str()))
            .cloned()
            .collect();
        let fell = Cell::new(None::<String>);
        let took = self
            .fleet
            .wait_for(what, limit, |inv| {
                if let Some(down) = others.iter().find(|h| !up(inv, h)) {
                    fell.set(Some(down.clone()));
                }
                pred(inv)
            })
            .await;
        assert_eq!(
            fell.take(),
            None,
            "another host fell while waiting for {what}"
        );
        took
    }

    /// The configured timeout for a dead connection to be noticed.
    fn detect_limit(&self) -> Duration {
        self.settings.ping_interval + self.settings.request_timeout + SLACK
    }

    /// A container started on the local engine now shows up: the others
    /// stay live while `hit` is down.
    async fn others_live(&mut self, hit: &[&str], tag: &str) {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name = format!(
            "{}-live-{tag}-{}",
            self.run,
            N.fetch_add(1, Ordering::Relaxed)
        );
        run_busybox(&self.run, &name, &[], &["sleep", "600"]);
        self.wait(
            "a new local container while a host is down",
            Duration::from_secs(15),
            hit,
            |inv| inv.containers.values().any(|c| c.name == name),
        )
        .await;
    }

    /// The fault `fault` done by `cause` to `host`, healed by `heal`:
    /// detection from the fault to Unreachable, recovery from the heal to up.
    async fn fault(
        &mut self,
        fault: &str,
        host: &str,
        hit: &[&str],
        (keys, shown): (&KeyTimer, bool),
        cause: impl FnOnce(),
        heal: impl FnOnce(),
    ) -> Row {
        let start = Instant::now();
        cause();
        let limit = self.detect_limit() + start.elapsed();
        self.wait(
            &format!("{host} unreachable ({fault})"),
            limit,
            hit,
            |inv| unreachable(inv, host),
        )
        .await;
        let detected = start.elapsed();
        self.others_live(hit, &host.replace('.', "-")).await;
        if shown {
            keys.says_unreachable(host, fault);
        }
        let healed = Instant::now();
        heal();
        self.wait(
            &format!("{host} back ({fault})"),
            RECOVERY_LIMIT,
            hit,
            |inv| up(inv, host),
        )
        .await;
        let recovered = healed.elapsed();
        Row {
            fault: fault.into(),
            detected,
            recovered,
        }
    }
}

/// A rolling restart of a two-member cluster on `host`, cut off while
/// its first step (a restart, the engine waiting out the grace period)
/// runs: the job stops there, never starts the next member, exits
/// non-zero and audits why. Returns the time from the cut to its exit.
fn job_on_a_cut_off_host(host: &Host, run: &str) -> Duration {
    let cluster = format!("{run}-job");
    let label = format!("{TEST_LABEL}={run}");
    let member = format!("io.tugboat.cluster={cluster}");
    for i in 1..=2 {
        let name = format!("{cluster}-{i}");
        docker_at(
            Some(&host.url),
            &[
                "run", "-d", "--name", &name, "--label", &label, "--label", &member, BUSYBOX,
                "sleep", "100000",
            ],
        );
    }
    let cfg = tempfile::tempdir().unwrap();
    std::fs::write(cfg.path().join("config.toml"), FAST_CONFIG).unwrap();
    let on = format!("a={}", host.url);
    let args = ["--host", &on, "restart", &cluster, "--rolling", "--yes"];
    let job = RunningJob::until(cfg.path(), &args, "step 1:");
    std::thread::sleep(Duration::from_millis(500));
    let cut = Instant::now();
    host.cut();
    let (code, rest, err) = job.finish(false);
    let took = cut.elapsed();
    host.heal();
    let outcome = last_outcome(cfg.path());
    eprintln!("job cut off: exit {code:?} after {took:?}; output after step 1: {rest:?}");
    eprintln!("job cut off: stderr {err}");
    eprintln!("job cut off: audited {outcome:?}");
    assert_ne!(code, Some(0), "{rest:?}\n{err}");
    assert!(
        !rest.iter().any(|l| l.starts_with("step 2:")),
        "the job went on past the cut-off step: {rest:?}"
    );
    assert!(!outcome.is_empty() && outcome != "started", "{outcome}");
    took
}

fn spec_of(name: &str, host: &Host) -> HostSpec {
    spec(name, &host.url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn host_faults_are_detected_shown_and_recovered() {
    require_engine();
    let run = unique("faults");
    let mut cleanup = Cleanup::new(&run);
    let agent = Agent::start();
    let (ssh_host, mut hosts) = std::thread::scope(|s| {
        let ssh = s.spawn(|| Host::ssh("tb-fault-ssh", "127.0.0.63", &agent.public_key, &agent));
        let dind = start_all(&[
            ("tb-fault-a", "127.0.0.61", TRIXIE),
            ("tb-fault-b", "127.0.0.62", BOOKWORM),
            ("tb-fault-mgr", "127.0.0.64", TRIXIE),
            ("tb-fault-wkr", "127.0.0.65", TRIXIE),
        ]);
        (ssh.join().expect("the ssh host"), dind)
    });
    let wkr = hosts.pop().unwrap();
    let mgr = hosts.pop().unwrap();
    let b = hosts.pop().unwrap();
    let a = hosts.pop().unwrap();
    make_swarm(&mgr, &wkr);
    // The ssh processes the host tasks start find the agent here.
    std::env::set_var("SSH_AUTH_SOCK", &agent.sock);
    for h in [&a, &b, &mgr, &wkr] {
        cleanup.hosts.push(Some(h.url.clone()));
        let label = format!("{TEST_LABEL}={run}");
        let name = format!("{run}-on-{}", h.name);
        // Killed at once when its engine stops: an engine that outlives
        // the host's stop timeout is killed and leaves its pid file, and the
        // restarted one refuses to start.
        let run_it = [
            "run",
            "-d",
            "--stop-timeout",
            "0",
            "--name",
            &name,
            "--label",
            &label,
        ];
        docker_at(
            Some(&h.url),
            &[&run_it[..], &[BUSYBOX, "sleep", "100000"]].concat(),
        );
    }
    let named = [
        ("a", &a),
        ("b", &b),
        ("ssh", &ssh_host),
        ("mgr", &mgr),
        ("wkr", &wkr),
    ];
    let mut specs = vec![spec("local", LOCAL_URL)];
    specs.extend(named.iter().map(|(n, h)| spec_of(n, h)));
    let settings = fast_settings();
    let mut watch = Watch {
        fleet: Fleet::start(&specs, &settings, false),
        names: specs.iter().map(|s| s.name.clone()).collect(),
        settings: settings.clone(),
        run: run.clone(),
    };
    watch
        .fleet
        .wait_for(
            "every host up, the worker ready",
            Duration::from_secs(60),
            |inv| {
                specs.iter().all(|s| up(inv, &s.name))
                    && node_state(inv, "mgr", &wkr.name).as_deref() == Some("ready")
            },
        )
        .await;

    // The TUI on the remote hosts (local's rows would push them off screen).
    let cfg = tempfile::tempdir().unwrap();
    std::fs::write(cfg.path().join("config.toml"), FAST_CONFIG).unwrap();
    let tui_hosts: Vec<String> = named
        .iter()
        .map(|(n, h)| format!("{n}={}", h.url))
        .collect();
    let tui_hosts: Vec<&str> = tui_hosts.iter().map(String::as_str).collect();
    let tmux = Arc::new(Tmux::tugboat_on(
        cfg.path(),
        &tui_hosts,
        &[("SSH_AUTH_SOCK", &agent.sock)],
    ));
    let keys = KeyTimer::start(tmux.clone());

    let mut rows = Vec::new();
    // A host cut off: Engine 26, then 20.10; the TUI's row says why and since when.
    let row = watch
        .fault(
            "cut off (link down), Engine 26",
            "a",
            &["a"],
            (&keys, true),
            || a.cut(),
            || a.heal(),
        )
        .await;
    rows.push(row);
    let row = watch
        .fault(
            "cut off (link down), Engine 20.10",
            "b",
            &["b"],
            (&keys, true),
            || b.cut(),
            || b.heal(),
        )
        .await;
    rows.push(row);
    keys.row_shows("a", Duration::from_secs(15), |r| r.contains("running · up"));

    // The engine restarted: recovery counted from the restart's return.
    let start = Instant::now();
    let restarting = {
        let name = a.name.clone();
        std::thread::spawn(move || docker(&["restart", "-t", "20", &name]))
    };
    watch
        .wait(
            "a unreachable (engine restart)",
            watch.detect_limit() + Duration::from_secs(5),
            &["a"],
            |inv| unreachable(inv, "a"),
        )
        .await;
    let detected = start.elapsed();
    keys.says_unreachable("a", "engine restarted");
    restarting.join().expect("docker restart");
    let healed = Instant::now();
    watch
        .wait("a back after its restart", RECOVERY_LIMIT, &["a"], |inv| {
            up(inv, "a")
        })
        .await;
    rows.push(Row {
        fault: "engine restarted (docker restart)".into(),
        detected,
        recovered: healed.elapsed(),
    });

    // A swarm worker's host stopped: the worker unreachable, the manager
    // marks the node down; started again, it is ready again.
    let start = Instant::now();
    docker(&["stop", "-t", "20", &wkr.name]);
    watch
        .wait(
            "wkr unreachable (stopped)",
            watch.detect_limit() + Duration::from_secs(5),
            &["wkr"],
            |inv| unreachable(inv, "wkr"),
        )
        .await;
    let worker_gone = start.elapsed();
    let wname = wkr.name.clone();
    watch
        .wait(
            "the manager marks the worker down",
            Duration::from_secs(40),
            &["wkr"],
            |inv| node_state(inv, "mgr", &wname).as_deref() == Some("down"),
        )
        .await;
    let node_down = start.elapsed();
    keys.says_unreachable("wkr", "swarm worker's host stopped");
    let node_row = keys.line_shows(&wname, |l| l.contains("down"));
    eprintln!("the worker on its manager: {node_row}");
    let healed = Instant::now();
    docker(&["start", &wkr.name]);
    watch
        .wait("wkr back", RECOVERY_LIMIT, &["wkr"], |inv| up(inv, "wkr"))
        .await;
    let worker_back = healed.elapsed();
    watch
        .wait(
            "the worker ready again",
            Duration::from_secs(60),
            &["wkr"],
            |inv| node_state(inv, "mgr", &wname).as_deref() == Some("ready"),
        )
        .await;
    rows.push(Row {
        fault: "swarm worker's host stopped: worker host".into(),
        detected: worker_gone,
        recovered: worker_back,
    });
    rows.push(Row {
        fault: "swarm worker's host stopped: node down on manager".into(),
        detected: node_down,
        recovered: healed.elapsed(),
    });

    // An ssh host whose connection drops (its sessions killed), then cut off.
    let row = watch
        .fault(
            "ssh connection dropped (sshd session killed)",
            "ssh",
            &["ssh"],
            // Back within a second: the TUI's row may never show it.
            (&keys, false),
            || {
                assert!(
                    ssh_host.drop_ssh_sessions() > 0,
                    "sshd had sessions to kill"
                );
            },
            || {},
        )
        .await;
    rows.push(row);
    let row = watch
        .fault(
            "ssh host cut off (link down)",
            "ssh",
            &["ssh"],
            (&keys, true),
            || ssh_host.cut(),
            || ssh_host.heal(),
        )
        .await;
    rows.push(row);

    let stopped = tokio::task::block_in_place(|| job_on_a_cut_off_host(&a, &run));
    eprintln!("a job on a host cut off mid-step ended {stopped:?} after the cut");

    let latencies = keys.finish();
    eprintln!("{:<52} {:>12} {:>12}", "fault", "detection", "recovery");
    for r in &rows {
        eprintln!(
            "{:<52} {:>10}ms {:>10}ms",
            r.fault,
            r.detected.as_millis(),
            r.recovered.as_millis()
        );
    }
    let mut sorted = latencies.clone();
    sorted.sort();
    let median = sorted[sorted.len() / 2];
    let max = *sorted.last().unwrap();
    eprintln!(
        "keys through the faults: {} timed, median {median:?}, max {max:?}",
        sorted.len()
    );
    for r in &rows {
        assert!(
            r.recovered <= RECOVERY_LIMIT,
            "{}: recovered after {:?}",
            r.fault,
            r.recovered
        );
    }
    assert!(sorted.len() >= 20, "too few keys timed");
    assert!(median <= KEY_LIMIT, "median key→frame {median:?}");
    // Through tmux, a key's time adds tmux's and capture-pane's, which the
    // dind hosts starting and stopping on this 2-core machine slow too;
    // tugboat's own log says what it took inside.
    tmux.run(&["send-keys", "-t", "t", "q"]);
    tmux.wait_for("tugboat to exit", Duration::from_secs(10), |s| {
        s.contains("EXITED=")
    });
    let (inside, late, slowest) = keys_inside(&cfg.path().join("data"));
    eprintln!("keys inside tugboat (read to frame written): {inside}, {late} over 100ms, slowest {slowest:?}");
    assert!(
        inside + 2 >= sorted.len(),
        "tugboat's log covers {inside} keys of {}",
        sorted.len()
    );
    assert!(
        late * 20 <= inside,
        "{late} of {inside} keys answered later than 100 ms"
    );
}
