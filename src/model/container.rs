//! Containers as tugboat sees them: plain data; every text the engine or a
//! container controls is a `SafeText`, so it cannot be shown unsanitized.

use std::collections::BTreeMap;

use serde::Serialize;

use super::text::SafeText;

/// The engine's container state, as `docker ps` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ContainerState {
    Running,
    Restarting,
    Paused,
    Created,
    Removing,
    Exited,
    Dead,
    Unknown,
}

impl ContainerState {
    pub fn parse(s: &str) -> Self {
        match s {
            "running" => Self::Running,
            "restarting" => Self::Restarting,
            "paused" => Self::Paused,
            "created" => Self::Created,
            "removing" => Self::Removing,
            "exited" => Self::Exited,
            "dead" => Self::Dead,
            _ => Self::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Running => "running",
            Self::Restarting => "restarting",
            Self::Paused => "paused",
            Self::Created => "created",
            Self::Removing => "removing",
            Self::Exited => "exited",
            Self::Dead => "dead",
            Self::Unknown => "unknown",
        }
    }
}

/// Healthcheck result, when the container has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    None,
    Starting,
    Healthy,
    Unhealthy,
}

impl Health {
    /// The engine puts health into the human status text: "Up 3 minutes (healthy)".
    pub fn from_status_text(status: &str) -> Self {
        if status.contains("(healthy)") {
            Self::Healthy
        } else if status.contains("(unhealthy)") {
            Self::Unhealthy
        } else if status.contains("(health: starting)") {
            Self::Starting
        } else {
            Self::None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "",
            Self::Starting => "starting",
            Self::Healthy => "healthy",
            Self::Unhealthy => "unhealthy",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PortMapping {
    pub ip: Option<String>,
    pub private_port: u16,
    pub public_port: Option<u16>,
    pub protocol: String,
}

impl PortMapping {
    /// Compact form for narrow columns: `8080->80/tcp`, or `80/tcp` when unpublished.
    pub fn short(&self) -> String {
        let proto = if self.protocol == "tcp" {
            String::new()
        } else {
            format!("/{}", self.protocol)
        };
        match self.public_port {
            Some(public) => format!("{public}->{}{proto}", self.private_port),
            None => format!("{}{proto}", self.private_port),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MountKind {
    Volume,
    Bind,
    Tmpfs,
    Other,
}

impl MountKind {
    pub fn parse(s: &str) -> Self {
        match s {
            "volume" => Self::Volume,
            "bind" => Self::Bind,
            "tmpfs" => Self::Tmpfs,
            _ => Self::Other,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Volume => "volume",
            Self::Bind => "bind",
            Self::Tmpfs => "tmpfs",
            Self::Other => "other",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mount {
    pub kind: MountKind,
    /// Volume name, for volume mounts.
    pub name: Option<SafeText>,
    pub source: SafeText,
    pub destination: SafeText,
    pub read_write: bool,
}

/// The engine puts it on every swarm task's container.
pub const LABEL_SWARM_SERVICE: &str = "com.docker.swarm.service.name";

/// One container on one host.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Container {
    pub host: String,
    pub id: String,
    pub name: SafeText,
    pub image: SafeText,
    pub command: SafeText,
    pub labels: BTreeMap<SafeText, SafeText>,
    pub state: ContainerState,
    /// The engine's human status ("Up 5 minutes (healthy)", "Exited (137) 2 seconds ago").
    pub status: SafeText,
    pub health: Health,
    /// Unix seconds.
    pub created: i64,
    /// Unix seconds when the current run started, when known or estimated.
    pub started_at: Option<i64>,
    pub ports: Vec<PortMapping>,
    pub mounts: Vec<Mount>,
    /// Addresses on the container's networks (balancer servers point at these).
    pub ips: Vec<String>,
}

/// The first 12 characters of an id, as the docker CLI shows it. Cut by
/// characters, not bytes: an id from a journal, a label or an engine that
/// is not hex must not split a character (a panic on foreign input).
pub fn short_id(id: &str) -> &str {
    match id.char_indices().nth(12) {
        Some((end, _)) => &id[..end],
        None => id,
    }
}

impl Container {
    pub fn short_id(&self) -> &str {
        short_id(&self.id)
    }

    /// Running as `docker ps` counts it: paused and restarting are not.
    pub fn is_running(&self) -> bool {
        self.state == ContainerState::Running
    }

    /// A swarm task's container that no longer runs: history, not a
    /// member of anything — swarm runs another in its place (or is about
    /// to), and keeps a few ended ones per slot.
    pub fn is_ended_swarm_task(&self) -> bool {
        !self.is_running() && self.labels.contains_key(LABEL_SWARM_SERVICE)
    }

    /// Published ports, de-duplicated across IPv4/IPv6 bindings, in the
    /// order of their numbers (the engine lists them in any order, so two
    /// members of one ensemble read alike).
    pub fn ports_short(&self) -> String {
        let mut ports: Vec<&PortMapping> = self.ports.iter().collect();
        ports.sort_by_key(|p| (p.public_port.unwrap_or(p.private_port), p.private_port));
        let mut seen: Vec<String> = Vec::new();
        for p in ports {
            let s = p.short();
            if !seen.contains(&s) {
                seen.push(s);
            }
        }
        seen.join(",")
    }
}

/// A CPU and memory sample for one container.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stats {
    pub cpu_percent: f64,
    pub memory_bytes: u64,
    pub memory_limit: u64,
}

/// Estimate when a running container started from the engine's status text
/// ("Up 3 hours"), which the list endpoint gives without an inspect per container.
/// Returns seconds ago; `None` when the text does not say.
pub fn uptime_from_status(status: &str) -> Option<i64> {
    let rest = status.strip_prefix("Up ")?;
    let rest = rest.split(" (").next().unwrap_or(rest).trim();
    let lower = rest.to_ascii_lowercase();
    if lower.starts_with("less than a second") {
        return Some(0);
    }
    let (count, unit) = match lower
        .strip_prefix("about an ")
        .or(lower.strip_prefix("about a "))
    {
        Some(unit) => (1, unit.to_string()),
        None => {
            let mut parts = lower.splitn(2, ' ');
            let n: i64 = parts.next()?.parse().ok()?;
            (n, parts.next()?.to_string())
        }
    };
    let unit_secs = match unit.trim_end_matches('s') {
        "second" => 1,
        "minute" => 60,
        "hour" => 3600,
        "day" => 86_400,
        "week" => 604_800,
        "month" => 2_592_000,
        "year" => 31_536_000,
        _ => return None,
    };
    Some(count * unit_secs)
}

/// "5s", "12m", "3h", "4d": the uptime column at a glance.
pub fn human_duration(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// "512B", "3.4K", "120M", "1.2G" in powers of 1024, as `docker stats` does.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "K", "M", "G", "T"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes}B")
    } else if value < 10.0 {
        format!("{value:.1}{}", UNITS[unit])
    } else {
        format!("{value:.0}{}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uptime_parses_engine_status_texts() {
        assert_eq!(uptime_from_status("Up Less than a second"), Some(0));
        assert_eq!(uptime_from_status("Up 3 seconds"), Some(3));
        assert_eq!(uptime_from_status("Up About a minute"), Some(60));
        assert_eq!(uptime_from_status("Up 5 minutes (healthy)"), Some(300));
        assert_eq!(uptime_from_status("Up About an hour"), Some(3600));
        assert_eq!(uptime_from_status("Up 2 days (Paused)"), Some(172_800));
        assert_eq!(uptime_from_status("Exited (0) 3 minutes ago"), None);
        assert_eq!(uptime_from_status("Created"), None);
    }

    #[test]
    fn health_comes_from_status_text() {
        assert_eq!(
            Health::from_status_text("Up 1 minute (healthy)"),
            Health::Healthy
        );
        assert_eq!(
            Health::from_status_text("Up 1 minute (unhealthy)"),
            Health::Unhealthy
        );
        assert_eq!(
            Health::from_status_text("Up 2 seconds (health: starting)"),
            Health::Starting
        );
        assert_eq!(Health::from_status_text("Up 1 minute"), Health::None);
    }

    #[test]
    fn durations_and_sizes_are_compact() {
        assert_eq!(human_duration(59), "59s");
        assert_eq!(human_duration(61), "1m");
        assert_eq!(human_duration(7200), "2h");
        assert_eq!(human_duration(200_000), "2d");
        assert_eq!(human_bytes(512), "512B");
        assert_eq!(human_bytes(3 * 1024 + 400), "3.4K");
        assert_eq!(human_bytes(120 * 1024 * 1024), "120M");
    }

    #[test]
    fn ports_are_deduplicated_across_ip_families() {
        let p = |ip: &str| PortMapping {
            ip: Some(ip.into()),
            private_port: 80,
            public_port: Some(8080),
            protocol: "tcp".into(),
        };
        let mut c = crate::model::testing::container("h", "web");
        c.ports = vec![p("0.0.0.0"), p("::")];
        assert_eq!(c.ports_short(), "8080->80");
        let exposed = |port: u16| PortMapping {
            ip: None,
            private_port: port,
            public_port: None,
            protocol: "tcp".into(),
        };
        c.ports = vec![exposed(8080), exposed(2181), exposed(3888), exposed(2888)];
        assert_eq!(c.ports_short(), "2181,2888,3888,8080");
    }

    #[test]
    fn a_short_id_is_cut_by_characters_not_bytes() {
        assert_eq!(short_id("0123456789abcdef"), "0123456789ab");
        assert_eq!(short_id("abc"), "abc");
        assert_eq!(short_id(""), "");
        // Byte 12 falls inside a character: cut after the twelfth one.
        assert_eq!(short_id("ééééééééééééé"), "éééééééééééé");
        assert_eq!(short_id("0123456789aé€x"), "0123456789aé");
        let mut c = crate::model::testing::container("h", "web");
        c.id = "ü".repeat(20);
        assert_eq!(c.short_id(), "ü".repeat(12));
    }
}
