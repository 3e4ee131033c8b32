//! A throwaway copy of a server, booted on a restored volume to prove the
//! backup brings it back: the same image, entrypoint, command, user and
//! environment as the container that used the volume, the restored volume
//! where that one had it, and no network (it must not join its cluster or
//! take its clients). Labelled as a helper, so a copy left by a killed
//! tugboat is found and removed like any helper.

use std::collections::HashMap;

use bollard::models::{ContainerCreateBody, HostConfig, Mount, MountType};
use bollard::query_parameters::{CreateContainerOptions, InspectContainerOptions};

use super::connect::bounded;
use super::handle::{HostError, HostHandle};
use super::volume_io::{HELPER_LABEL, HELPER_VOLUME_LABEL};

/// What the copy keeps of its model.
pub struct CloneOf<'a> {
    /// The container that used the volume (id or name).
    pub model: &'a str,
    /// The restored volume and where the model mounted its original.
    pub volume: &'a str,
    pub destination: &'a str,
    /// Environment entries the copy must not get (`NAME`), e.g. the
    /// ensemble's member list, so a ZooKeeper copy runs standalone.
    pub drop_env: &'a [&'a str],
}

impl HostHandle {
    /// Create (not start) the copy; returns its id.
    pub async fn create_clone(&self, c: &CloneOf<'_>) -> Result<String, HostError> {
        let docker = self.mutation().await?;
        let model = bounded(
            self.timeout,
            "inspect container",
            docker.inspect_container(c.model, None::<InspectContainerOptions>),
        )
        .await
        .map_err(HostError::from)?;
        let config = model.config.unwrap_or_default();
        let env = config.env.map(|env| {
            env.into_iter()
                .filter(|e| {
                    let name = e.split('=').next().unwrap_or("");
                    !c.drop_env.contains(&name)
                })
                .collect()
        });
        let labels = HashMap::from([
            (HELPER_LABEL.to_string(), "restore-check".to_string()),
            (HELPER_VOLUME_LABEL.to_string(), c.volume.to_string()),
        ]);
        let body = ContainerCreateBody {
            image: config.image,
            entrypoint: config.entrypoint,
            cmd: config.cmd,
            env,
            user: config.user,
            working_dir: config.working_dir,
            labels: Some(labels),
            network_disabled: Some(true),
            host_config: Some(HostConfig {
                mounts: Some(vec![Mount {
                    target: Some(c.destination.to_string()),
                    source: Some(c.volume.to_string()),
                    typ: Some(MountType::VOLUME),
                    ..Default::default()
                }]),
                network_mode: Some("none".to_string()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let created = bounded(
            self.create_limit(),
            "create the restored copy",
            docker.create_container(None::<CreateContainerOptions>, body),
        )
        .await
        .map_err(HostError::from)?;
        Ok(created.id)
    }
}
