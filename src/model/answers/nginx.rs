//! What an nginx container showed: the upstreams of its configuration and
//! whether it can reach their servers, as `probes::nginx` parses it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::SafeText;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpstreamServer {
    /// As written: `host:port`, `host` (port 80) or `unix:/path`.
    pub address: SafeText,
    pub backup: bool,
    pub down: bool,
    pub weight: Option<u32>,
}

impl UpstreamServer {
    /// Host and port to try, when the address is a TCP one with safe characters.
    pub fn host_port(&self) -> Option<(String, u16)> {
        if self.address.starts_with("unix:") {
            return None;
        }
        let (host, port) = match self.address.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') || h.starts_with('[') => {
                (h.trim_matches(['[', ']']), p.parse().ok()?)
            }
            _ => (self.address.as_str(), 80),
        };
        let safe = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-:".contains(c));
        safe.then(|| (host.to_string(), port))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Upstream {
    pub name: SafeText,
    pub servers: Vec<UpstreamServer>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Reach {
    Ok,
    Fail,
    /// No tool in the container to try with, or an address not tried.
    Unchecked,
}

/// One probe round of an nginx container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NginxProbe {
    pub upstreams: Vec<Upstream>,
    /// By `host:port` as tried.
    pub reach: BTreeMap<SafeText, Reach>,
}

impl NginxProbe {
    pub fn reach_of(&self, server: &UpstreamServer) -> Reach {
        server
            .host_port()
            .and_then(|(h, p)| self.reach.get(format!("{h}:{p}").as_str()).copied())
            .unwrap_or(Reach::Unchecked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_default_to_port_80_and_refuse_odd_characters() {
        let s = |a: &str| UpstreamServer {
            address: SafeText::from_foreign(a),
            backup: false,
            down: false,
            weight: None,
        };
        assert_eq!(s("app:8080").host_port(), Some(("app".into(), 8080)));
        assert_eq!(s("app").host_port(), Some(("app".into(), 80)));
        assert_eq!(s("[::1]:81").host_port(), Some(("::1".into(), 81)));
        assert_eq!(s("unix:/run/app.sock").host_port(), None);
        assert_eq!(s("a$(reboot):80").host_port(), None);
    }
}
