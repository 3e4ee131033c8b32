//! Shared helpers for tests that talk to real Docker engines. A missing
//! engine is a failure, never a skip: `scripts/test` sets one up.
#![allow(dead_code)]

pub mod db_client;
pub mod files;

use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tugboat::config::{HostSource, HostSpec, Settings};
use tugboat::docker::{spawn_hosts, HostHandle};
use tugboat::model::{Host, HostUpdate, Inventory};

pub const BUSYBOX: &str = "tugboat-test/busybox:latest";
/// HAProxy as the official image runs it: user haproxy, bash, no socat.
pub const HAPROXY: &str = "tugboat-test/haproxy:2.6";
/// The same HAProxy with busybox only (no bash, no socat), as the alpine tags.
pub const HAPROXY_BUSYBOX: &str = "tugboat-test/haproxy:2.6-busybox";
/// The same HAProxy with socat (reaches unix sockets).
pub const HAPROXY_SOCAT: &str = "tugboat-test/haproxy:2.6-socat";
/// The stats sockets of the test configs: where the official image's user
/// may create them, the TCP one first (reachable without socat).
pub const STATS_SOCKETS: &str = "    stats socket ipv4@127.0.0.1:9999 level admin\n    \
    stats socket /var/lib/haproxy/admin.sock mode 600 level admin\n";
pub const LOCAL_URL: &str = "unix:///var/run/docker.sock";
pub const TEST_LABEL: &str = "io.tugboat.test";

