//! A Docker host reached over `ssh://` (TESTBED.md §4): sshd beside the inner
//! engine, a key made here and offered through an ssh-agent this test starts,
//! the host key trusted through known_hosts. tugboat lists the host, its
//! containers and its volumes (sizes from the raw /system/df over ssh)
//! through a URL naming a port other than 22, the only one published; an
//! ssh host that refuses connections, or the right host at a wrong port, is
//! reported unreachable, quickly, with ssh's reason. A shell opened with
//! `e` in the TUI works through the same transport.

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use tmux::Tmux;

const NAME: &str = "tb-it-ssh";
const ADDR: &str = "127.0.0.4";
const IMAGE: &str = "tugboat-test/dind-ssh:trixie";
/// Only this port is published: were it dropped, ssh would try 22 and fail.
const PORT: u16 = 2222;
const URL: &str = "ssh://root@127.0.0.4:2222";

/// Run a command; panic with its stderr on failure, return its stdout.
fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?} does not run: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into()
}

/// An ssh-agent holding the test's key, killed when dropped.
struct Agent {
    sock: String,
    pid: String,
}

impl Agent {
    fn start(key: &Path) -> Agent {
        let out = run(Command::new("ssh-agent").arg("-s"));
        // SSH_AUTH_SOCK=/tmp/ssh-XXXX/agent.1; export SSH_AUTH_SOCK;
        let var = |name: &str| {
            out.split(';')
                .filter_map(|part| part.trim().strip_prefix(name)?.strip_prefix('='))
                .next()
                .unwrap_or_else(|| panic!("no {name} in ssh-agent's output: {out}"))
                .to_string()
        };
        let agent = Agent {
            sock: var("SSH_AUTH_SOCK"),
            pid: var("SSH_AGENT_PID"),
        };
        run(Command::new("ssh-add")
            .env("SSH_AUTH_SOCK", &agent.sock)
            .arg(key));
        agent
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = Command::new("ssh-agent")
            .arg("-k")
            .env("SSH_AGENT_PID", &self.pid)
            .env("SSH_AUTH_SOCK", &self.sock)
            .output();
    }
}

/// The Docker-in-Docker host with sshd, removed when dropped.
struct SshHost(&'static str);

impl Drop for SshHost {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["rm", "-f", "-v", self.0])
            .output();
    }
}

fn start_ssh_host(public_key: &Path) -> SshHost {
    start_ssh_host_as(NAME, ADDR, PORT, public_key)
}

/// `start_ssh_host` as container `name` with sshd published on `addr:port`,
/// so a test bed of its own does not stand in another test's way.
fn start_ssh_host_as(name: &'static str, addr: &str, port: u16, public_key: &Path) -> SshHost {
    let image = Command::new("docker")
        .args(["image", "inspect", IMAGE])
        .output();
    assert!(
        image.is_ok_and(|o| o.status.success()),
        "test image {IMAGE} is missing: run scripts/testbed.sh"
    );
    let _ = Command::new("docker")
        .args(["rm", "-f", "-v", name])
        .output();
    // sshd's StrictModes accepts it: owned by root (the test runs as root,
    // as TESTBED.md assumes), not group- or world-writable.
    let mount = format!("{}:/root/.ssh/authorized_keys:ro", public_key.display());
    let publish = format!("{addr}:{port}:22");
    docker(&[
        "run",
        "-d",
        "--name",
        name,
        "--hostname",
        name,
        "--label",
        "io.tugboat.test=dind",
        "--cap-add=ALL",
        "--cap-drop=SYS_RESOURCE",
        "--security-opt",
        "seccomp=unconfined",
        "--security-opt",
        "apparmor=unconfined",
        "-v",
        "/sys/fs/cgroup:/sys/fs/cgroup:rw",
        "-e",
        "DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE=1",
        "-v",
        &mount,
        "-p",
        &publish,
        IMAGE,
    ]);
    SshHost(name)
}

fn known_hosts() -> PathBuf {
    let home = std::env::var_os("HOME").unwrap_or_else(|| "/root".into());
    PathBuf::from(home).join(".ssh").join("known_hosts")
}

/// Replace any stale key for ADDR:PORT (an earlier run's container) with
/// this container's ed25519 host key, waiting until sshd answers.
fn trust_host_key() {
    trust_host_key_at(NAME, ADDR, PORT)
}

