//! An app deployed as one swarm service with three tasks, behind an
//! HAProxy that is itself a swarm task and finds the app's tasks through
//! swarm's DNS (`server-template` over `tasks.web`, as swarm users write
//! it), on the swarm of three (Engine 26 Docker-in-Docker hosts,
//! scripts/swarm.sh). A rolling restart replaces the tasks one at a time,
//! each drained in HAProxy first and the backend back to every server UP
//! before the next, while a client sends requests through HAProxy: none
//! of them fails. Then the job is interrupted (Ctrl-C, a dropped session)
//! while a task is replaced, and a release whose tasks never serve stops
//! it at the first task.

mod common;
#[path = "common/swarm.rs"]
mod swarm;
#[path = "common/tmux.rs"]
mod tmux;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::*;
use swarm::Swarm;
use tmux::Tmux;

/// The app's stack and service: the cluster's name in tugboat.
const STACK: &str = "web";
/// The balancer's stack: not the app's cluster, only in front of it.
const EDGE: &str = "edge";
/// The client container that sends requests through HAProxy, on node 1.
const CLIENT: &str = "tb-swweb-client";
/// Where node 1 keeps the balancer's configuration (bind-mounted).
const LB_CFG: &str = "/tmp/tb-swweb-haproxy.cfg";
/// A folder on every node, bind-mounted into the app's tasks: a task that
/// starts while it holds `broken` does not serve (a bad release's task).
const GATE_DIR: &str = "/tmp/tb-swweb-gate";
/// The app's command: httpd on 8080, or nothing listening when broken.
const WEB_CMD: &str = "if [ -e /gate/broken ]; then exec sleep 86400; fi; \
                       exec httpd -f -p 8080 -h /www";

/// HAProxy as swarm users run it: the app's tasks resolved through
/// swarm's DNS into three server slots, checked every 500 ms.
fn haproxy_config() -> String {
    format!(
        "global\n{STATS_SOCKETS}\
         resolvers docker\n    nameserver dns 127.0.0.11:53\n    hold valid 1s\n    hold obsolete 1s\n    \
         timeout resolve 1s\n    timeout retry 1s\n\
         defaults\n    mode http\n    timeout connect 1s\n    timeout client 10s\n    timeout server 10s\n    \
         timeout check 2s\n    retries 3\n    option redispatch\n\
         frontend fe\n    bind :8080\n    default_backend be_web\n\
         backend be_web\n    option httpchk GET /\n    \
         default-server check inter 500ms fall 2 rise 1 resolvers docker init-addr none\n    \
         server-template web 3 tasks.{STACK}:8080\n"
    )
}

/// The app (three tasks, anywhere) and the balancer (one task on node 1),
/// both on the overlay network `webnet`.
fn deploy(swarm: &Swarm) {
    swarm.overlay_network("webnet");
    for node in 0..3 {
        docker(&["exec", &swarm.name(node), "mkdir", "-p", GATE_DIR]);
    }
    let gate = format!("type=bind,source={GATE_DIR},target=/gate,readonly");
    swarm.stack_service(
        STACK,
        STACK,
        "webnet",
        &[
            "--replicas",
            "3",
            "--mount",
            &gate,
            // busybox as PID 1 ignores SIGTERM: stop it in a second.
            "--stop-grace-period",
            "1s",
            BUSYBOX,
            "sh",
            "-c",
            WEB_CMD,
        ],
    );
    let cfg = tempfile::NamedTempFile::new().expect("a temp file");
    std::fs::write(cfg.path(), haproxy_config()).expect("config written");
    // HAProxy runs as its own user (as the official image does): readable by all.
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(cfg.path(), std::fs::Permissions::from_mode(0o644))
        .expect("config made readable");
    docker(&[
        "cp",
        cfg.path().to_str().expect("utf-8 path"),
        &format!("{}:{LB_CFG}", swarm.name(0)),
    ]);
    let mount =
        format!("type=bind,source={LB_CFG},target=/usr/local/etc/haproxy/haproxy.cfg,readonly");
    let node = format!("node.hostname=={}", swarm.name(0));
    swarm.stack_service(
        "lb",
        EDGE,
        "webnet",
        &[
            // Its name resolves to the task itself, not a virtual IP.
            "--endpoint-mode",
            "dnsrr",
            "--constraint",
            &node,
            "--mount",
            &mount,
            HAPROXY,
        ],
    );
}

/// The app's running task ids, through the manager.
fn running_tasks(swarm: &Swarm) -> BTreeSet<String> {
    let out = swarm.docker_on(
        0,
        &[
            "service",
            "ps",
            STACK,
            "-q",
            "--filter",
            "desired-state=running",
        ],
    );
    out.lines().map(str::to_string).collect()
}

