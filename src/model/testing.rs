//! Builders for tests and benchmarks: a container or volume with sensible
//! defaults that a test then changes where it matters.

use std::collections::BTreeMap;

use super::container::{Container, ContainerState, Health};
use super::host::{EngineInfo, Host, HostState};
use super::swarm::SwarmNode;
use super::swarm_service::{ServiceMode, SwarmService};
use super::text::SafeText;
use super::volume::Volume;

/// A running container named `name` on `host`, with an id derived from both.
pub fn container(host: &str, name: &str) -> Container {
    Container {
        host: host.into(),
        id: format!("{:0>64}", hex_of(&format!("{host}/{name}"))),
        name: name.into(),
        image: "busybox:latest".into(),
        command: "sh".into(),
        labels: BTreeMap::new(),
        state: ContainerState::Running,
        status: "Up 5 minutes".into(),
        health: Health::None,
        created: 1_700_000_000,
        started_at: Some(1_700_000_000),
        ports: Vec::new(),
        mounts: Vec::new(),
        ips: Vec::new(),
    }
}

pub fn volume(host: &str, name: &str) -> Volume {
    Volume {
        host: host.into(),
        name: name.into(),
        driver: "local".into(),
        mountpoint: format!("/var/lib/docker/volumes/{name}/_data").into(),
        labels: BTreeMap::new(),
        size: None,
    }
}

/// An engine that is up and a manager of swarm `swarm_id`.
pub fn swarm_manager(name: &str, swarm_id: &str) -> Host {
    let mut h = Host::new(name, "unix:///x", "flag");
    h.state = HostState::Up;
    h.engine = Some(EngineInfo {
        engine_version: "26.1.5".into(),
        api_version: "1.45".into(),
        os: "linux".into(),
        swarm_role: Some("manager".into()),
        swarm_id: Some(swarm_id.into()),
    });
    h
}

/// A swarm node as a manager lists it: active and ready; a manager is
/// reachable, a worker has no reachability.
pub fn swarm_node(id: &str, hostname: &str, role: &str) -> SwarmNode {
    SwarmNode {
        id: id.into(),
        hostname: hostname.into(),
        role: role.into(),
        availability: "active".into(),
        state: "ready".into(),
        leader: false,
        addr: String::new(),
        reachability: if role == "manager" { "reachable" } else { "" }.into(),
    }
}

/// A replicated service of busybox running all its `replicas`, settled.
pub fn swarm_service(id: &str, name: &str, replicas: u64) -> SwarmService {
    SwarmService {
        id: id.into(),
        name: SafeText::from_foreign(name),
        stack: None,
        image: SafeText::from_foreign("busybox"),
        mode: ServiceMode::Replicated { replicas },
        running: replicas,
        desired: replicas,
        ports: Vec::new(),
        update: None,
        version: 1,
    }
}

/// A stable fake id: hex of a simple hash, so ids differ per name.
fn hex_of(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// xorshift64*: a seeded generator, so a failure is reproducible.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Random bytes, often ones that matter to a terminal or are among
    /// `words` (a parser's keywords), read as UTF-8 the way container
    /// output is (lossy).
    pub fn foreign_text(&mut self, max_len: usize, words: &[&str]) -> String {
        const PICKS: &[&str] = &[
            "\u{1b}",
            "[",
            "]",
            "P",
            "\\",
            "\u{7}",
            "\u{9b}",
            "\u{9c}",
            "\u{9d}",
            "\u{90}",
            "\u{202e}",
            "\u{200b}",
            "\u{e0041}",
            "\u{2028}",
            ";",
            "0",
            "m",
            "\n",
            "\t",
            "a",
            "é",
        ];
        let len = self.below(max_len + 1);
        let mut bytes = Vec::with_capacity(len * 2);
        for _ in 0..len {
            let pick = self.below(PICKS.len() + words.len());
            if self.below(2) == 0 {
                let word = PICKS.get(pick).or_else(|| words.get(pick - PICKS.len()));
                bytes.extend_from_slice(word.copied().unwrap_or_default().as_bytes());
            } else {
                bytes.push(self.next_u64() as u8);
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    }
}