/// The tests of this file share root's known_hosts: one edits it at a time.
static KNOWN_HOSTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn trust_host_key_at(name: &str, addr: &str, port: u16) {
    let _one_at_a_time = KNOWN_HOSTS.lock().unwrap_or_else(|e| e.into_inner());
    let file = known_hosts();
    let dir = file.parent().unwrap();
    if !dir.exists() {
        std::fs::create_dir_all(dir).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    // known_hosts names a host on another port than 22 `[addr]:port`.
    let known_as = if port == 22 {
        addr.to_string()
    } else {
        format!("[{addr}]:{port}")
    };
    if file.exists() {
        run(Command::new("ssh-keygen")
            .arg("-R")
            .arg(&known_as)
            .arg("-f")
            .arg(&file));
    }
    let start = Instant::now();
    let line = loop {
        let out = Command::new("ssh-keyscan")
            .args(["-T", "2", "-t", "ed25519", "-p", &port.to_string(), addr])
            .output()
            .expect("ssh-keyscan runs");
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        if text.contains("ssh-ed25519") {
            break text;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "sshd in {name} did not answer on {addr}:{port}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::thread::sleep(Duration::from_millis(300));
    };
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&file)
        .unwrap();
    f.write_all(line.as_bytes()).unwrap();
}

/// The docker CLI against the ssh host, with the agent's socket.
fn ssh_docker(sock: &str, args: &[&str]) -> Result<String, String> {
    ssh_docker_at(URL, sock, args)
}

fn ssh_docker_at(url: &str, sock: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new("docker")
        .env("DOCKER_HOST", url)
        .env("SSH_AUTH_SOCK", sock)
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into())
    }
}

fn wait_for_engine(sock: &str) {
    wait_for_engine_at(NAME, URL, sock)
}

