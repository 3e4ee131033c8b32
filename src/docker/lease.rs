//! Leases that the engines keep: a named volume per held thing, whose
//! labels say who holds it. Names are unique per engine and a volume
//! created under a name that exists comes back as the one that exists,
//! with its labels: whoever created it first holds the lease, and every
//! later creator reads who that is, in one request, with no window
//! between the check and the take. (ops/base/leases.rs decides what is leased
//! and when.)

use std::collections::{BTreeMap, HashMap};

use bollard::models::VolumeCreateRequest;
use bollard::query_parameters::ListVolumesOptions;

use super::connect::bounded;
use super::handle::{HostError, HostHandle};

/// Labels of a lease volume.
pub type LeaseLabels = BTreeMap<String, String>;

/// Every lease volume's name starts so.
pub const LEASE_PREFIX: &str = crate::model::timeline::LEASE_VOLUME_PREFIX;

/// The label every lease carries: the thing held, in words.
pub const LEASE_LABEL: &str = "io.tugboat.lease";

impl HostHandle {
    /// Create lease `name` with `labels`, or find the one that exists:
    /// the labels of the lease as the engine holds it (ours when we took
    /// it, the holder's when someone else had).
    pub async fn take_lease(
        &self,
        name: &str,
        labels: &LeaseLabels,
    ) -> Result<LeaseLabels, HostError> {
        let docker = self.mutation().await?;
        let request = VolumeCreateRequest {
            name: Some(name.into()),
            labels: Some(labels.clone().into_iter().collect()),
            ..Default::default()
        };
        let volume = bounded(self.timeout, "take lease", docker.create_volume(request)).await?;
        Ok(volume.labels.into_iter().collect())
    }

    /// The lease volumes on this engine carrying every one of `labels`
    /// (`KEY=VALUE` or `KEY`): (name, labels).
    pub async fn leases(&self, labels: &[String]) -> Result<Vec<(String, LeaseLabels)>, HostError> {
        let docker = self.docker().await?;
        let filters = HashMap::from([("label".to_string(), labels.to_vec())]);
        let found = bounded(
            self.timeout,
            "list leases",
            docker.list_volumes(Some(ListVolumesOptions {
                filters: Some(filters),
            })),
        )
        .await?;
        Ok(found
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(|v| (v.name, v.labels.into_iter().collect()))
            .collect())
    }
}