/// What each request through HAProxy got, from the client's log: the
/// answers (task hostnames) and the failures.
fn client_log(swarm: &Swarm) -> (Vec<String>, usize) {
    let log = swarm.docker_on(0, &["logs", CLIENT]);
    let answers: Vec<String> = log
        .lines()
        .filter_map(|l| l.strip_prefix("ok "))
        .map(str::to_string)
        .collect();
    let failed = log.lines().filter(|l| l.starts_with("fail")).count();
    (answers, failed)
}

/// A request through HAProxy every 50 ms, each logged `ok HOSTNAME` or `fail`.
fn start_client(swarm: &Swarm) {
    let _ = swarm.try_docker_on(0, &["rm", "-f", CLIENT]);
    // busybox's static wget crashes on HAProxy's answers: HTTP by nc.
    let script = "while true; do \
                  r=$(printf 'GET / HTTP/1.0\\r\\nHost: app\\r\\n\\r\\n' | nc -w 3 lb 8080); \
                  case \"$(echo \"$r\" | head -n 1)\" in \
                  *' 200 '*) echo \"ok $(echo \"$r\" | tail -n 1)\";; *) echo fail;; esac; \
                  sleep 0.05; done";
    swarm.docker_on(
        0,
        &[
            "run",
            "-d",
            "--name",
            CLIENT,
            "--network",
            "webnet",
            "--label",
            &format!("{TEST_LABEL}=swarm"),
            BUSYBOX,
            "sh",
            "-c",
            script,
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_services_tasks_behind_haproxy_restart_one_at_a_time_failing_no_request() {
    require_engine();
    let swarm = Swarm::up("tb-swweb", 1);
    swarm.load_image(HAPROXY);
    deploy(&swarm);
    // Every task answers through HAProxy before the test begins.
    start_client(&swarm);
    eventually(120, "three tasks answer through HAProxy", || {
        let (answers, _) = client_log(&swarm);
        let recent: BTreeSet<&String> = answers.iter().rev().take(30).collect();
        let log = swarm.docker_on(0, &["logs", "--tail", "3", CLIENT]);
        (recent.len() == 3).then_some(()).ok_or(format!(
            "{} answers, lately from {recent:?}; the client's last lines: {log}",
            answers.len()
        ))
    });
    let cfg = tempfile::tempdir().expect("temp dir");
    // HAProxy's servers are the app's tasks, found by address across hosts.
    eventually(60, "be_web's servers are the web tasks, all UP", || {
        let servers = backend_servers(&swarm, cfg.path());
        let tasks: Vec<&(String, String)> = servers
            .iter()
            .filter(|(status, container)| status == "UP" && !container.is_empty())
            .collect();
        let elsewhere = tasks
            .iter()
            .filter(|(_, c)| !c.starts_with(&format!("{}/", swarm.name(0))))
            .count();
        (tasks.len() == 3 && elsewhere >= 1)
            .then_some(())
            .ok_or(format!("{servers:?}"))
    });
    let before = running_tasks(&swarm);
    let (_, failed_before) = client_log(&swarm);

    let flags = swarm.host_flags();
    let mut args: Vec<&str> = flags.iter().map(String::as_str).collect();
    args.extend(["restart", "--rolling", STACK, "--yes"]);
    let began = Instant::now();
    let (code, out, err) = run_tugboat(cfg.path(), &[], &args);
    let took = began.elapsed();
    std::thread::sleep(Duration::from_secs(2));
    let (answers, failed) = client_log(&swarm);
    swarm.docker_on(0, &["rm", "-f", CLIENT]);
    eprintln!("rolling restart of {STACK} in {took:?}:\n{out}");
    assert_eq!(code, 0, "{out}\n{err}");

    // One task at a time: each drained, stopped for swarm to replace, the
    // backend UP again before the next; never swarm's forced update.
    let done: Vec<&str> = out.lines().filter(|l| l.starts_with("step ")).collect();
    let kinds: Vec<&str> = done
        .iter()
        .filter_map(|l| {
            if l.contains(": drain be_web/") {
                Some("drain")
            } else if l.contains("so that swarm starts a new task of service web") {
                Some("stop")
            } else if l.contains("servers of be_web are UP again") {
                Some("up")
            } else {
                None
            }
        })
        .collect();
    assert_eq!(kinds, ["drain", "stop", "up"].repeat(3), "{out}");
    assert!(!out.contains("service update --force"), "{out}");
    // Every task is new.
    let after = running_tasks(&swarm);
    assert_eq!(after.len(), 3, "{after:?}");
    assert!(before.is_disjoint(&after), "{before:?} → {after:?}");
    // Not one request failed through it all, and the new tasks answer.
    let during = failed - failed_before;
    let hosts: BTreeSet<&String> = answers.iter().collect();
    eprintln!(
        "client: {} requests answered, {during} failed during the job, by {} task hostnames",
        answers.len(),
        hosts.len()
    );
    assert_eq!(during, 0, "requests failed during the rolling restart");
    assert!(hosts.len() >= 6, "old and new tasks answered: {hosts:?}");
    interrupted_while_a_task_is_replaced(&swarm, cfg.path(), Signal::CtrlC);
    interrupted_while_a_task_is_replaced(&swarm, cfg.path(), Signal::HangUp);
    quit_in_the_tui_while_a_task_is_replaced(&swarm);
    a_replacement_never_up_stops_the_job(&swarm, cfg.path());
}

/// be_web's servers as `tugboat status --json` shows them: each one's
/// status and the container tugboat found for it (`host/id`, or empty).
fn backend_servers(swarm: &Swarm, cfg: &std::path::Path) -> Vec<(String, String)> {
    let flags = swarm.host_flags();
    let mut args: Vec<&str> = flags.iter().map(String::as_str).collect();
    args.extend(["status", "--json"]);
    let (_, out, _) = run_tugboat(cfg, &[], &args);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    (report["balancers"].as_array().into_iter().flatten())
        .flat_map(|b| b["backends"].as_array().into_iter().flatten())
        .filter(|be| text(&be["name"]) == "be_web")
        .flat_map(|be| be["servers"].as_array().into_iter().flatten())
        .map(|s| (text(&s["status"]), text(&s["container"])))
        .collect()
}

/// How the job is interrupted.
#[derive(Clone, Copy, Debug)]
enum Signal {
    CtrlC,
    /// The SSH session dropped: SIGHUP, and nobody reads the output.
    HangUp,
}

/// Ctrl-C or a dropped session while swarm replaces the first task: the
/// job stops there, its undo makes the drained server ready again, and
/// the backend is whole (three servers UP, none left drained) with no
/// request failed.
fn interrupted_while_a_task_is_replaced(swarm: &Swarm, cfg: &std::path::Path, signal: Signal) {
    whole_again(swarm, cfg);
    start_client(swarm);
    std::thread::sleep(Duration::from_secs(2));
    let flags = swarm.host_flags();
    let mut args: Vec<&str> = flags.iter().map(String::as_str).collect();
    args.extend(["restart", "--rolling", STACK, "--yes"]);
    let job = RunningJob::until_line(cfg, &args, |line| {
        line.starts_with("step 4:") && line.contains("so that swarm starts a new task")
    });
    std::thread::sleep(Duration::from_millis(300));
    let (name, code_wanted) = match signal {
        Signal::CtrlC => ("INT", 130),
        Signal::HangUp => ("HUP", 129),
    };
    job.signal(name);
    let (code, rest, err) = job.finish(matches!(signal, Signal::HangUp));
    let said = rest.join("\n");
    assert_eq!(code, Some(code_wanted), "{said}\n{err}");
    let outcome = last_outcome(cfg);
    assert!(
        outcome.starts_with(&format!("interrupted by SIG{name} after 3 of 18 steps")),
        "{outcome}"
    );
    assert!(
        outcome.contains("made safe: make be_web/") && outcome.contains("ready again: done"),
        "the drained server made ready again: {outcome}"
    );
    assert!(!said.contains("step 7:"), "went on past the task: {said}");
    whole_again(swarm, cfg);
    std::thread::sleep(Duration::from_secs(1));
    let (answers, failed) = client_log(swarm);
    swarm.docker_on(0, &["rm", "-f", CLIENT]);
    eprintln!(
        "interrupted ({signal:?}): {outcome}; client: {} answered, {failed} failed",
        answers.len()
    );
    assert_eq!(failed, 0, "requests failed around the interrupted job");
}

/// `R` in the TUI on a task of the app, confirmed; `q` while swarm
/// replaces the first task, and `y` (stop it safely): tugboat exits, the
/// job stopped there with the drained server ready again, and the
/// backend whole with no request failed.
fn quit_in_the_tui_while_a_task_is_replaced(swarm: &Swarm) {
    let cfg = tempfile::tempdir().expect("temp dir");
    whole_again(swarm, cfg.path());
    start_client(swarm);
    let hosts: Vec<String> = (0..3)
        .map(|i| format!("{}={}", swarm.name(i), swarm.url(i)))
        .collect();
    let hosts: Vec<&str> = hosts.iter().map(String::as_str).collect();
    let tmux = Tmux::tugboat_on(cfg.path(), &hosts, &[]);
    // The filter leaves slot 1's tasks (old ones exited too) under their
    // host and stack, on whichever node swarm put them: the stack's row
    // is found on the screen, and selected from the top.
    tmux.filter(&format!("{STACK}.1."));
    let screen = tmux.wait_for("the stack's row", Duration::from_secs(10), |s| {
        s.contains(&format!("{STACK} (stack)"))
    });
    let rows: Vec<&str> = (screen.lines())
        .skip_while(|l| !l.contains("NAME"))
        .skip(1)
        .collect();
    let stack_row = (rows.iter())
        .position(|l| l.contains(&format!("{STACK} (stack)")))
        .expect("the stack's row is on the screen");
    tmux.keys(&["g"]);
    tmux.keys(&vec!["j"; stack_row]);
    // Until the balancer's first answers are in, R says to try again.
    tmux.press_until("R", "the confirmation", Duration::from_secs(30), |s| {
        s.contains("Rolling restart") || s.contains("rolling restart")
    });
    // Step 4 stops the first task's container for swarm to replace.
    tmux.confirm_and_wait_for_step(4);
    tmux.quit_stopping_jobs();
    let outcome = last_outcome(cfg.path());
    assert!(
        outcome.starts_with("stopped: tugboat was quit"),
        "{outcome}"
    );
    assert!(
        outcome.contains("ready again: done"),
        "the drained server made ready again: {outcome}"
    );
    whole_again(swarm, cfg.path());
    std::thread::sleep(Duration::from_secs(1));
    let (answers, failed) = client_log(swarm);
    swarm.docker_on(0, &["rm", "-f", CLIENT]);
    eprintln!(
        "quit in the TUI: {outcome}; client: {} answered, {failed} failed",
        answers.len()
    );
    assert_eq!(failed, 0, "requests failed around the quit");
}

/// Three tasks run (swarm has replaced any task a job stopped), and
/// be_web's three servers are UP, each matched to a running task.
fn whole_again(swarm: &Swarm, cfg: &std::path::Path) {
    eventually(
        90,
        "three tasks run, be_web's three servers UP on them",
        || {
            let tasks = running_tasks(swarm);
            let servers = backend_servers(swarm, cfg);
            let up = (servers.iter())
                .filter(|(s, c)| s == "UP" && !c.is_empty())
                .count();
            (tasks.len() == 3 && up == 3)
                .then_some(())
                .ok_or(format!("{} tasks; {servers:?}", tasks.len()))
        },
    );
}

/// A release whose tasks start but never serve: the first new task never
/// comes UP in HAProxy, so the job stops there, failed, and touches no
/// other task; the two old tasks go on serving every request.
fn a_replacement_never_up_stops_the_job(swarm: &Swarm, cfg: &std::path::Path) {
    whole_again(swarm, cfg);
    for node in 0..3 {
        let marker = format!("{GATE_DIR}/broken");
        docker(&["exec", &swarm.name(node), "touch", &marker]);
    }
    let before = running_tasks(swarm);
    start_client(swarm);
    std::thread::sleep(Duration::from_secs(2));
    let flags = swarm.host_flags();
    let mut args: Vec<&str> = flags.iter().map(String::as_str).collect();
    args.extend(["restart", "--rolling", STACK, "--yes"]);
    let began = Instant::now();
    let (code, out, err) = run_tugboat(cfg, &[], &args);
    let took = began.elapsed();
    let servers = backend_servers(swarm, cfg);
    let (answers, failed) = client_log(swarm);
    swarm.docker_on(0, &["rm", "-f", CLIENT]);
    eprintln!(
        "a replacement never UP: stopped after {took:?}; client: {} answered, {failed} failed\n\
         {out}\n{err}",
        answers.len()
    );
    assert_ne!(code, 0, "{out}\n{err}");
    let said = format!("{out}\n{err}");
    assert!(
        said.contains("failed at step 6 of 18")
            && said.contains("2 of 3 servers of be_web UP (web"),
        "the job stops at the first task's wait for the backend: {said}"
    );
    assert!(!said.contains("step 7:"), "went on to another task: {said}");
    // One task replaced (its replacement runs, not serving), two untouched.
    let after = running_tasks(swarm);
    assert_eq!(after.len(), 3, "{after:?}");
    assert_eq!(
        before.intersection(&after).count(),
        2,
        "{before:?} → {after:?}"
    );
    let up = servers.iter().filter(|(s, _)| s == "UP").count();
    assert_eq!(
        up, 2,
        "the old tasks serve, the new one is not UP: {servers:?}"
    );
    assert_eq!(failed, 0, "requests failed beside the broken task");
}
