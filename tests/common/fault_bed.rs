//! The test bed of tests/host_faults.rs: Docker-in-Docker hosts on
//! 127.0.0.61–69 (Engine 26 and 20.10), one reached over ssh, a swarm of a
//! manager and a worker, and the faults done to them for real: a link
//! taken down inside a host's network namespace, an engine restarted, a
//! worker's host stopped, an ssh session killed. Every host is removed
//! when its value is dropped.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::{docker, docker_at, repo_root};

/// Run a command; panic with its stderr on failure, return its stdout.
pub fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?} does not run: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A Docker-in-Docker host (scripts/dind.sh), or the ssh one, removed when dropped.
pub struct Host {
    pub name: String,
    pub url: String,
}

impl Drop for Host {
    fn drop(&mut self) {
        let _ = Command::new("docker")
            .args(["unpause", &self.name])
            .output();
        let _ = Command::new("docker")
            .args(["rm", "-f", "-v", &self.name])
            .output();
    }
}

impl Host {
    /// scripts/dind.sh start NAME ADDR IMAGE.
    pub fn dind(name: &str, addr: &str, image: &str) -> Host {
        let status = Command::new("bash")
            .arg(repo_root().join("scripts/dind.sh"))
            .args(["start", name, addr, image])
            .status()
            .expect("scripts/dind.sh runs");
        let host = Host {
            name: name.into(),
            url: format!("tcp://{addr}:2375"),
        };
        assert!(status.success(), "the Docker-in-Docker host {name}");
        host
    }

    /// The dind-ssh image with `public_key` authorized, sshd published on
    /// `addr:2222`; its host key is trusted once sshd answers.
    pub fn ssh(name: &str, addr: &str, public_key: &Path, agent: &Agent) -> Host {
        let _ = Command::new("docker")
            .args(["rm", "-f", "-v", name])
            .output();
        let mount = format!("{}:/root/.ssh/authorized_keys:ro", public_key.display());
        let publish = format!("{addr}:2222:22");
        let host = Host {
            name: name.into(),
            url: format!("ssh://root@{addr}:2222"),
        };
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
            // Off the container's overlay, so the inner engine can use overlay2 (see dind.sh).
            "-v",
            "/var/lib/docker",
            "-v",
            &mount,
            "-p",
            &publish,
            "tugboat-test/dind-ssh:trixie",
        ]);
        // A fresh container has a new host key: forget an earlier run's.
        let known = format!("[{addr}]:2222");
        let _ = Command::new("ssh-keygen").args(["-R", &known]).output();
        let start = Instant::now();
        loop {
            let out = Command::new("ssh")
                .env("SSH_AUTH_SOCK", &agent.sock)
                .args([
                    "-o",
                    "BatchMode=yes",
                    "-o",
                    "StrictHostKeyChecking=accept-new",
                ])
                .args([
                    "-o",
                    "ConnectTimeout=2",
                    "-p",
                    "2222",
                    &format!("root@{addr}"),
                ])
                .args(["docker", "info", "--format", "{{.ServerVersion}}"])
                .output()
                .expect("ssh runs");
            if out.status.success() {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(90),
                "the engine in {name} never answered over ssh: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            std::thread::sleep(Duration::from_millis(300));
        }
        host
    }

    pub fn pid(&self) -> String {
        docker(&["inspect", "-f", "{{.State.Pid}}", &self.name])
    }

    /// The host's own address on the test bed's bridge.
    pub fn bridge_ip(&self) -> String {
        docker(&[
            "inspect",
            "-f",
            "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
            &self.name,
        ])
    }

    fn gateway(&self) -> String {
        docker(&[
            "inspect",
            "-f",
            "{{range .NetworkSettings.Networks}}{{.Gateway}}{{end}}",
            &self.name,
        ])
    }

    /// `ip ARGS` inside the host's network namespace.
    fn ip(&self, args: &[&str]) -> String {
        run(Command::new("nsenter")
            .args(["-t", &self.pid(), "-n", "ip"])
            .args(args))
    }

    /// Cut off: the host's link goes down inside its network namespace,
    /// so the published port's connections hang rather than being refused.
    pub fn cut(&self) {
        self.ip(&["link", "set", "eth0", "down"]);
    }

    /// The link back up, with the default route the kernel dropped with it.
    pub fn heal(&self) {
        let gateway = self.gateway();
        self.ip(&["link", "set", "eth0", "up"]);
        let _ = Command::new("nsenter")
            .args(["-t", &self.pid(), "-n", "ip", "route", "replace", "default"])
            .args(["via", &gateway])
            .output();
    }

    /// The engine answers the docker CLI (over tcp only).
    pub fn answers(&self) -> bool {
        Command::new("docker")
            .env("DOCKER_HOST", &self.url)
            .args(["info", "--format", "{{.ServerVersion}}"])
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// The pids of sshd's per-connection processes inside the ssh host
    /// (those of the test's sessions, not the listener).
    pub fn ssh_session_pids(&self) -> Vec<String> {
        docker(&["exec", &self.name, "ps", "-eo", "pid,args"])
            .lines()
            .filter(|l| l.contains("sshd") && l.contains('@'))
            .filter_map(|l| l.split_whitespace().next().map(String::from))
            .collect()
    }

    /// Kill those sessions, by pid, as a dropped connection ends them.
    pub fn drop_ssh_sessions(&self) -> usize {
        let pids = self.ssh_session_pids();
        for pid in &pids {
            let _ = Command::new("docker")
                .args(["exec", &self.name, "kill", "-9", pid])
                .output();
        }
        pids.len()
    }
}

/// Start hosts side by side (each dind takes seconds to come up).
pub fn start_all(specs: &[(&str, &str, &str)]) -> Vec<Host> {
    std::thread::scope(|s| {
        let started: Vec<_> = specs
            .iter()
            .map(|(name, addr, image)| s.spawn(move || Host::dind(name, addr, image)))
            .collect();
        started
            .into_iter()
            .map(|h| h.join().expect("a host started"))
            .collect()
    })
}

/// `manager` starts a swarm that `worker` joins, heartbeats every second
/// so a lost worker is marked down in seconds.
pub fn make_swarm(manager: &Host, worker: &Host) {
    let ip = manager.bridge_ip();
    docker_at(
        Some(&manager.url),
        &[
            "swarm",
            "init",
            "--advertise-addr",
            &ip,
            "--dispatcher-heartbeat",
            "1s",
        ],
    );
    let token = docker_at(Some(&manager.url), &["swarm", "join-token", "-q", "worker"]);
    let join = format!("{ip}:2377");
    docker_at(
        Some(&worker.url),
        &["swarm", "join", "--token", &token, &join],
    );
}

/// An ssh-agent holding a key made for the test, killed when dropped.
pub struct Agent {
    pub sock: String,
    pid: String,
    _dir: tempfile::TempDir,
    pub public_key: PathBuf,
}

impl Agent {
    pub fn start() -> Agent {
        let dir = tempfile::tempdir().expect("a temp dir");
        let key = dir.path().join("id_ed25519");
        run(Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-f"])
            .arg(&key));
        let out = run(Command::new("ssh-agent").arg("-s"));
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
            public_key: dir.path().join("id_ed25519.pub"),
            _dir: dir,
        };
        run(Command::new("ssh-add")
            .env("SSH_AUTH_SOCK", &agent.sock)
            .arg(&key));
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
