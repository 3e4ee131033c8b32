//! Builders for tests and benchmarks: a container or volume with sensible
//! defaults that a test then changes where it matters.

use std::collections::BTreeMap;

use super::container::{Container, ContainerState, Health};
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
        mountpoint: format!("/var/lib/docker/volumes/{name}/_data"),
        labels: BTreeMap::new(),
        size: None,
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
