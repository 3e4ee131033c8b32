//! The address at which containers on other hosts reach a host's published
//! ports (a cluster spread over hosts talks through them), and where that
//! address came from, so a plan can show it and a wrong one can be traced.
//! Pure: the engine's answers are passed in.

use std::net::{IpAddr, Ipv4Addr};

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum AddressSource {
    /// `placement.addresses` in the spec.
    Spec,
    /// The host part of the host's tcp://, https:// or ssh:// URL.
    Url,
    /// The gateway in the bridge network's IPAM config (an engine that has
    /// run a while fills it; a freshly started one often does not).
    BridgeGateway,
    /// The gateway a container on the bridge network is given: the bridge's
    /// own address, as the engine reports it.
    BridgeContainer { container: String },
    /// The first address of the bridge network's subnet, which the engine
    /// gives the bridge when no address was configured for it.
    BridgeSubnet { subnet: String },
    /// Not known yet: asked of the engine when the cluster is created (the
    /// wizard's review, which does no I/O).
    AtCreate,
}

impl std::fmt::Display for AddressSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Spec => write!(f, "set in the spec"),
            Self::Url => write!(f, "from the host's URL"),
            Self::BridgeGateway => write!(f, "the bridge network's gateway"),
            Self::BridgeContainer { container } => {
                write!(f, "the bridge's address, as container {container} sees it")
            }
            Self::BridgeSubnet { subnet } => {
                write!(f, "the first address of the bridge's subnet {subnet}")
            }
            Self::AtCreate => write!(f, "asked of the engine at create time"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostAddress {
    pub address: String,
    pub source: AddressSource,
}

impl HostAddress {
    pub fn new(address: impl Into<String>, source: AddressSource) -> Self {
        Self {
            address: address.into(),
            source,
        }
    }

    /// An address an engine reported (`source`), for host `host`: taken
    /// only as an IP address, since it goes to other hosts' containers.
    pub fn from_engine(
        host: &str,
        text: &str,
        source: AddressSource,
    ) -> Result<Self, AddressError> {
        match text.trim().parse::<IpAddr>() {
            Ok(ip) => Ok(Self::new(ip.to_string(), source)),
            Err(_) => Err(AddressError::EngineNotIp {
                host: crate::model::sanitize(host),
                seen: crate::model::sanitize(&text.chars().take(80).collect::<String>()),
                reported_as: source,
            }),
        }
    }
}

impl std::fmt::Display for HostAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.address, self.source)
    }
}

/// The first usable address of an IPv4 subnet (`172.17.0.0/16` →
/// `172.17.0.1`); None for anything else, or a subnet too small to hold one.
pub fn first_address(subnet: &str) -> Option<String> {
    let (net, bits) = subnet.trim().split_once('/')?;
    let net: Ipv4Addr = net.parse().ok()?;
    let bits: u32 = bits.parse().ok()?;
    if bits > 30 {
        return None;
    }
    let mask = if bits == 0 {
        0
    } else {
        u32::MAX << (32 - bits)
    };
    let first = (u32::from(net) & mask).checked_add(1)?;
    Some(Ipv4Addr::from(first).to_string())
}

/// An address no container on another host can use to reach this one.
fn is_local_only(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() || host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback() || ip.is_unspecified(),
        Err(_) => false,
    }
}

/// A host name or an address other hosts may use, and nothing a program
/// given it as an argument could read as anything else (no leading `-`).
fn usable(host: &str) -> bool {
    !is_local_only(host)
        && !host.starts_with('-')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".:-".contains(c))
}

/// The host part of a tcp://, https:// or ssh:// URL when other hosts can
/// use it (not loopback, not 0.0.0.0); None for unix sockets and the rest.
pub fn url_address(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if !matches!(scheme, "tcp" | "https" | "http" | "ssh") {
        return None;
    }
    let authority = rest.split('/').next().unwrap_or(rest);
    let host_port = authority.rsplit('@').next().unwrap_or(authority);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or(v6)
    } else {
        host_port.split(':').next().unwrap_or(host_port)
    };
    usable(host).then(|| host.to_string())
}

/// Why no address is known for a host's published ports. Both name the
/// spec field that would settle it, so a plan can send the user there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// The spec's override is local-only, or not a plain host name or
    /// address (it is given to a check container's programs).
    #[error(
        "placement.addresses.{host}: {address:?} cannot be reached from another host's containers"
    )]
    Unusable { host: String, address: String },
    /// The engine reported something other than an IP address for its
    /// bridge (`seen`, sanitized): not used, not guessed around.
    #[error(
        "placement.addresses.{host}: the engine reported {seen:?} as {reported_as}, which is not \
         an IP address; set the address in the spec"
    )]
    EngineNotIp {
        host: String,
        seen: String,
        reported_as: AddressSource,
    },
    /// Neither the URL nor the engine's bridge network gives one.
    #[error(
        "placement.addresses.{host}: cannot tell where other hosts reach {host}'s published ports \
         ({url} names no address they can use and its engine reports no bridge address); \
         set it in the spec"
    )]
    Unknown { host: String, url: String },
}

