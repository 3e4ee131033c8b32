//! Creating and removing the objects of a cluster made by `tugboat create`:
//! networks, volumes and containers (files uploaded before start), and
//! finding what such a run made. Mutations go through
//! `HostHandle::mutation`, so read-only mode refuses them here.

use std::collections::HashMap;

use bollard::errors::Error as BollardError;
use bollard::models::{
    ContainerCreateBody, ContainerInspectResponse, EndpointSettings, HostConfig, Mount, MountType,
    NetworkCreateRequest, NetworkingConfig, PortBinding, VolumeCreateRequest,
};
use bollard::query_parameters::{
    CreateContainerOptions, InspectContainerOptions, InspectNetworkOptions, ListContainersOptions,
    ListImagesOptions, ListNetworksOptions, ListVolumesOptions, RemoveContainerOptions,
    RemoveVolumeOptions, UploadToContainerOptions,
};

use super::connect::bounded;
use super::handle::{HostError, HostHandle};
use super::tarball::tar_of;
use crate::model::new_objects::{FoundObject, JobLabel, NewContainer, ObjectKind};

/// What a container is doing, read live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunState {
    pub running: bool,
    pub status: String,
    pub exit_code: Option<i64>,
}

/// Objects carrying a cluster's label and tugboat's "created-by" label.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labelled {
    pub containers: Vec<String>,
    pub volumes: Vec<String>,
    pub networks: Vec<String>,
}

