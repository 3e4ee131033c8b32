//! Everything a create needs before its plan can be shown: what already
//! runs on every host (for name and port collisions), the address each
//! host's published ports are reached at (spread ensembles), and fresh
//! secrets. Shared by `tugboat create` and the wizard.

use std::io::Read;

use super::plan::{create_plan, CreatePlan, CreatePlanError, PlacedHost, Secrets};
use super::spec::ClusterSpec;
use crate::config::{HostSpec, Settings};
use crate::docker::{snapshot, HostError, HostHandle};
use crate::model::address::{reach_address, url_address, AddressError, HostAddress};
use crate::model::{Host, HostUpdate, Inventory};
use crate::ops::journal_holder::random_token;

/// Why there is no plan. All but `Secrets` are about a spec field, and most
/// start with it (`field: message`).
#[derive(Debug, thiserror::Error)]
pub enum Unprepared {
    #[error("cannot generate passwords: {0}")]
    Secrets(#[from] NoRandomness),
    /// The engine was asked for its bridge address and failed.
    #[error("placement.addresses.{host}: {source}")]
    BridgeFailed { host: String, source: HostError },
    #[error(transparent)]
    Address(#[from] AddressError),
    #[error(transparent)]
    Plan(#[from] CreatePlanError),
}

/// The kernel's random source could not be read.
#[derive(Debug, thiserror::Error)]
#[error("/dev/urandom: {0}")]
pub struct NoRandomness(#[from] std::io::Error);

/// A password of letters and digits from the kernel's random source, with
/// no bias (bytes past the last whole multiple of 62 are skipped).
pub fn random_password(len: usize) -> Result<String, NoRandomness> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut file = std::fs::File::open("/dev/urandom")?;
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        file.read_exact(&mut buf)?;
        for b in buf {
            if b < 248 && out.len() < len {
                out.push(ALPHABET[(b % 62) as usize] as char);
            }
        }
    }
    Ok(out)
}

/// The address other hosts' containers reach `name`'s published ports at
/// (see `model::address::reach_address`); the engine is asked only when the
/// spec and the URL say nothing.
async fn address_of(
    spec: &ClusterSpec,
    name: &str,
    url: &str,
    h: &HostHandle,
) -> Result<HostAddress, Unprepared> {
    let over = spec.placement.addresses.get(name).map(String::as_str);
    let bridge = if over.is_none() && url_address(url).is_none() {
        h.bridge_address()
            .await
            .map_err(|source| Unprepared::BridgeFailed {
                host: name.into(),
                source,
            })?
    } else {
        None
    };
    Ok(reach_address(name, url, over, bridge)?)
}

/// What every host runs now (containers and volumes), for the plan's
/// collision checks.
async fn inventory(specs: &[HostSpec], settings: &Settings) -> Inventory {
    let snaps = futures_util::future::join_all(specs.iter().map(|s| snapshot(s, settings))).await;
    let hosts = specs
        .iter()
        .map(|s| Host::new(&s.name, &s.url, &s.source.to_string()))
        .collect();
    let mut inv = Inventory::new(hosts);
    for (s, snap) in specs.iter().zip(snaps) {
        if let Ok(snap) = snap {
            inv.apply(HostUpdate::Listed {
                host: s.name.clone(),
                containers: snap.containers,
                volumes: snap.volumes,
            });
        }
    }
    inv
}

/// The plan for `spec` against what runs now, with fresh secrets. `hosts`
/// are the handles of `specs`, in the same order.
pub async fn prepare(
    spec: &ClusterSpec,
    specs: &[HostSpec],
    hosts: &[HostHandle],
    settings: &Settings,
) -> Result<(CreatePlan, Secrets), Unprepared> {
    let inventory = inventory(specs, settings).await;
    let spread = spec.placement.hosts.len() > 1;
    let mut placed = Vec::new();
    for (h, s) in hosts.iter().zip(specs) {
        let address = if spread && spec.placement.hosts.contains(&s.name) {
            h.wait_connected(settings.request_timeout).await;
            Some(address_of(spec, &s.name, &s.url, h).await?)
        } else {
            None
        };
        placed.push(PlacedHost {
            name: s.name.clone(),
            address,
        });
    }
    let secrets = Secrets {
        root_password: random_password(24)?,
        replication_password: random_password(24)?,
        app_password: random_password(24)?,
    };
    let mut plan = create_plan(spec, &placed, &inventory, &secrets)?;
    // Chosen with the plan: its objects carry it from their creation on.
    plan.stamp(random_token().map_err(NoRandomness)?);
    Ok((plan, secrets))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_letters_and_digits_and_differ() {
        let a = random_password(24).unwrap();
        let b = random_password(24).unwrap();
        assert_eq!(a.len(), 24);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()), "{a}");
        assert_ne!(a, b);
    }
}