/// The address for host `name`: the spec's override, else its URL's host,
/// else what its engine says of its bridge network. An override that no
/// other host could use is refused rather than planned.
pub fn reach_address(
    name: &str,
    url: &str,
    spec_override: Option<&str>,
    bridge: Option<HostAddress>,
) -> Result<HostAddress, AddressError> {
    if let Some(a) = spec_override {
        if !usable(a) {
            return Err(AddressError::Unusable {
                host: name.into(),
                address: a.into(),
            });
        }
        return Ok(HostAddress::new(a.trim(), AddressSource::Spec));
    }
    if let Some(a) = url_address(url) {
        return Ok(HostAddress::new(a, AddressSource::Url));
    }
    bridge.ok_or_else(|| AddressError::Unknown {
        host: name.into(),
        url: url.into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_address_of_a_subnet() {
        assert_eq!(
            first_address("172.17.0.0/16").as_deref(),
            Some("172.17.0.1")
        );
        assert_eq!(
            first_address("10.1.2.128/25").as_deref(),
            Some("10.1.2.129")
        );
        // A subnet given by one of its addresses still starts at its base.
        assert_eq!(
            first_address("192.168.5.5/24").as_deref(),
            Some("192.168.5.1")
        );
        assert_eq!(first_address("fd00::/64"), None);
        assert_eq!(first_address("10.0.0.0/31"), None);
        assert_eq!(first_address(""), None);
    }

    #[test]
    fn url_addresses_skip_loopback_and_sockets() {
        assert_eq!(
            url_address("tcp://10.0.0.5:2376").as_deref(),
            Some("10.0.0.5")
        );
        assert_eq!(
            url_address("https://db1.example:2376/").as_deref(),
            Some("db1.example")
        );
        assert_eq!(url_address("ssh://ops@edge").as_deref(), Some("edge"));
        assert_eq!(url_address("ssh://ops@edge:22").as_deref(), Some("edge"));
        assert_eq!(
            url_address("tcp://[fd00::5]:2375").as_deref(),
            Some("fd00::5")
        );
        assert_eq!(url_address("tcp://127.0.0.31:2375"), None);
        assert_eq!(url_address("tcp://localhost:2375"), None);
        assert_eq!(url_address("tcp://0.0.0.0:2375"), None);
        assert_eq!(url_address("tcp://[::1]:2375"), None);
        assert_eq!(url_address("unix:///var/run/docker.sock"), None);
    }

    #[test]
    fn the_override_wins_then_the_url_then_the_bridge() {
        let bridge = Some(HostAddress::new("172.17.0.1", AddressSource::BridgeGateway));
        let a = reach_address(
            "b",
            "tcp://10.0.0.5:2376",
            Some("192.168.1.5"),
            bridge.clone(),
        );
        assert_eq!(
            a.unwrap(),
            HostAddress::new("192.168.1.5", AddressSource::Spec)
        );
        let a = reach_address("b", "tcp://10.0.0.5:2376", None, bridge.clone());
        assert_eq!(a.unwrap(), HostAddress::new("10.0.0.5", AddressSource::Url));
        let a = reach_address("local", "unix:///var/run/docker.sock", None, bridge.clone());
        assert_eq!(a.unwrap(), bridge.clone().unwrap());
        // A loopback URL says nothing to other hosts: the bridge answers.
        let a = reach_address("d", "tcp://127.0.0.31:2375", None, bridge);
        assert_eq!(a.unwrap().source, AddressSource::BridgeGateway);
    }

    #[test]
    fn no_address_or_an_unusable_override_is_refused_with_the_field() {
        let e = reach_address("local", "unix:///var/run/docker.sock", None, None)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "placement.addresses.local: cannot tell where other hosts reach local's published ports \
             (unix:///var/run/docker.sock names no address they can use and its engine reports no \
             bridge address); set it in the spec"
        );
        assert!(e.starts_with("placement.addresses.local:"), "{e}");
        assert!(e.contains("set it in the spec"), "{e}");
        let e = reach_address("b", "tcp://10.0.0.5:2376", Some(""), None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("placement.addresses.b:"), "{e}");
        let e = reach_address("b", "tcp://10.0.0.5:2376", Some("127.0.0.1"), None)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "placement.addresses.b: \"127.0.0.1\" cannot be reached from another host's containers"
        );
        // It is given to a check container's programs: a host name or an address only.
        for bad in ["a;rm -rf /", "-e/bin/sh", "$(id)", "a b", "10.0.0.1\n"] {
            let e = reach_address("b", "tcp://10.0.0.5:2376", Some(bad), None).unwrap_err();
            assert!(e.to_string().contains("cannot be reached"), "{bad}: {e}");
        }
        assert_eq!(url_address("tcp://-oProxy:2375"), None);
    }

    #[test]
    fn an_engine_address_is_taken_only_as_an_ip() {
        let a = HostAddress::from_engine("b", "172.17.0.1", AddressSource::BridgeGateway).unwrap();
        assert_eq!(
            a,
            HostAddress::new("172.17.0.1", AddressSource::BridgeGateway)
        );
        let a = HostAddress::from_engine("b", "fd00::1", AddressSource::BridgeGateway).unwrap();
        assert_eq!(a.address, "fd00::1");
        for hostile in [
            "172.17.0.1; touch /tmp/pwned",
            "$(touch /tmp/pwned)",
            "172.17.0.1\" >/dev/null; id; echo \"",
            "-e/bin/sh",
            "gateway.example",
            "172.17.0.1/16",
            "\u{1b}[2J",
            "",
        ] {
            let e =
                HostAddress::from_engine("b", hostile, AddressSource::BridgeGateway).unwrap_err();
            assert!(matches!(e, AddressError::EngineNotIp { .. }), "{hostile:?}");
            let text = e.to_string();
            assert!(
                text.starts_with("placement.addresses.b: the engine reported")
                    && text.contains("the bridge network's gateway, which is not an IP address"),
                "{text}"
            );
            assert!(!text.contains('\u{1b}'), "{text}");
        }
    }

    #[test]
    fn sources_say_where_the_address_came_from() {
        let a = HostAddress::new(
            "172.17.0.1",
            AddressSource::BridgeSubnet {
                subnet: "172.17.0.0/16".into(),
            },
        );
        assert_eq!(
            a.to_string(),
            "172.17.0.1 (the first address of the bridge's subnet 172.17.0.0/16)"
        );
    }
}
