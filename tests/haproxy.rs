//! A real HAProxy 2.6 (tugboat-test/haproxy, config at the official path) in
//! front of three busybox httpd replicas: servers UP and tied to their
//! containers, DOWN after a kill, DRAIN when set so; a balancer without a
//! stats socket says which line to add.

mod common;

use std::time::{Duration, Instant};

use common::*;
use tugboat::model::answers::haproxy::Status;
use tugboat::model::balancer::Balancer;
use tugboat::model::probed::{balancers, haproxy_targets, ProbeBook};
use tugboat::probes::run::{probe, ProbeKind};

fn config(apps: &[String], with_socket: bool) -> String {
    let socket = if with_socket { STATS_SOCKETS } else { "" };
    let servers: String = apps
        .iter()
        .map(|a| format!("    server {a} {a}:8080\n"))
        .collect();
    format!(
        "global\n{socket}defaults\n    mode http\n    timeout connect 1s\n    timeout client 10s\n    timeout server 10s\n    timeout check 1s\n\
         frontend fe_app\n    bind :8080\n    default_backend be_app\n\
         backend be_app\n    option httpchk GET /\n    default-server check inter 1s fall 2 rise 2\n{servers}"
    )
}

/// A labelled user network with `n` busybox httpd apps named
/// `{run}-{stem}1…`: returns (label, network, app names).
fn network_with_apps(run: &str, stem: &str, n: usize) -> (String, String, Vec<String>) {
    let label = format!("{TEST_LABEL}={run}");
    let net = format!("{run}-net");
    docker(&["network", "create", "--label", &label, &net]);
    let apps: Vec<String> = (1..=n).map(|i| format!("{run}-{stem}{i}")).collect();
    for a in &apps {
        docker(&[
            "run",
            "-d",
            "--name",
            a,
            "--network",
            &net,
            "--label",
            &label,
            BUSYBOX,
        ]);
    }
    (label, net, apps)
}

async fn probe_all(fleet: &mut Fleet, book: &mut ProbeBook) -> Vec<Balancer> {
    fleet.drain();
    for key in haproxy_targets(&fleet.inventory) {
        let result = probe(
            fleet.handle(&key.0),
            &key.1,
            ProbeKind::Haproxy,
            &probe_settings(),
        )
        .await;
        book.record(key, 0, result);
    }
    balancers(&fleet.inventory, book)
}

