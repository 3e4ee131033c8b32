//! Reading and writing a volume's content through the engine's archive API
//! on a helper container that mounts the volume at /v. The helper is
//! created but never started: the engine mounts a stopped container's
//! volumes for archive requests, so its image needs no shell or tar; it
//! only lends a root filesystem. Everything that creates or changes goes
//! through `mutation()`, so read-only mode refuses it here.

use std::collections::HashMap;
use std::time::Duration;

use bollard::models::{ContainerCreateBody, HostConfig, Mount, MountType};
use bollard::query_parameters::{
    CreateContainerOptions, DownloadFromContainerOptions, ListImagesOptions,
    RemoveContainerOptions, UploadToContainerOptions,
};
use bytes::Bytes;
use futures_util::{Stream, StreamExt};

use super::connect::bounded;
use super::handle::{HostError, HostHandle};
use super::host_task::list_containers;
use crate::model::volume::VolumeUserInfo;
use crate::model::{detect_role, Container, MountKind, Role};

/// Labels on helper containers, so a helper left by a killed tugboat can
/// be found (`docker ps -a --filter label=io.tugboat.helper`).
pub const HELPER_LABEL: &str = "io.tugboat.helper";
pub const HELPER_VOLUME_LABEL: &str = "io.tugboat.volume";
/// Where the helper mounts the volume; archive members start with `v/`.
pub const HELPER_MOUNT: &str = "/v";

/// An upload's response only comes when the whole archive is in: bound
/// it by progress (the caller's idle timeout), not by this.
const UPLOAD_LIMIT: Duration = Duration::from_secs(7 * 24 * 3600);

/// Attempts at a pause the runtime could not freeze (waits of 0.2, 0.4,
/// 0.8 and 1.6 s between them).
const PAUSE_TRIES: u32 = 5;

/// The runtime tried to freeze the container and thawed it again.
fn freeze_gave_up(e: &bollard::errors::Error) -> bool {
    matches!(e, bollard::errors::Error::DockerResponseServerError { status_code: 500, message }
        if message.contains("unable to freeze"))
}

impl HostHandle {
    /// Containers (running or not) that mount `volume`.
    pub async fn volume_users(&self, volume: &str) -> Result<Vec<VolumeUserInfo>, HostError> {
        let mut users: Vec<VolumeUserInfo> = self
            .volume_user_containers(volume)
            .await?
            .into_iter()
            .map(|c| VolumeUserInfo {
                database: matches!(detect_role(&c), Role::Mysql | Role::Mariadb),
                running: c.is_running(),
                id: c.id,
                name: c.name,
                image: c.image,
            })
            .collect();
        users.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(users)
    }

    /// The containers that mount `volume`, each with its state as the
    /// engine says it now (listed afresh: a restore decides on this right
    /// before it writes). tugboat's own helpers are not users.
    pub async fn volume_user_containers(&self, volume: &str) -> Result<Vec<Container>, HostError> {
        let docker = self.docker().await?;
        let all = list_containers(&docker, &self.name, self.timeout, None).await?;
        Ok(all
            .into_iter()
            .filter(|c| {
                c.mounts
                    .iter()
                    .any(|m| m.kind == MountKind::Volume && m.name.as_deref() == Some(volume))
            })
            .filter(|c| !c.labels.contains_key(HELPER_LABEL))
            .collect())
    }