fn is_not_found(e: &BollardError) -> bool {
    matches!(
        e,
        BollardError::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

/// The create body for a planned container: one network at create time
/// (API 1.41 takes one), named volumes mounted, ports published.
pub fn container_body(c: &NewContainer) -> ContainerCreateBody {
    let mut exposed = Vec::new();
    let mut bindings = HashMap::new();
    for p in &c.ports {
        let key = format!("{}/tcp", p.container_port);
        exposed.push(key.clone());
        bindings.insert(
            key,
            Some(vec![PortBinding {
                host_ip: None,
                host_port: Some(p.host_port.to_string()),
            }]),
        );
    }
    let mounts: Vec<Mount> = c
        .mounts
        .iter()
        .map(|(volume, target)| Mount {
            target: Some(target.clone()),
            source: Some(volume.clone()),
            typ: Some(MountType::VOLUME),
            ..Default::default()
        })
        .collect();
    let networking_config = c.network.as_ref().map(|net| NetworkingConfig {
        endpoints_config: Some(HashMap::from([(
            net.clone(),
            EndpointSettings {
                aliases: (!c.aliases.is_empty()).then(|| c.aliases.clone()),
                ..Default::default()
            },
        )])),
    });
    ContainerCreateBody {
        image: Some(c.image.clone()),
        env: (!c.env.is_empty()).then(|| c.env.clone()),
        cmd: (!c.cmd.is_empty()).then(|| c.cmd.clone()),
        labels: Some(c.labels.clone().into_iter().collect()),
        exposed_ports: (!exposed.is_empty()).then_some(exposed),
        host_config: Some(HostConfig {
            network_mode: c.network.clone(),
            port_bindings: (!bindings.is_empty()).then_some(bindings),
            mounts: (!mounts.is_empty()).then_some(mounts),
            ..Default::default()
        }),
        networking_config,
        ..Default::default()
    }
}

impl HostHandle {
    /// Does a network, volume or container by that name exist here?
    pub async fn object_exists(&self, kind: ObjectKind, name: &str) -> Result<bool, HostError> {
        let docker = self.docker().await?;
        let ask = async {
            match kind {
                ObjectKind::Network => docker
                    .inspect_network(name, None::<InspectNetworkOptions>)
                    .await
                    .map(|n| n.name.as_deref() == Some(name)),
                ObjectKind::Volume => docker.inspect_volume(name).await.map(|_| true),
                ObjectKind::Container => docker
                    .inspect_container(name, None::<InspectContainerOptions>)
                    .await
                    .map(|_| true),
            }
        };
        let found = tokio::time::timeout(self.timeout, ask)
            .await
            .map_err(|_| HostError::Engine(format!("inspect {name}: no answer")))?;
        match found {
            Ok(found) => Ok(found),
            Err(e) if is_not_found(&e) => Ok(false),
            Err(e) => Err(HostError::Engine(format!("inspect {name}: {e}"))),
        }
    }

    /// The object called `name`, with its id and the job label it
    /// carries; None when there is none.
    pub async fn find_object(
        &self,
        kind: ObjectKind,
        name: &str,
    ) -> Result<Option<FoundObject>, HostError> {
        let docker = self.docker().await?;
        let ask = async {
            match kind {
                ObjectKind::Network => docker
                    .inspect_network(name, None::<InspectNetworkOptions>)
                    .await
                    .map(|n| {
                        // Looked up by a prefix of its id, it has another name.
                        (n.name.as_deref() == Some(name)).then(|| FoundObject {
                            id: n.id.clone().unwrap_or_else(|| name.to_string()),
                            job: JobLabel::of(n.labels.iter().flatten()),
                        })
                    }),
                ObjectKind::Volume => docker.inspect_volume(name).await.map(|v| {
                    Some(FoundObject {
                        id: v.name.clone(),
                        job: JobLabel::of(v.labels.iter()),
                    })
                }),
                ObjectKind::Container => docker
                    .inspect_container(name, None::<InspectContainerOptions>)
                    .await
                    .map(|c| {
                        let labels = c.config.as_ref().and_then(|c| c.labels.as_ref());
                        let named = c.name.as_deref().map(|n| n.trim_start_matches('/'));
                        (named == Some(name)).then(|| FoundObject {
                            id: c.id.clone().unwrap_or_else(|| name.to_string()),
                            job: JobLabel::of(labels.into_iter().flatten()),
                        })
                    }),
            }
        };
        let found = tokio::time::timeout(self.timeout, ask)
            .await
            .map_err(|_| HostError::Engine(format!("inspect {name}: no answer")))?;
        match found {
            Ok(found) => Ok(found),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(HostError::Engine(format!("inspect {name}: {e}"))),
        }
    }

    pub async fn create_network(
        &self,
        name: &str,
        labels: &std::collections::BTreeMap<String, String>,
    ) -> Result<(), HostError> {
        let docker = self.mutation().await?;
        let request = NetworkCreateRequest {
            name: name.into(),
            driver: Some("bridge".into()),
            labels: Some(labels.clone().into_iter().collect()),
            ..Default::default()
        };
        bounded(
            self.timeout * 2,
            "create network",
            docker.create_network(request),
        )
        .await
        .map(|_| ())
        .map_err(HostError::from)
    }

    pub async fn create_volume(
        &self,
        name: &str,
        labels: &std::collections::BTreeMap<String, String>,
    ) -> Result<(), HostError> {
        let docker = self.mutation().await?;
        let request = VolumeCreateRequest {
            name: Some(name.into()),
            labels: Some(labels.clone().into_iter().collect()),
            ..Default::default()
        };
        bounded(
            self.timeout * 2,
            "create volume",
            docker.create_volume(request),
        )
        .await
        .map(|_| ())
        .map_err(HostError::from)
    }

    /// Create (not start) a planned container; returns its id.
    pub async fn create_planned(&self, c: &NewContainer) -> Result<String, HostError> {
        let docker = self.mutation().await?;
        let options = CreateContainerOptions {
            name: Some(c.name.clone()),
            ..Default::default()
        };
        bounded(
            self.create_limit(),
            "create container",
            docker.create_container(Some(options), container_body(c)),
        )
        .await
        .map(|r| r.id)
        .map_err(HostError::from)
    }

    /// Write `files` (path, content) into a created container, as a tar
    /// through the archive API, before it starts.
    pub async fn upload_files(
        &self,
        id: &str,
        files: &[(String, String)],
    ) -> Result<(), HostError> {
        let docker = self.mutation().await?;
        if files.is_empty() {
            return Ok(());
        }
        let tar = tar_of(files)?;
        let options = UploadToContainerOptions {
            path: "/".into(),
            ..Default::default()
        };
        bounded(
            self.timeout * 2,
            "upload files",
            docker.upload_to_container(id, Some(options), bollard::body_full(tar.into())),
        )
        .await
        .map_err(HostError::from)
    }

    pub async fn start(&self, id: &str) -> Result<(), HostError> {
        let current = self.current(id);
        let id = current.as_str();
        let docker = self.mutation().await?;
        bounded(self.timeout * 4, "start", docker.start_container(id, None))
            .await
            .map_err(HostError::from)
    }

    /// Running or not, and how it ended.
    pub async fn run_state(&self, id: &str) -> Result<RunState, HostError> {
        let current = self.current(id);
        let id = current.as_str();
        let docker = self.docker().await?;
        let r: ContainerInspectResponse = bounded(
            self.timeout,
            "inspect",
            docker.inspect_container(id, None::<InspectContainerOptions>),
        )
        .await?;
        let state = r.state.unwrap_or_default();
        Ok(RunState {
            running: state.running.unwrap_or(false),
            status: state.status.map(|s| s.to_string()).unwrap_or_default(),
            exit_code: state.exit_code,
        })
    }

    /// Remove a container at once (killed if running), with its anonymous
    /// volumes; named volumes are separate objects.
    pub async fn remove_created_container(&self, id: &str) -> Result<(), HostError> {
        let current = self.current(id);
        let id = current.as_str();
        let docker = self.mutation().await?;
        let options = RemoveContainerOptions {
            force: true,
            v: true,
            ..Default::default()
        };
        bounded(
            self.timeout * 4,
            "remove container",
            docker.remove_container(id, Some(options)),
        )
        .await
        .map_err(HostError::from)
    }

    pub async fn remove_volume(&self, name: &str) -> Result<(), HostError> {
        let docker = self.mutation().await?;
        bounded(
            self.timeout * 2,
            "remove volume",
            docker.remove_volume(name, None::<RemoveVolumeOptions>),
        )
        .await
        .map_err(HostError::from)
    }

    pub async fn remove_network(&self, name: &str) -> Result<(), HostError> {
        let docker = self.mutation().await?;
        bounded(
            self.timeout * 2,
            "remove network",
            docker.remove_network(name),
        )
        .await
        .map_err(HostError::from)
    }

    /// Is the image on this host? (tugboat never pulls: a create that would
    /// pull hangs on a slow registry mid-plan.)
    pub async fn image_present(&self, image: &str) -> Result<bool, HostError> {
        let docker = self.docker().await?;
        match tokio::time::timeout(self.timeout, docker.inspect_image(image)).await {
            Ok(Ok(_)) => Ok(true),
            Ok(Err(e)) if is_not_found(&e) => Ok(false),
            Ok(Err(e)) => Err(HostError::Engine(format!("inspect image {image}: {e}"))),
            Err(_) => Err(HostError::Engine(format!(
                "inspect image {image}: no answer within {}s",
                self.timeout.as_secs_f32()
            ))),
        }
    }

    /// Every `repo:tag` on the host, sorted.
    pub async fn local_images(&self) -> Result<Vec<String>, HostError> {
        let docker = self.docker().await?;
        let images = bounded(
            self.timeout * 2,
            "list images",
            docker.list_images(Some(ListImagesOptions::default())),
        )
        .await?;
        let mut tags: Vec<String> = images
            .into_iter()
            .flat_map(|i| i.repo_tags)
            .filter(|t| t != "<none>:<none>")
            .collect();
        tags.sort();
        tags.dedup();
        Ok(tags)
    }

    /// Names of the containers, volumes and networks that carry every one
    /// of `labels` (`KEY=VALUE`).
    pub async fn labelled(&self, labels: &[String]) -> Result<Labelled, HostError> {
        let docker = self.docker().await?;
        let filters = HashMap::from([("label".to_string(), labels.to_vec())]);
        let containers = bounded(
            self.timeout,
            "list containers",
            docker.list_containers(Some(ListContainersOptions {
                all: true,
                filters: Some(filters.clone()),
                ..Default::default()
            })),
        )
        .await?;
        let volumes = bounded(
            self.timeout,
            "list volumes",
            docker.list_volumes(Some(ListVolumesOptions {
                filters: Some(filters.clone()),
            })),
        )
        .await?;
        let networks = bounded(
            self.timeout,
            "list networks",
            docker.list_networks(Some(ListNetworksOptions {
                filters: Some(filters),
            })),
        )
        .await?;
        let mut out = Labelled {
            containers: containers
                .into_iter()
                .filter_map(|c| {
                    c.names?
                        .first()
                        .map(|n| n.trim_start_matches('/').to_string())
                })
                .collect(),
            volumes: volumes
                .volumes
                .unwrap_or_default()
                .into_iter()
                .map(|v| v.name)
                .collect(),
            networks: networks.into_iter().filter_map(|n| n.name).collect(),
        };
        out.containers.sort();
        out.volumes.sort();
        out.networks.sort();
        Ok(out)
    }

    /// The image's own environment and command, so an export can leave out
    /// what the image sets anyway.
    pub async fn image_defaults(
        &self,
        image: &str,
    ) -> Result<(Vec<String>, Vec<String>), HostError> {
        let docker = self.docker().await?;
        let i = bounded(self.timeout, "inspect image", docker.inspect_image(image)).await?;
        let config = i.config.unwrap_or_default();
        Ok((
            config.env.unwrap_or_default(),
            config.cmd.unwrap_or_default(),
        ))
    }

    /// The full inspect answer, for `tugboat export`.
    pub async fn inspect_raw(&self, id: &str) -> Result<ContainerInspectResponse, HostError> {
        let current = self.current(id);
        let id = current.as_str();
        let docker = self.docker().await?;
        bounded(
            self.timeout,
            "inspect",
            docker.inspect_container(id, None::<InspectContainerOptions>),
        )
        .await
        .map_err(HostError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::new_objects::Publish;

    #[test]
    fn a_planned_container_becomes_a_create_body() {
        let c = NewContainer {
            host: "local".into(),
            name: "web-lb".into(),
            image: "haproxy:2.6".into(),
            env: vec!["A=1".into()],
            cmd: vec![],
            labels: [("io.tugboat.cluster".to_string(), "web".to_string())].into(),
            network: Some("web".into()),
            aliases: vec!["app".into()],
            ports: vec![Publish {
                host_port: 18080,
                container_port: 8080,
            }],
            mounts: vec![("web-data".into(), "/data".into())],
            files: vec![],
        };
        let body = container_body(&c);
        assert_eq!(body.cmd, None, "the image's own command");
        assert_eq!(body.exposed_ports, Some(vec!["8080/tcp".to_string()]));
        let hc = body.host_config.unwrap();
        assert_eq!(hc.network_mode.as_deref(), Some("web"));
        let binding = &hc.port_bindings.unwrap()["8080/tcp"];
        assert_eq!(
            binding.as_ref().unwrap()[0].host_port.as_deref(),
            Some("18080")
        );
        let mount = &hc.mounts.unwrap()[0];
        assert_eq!(mount.source.as_deref(), Some("web-data"));
        assert_eq!(mount.typ, Some(MountType::VOLUME));
        let endpoints = body.networking_config.unwrap().endpoints_config.unwrap();
        assert_eq!(endpoints["web"].aliases, Some(vec!["app".to_string()]));
    }
}