fn wait_for_engine_at(name: &str, url: &str, sock: &str) {
    let start = Instant::now();
    loop {
        match ssh_docker_at(url, sock, &["info", "--format", "{{.ServerVersion}}"]) {
            Ok(_) => return,
            Err(e) => {
                let logs = Command::new("docker")
                    .args(["logs", "--tail", "20", name])
                    .output()
                    .map(|o| String::from_utf8_lossy(&o.stderr).to_string())
                    .unwrap_or_default();
                assert!(
                    start.elapsed() < Duration::from_secs(60),
                    "the engine in {name} did not answer over ssh: {e}\n{logs}"
                );
            }
        }
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn ssh_host_status_and_refusing_ssh_host() {
    require_engine();
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("id_ed25519");
    run(Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "tugboat-test", "-f"])
        .arg(&key));
    let agent = Agent::start(&key);
    let sock = agent.sock.as_str();

    let _host = start_ssh_host(&key.with_extension("pub"));
    trust_host_key();
    wait_for_engine(sock);

    // The engine starts empty: load the busybox image, then a volume holding
    // a file of known size, used by a running container.
    let load = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "docker save {BUSYBOX} | DOCKER_HOST={URL} docker load"
        ))
        .env("SSH_AUTH_SOCK", sock)
        .output()
        .unwrap();
    assert!(
        load.status.success(),
        "{}",
        String::from_utf8_lossy(&load.stderr)
    );
    ssh_docker(sock, &["volume", "create", "ssh-data"]).unwrap();
    ssh_docker(
        sock,
        &[
            "run",
            "--rm",
            "-v",
            "ssh-data:/d",
            BUSYBOX,
            "sh",
            "-c",
            "head -c 40000 /dev/zero > /d/blob",
        ],
    )
    .unwrap();
    ssh_docker(
        sock,
        &[
            "run",
            "-d",
            "--name",
            "ssh-app",
            "--label",
            &format!("{TEST_LABEL}=ssh"),
            "-v",
            "ssh-data:/d",
            BUSYBOX,
        ],
    )
    .unwrap();

    let cfg = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let (code, json, err) = run_tugboat(
        cfg.path(),
        &[("SSH_AUTH_SOCK", sock)],
        &["--host", &format!("edge={URL}"), "status", "--json"],
    );
    let took = started.elapsed();
    assert_eq!(code, 0, "{err}{json}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let hosts = report["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 1, "{json}");
    assert_eq!(hosts[0]["name"], "edge");
    assert_eq!(hosts[0]["state"], "up", "{json}");
    assert!(
        hosts[0]["engine_version"]
            .as_str()
            .unwrap_or_default()
            .starts_with("26."),
        "engine over ssh: {}",
        hosts[0]
    );
    let app = report["containers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "ssh-app")
        .unwrap_or_else(|| panic!("container listed: {json}"));
    assert_eq!(app["host"], "edge");
    assert_eq!(app["state"], "running", "{app}");
    let vol = report["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "ssh-data")
        .unwrap_or_else(|| panic!("volume listed: {json}"));
    assert_eq!(vol["host"], "edge");
    // Engine 26 (API 1.45) over ssh: the size comes from the raw /system/df
    // request through `ssh … docker system dial-stdio`.
    assert!(
        vol["size_bytes"].as_u64().is_some_and(|s| s >= 40_000),
        "size over ssh: {vol}"
    );
    assert!(
        vol["used_by"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["container"] == "ssh-app"),
        "used_by: {vol}"
    );
    eprintln!("tugboat status over ssh took {took:?}");

    // `e` in the TUI: a shell in ssh-app, through the ssh transport.
    let tui_cfg = tempfile::tempdir().unwrap();
    let edge = format!("edge={URL}");
    let tmux = Tmux::tugboat_on(tui_cfg.path(), &[&edge], &[("SSH_AUTH_SOCK", sock)]);
    tmux.shell_round_trip("ssh-app");
    drop(tmux);
    let audit = std::fs::read_to_string(tui_cfg.path().join("data/audit.jsonl")).unwrap();
    assert!(audit.contains("\"target\":\"edge/ssh-app\""), "{audit}");

    // Nothing listens on 127.0.0.9:22, nor on the test host's port 22 or
    // 2223: each unreachable, exit 1, without waiting long. Where the port
    // is named, ssh's reason names it too: ssh was given it.
    let started = Instant::now();
    let (code, json, err) = run_tugboat(
        cfg.path(),
        &[("SSH_AUTH_SOCK", sock)],
        &[
            "--host",
            "gone=ssh://root@127.0.0.9",
            "--host",
            &format!("port22=ssh://root@{ADDR}:22"),
            "--host",
            &format!("wrongport=ssh://root@{ADDR}:2223/"),
            "status",
            "--json",
        ],
    );
    let took = started.elapsed();
    assert_eq!(code, 1, "{err}{json}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let hosts = report["hosts"].as_array().unwrap();
    assert_eq!(hosts.len(), 3, "{json}");
    for host in hosts {
        assert_eq!(host["state"], "unreachable", "{json}");
        let error = host["error"].as_str().unwrap_or_default();
        let port = match host["name"].as_str() {
            Some("gone") => "port 22:",
            Some("port22") => "port 22:",
            Some("wrongport") => "port 2223:",
            other => panic!("unexpected host {other:?}: {json}"),
        };
        assert!(
            error.contains(port) && error.contains("Connection refused"),
            "ssh's reason, naming {port:?}, for {}: {error}",
            host["name"]
        );
    }
    assert!(
        took < Duration::from_secs(15),
        "refusing ssh hosts took {took:?}"
    );
    eprintln!("refusing ssh hosts reported in {took:?}: {json}");
}

/// What the remote side writes on ssh's stderr (sshd's banner, the user's
/// `~/.ssh/rc`), escape sequences included, reaches neither tugboat's
/// stdout nor its stderr: it is in the log file, sanitized.
#[test]
fn ssh_stderr_goes_to_the_log_not_the_terminal() {
    const NOISY: &str = "tb-it-ssh-noisy";
    const NOISY_ADDR: &str = "127.0.0.14";
    const NOISY_URL: &str = "ssh://root@127.0.0.14";
    require_engine();
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("id_ed25519");
    run(Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "tugboat-test", "-f"])
        .arg(&key));
    let agent = Agent::start(&key);
    let sock = agent.sock.as_str();
    // Port 22, named nowhere: a URL without a port still works.
    let _host = start_ssh_host_as(NOISY, NOISY_ADDR, 22, &key.with_extension("pub"));
    trust_host_key_at(NOISY, NOISY_ADDR, 22);
    wait_for_engine_at(NOISY, NOISY_URL, sock);

    // A banner before authentication, and a line from ~/.ssh/rc on every
    // session, each with a terminal title escape (OSC) in it.
    let rc = r"printf 'HOSTILE-RC \033]0;pwned\007 end\n' >&2";
    let setup = r#"printf 'HOSTILE-BANNER \033]0;pwned\007 end\n' > /etc/ssh/tugboat-banner
echo 'Banner /etc/ssh/tugboat-banner' >> /etc/ssh/sshd_config
printf '%s\n' "$1" > /root/.ssh/rc
kill -HUP "$(cat /run/sshd.pid)""#;
    docker(&["exec", NOISY, "sh", "-c", setup, "sh", rc]);
    // Once sshd has re-read its config, ssh shows both.
    let start = Instant::now();
    while !Command::new("ssh")
        .env("SSH_AUTH_SOCK", sock)
        .args([
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=accept-new",
        ])
        .args(["root@127.0.0.14", "true"])
        .output()
        .is_ok_and(|o| {
            let said = String::from_utf8_lossy(&o.stderr);
            said.contains("HOSTILE-BANNER") && said.contains("HOSTILE-RC")
        })
    {
        assert!(start.elapsed() < Duration::from_secs(20), "no banner");
        std::thread::sleep(Duration::from_millis(300));
    }

    let cfg = tempfile::tempdir().unwrap();
    let (code, json, err) = run_tugboat(
        cfg.path(),
        &[("SSH_AUTH_SOCK", sock)],
        &["--host", &format!("noisy={NOISY_URL}"), "status", "--json"],
    );
    assert_eq!(code, 0, "{err}{json}");
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["hosts"][0]["state"], "up", "{json}");
    for (what, text) in [("stdout", &json), ("stderr", &err)] {
        assert!(
            !text.contains("HOSTILE") && !text.contains('\x1b'),
            "ssh's stderr on tugboat's {what}: {text}"
        );
    }
    let log = std::fs::read_to_string(cfg.path().join("data/tugboat.log")).unwrap();
    for said in ["HOSTILE-BANNER", "HOSTILE-RC"] {
        assert!(log.contains(said), "{said} not in the log: {log}");
    }
    assert!(!log.contains('\x1b') && !log.contains('\x07'), "{log}");
}