    pub async fn volume_exists(&self, volume: &str) -> Result<bool, HostError> {
        let docker = self.docker().await?;
        match tokio::time::timeout(self.timeout, docker.inspect_volume(volume)).await {
            Err(_) => Err(HostError::Engine("inspect volume: no answer".into())),
            Ok(Ok(_)) => Ok(true),
            Ok(Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            })) => Ok(false),
            Ok(Err(e)) => Err(HostError::Engine(format!("inspect volume {volume}: {e}"))),
        }
    }

    /// `preferred` when the host has it, else an image the host has
    /// (busybox first): the helper is never started, any image will do.
    pub async fn helper_image(&self, preferred: Option<&str>) -> Result<String, HostError> {
        let docker = self.docker().await?;
        if let Some(image) = preferred {
            let found = bounded(self.timeout, "inspect image", docker.inspect_image(image)).await;
            if found.is_ok() {
                return Ok(image.to_string());
            }
        }
        let images = bounded(
            self.timeout,
            "list images",
            docker.list_images(None::<ListImagesOptions>),
        )
        .await?;
        let mut tags: Vec<String> = images
            .into_iter()
            .flat_map(|i| i.repo_tags)
            .filter(|t| t != "<none>:<none>")
            .collect();
        tags.sort_by_key(|t| (!t.contains("busybox"), t.clone()));
        tags.into_iter().next().ok_or_else(|| {
            HostError::Engine(format!(
                "host {} has no image to create a helper container from: pass --image",
                self.name
            ))
        })
    }

    /// Create (never start) a helper mounting `volume` at /v.
    pub async fn create_volume_helper(
        &self,
        volume: &str,
        image: &str,
        read_only: bool,
    ) -> Result<String, HostError> {
        let docker = self.mutation().await?;
        let labels = HashMap::from([
            (HELPER_LABEL.to_string(), "volume-io".to_string()),
            (HELPER_VOLUME_LABEL.to_string(), volume.to_string()),
        ]);
        let body = ContainerCreateBody {
            image: Some(image.to_string()),
            // Never run; a command is only needed for images without one.
            cmd: Some(vec!["tugboat-helper-is-never-started".to_string()]),
            labels: Some(labels),
            network_disabled: Some(true),
            host_config: Some(HostConfig {
                mounts: Some(vec![Mount {
                    target: Some(HELPER_MOUNT.to_string()),
                    source: Some(volume.to_string()),
                    typ: Some(MountType::VOLUME),
                    read_only: Some(read_only),
                    ..Default::default()
                }]),
                network_mode: Some("none".to_string()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let created = bounded(
            self.timeout,
            "create helper container",
            docker.create_container(None::<CreateContainerOptions>, body),
        )
        .await?;
        Ok(created.id)
    }

    /// Remove a helper (never its volume: `v` removes only the anonymous
    /// volumes its image declares, e.g. a database image's data directory,
    /// which would otherwise pile up one per backup). Allowed read-only too:
    /// it only undoes what this tugboat created.
    pub async fn remove_helper(&self, id: &str) -> Result<(), HostError> {
        let docker = self.docker().await?;
        let options = RemoveContainerOptions {
            force: true,
            v: true,
            link: false,
        };
        bounded(
            self.timeout,
            "remove helper container",
            docker.remove_container(id, Some(options)),
        )
        .await
        .map_err(HostError::from)
    }

    /// Pause `id`, trying again while the runtime could not freeze it in
    /// time: runc gives up when a process stays in uninterruptible I/O (a
    /// busy database flushing to a busy disk), thaws the container again
    /// and the engine answers 500 "unable to freeze". That is a moment of
    /// the disk, not a refusal (seen in a fresh CI run's backup).
    pub async fn pause_container(&self, id: &str) -> Result<(), HostError> {
        let current = self.current(id);
        let id = current.as_str();
        let docker = self.mutation().await?;
        let (mut wait, mut attempt) = (Duration::from_millis(200), 1);
        loop {
            let mut gave_up = false;
            let result = bounded(self.timeout, "pause", async {
                let result = docker.pause_container(id).await;
                gave_up = result.as_ref().err().is_some_and(freeze_gave_up);
                result
            })
            .await;
            if !gave_up || attempt == PAUSE_TRIES {
                return result.map_err(HostError::from);
            }
            tracing::info!("pause {id}: the runtime could not freeze it yet; again in {wait:?}");
            tokio::time::sleep(wait).await;
            (wait, attempt) = (wait * 2, attempt + 1);
        }
    }

    /// Allowed read-only too: it only undoes a pause this job made.
    pub async fn unpause_container(&self, id: &str) -> Result<(), HostError> {
        let current = self.current(id);
        let id = current.as_str();
        let docker = self.docker().await?;
        bounded(self.timeout, "unpause", docker.unpause_container(id))
            .await
            .map_err(HostError::from)
    }

    /// The helper's /v as a tar stream (members `v/…`), as the engine sends it.
    pub async fn download_volume(
        &self,
        helper: &str,
    ) -> Result<impl Stream<Item = Result<Bytes, HostError>> + Send + 'static, HostError> {
        let docker = self.docker().await?;
        let options = DownloadFromContainerOptions {
            path: HELPER_MOUNT.to_string(),
        };
        Ok(docker
            .download_from_container(helper, Some(options))
            .map(|chunk| chunk.map_err(|e| HostError::Engine(format!("reading the volume: {e}")))))
    }

    /// Unpack a tar stream (members `v/…`) into the helper's /v, keeping
    /// modes and owners as the archive has them.
    pub async fn upload_volume(
        &self,
        helper: &str,
        tar: impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
    ) -> Result<(), HostError> {
        let docker = self.mutation().await?.with_timeout(UPLOAD_LIMIT);
        let options = UploadToContainerOptions {
            path: "/".to_string(),
            ..Default::default()
        };
        docker
            .upload_to_container(helper, Some(options), bollard::body_try_stream(tar))
            .await
            .map_err(|e| HostError::Engine(format!("writing the volume: {e}")))
    }
}

/// A piece of a streamed exec's output.
pub enum ExecChunk {
    Out(Bytes),
    Err(Bytes),
}

impl HostHandle {
    /// Run `cmd` in container `id` with `env` (secrets go there, never in
    /// `cmd`) and stream its output; `exec_exit_code` says how it ended.
    /// Refused read-only: it is part of an operation.
    pub async fn exec_streamed(
        &self,
        id: &str,
        cmd: &[&str],
        env: &[String],
    ) -> Result<
        (
            String,
            impl Stream<Item = Result<ExecChunk, HostError>> + Send + 'static,
        ),
        HostError,
    > {
        let current = self.current(id);
        let id = current.as_str();
        use bollard::container::LogOutput;
        use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
        let docker = self.mutation().await?;
        let options = CreateExecOptions {
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
            env: Some(env.to_vec()),
            ..Default::default()
        };
        let created = bounded(self.timeout, "exec", docker.create_exec(id, options)).await?;
        let started = bounded(
            self.timeout,
            "exec",
            docker.start_exec(&created.id, Some(StartExecOptions::default())),
        )
        .await?;
        let StartExecResults::Attached { output, .. } = started else {
            return Err(HostError::Engine("exec: output not attached".into()));
        };
        let stream = output.filter_map(|chunk| {
            std::future::ready(match chunk {
                Ok(LogOutput::StdOut { message }) | Ok(LogOutput::Console { message }) => {
                    Some(Ok(ExecChunk::Out(message)))
                }
                Ok(LogOutput::StdErr { message }) => Some(Ok(ExecChunk::Err(message))),
                Ok(LogOutput::StdIn { .. }) => None,
                Err(e) => Some(Err(HostError::Engine(format!("exec output: {e}")))),
            })
        });
        Ok((created.id, stream))
    }

    pub async fn exec_exit_code(&self, exec_id: &str) -> Result<Option<i64>, HostError> {
        let docker = self.docker().await?;
        let inspected = bounded(self.timeout, "inspect exec", docker.inspect_exec(exec_id)).await?;
        Ok(inspected.exit_code)
    }
}

#[cfg(test)]
mod tests {
    use super::freeze_gave_up;
    use bollard::errors::Error;

    fn server_error(status_code: u16, message: &str) -> Error {
        Error::DockerResponseServerError {
            status_code,
            message: message.into(),
        }
    }

    #[test]
    fn only_a_freeze_the_runtime_gave_up_on_is_tried_again() {
        // Engine 20.10's answer in a fresh CI run, a busy MariaDB paused.
        let froze = "Cannot pause container 00a0b921c4f2: OCI runtime pause failed: \
                     unable to freeze: unknown";
        assert!(freeze_gave_up(&server_error(500, froze)));
        assert!(!freeze_gave_up(&server_error(
            409,
            "Container 00a0b921c4f2 is already paused"
        )));
        assert!(!freeze_gave_up(&server_error(
            500,
            "Cannot pause container 00a0b921c4f2: container is not running"
        )));
    }
}
