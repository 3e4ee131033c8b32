//! Checks the wizard makes against what runs: the configured hosts (and
//! the address each one's published ports are reached at) and names
//! already in use on any of them.

use crate::create::plan::PlacedHost;
use crate::create::spec::check_name;
use crate::model::Inventory;

/// The configured hosts and the address their published ports are reached
/// at: a tcp/ssh host's address, or the loopback for a local socket.
pub fn placed_hosts(inv: &Inventory) -> Vec<PlacedHost> {
    inv.hosts
        .iter()
        .map(|h| {
            let rest = h.url.split_once("://").map_or("", |(_, r)| r);
            let authority = rest.split('/').next().unwrap_or("");
            let host_part = authority.rsplit('@').next().unwrap_or("");
            let address = host_part.split(':').next().unwrap_or("");
            let address = if h.url.starts_with("unix:") || address.is_empty() {
                "127.0.0.1".to_string()
            } else {
                address.to_string()
            };
            PlacedHost {
                name: h.name.clone(),
                address,
            }
        })
        .collect()
}

pub use crate::create::plan::name_collisions;

pub fn name_problem(name: &str, inv: &Inventory) -> Option<String> {
    if let Err(e) = check_name(name) {
        return Some(e);
    }
    let taken = name_collisions(name, inv);
    match taken.len() {
        0 => None,
        1 => Some(format!("taken: {}", taken[0])),
        n => Some(format!("taken: {} and {} more", taken[0], n - 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Host;

    #[test]
    fn hosts_are_reached_at_their_url_address_or_loopback() {
        let inv = Inventory::new(vec![
            Host::new("local", "unix:///var/run/docker.sock", "flag"),
            Host::new("b", "tcp://10.0.0.12:2376", "config"),
            Host::new("c", "ssh://ops@db3.example:22", "config"),
        ]);
        let addresses: Vec<(String, String)> = placed_hosts(&inv)
            .into_iter()
            .map(|h| (h.name, h.address))
            .collect();
        assert_eq!(
            addresses,
            [
                ("local".to_string(), "127.0.0.1".to_string()),
                ("b".into(), "10.0.0.12".into()),
                ("c".into(), "db3.example".into()),
            ]
        );
    }
}
