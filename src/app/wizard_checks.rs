//! Checks the wizard makes against what runs: the configured hosts (and
//! the address each one's published ports are reached at), names already
//! in use on any of them, and images the chosen hosts do not have.

use std::collections::BTreeMap;

use crate::create::images::has_image;
use crate::create::plan::{CreatePlanError, PlacedHost};
use crate::create::spec::check_name;
use crate::model::address::{reach_address, AddressSource, HostAddress};
use crate::model::Inventory;

/// Why the Review has no plan, in the create layer's words; its error
/// knows the spec field it is about, so the wizard can send the user back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(transparent)]
pub struct NoPlan(pub CreatePlanError);

impl NoPlan {
    /// The spec field to change, dotted as in the TOML (empty when the
    /// error names none).
    pub fn field(&self) -> String {
        self.0.field().unwrap_or_default()
    }

    /// A published port some running container already uses.
    pub fn taken_port(&self) -> Option<u16> {
        match &self.0 {
            CreatePlanError::PortTaken { port, .. } => Some(*port),
            _ => None,
        }
    }
}

/// The configured hosts and the address their published ports are reached
/// at, as far as the inventory tells (no I/O here): a tcp/ssh host's
/// address, else a placeholder for the bridge address its engine is asked
/// for when the cluster is created.
pub fn placed_hosts(inv: &Inventory) -> Vec<PlacedHost> {
    inv.hosts
        .iter()
        .map(|h| {
            let at_create =
                HostAddress::new(format!("<bridge of {}>", h.name), AddressSource::AtCreate);
            PlacedHost {
                name: h.name.clone(),
                address: reach_address(&h.name, &h.url, None, Some(at_create)).ok(),
            }
        })
        .collect()
}

/// The address column of the placement step.
pub fn address_label(h: &PlacedHost) -> String {
    match &h.address {
        Some(a) if a.source == AddressSource::AtCreate => "bridge address, asked at create".into(),
        Some(a) => a.address.clone(),
        None => String::new(),
    }
}

pub use crate::create::plan::name_collisions;

pub fn name_problem(name: &str, inv: &Inventory) -> Option<String> {
    if let Err(e) = check_name(name) {
        return Some(e.to_string());
    }
    let taken = name_collisions(name, inv);
    match taken.len() {
        0 => None,
        1 => Some(format!("taken: {}", taken[0])),
        n => Some(format!("taken: {} and {} more", taken[0], n - 1)),
    }
}

/// The settings fields that name an image.
pub const IMAGE_FIELDS: &[&str] = &[
    "zookeeper.image",
    "database.image",
    "database.haproxy_image",
    "app.image",
    "app.haproxy_image",
];

/// Why `image` cannot run on the chosen `hosts`, judged from the tags the
/// hosts reported (a host that has not answered is not judged).
pub fn image_problem(
    image: &str,
    hosts: &[String],
    images: &BTreeMap<String, Vec<String>>,
) -> Option<String> {
    let missing: Vec<&str> = hosts
        .iter()
        .filter(|h| images.get(*h).is_some_and(|tags| !has_image(tags, image)))
        .map(String::as_str)
        .collect();
    match missing.as_slice() {
        [] => None,
        [h] => Some(format!(
            "not on host {h}: run `docker pull {image}` on {h} first"
        )),
        hs => Some(format!(
            "not on hosts {}: run `docker pull {image}` on each first",
            hs.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Host;

    #[test]
    fn hosts_are_reached_at_their_url_address_or_their_bridge() {
        let inv = Inventory::new(vec![
            Host::new("local", "unix:///var/run/docker.sock", "flag"),
            Host::new("b", "tcp://10.0.0.12:2376", "config"),
            Host::new("c", "ssh://ops@db3.example:22", "config"),
        ]);
        let addresses: Vec<(String, String)> = placed_hosts(&inv)
            .into_iter()
            .map(|h| (h.name.clone(), address_label(&h)))
            .collect();
        assert_eq!(
            addresses,
            [
                (
                    "local".to_string(),
                    "bridge address, asked at create".to_string()
                ),
                ("b".into(), "10.0.0.12".into()),
                ("c".into(), "db3.example".into()),
            ]
        );
    }

    #[test]
    fn an_image_missing_on_a_chosen_host_names_the_pull() {
        let images = BTreeMap::from([
            ("a".to_string(), vec!["zookeeper:3.9".to_string()]),
            ("b".to_string(), vec![]),
        ]);
        let hosts = |h: &[&str]| h.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            image_problem("zookeeper:3.9", &hosts(&["a"]), &images),
            None
        );
        assert_eq!(
            image_problem("zookeeper:3.9", &hosts(&["a", "b"]), &images).as_deref(),
            Some("not on host b: run `docker pull zookeeper:3.9` on b first")
        );
        // Not answered yet: not judged.
        assert_eq!(
            image_problem("zookeeper:3.9", &hosts(&["c"]), &images),
            None
        );
    }
}