async fn wait_balancer(
    fleet: &mut Fleet,
    book: &mut ProbeBook,
    name: &str,
    what: &str,
    pred: impl Fn(&Balancer) -> bool,
) -> Balancer {
    let start = Instant::now();
    loop {
        let all = probe_all(fleet, book).await;
        let b = all.iter().find(|b| b.container == name);
        if let Some(b) = b.filter(|b| pred(b)) {
            return b.clone();
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{name}: never {what}: {b:#?}"
        );
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
}

fn server_status(b: &Balancer, server: &str) -> Option<Status> {
    b.backends
        .iter()
        .flat_map(|be| &be.servers)
        .find(|s| s.stat.name == server)
        .map(|s| s.stat.status.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backends_up_down_drain_and_a_missing_socket() {
    require_engine();
    let run = unique("lb");
    let _cleanup = Cleanup::new(&run);
    let (_, net, apps) = network_with_apps(&run, "app", 3);
    let dir = tempfile::tempdir().unwrap();
    let lb = format!("{run}-lb");
    let bare = format!("{run}-bare");
    // Probed through nc: no bash, no socat in the image.
    let small = format!("{run}-small");
    for (name, socket, image) in [
        (&lb, true, HAPROXY),
        (&bare, false, HAPROXY),
        (&small, true, HAPROXY_BUSYBOX),
    ] {
        let cfg = config(&apps, socket);
        run_haproxy_image(&run, name, &net, dir.path(), &cfg, false, image);
    }
    // Probed and commanded through socat on a unix socket (its only one).
    let unix = format!("{run}-unix");
    let cfg = config(&apps, false).replacen(
        "global\n",
        "global\n    stats socket /var/lib/haproxy/admin.sock mode 600 level admin\n",
        1,
    );
    run_haproxy_image(&run, &unix, &net, dir.path(), &cfg, false, HAPROXY_SOCAT);
    let mut fleet = Fleet::start(&[spec("local", LOCAL_URL)], &fast_settings(), false);
    fleet
        .wait_for("the balancers", Duration::from_secs(15), |inv| {
            inv.containers_on("local")
                .filter(|c| [&lb, &bare, &small, &unix].iter().any(|n| **n == c.name))
                .count()
                == 4
        })
        .await;
    let mut book = ProbeBook::default();

    let b = wait_balancer(&mut fleet, &mut book, &lb, "three servers UP", |b| {
        apps.iter().all(|a| server_status(b, a) == Some(Status::Up))
    })
    .await;
    // The official image's user cannot reach the unix socket without socat.
    assert_eq!(b.socket.as_deref(), Some("ipv4@127.0.0.1:9999"));
    let small_b = wait_balancer(&mut fleet, &mut book, &small, "three servers UP", |b| {
        apps.iter().all(|a| server_status(b, a) == Some(Status::Up))
    })
    .await;
    assert_eq!(small_b.socket.as_deref(), Some("ipv4@127.0.0.1:9999"));
    let unix_b = wait_balancer(&mut fleet, &mut book, &unix, "three servers UP", |b| {
        apps.iter().all(|a| server_status(b, a) == Some(Status::Up))
    })
    .await;
    assert_eq!(
        unix_b.socket.as_deref(),
        Some("/var/lib/haproxy/admin.sock")
    );
    // A runtime command through socat and the unix socket, headless.
    let cfg_dir = tempfile::tempdir().unwrap();
    let server = format!("be_app/{}", apps[0]);
    let (code, out, err) = run_tugboat(
        cfg_dir.path(),
        &[],
        &[
            "--host",
            &format!("local={LOCAL_URL}"),
            "drain",
            &unix,
            &server,
            "--yes",
        ],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    wait_balancer(&mut fleet, &mut book, &unix, "the server drained", |b| {
        server_status(b, &apps[0]) == Some(Status::Drain)
    })
    .await;
    assert_eq!(b.frontends[0].proxy, "fe_app");
    assert_eq!(b.frontends[0].status, Status::Open);
    let backend = &b.backends[0];
    assert_eq!(
        (backend.stat.proxy.as_str(), backend.stat.active_servers),
        ("be_app", Some(3))
    );
    for s in &backend.servers {
        // Each server is tied to the container it points at, by address.
        assert_eq!(
            s.container_name.as_deref(),
            Some(s.stat.name.as_str()),
            "{s:?}"
        );
        assert_eq!(s.stat.check_status, "L7OK");
    }

    docker(&["kill", &apps[1]]);
    wait_balancer(&mut fleet, &mut book, &lb, "app2 DOWN", |b| {
        server_status(b, &apps[1]) == Some(Status::Down)
    })
    .await;

    runtime_api(&lb, &format!("set server be_app/{} state drain", apps[2]));
    let b = wait_balancer(&mut fleet, &mut book, &lb, "app3 DRAIN", |b| {
        server_status(b, &apps[2]) == Some(Status::Drain)
    })
    .await;
    assert_eq!(server_status(&b, &apps[0]), Some(Status::Up));

    let bare_b = wait_balancer(&mut fleet, &mut book, &bare, "an error", |b| {
        b.error.is_some()
    })
    .await;
    let error = bare_b.error.unwrap();
    assert!(
        error.contains("stats socket ipv4@127.0.0.1:9999 level admin"),
        "{error}"
    );

    let cfg = tempfile::tempdir().unwrap();
    let (code, json, err) = run_tugboat(
        cfg.path(),
        &[],
        &["--host", &format!("local={LOCAL_URL}"), "status", "--json"],
    );
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let lb_json = report["balancers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["container"] == lb.as_str())
        .unwrap();
    let servers = lb_json["backends"][0]["servers"].as_array().unwrap();
    let status_of = |n: &str| servers.iter().find(|s| s["name"] == n).unwrap()["status"].clone();
    assert_eq!(status_of(&apps[0]), "UP");
    assert_eq!(status_of(&apps[1]), "DOWN");
    assert_eq!(status_of(&apps[2]), "DRAIN");
    assert_eq!(servers[0]["container"], format!("local/{}", apps[0]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_upstreams_are_listed_with_reachability_from_inside() {
    use tugboat::model::balancer::BalancerKind;
    use tugboat::model::probed::nginx_targets;
    require_engine();
    let run = unique("nx");
    let _cleanup = Cleanup::new(&run);
    let (label, net, apps) = network_with_apps(&run, "web", 2);
    let dir = tempfile::tempdir().unwrap();
    let conf = format!(
        "upstream web {{\n    server {}:8080;\n    server {}:8080 weight=3;\n    server 127.0.0.1:9 backup;\n}}\n\
         server {{\n    listen 8081;\n    location / {{ proxy_pass http://web; }}\n}}\n",
        apps[0], apps[1]
    );
    std::fs::write(dir.path().join("app.conf"), conf).unwrap();
    let mount = format!(
        "{}:/etc/nginx/conf.d/app.conf:ro",
        dir.path().join("app.conf").display()
    );
    let proxy = format!("{run}-proxy");
    docker(&[
        "run",
        "-d",
        "--name",
        &proxy,
        "--network",
        &net,
        "--label",
        &label,
        "-v",
        &mount,
        "tugboat-test/nginx:1.22",
    ]);

    let mut fleet = Fleet::start(&[spec("local", LOCAL_URL)], &fast_settings(), false);
    fleet
        .wait_for("the proxy", Duration::from_secs(15), |inv| {
            inv.containers_on("local").any(|c| c.name == proxy)
        })
        .await;
    let mut book = ProbeBook::default();
    let start = Instant::now();
    let b = loop {
        fleet.drain();
        for key in nginx_targets(&fleet.inventory) {
            let result = probe(
                fleet.handle(&key.0),
                &key.1,
                ProbeKind::Nginx,
                &probe_settings(),
            )
            .await;
            book.record(key, 0, result);
        }
        let all = balancers(&fleet.inventory, &book);
        if let Some(b) = all
            .into_iter()
            .find(|b| b.container == proxy && b.error.is_none())
        {
            break b;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "nginx never answered"
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    };
    assert_eq!(b.kind, BalancerKind::Nginx);
    let web = &b.backends[0];
    assert_eq!(web.stat.proxy, "web");
    assert_eq!(web.stat.active_servers, Some(2));
    let status = |i: usize| web.servers[i].stat.status.clone();
    assert_eq!(
        (status(0), status(1), status(2)),
        (Status::Up, Status::Up, Status::Down)
    );
    assert_eq!(web.servers[1].stat.weight, Some(3));
    assert!(web.servers[2].stat.backup);
    assert_eq!(
        web.servers[0].container_name.as_deref(),
        Some(apps[0].as_str())
    );

    // A stopped upstream shows DOWN on the next round.
    docker(&["stop", "-t", "1", &apps[1]]);
    let key = nginx_targets(&fleet.inventory)
        .into_iter()
        .find(|(_, id)| *id == b.container_id)
        .unwrap();
    let result = probe(
        fleet.handle("local"),
        &key.1,
        ProbeKind::Nginx,
        &probe_settings(),
    )
    .await;
    book.record(key, 0, result);
    let after = balancers(&fleet.inventory, &book)
        .into_iter()
        .find(|x| x.container == proxy)
        .unwrap();
    assert_eq!(after.backends[0].servers[1].stat.status, Status::Down);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drain_ready_and_weight_run_as_audited_jobs() {
    use std::sync::{Arc, Mutex};
    use tugboat::ops::job::{JobEvent, JobOutcome};
    use tugboat::ops::runner::JobRunner;
    use tugboat::ops::server_ops::{server_state_plan, server_weight_plan, ServerState};
    use tugboat::ops::AuditLog;
    require_engine();
    let run = unique("ops");
    let _cleanup = Cleanup::new(&run);
    let (_, net, apps) = network_with_apps(&run, "app", 2);
    let dir = tempfile::tempdir().unwrap();
    let lb = format!("{run}-lb");
    // Runtime commands through nc: no bash, no socat in the image.
    let cfg = config(&apps, true);
    run_haproxy_image(&run, &lb, &net, dir.path(), &cfg, false, HAPROXY_BUSYBOX);
    let mut fleet = Fleet::start(&[spec("local", LOCAL_URL)], &fast_settings(), false);
    fleet
        .wait_for("the balancer", Duration::from_secs(15), |inv| {
            inv.containers_on("local").any(|c| c.name == lb)
        })
        .await;
    let mut book = ProbeBook::default();
    let b = wait_balancer(&mut fleet, &mut book, &lb, "servers UP", |b| {
        apps.iter().all(|a| server_status(b, a) == Some(Status::Up))
    })
    .await;

    let audit = AuditLog::new(dir.path().join("audit.jsonl"));
    let runner = JobRunner::new(fleet.handles.clone(), probe_settings(), audit.clone());
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let events = events.clone();
        Arc::new(move |e: JobEvent| events.lock().unwrap().push(e))
    };

    // Drain: the command, then a wait until HAProxy shows DRAIN.
    let drain = server_state_plan(&b, "be_app", &apps[0], ServerState::Drain, false).unwrap();
    assert_eq!(runner.run(drain, sink.clone()).await, JobOutcome::Done);
    let b2 = probe_all(&mut fleet, &mut book)
        .await
        .into_iter()
        .find(|x| x.container == lb)
        .unwrap();
    assert_eq!(server_status(&b2, &apps[0]), Some(Status::Drain));
    let steps = events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| matches!(e, JobEvent::Step { .. }))
        .count();
    assert_eq!(steps, 3, "the guard and both steps reported");

    // Two jobs on one target: the second is refused while the first runs.
    let maint = server_state_plan(&b, "be_app", &apps[0], ServerState::Maint, false).unwrap();
    let ready = server_state_plan(&b, "be_app", &apps[0], ServerState::Ready, false).unwrap();
    let (_, _control) = runner.start(maint, sink.clone());
    let second = runner.run(ready.clone(), sink.clone()).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let finished: Vec<JobOutcome> = events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            JobEvent::Finished { outcome, .. } => Some(outcome.clone()),
            _ => None,
        })
        .collect();
    let refused = finished
        .iter()
        .filter(|o| matches!(o, JobOutcome::Refused { reason } if reason.contains("is already working on server")))
        .count();
    assert_eq!(refused, 1, "{finished:?} (second: {second:?})");

    // Back to ready, and a weight of 0.
    assert_eq!(runner.run(ready, sink.clone()).await, JobOutcome::Done);
    let weight = server_weight_plan(&b, "be_app", &apps[1], 0, false).unwrap();
    assert_eq!(runner.run(weight, sink.clone()).await, JobOutcome::Done);
    let b3 = probe_all(&mut fleet, &mut book)
        .await
        .into_iter()
        .find(|x| x.container == lb)
        .unwrap();
    assert_eq!(server_status(&b3, &apps[0]), Some(Status::Up));
    let w = b3.backends[0]
        .servers
        .iter()
        .find(|s| s.stat.name == apps[1])
        .unwrap()
        .stat
        .weight;
    assert_eq!(w, Some(0));

    // Read-only: refused by the core, recorded all the same.
    let ro = Fleet::start(&[spec("local", LOCAL_URL)], &fast_settings(), true);
    assert!(
        ro.handle("local")
            .wait_connected(Duration::from_secs(10))
            .await
    );
    let ro_runner = JobRunner::new(ro.handles.clone(), probe_settings(), audit.clone());
    let drain2 = server_state_plan(&b, "be_app", &apps[1], ServerState::Drain, false).unwrap();
    let outcome = ro_runner.run(drain2, sink.clone()).await;
    assert!(
        matches!(&outcome, JobOutcome::Refused { reason } if reason.contains("read-only")),
        "{outcome:?}"
    );
    let b4 = probe_all(&mut fleet, &mut book)
        .await
        .into_iter()
        .find(|x| x.container == lb)
        .unwrap();
    assert_eq!(
        server_status(&b4, &apps[1]),
        Some(Status::Up),
        "read-only changed nothing"
    );

    // Headless: the same plan and runner.
    let cfg = tempfile::tempdir().unwrap();
    let host = format!("local={LOCAL_URL}");
    let server = format!("be_app/{}", apps[1]);
    let cli = |extra: &[&str]| {
        let mut args = vec!["--host", host.as_str()];
        args.extend_from_slice(extra);
        run_tugboat(cfg.path(), &[], &args)
    };
    let (code, _, err) = cli(&["drain", &lb, &server, "--state", "maint"]);
    assert_eq!(code, 3, "no terminal to confirm on: {err}");
    let (code, _, err) = cli(&["drain", &lb, "be_app/nope", "--yes"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no server be_app/nope"), "{err}");
    let (code, _, _) = cli(&["--read-only", "drain", &lb, &server, "--yes"]);
    assert_eq!(code, 3, "read-only refuses");
    let (code, out, err) = cli(&["drain", &lb, &server, "--state", "maint", "--yes", "--json"]);
    assert_eq!(code, 0, "{out}{err}");
    let report: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(report["outcome"]["outcome"], "done");
    let b5 = probe_all(&mut fleet, &mut book)
        .await
        .into_iter()
        .find(|x| x.container == lb)
        .unwrap();
    assert_eq!(server_status(&b5, &apps[1]), Some(Status::Maint));

    // apps[0] is now the backend's last UP server. A plan made while the
    // other was UP is stopped by its guard at run time, changing nothing.
    let stale = server_state_plan(&b, "be_app", &apps[0], ServerState::Maint, false).unwrap();
    let outcome = runner.run(stale, sink.clone()).await;
    assert!(
        matches!(&outcome, JobOutcome::Failed { step: 1, error } if error.contains("no other server of be_app is UP now")),
        "{outcome:?}"
    );
    // Headless: refused when planned, unless forced.
    let first = format!("be_app/{}", apps[0]);
    let (code, _, err) = cli(&["drain", &lb, &first, "--yes"]);
    assert_eq!(code, 3, "refused: {err}");
    assert!(err.contains("is the last UP server of be_app"), "{err}");
    assert!(err.contains("--force"), "{err}");
    let b6 = probe_all(&mut fleet, &mut book)
        .await
        .into_iter()
        .find(|x| x.container == lb)
        .unwrap();
    assert_eq!(
        server_status(&b6, &apps[0]),
        Some(Status::Up),
        "nothing changed"
    );
    let (code, out, err) = cli(&["drain", &lb, &first, "--yes", "--force"]);
    assert_eq!(code, 0, "{out}{err}");
    let b7 = probe_all(&mut fleet, &mut book)
        .await
        .into_iter()
        .find(|x| x.container == lb)
        .unwrap();
    assert_eq!(server_status(&b7, &apps[0]), Some(Status::Drain));

    let records = audit.read_all().unwrap();
    // Every job that ran left its intent before its outcome.
    assert!(records.iter().any(|r| r.outcome == "started"));
    let actions: Vec<(&str, bool)> = records
        .iter()
        .map(|r| (r.action.as_str(), r.outcome == "done"))
        .collect();
    assert!(
        actions.contains(&("drain", true)) && actions.contains(&("weight", true)),
        "{actions:?}"
    );
    assert!(records.iter().any(|r| r.outcome.contains("read-only")));
    assert!(records
        .iter()
        .all(|r| r.plan.iter().any(|l| l.contains("be_app/"))));
}
