//! A swarm of three Docker engines made by scripts/swarm.sh (TESTBED.md §3,
//! §4): hosts PREFIX-1..3 (PREFIX-1 the first manager), each engine's API on
//! its own loopback address. Removed when dropped, also after a panic.
//! Include with `#[path = "common/swarm.rs"] mod swarm;` beside `mod common;`.
#![allow(dead_code)]

use std::process::{Command, Output};

use tugboat::config::HostSpec;

use crate::common::{repo_root, spec};

pub struct Swarm {
    pub prefix: String,
    /// 1 (one manager, two workers) or 3 (three managers).
    pub managers: u8,
}

impl Swarm {
    /// `scripts/swarm.sh up`; panics when it fails (its messages are on stderr).
    pub fn up(prefix: &str, managers: u8) -> Swarm {
        // The fixture exists before the script runs, so a half-made swarm is
        // removed too when `up` fails.
        let swarm = Swarm {
            prefix: prefix.to_string(),
            managers,
        };
        let status = Command::new("bash")
            .arg(repo_root().join("scripts/swarm.sh"))
            .args(["up", "--managers", &managers.to_string(), prefix])
            .status()
            .expect("scripts/swarm.sh runs");
        assert!(status.success(), "scripts/swarm.sh up {prefix} failed");
        swarm
    }

    /// The host container's name, which is also its swarm node's hostname
    /// (`i` from 0).
    pub fn name(&self, i: usize) -> String {
        format!("{}-{}", self.prefix, i + 1)
    }

    /// The engine's API, as scripts/swarm.sh publishes it.
    pub fn url(&self, i: usize) -> String {
        let first = if self.managers == 1 { 51 } else { 54 };
        format!("tcp://127.0.0.{}:2375", first + i)
    }

    /// tugboat's host specs for the three engines, named as their nodes.
    pub fn specs(&self) -> Vec<HostSpec> {
        (0..3).map(|i| spec(&self.name(i), &self.url(i))).collect()
    }

    /// `--host NAME=URL` for each engine, for the tugboat binary.
    pub fn host_flags(&self) -> Vec<String> {
        (0..3)
            .flat_map(|i| {
                [
                    "--host".to_string(),
                    format!("{}={}", self.name(i), self.url(i)),
                ]
            })
            .collect()
    }

    /// An attachable overlay network `name` made through the manager,
    /// labelled for the test's cleanup.
    pub fn overlay_network(&self, name: &str) {
        let label = format!("{}=swarm", crate::common::TEST_LABEL);
        self.docker_on(
            0,
            &[
                "network",
                "create",
                "--driver",
                "overlay",
                "--attachable",
                "--label",
                &label,
                name,
            ],
        );
    }

    /// `docker service create` through the manager: service `name` in stack
    /// `stack` (on the service and its containers, as `docker stack deploy`
    /// labels them), labelled for the test's cleanup, on overlay network
    /// `network`; `rest` is the other options, the image and its arguments.
    pub fn stack_service(&self, name: &str, stack: &str, network: &str, rest: &[&str]) {
        let stack = format!("com.docker.stack.namespace={stack}");
        let test_label = format!("{}=swarm", crate::common::TEST_LABEL);
        let mut args = vec![
            "service",
            "create",
            "--detach",
            "--name",
            name,
            "--label",
            &stack,
            "--container-label",
            &stack,
            "--label",
            &test_label,
            "--network",
            network,
        ];
        args.extend_from_slice(rest);
        self.docker_on(0, &args);
    }

    /// The docker CLI against engine `i`; panics with its stderr on failure.
    pub fn docker_on(&self, i: usize, args: &[&str]) -> String {
        crate::common::docker_at(Some(&self.url(i)), args)
    }

    /// `image` from the outer engine loaded into all three engines at once
    /// (no registry here: `docker save | docker load`).
    pub fn load_image(&self, image: &str) {
        let began = std::time::Instant::now();
        let loads: Vec<_> = (0..3)
            .map(|i| {
                let url = self.url(i);
                let image = image.to_string();
                std::thread::spawn(move || {
                    Command::new("sh")
                        .args([
                            "-c",
                            "docker save \"$1\" | DOCKER_HOST=\"$2\" docker load -q",
                        ])
                        .args(["sh", &image, &url])
                        .output()
                        .expect("sh runs")
                })
            })
            .collect();
        for (i, load) in loads.into_iter().enumerate() {
            let out = load.join().expect("the load thread");
            assert!(
                out.status.success(),
                "loading {image} into {}: {}",
                self.name(i),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        eprintln!("{image} loaded into three engines in {:?}", began.elapsed());
    }

    /// The docker CLI against engine `i`, its failure returned, not a panic.
    pub fn try_docker_on(&self, i: usize, args: &[&str]) -> Output {
        Command::new("docker")
            .env("DOCKER_HOST", self.url(i))
            .args(args)
            .output()
            .expect("the docker CLI runs")
    }
}

impl Drop for Swarm {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo_root().join("scripts/swarm.sh"))
            .args(["down", &self.prefix])
            .status();
    }
}