/// Run the docker CLI (against DOCKER_HOST when `host_url` is given); panic
/// with its stderr on failure.
pub fn docker_at(host_url: Option<&str>, args: &[&str]) -> String {
    let mut cmd = Command::new("docker");
    if let Some(url) = host_url {
        cmd.env("DOCKER_HOST", url);
    }
    let out = cmd.args(args).output().expect("the docker CLI runs");
    assert!(
        out.status.success(),
        "docker {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

pub fn docker(args: &[&str]) -> String {
    docker_at(None, args)
}

/// `docker run -d --name NAME --network NET --label LABEL` and then `rest`
/// (more options, the image, its command). Returns the container's id.
pub fn docker_run_on(name: &str, net: &str, label: &str, rest: &[&str]) -> String {
    let mut args = vec![
        "run",
        "-d",
        "--name",
        name,
        "--network",
        net,
        "--label",
        label,
    ];
    args.extend_from_slice(rest);
    docker(&args)
}

pub fn require_engine() {
    let ok = Command::new("docker")
        .args(["info", "--format", "{{.ServerVersion}}"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "no Docker engine answers: run scripts/test (it starts one)"
    );
    let image = Command::new("docker")
        .args(["image", "inspect", BUSYBOX])
        .output();
    assert!(
        image.is_ok_and(|o| o.status.success()),
        "test image {BUSYBOX} is missing: run scripts/testbed.sh"
    );
}

/// A unique run id for labels and names, so parallel tests never collide.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Removes everything carrying this test's label when dropped, on every engine it knows.
pub struct Cleanup {
    pub label: String,
    pub hosts: Vec<Option<String>>,
}

impl Cleanup {
    pub fn new(label: &str) -> Self {
        Self {
            label: label.into(),
            hosts: vec![None],
        }
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let filter = format!("label={TEST_LABEL}={}", self.label);
        for host in &self.hosts {
            let cmd = |args: &[&str]| {
                let mut c = Command::new("docker");
                if let Some(url) = host {
                    c.env("DOCKER_HOST", url);
                }
                c.args(args)
                    .output()
                    .ok()
                    .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
            };
            if let Some(ids) = cmd(&["ps", "-aq", "--filter", &filter]) {
                for id in ids.split_whitespace() {
                    cmd(&["rm", "-f", "-v", id]);
                }
            }
            if let Some(vols) = cmd(&["volume", "ls", "-q", "--filter", &filter]) {
                for v in vols.split_whitespace() {
                    cmd(&["volume", "rm", "-f", v]);
                }
            }
            if let Some(nets) = cmd(&["network", "ls", "-q", "--filter", &filter]) {
                for n in nets.split_whitespace() {
                    cmd(&["network", "rm", n]);
                }
            }
        }
    }
}

pub fn spec(name: &str, url: &str) -> HostSpec {
    HostSpec {
        name: name.into(),
        url: url.into(),
        tls: None,
        source: HostSource::Flag,
    }
}

/// Short intervals so tests see reconnects and outages quickly.
pub fn fast_settings() -> Settings {
    Settings {
        ping_interval: Duration::from_millis(500),
        request_timeout: Duration::from_secs(2),
        ..Settings::default()
    }
}

/// Host tasks feeding an inventory, as the TUI's main loop does.
pub struct Fleet {
    pub inventory: Inventory,
    pub handles: Vec<HostHandle>,
    rx: mpsc::UnboundedReceiver<HostUpdate>,
}

impl Fleet {
    pub fn start(specs: &[HostSpec], settings: &Settings, read_only: bool) -> Fleet {
        let (tx, rx) = mpsc::unbounded_channel();
        let handles = spawn_hosts(specs, settings, read_only, move |u| {
            let _ = tx.send(u);
        });
        let hosts = specs
            .iter()
            .map(|s| Host::new(&s.name, &s.url, "test"))
            .collect();
        Fleet {
            inventory: Inventory::new(hosts),
            handles,
            rx,
        }
    }

    pub fn handle(&self, name: &str) -> &HostHandle {
        self.handles
            .iter()
            .find(|h| h.name == name)
            .expect("host handle")
    }

    /// Apply updates until `pred` holds; panics with `what` after `limit`.
    /// Returns how long it took.
    pub async fn wait_for(
        &mut self,
        what: &str,
        limit: Duration,
        pred: impl Fn(&Inventory) -> bool,
    ) -> Duration {
        let start = Instant::now();
        while !pred(&self.inventory) {
            let left = limit.saturating_sub(start.elapsed());
            match tokio::time::timeout(left, self.rx.recv()).await {
                Ok(Some(update)) => {
                    self.inventory.apply(update);
                }
                Ok(None) => panic!("host tasks stopped while waiting for {what}"),
                Err(_) => panic!(
                    "timed out after {limit:?} waiting for {what}; hosts: {:?}",
                    self.inventory.hosts
                ),
            }
        }
        start.elapsed()
    }

    /// Apply every update already waiting, without blocking.
    pub fn drain(&mut self) {
        while let Ok(update) = self.rx.try_recv() {
            self.inventory.apply(update);
        }
    }

    pub fn container_named(&self, host: &str, name: &str) -> Option<&tugboat::model::Container> {
        self.inventory
            .containers
            .values()
            .find(|c| c.host == host && c.name == name)
    }
}

/// `docker inspect -f '{{.State.StartedAt}}'`
pub fn started_at(name: &str) -> String {
    docker(&["inspect", "-f", "{{.State.StartedAt}}", name])
}

pub fn repo_root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The tugboat binary with a private config and data directory and none of
/// the docker CLI's environment, plus `envs`. Returns (exit code, stdout, stderr).
pub fn run_tugboat(
    config_dir: &std::path::Path,
    envs: &[(&str, &str)],
    args: &[&str],
) -> (i32, String, String) {
    let out = tugboat_command(config_dir, envs)
        .args(args)
        .output()
        .expect("tugboat runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// The command `run_tugboat` runs, for a test that drives the process.
pub fn tugboat_command(config_dir: &std::path::Path, envs: &[(&str, &str)]) -> Command {
    tugboat_command_through(&[], config_dir, envs)
}

/// `tugboat_command` run by `wrapper` (a program and its first arguments;
/// the binary's path follows them, then the command's own arguments), e.g.
/// `["sh", "-c", "umask 000 && exec \"$0\" \"$@\""]`; no wrapper when empty.
pub fn tugboat_command_through(
    wrapper: &[&str],
    config_dir: &std::path::Path,
    envs: &[(&str, &str)],
) -> Command {
    let bin = env!("CARGO_BIN_EXE_tugboat");
    let mut cmd = match wrapper.split_first() {
        Some((program, args)) => {
            let mut cmd = Command::new(program);
            cmd.args(args).arg(bin);
            cmd
        }
        None => Command::new(bin),
    };
    cmd.env("TUGBOAT_CONFIG_DIR", config_dir)
        .env("TUGBOAT_DATA_DIR", config_dir.join("data"))
        .env("DOCKER_CONFIG", config_dir.join("no-docker-cli"));
    for var in [
        "DOCKER_HOST",
        "DOCKER_TLS_VERIFY",
        "DOCKER_CERT_PATH",
        "DOCKER_CONTEXT",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd
}

/// The lines of a spawned tugboat's stdout still to be read.
pub type ChildLines = std::io::Lines<std::io::BufReader<std::process::ChildStdout>>;

/// A tugboat job that runs: the process, the rest of its output, and the
/// lines read so far.
pub struct RunningJob {
    pub child: std::process::Child,
    pub lines: ChildLines,
    pub seen: Vec<String>,
}

impl RunningJob {
    /// Spawn `tugboat ARGS` (with `config`) and read its output until a
    /// line starts with `step` (`step 2:`: the second step runs). Panics,
    /// with what it printed, when it never does.
    pub fn until(config: &std::path::Path, args: &[&str], step: &str) -> RunningJob {
        Self::until_line(config, args, |line| line.starts_with(step))
    }

    /// `until`, with the line that ends the wait told by `stop`.
    pub fn until_line(
        config: &std::path::Path,
        args: &[&str],
        stop: impl Fn(&str) -> bool,
    ) -> RunningJob {
        let mut child = tugboat_command(config, &[])
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("tugboat runs");
        let mut lines =
            std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().unwrap()));
        let mut seen = Vec::new();
        for line in lines.by_ref() {
            let line = line.unwrap_or_default();
            seen.push(line.clone());
            if stop(&line) {
                return RunningJob { child, lines, seen };
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("never reached the line waited for: {seen:?}");
    }

    /// Send `signal` (`TERM`, `INT`, `HUP`, …) to the process.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{signal}");
    }

    /// Read the rest (unless `hang_up`: the reader goes away, as with a
    /// dropped session) and wait for the exit: its code and the lines read
    /// after the step.
    pub fn finish(self, hang_up: bool) -> (Option<i32>, Vec<String>, String) {
        let rest: Vec<String> = if hang_up {
            drop(self.lines);
            Vec::new()
        } else {
            self.lines.map(|l| l.unwrap_or_default()).collect()
        };
        let out = self.child.wait_with_output().expect("tugboat exits");
        (
            out.status.code(),
            rest,
            String::from_utf8_lossy(&out.stderr).into(),
        )
    }
}

/// Settings for probes in tests: a generous timeout for a loaded machine.
pub fn probe_settings() -> Settings {
    Settings {
        probe_timeout: Duration::from_secs(10),
        ..Settings::default()
    }
}

/// `docker run -d` of the busybox image as `name`, labelled for `run`'s
/// cleanup, with extra `docker run` options and the command. Returns the id.
pub fn run_busybox(run: &str, name: &str, options: &[&str], cmd: &[&str]) -> String {
    let label = format!("{TEST_LABEL}={run}");
    let mut args = vec!["run", "-d", "--name", name, "--label", &label];
    args.extend_from_slice(options);
    args.push(BUSYBOX);
    args.extend_from_slice(cmd);
    docker(&args)
}

/// `docker run -d` of HAProxy `name` on `net`, labelled for `run`'s
/// cleanup, with `config` as its haproxy.cfg: a file in `dir` mounted at the
/// official path, read-only unless `writable`. Returns the file's path.
pub fn run_haproxy(
    run: &str,
    name: &str,
    net: &str,
    dir: &std::path::Path,
    config: &str,
    writable: bool,
) -> std::path::PathBuf {
    run_haproxy_image(run, name, net, dir, config, writable, HAPROXY)
}

/// `run_haproxy` with another HAProxy image (e.g. `HAPROXY_BUSYBOX`).
pub fn run_haproxy_image(
    run: &str,
    name: &str,
    net: &str,
    dir: &std::path::Path,
    config: &str,
    writable: bool,
    image: &str,
) -> std::path::PathBuf {
    let cfg = dir.join(format!("{name}.cfg"));
    std::fs::write(&cfg, config).expect("config written");
    let mode = if writable { "" } else { ":ro" };
    let mount = format!("{}:/usr/local/etc/haproxy/haproxy.cfg{mode}", cfg.display());
    let label = format!("{TEST_LABEL}={run}");
    docker_run_on(name, net, &label, &["-v", &mount, image]);
    cfg
}

/// A shell function for scripts run inside the HAProxy test images: `say
/// PORT FORMAT` sends `printf FORMAT` to 127.0.0.1:PORT and prints the answer, with
/// bash's /dev/tcp where there is bash, else busybox's nc (neither image
/// has socat, as the official ones).
pub const SAY_SH: &str = "say() { if command -v bash >/dev/null 2>&1; then \
    bash -c 'exec 3<>/dev/tcp/127.0.0.1/$0 && printf \"$1\" >&3 && cat <&3' \"$1\" \"$2\"; \
    else printf \"$2\" | nc 127.0.0.1 \"$1\"; fi; }; ";

/// The answer of HAProxy `lb`'s runtime API to `command`, asked inside it.
pub fn runtime_api(lb: &str, command: &str) -> String {
    let script = format!("{SAY_SH} say 9999 \"$0\"");
    docker(&["exec", lb, "sh", "-c", &script, &format!("{command}\\n")])
}

/// Who answers `requests` HTTP requests through the balancer `lb` on its
/// port 8080 (the busybox apps answer with their hostname), asked from
/// inside the HAProxy container (busybox's static wget crashes on
/// HAProxy's answers).
pub fn answering(lb: &str, requests: usize) -> std::collections::BTreeSet<String> {
    let script = format!(
        "{SAY_SH} i=0; while [ $i -lt {requests} ]; do i=$((i+1)); \
         say 8080 'GET / HTTP/1.0\\r\\nHost: app\\r\\n\\r\\n' | tail -n 1; echo; done"
    );
    docker(&["exec", lb, "sh", "-c", &script])
        .lines()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// haproxy.cfg for HTTP apps on port 8080 behind `backend` (health-checked
/// every 500 ms, the test stats sockets), the balancer
/// listening on 8080.
pub fn http_haproxy_config(backend: &str, servers: &[String]) -> String {
    let lines: String = servers
        .iter()
        .map(|a| format!("    server {a} {a}:8080\n"))
        .collect();
    format!(
        "global\n{STATS_SOCKETS}\
         defaults\n    mode http\n    timeout connect 1s\n    timeout client 10s\n    timeout server 10s\n    timeout check 2s\n\
         frontend fe\n    bind :8080\n    default_backend {backend}\n\
         backend {backend}\n    option httpchk GET /\n    default-server check inter 500ms fall 3 rise 1\n{lines}"
    )
}

/// A Docker-in-Docker engine started by scripts/dind.sh (TESTBED.md §4),
/// unpaused and removed when dropped.
pub struct Dind {
    pub name: &'static str,
    pub url: String,
}

impl Dind {
    pub fn start(name: &'static str, addr: &str) -> Dind {
        let status = Command::new("bash")
            .arg(repo_root().join("scripts/dind.sh"))
            .args(["start", name, addr, "tugboat-test/dind:trixie"])
            .status()
            .expect("scripts/dind.sh runs");
        assert!(
            status.success(),
            "could not start the Docker-in-Docker host {name}"
        );
        Dind {
            name,
            url: format!("tcp://{addr}:2375"),
        }
    }

    /// Copy `image` from the local engine into this one when missing.
    pub fn load(&self, image: &str) {
        let here = Command::new("docker")
            .env("DOCKER_HOST", &self.url)
            .args(["image", "inspect", image])
            .output()
            .is_ok_and(|o| o.status.success());
        if !here {
            let status = Command::new("sh")
                .arg("-c")
                .arg(format!(
                    "docker save {image} | DOCKER_HOST={} docker load >/dev/null",
                    self.url
                ))
                .status()
                .expect("sh runs");
            assert!(
                status.success(),
                "could not load {image} into {}",
                self.name
            );
        }
    }
}

impl Drop for Dind {
    fn drop(&mut self) {
        let _ = Command::new("docker").args(["unpause", self.name]).output();
        let _ = Command::new("docker")
            .args(["rm", "-f", "-v", self.name])
            .output();
    }
}

/// Requests through HAProxy, the apps behind it and the audit's last word,
/// for the end-to-end tests of operations.
pub fn ids(names: &[String]) -> std::collections::BTreeSet<String> {
    names
        .iter()
        .map(|n| docker(&["inspect", "-f", "{{.Config.Hostname}}", n]))
        .collect()
}

/// Wait (30 s at most) until requests through `lb` reach exactly `want`.
pub fn answered_by(lb: &str, want: &std::collections::BTreeSet<String>, what: &str) {
    let start = std::time::Instant::now();
    loop {
        let got = answering(lb, 12);
        if got == *want {
            return;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(30),
            "{what}: answered by {got:?}, not {want:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
}

pub fn last_outcome(cfg: &std::path::Path) -> String {
    let audit = std::fs::read_to_string(cfg.join("data/audit.jsonl")).unwrap_or_default();
    let last = audit.lines().last().unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(last).unwrap_or_default();
    v["outcome"].as_str().unwrap_or_default().to_string()
}

/// `count` busybox apps on a new network, labelled with `labels(i)`, behind
/// an HAProxy with `backend`; returns the network, the apps and the
/// balancer, once every app answers.
pub fn apps_behind_haproxy(
    run: &str,
    count: usize,
    backend: &str,
    labels: impl Fn(usize) -> Vec<String>,
    dir: &std::path::Path,
) -> (Vec<String>, String) {
    let net = format!("{run}-net");
    docker(&[
        "network",
        "create",
        "--label",
        &format!("{TEST_LABEL}={run}"),
        &net,
    ]);
    let apps: Vec<String> = (1..=count).map(|i| format!("{run}-web-{i}")).collect();
    for (i, app) in apps.iter().enumerate() {
        let mut options = vec!["--network".to_string(), net.clone()];
        for l in labels(i + 1) {
            options.extend(["--label".to_string(), l]);
        }
        let options: Vec<&str> = options.iter().map(String::as_str).collect();
        run_busybox(run, app, &options, &[]);
    }
    let lb = format!("{run}-lb");
    run_haproxy(
        run,
        &lb,
        &net,
        dir,
        &http_haproxy_config(backend, &apps),
        true,
    );
    answered_by(&lb, &ids(&apps), "every app, at the start");
    (apps, lb)
}

/// The test image with the official ZooKeeper image's interface.
pub const ZK_IMAGE: &str = "tugboat-test/zookeeper:3.8";

/// Three members on a user network, each knowing the others by name. The
/// strict one carries no cluster label: its members are grouped by the
/// servers their ZOO_SERVERS name. Returns the ensemble's name in tugboat.
pub fn start_ensemble(run: &str, tag: &str, whitelist: Option<&str>) -> String {
    let net = format!("{run}-{tag}");
    let label = format!("{TEST_LABEL}={run}");
    docker(&["network", "create", "--label", &label, &net]);
    let servers: Vec<String> = (1..=3)
        .map(|i| format!("server.{i}={net}-zk{i}:2888:3888;2181"))
        .collect();
    for i in 1..=3 {
        let name = format!("{net}-zk{i}");
        let mut args = vec![
            "run".to_string(),
            "-d".into(),
            "--name".into(),
            name.clone(),
            "--network".into(),
            net.clone(),
            "--label".into(),
            label.clone(),
            "--label".into(),
            // Any label for the unlabelled case: it groups nothing.
            if whitelist.is_some() {
                format!("io.tugboat.cluster={net}")
            } else {
                "purpose=test".into()
            },
            "-e".into(),
            format!("ZOO_MY_ID={i}"),
            "-e".into(),
            format!("ZOO_SERVERS={}", servers.join(" ")),
        ];
        if let Some(w) = whitelist {
            args.extend(["-e".into(), format!("ZOO_4LW_COMMANDS_WHITELIST={w}")]);
        }
        args.push(ZK_IMAGE.into());
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        docker(&args);
    }
    match whitelist {
        Some(_) => net,
        None => (1..=3)
            .map(|i| format!("{net}-zk{i}"))
            .collect::<Vec<_>>()
            .join(","),
    }
}

/// An engine whose clock runs `shift` seconds off this machine's:
/// `scripts/clock-skew-proxy` in front of a real engine at `to`
/// (`tcp://HOST:PORT`), shifting every time the engine sends. Stopped
/// when dropped.
pub struct SkewedEngine {
    child: std::process::Child,
    pub url: String,
}

impl SkewedEngine {
    pub fn start(to: &str, shift: i64) -> SkewedEngine {
        use std::io::BufRead;
        let target = to.strip_prefix("tcp://").expect("a tcp:// engine");
        let mut child = Command::new("python3")
            .arg(repo_root().join("scripts/clock-skew-proxy"))
            .args(["--to", target, "--shift", &shift.to_string()])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let mut first = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let addr = first
            .trim()
            .strip_prefix("listening ")
            .unwrap_or_else(|| panic!("clock-skew-proxy said {first:?}"));
        SkewedEngine {
            url: format!("tcp://{addr}"),
            child,
        }
    }
}

impl Drop for SkewedEngine {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Ask `check` every 300 ms until it says yes, for `secs` at most; the
/// panic says what was awaited and the last answer.
pub fn eventually(secs: u64, what: &str, mut check: impl FnMut() -> Result<(), String>) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        match check() {
            Ok(()) => return,
            Err(last) if std::time::Instant::now() >= deadline => {
                panic!("never {what} in {secs}s (last: {last})")
            }
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(300)),
        }
    }
}

/// The words of a docker command's output (ids, names), none on failure.
pub fn docker_lines(args: &[&str]) -> Vec<String> {
    std::process::Command::new("docker")
        .args(args)
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}
