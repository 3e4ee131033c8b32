//! What the rest of tugboat holds for a host: a handle that uses the host
//! task's current connection. Mutating calls are refused here, in the core,
//! when tugboat runs read-only, whatever the UI did.

use std::time::Duration;

use bollard::container::LogOutput;
use bollard::query_parameters::{
    InspectContainerOptions, LogsOptions, RestartContainerOptions, StatsOptions,
};
use bollard::Docker;
use futures_util::{Stream, StreamExt};
use tokio::sync::watch;

use super::connect::bounded;
use super::convert;
use super::error::{ReplicaError, RequestError, TarError};
use crate::model::{ContainerState, Health, InspectSection, Stats};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HostError {
    #[error("refused: tugboat is running read-only (started with --read-only)")]
    ReadOnly,
    #[error("host {0} is not connected")]
    NotConnected(String),
    /// Its connection ended (why: the engine's or the transport's words,
    /// shown sanitized) and did not come back in time.
    #[error("host {host} is not connected: its connection ended ({}) and was not back within {}s", crate::model::sanitize(why), waited.as_secs())]
    Dropped {
        host: String,
        why: String,
        waited: Duration,
    },
    /// The connection ended while `what` was in flight and did not come
    /// back: the engine may or may not have done it.
    #[error("host {host} stopped answering during the {what} ({}) and was not back within {}s: whether the {what} finished there is not known", crate::model::sanitize(why), RECONNECT_WAIT.as_secs())]
    CutOff {
        host: String,
        what: &'static str,
        why: String,
    },
    /// The engine's words (`exec in …: …`, `logs: …`), which may quote a
    /// container's output: shown sanitized.
    #[error("{}", crate::model::sanitize(.0))]
    Engine(String),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    Tar(#[from] TarError),
    /// Boxed: the rarest variant would otherwise set every result's size.
    #[error(transparent)]
    Replica(Box<ReplicaError>),
    /// The engine reported an address tugboat will not use (boxed, as above).
    #[error(transparent)]
    Address(Box<crate::model::address::AddressError>),
}

impl From<crate::model::address::AddressError> for HostError {
    fn from(e: crate::model::address::AddressError) -> Self {
        Self::Address(Box::new(e))
    }
}

impl From<ReplicaError> for HostError {
    fn from(e: ReplicaError) -> Self {
        Self::Replica(Box::new(e))
    }
}

/// What a probe may need to know about its container.
pub struct ProbeContext {
    /// The host it runs on (credentials are bound to a host).
    pub host: String,
    pub name: String,
    pub labels: std::collections::BTreeMap<String, String>,
    /// `NAME=value` entries; may hold secrets.
    pub env: Vec<String>,
}

impl ProbeContext {
    /// The value of the first of `names` that is set.
    pub fn env_value(&self, names: &[&str]) -> Option<&str> {
        names.iter().find_map(|name| {
            self.env
                .iter()
                .find_map(|e| e.strip_prefix(name)?.strip_prefix('='))
        })
    }
}

#[derive(Clone)]
pub struct HostHandle {
    pub name: String,
    pub(super) client: watch::Receiver<Link>,
    pub(super) read_only: bool,
    pub(super) timeout: Duration,
    /// Task containers swarm replaced during this handle's jobs.
    pub(super) moves: super::Moves,
}

/// A host's connection as its task publishes it for the handles.
#[derive(Clone)]
pub(super) enum Link {
    Up(Docker),
    /// Not connected: not yet (None), or why the last connection ended.
    Down(Option<String>),
}

impl Link {
    fn is_up(&self) -> bool {
        matches!(self, Link::Up(_))
    }

    /// Why it is down, in the host task's words.
    fn why(&self) -> String {
        match self {
            Link::Down(Some(why)) => why.clone(),
            Link::Down(None) | Link::Up(_) => "not connected".into(),
        }
    }
}

/// How long a request waits for a dropped connection to come back before
/// it says the host is not connected.
const RECONNECT_WAIT: Duration = Duration::from_secs(5);

/// Seconds the engine waits for a container to stop before killing it.
pub const RESTART_GRACE_SECS: i32 = 10;

impl HostHandle {
    /// This handle sharing `moves` with the other handles of one executor:
    /// a task replaced through a manager is then found on its own node's
    /// host by the id it had.
    pub fn sharing_moves(mut self, moves: &super::Moves) -> Self {
        self.moves = moves.clone();
        self
    }

    /// The container that stands for `id` now (itself, unless swarm
    /// replaced it during a job of this handle's executor).
    pub fn current(&self, id: &str) -> String {
        self.moves.current(id)
    }

    /// The engine's client, waiting a little while the host task connects
    /// again: a connection that drops (an event stream cut, a ping that
    /// timed out on a busy engine, an ssh tunnel's hiccup) comes back
    /// within a second or two, and a job's next request, above all its
    /// cleanup, must not fail for it and leave a helper behind.
    pub(super) async fn docker(&self) -> Result<Docker, HostError> {
        let mut client = self.client.clone();
        let waited = tokio::time::timeout(RECONNECT_WAIT, client.wait_for(Link::is_up)).await;
        if let Ok(Ok(link)) = &waited {
            if let Link::Up(docker) = &**link {
                return Ok(docker.clone());
            }
        }
        match &*self.client.borrow() {
            Link::Down(Some(why)) => Err(HostError::Dropped {
                host: self.name.clone(),
                why: why.clone(),
                waited: RECONNECT_WAIT,
            }),
            Link::Down(None) | Link::Up(_) => Err(HostError::NotConnected(self.name.clone())),
        }
    }

    /// `request` (`what`), ended once the host's connection has dropped
    /// and stayed down for `RECONNECT_WAIT` (docker/fault.rs says why).
    async fn unless_cut_off<T>(
        &self,
        what: &'static str,
        request: impl std::future::Future<Output = Result<T, HostError>>,
    ) -> Result<T, HostError> {
        let rules: super::fault::LinkRules<Link> = (Link::is_up, Link::why);
        super::fault::unless_down_for(&self.client, rules, RECONNECT_WAIT, request)
            .await
            .unwrap_or_else(|why| {
                Err(HostError::CutOff {
                    host: self.name.clone(),
                    what,
                    why,
                })
            })
    }

    pub(super) async fn mutation(&self) -> Result<Docker, HostError> {
        if self.read_only {
            return Err(HostError::ReadOnly);
        }
        self.docker().await
    }

    /// The bound on creating a container: on engines without a layered
    /// storage driver (vfs, as Docker-in-Docker hosts use) a create copies
    /// every file of the image, seconds per hundred megabytes.
    pub(super) fn create_limit(&self) -> Duration {
        self.timeout * 6
    }

    /// Started with --read-only: every mutation through this handle is refused.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    pub fn is_connected(&self) -> bool {
        self.client.borrow().is_up()
    }

    /// Wait until the host task has a live connection (or the deadline passes).
    pub async fn wait_connected(&self, limit: Duration) -> bool {
        let mut rx = self.client.clone();
        tokio::time::timeout(limit, rx.wait_for(Link::is_up))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// Stop (SIGTERM, then kill after the grace period).
    pub async fn stop_container(&self, id: &str) -> Result<(), HostError> {
        let current = self.current(id);
        let id = current.as_str();
        let docker = self.mutation().await?;
        let options = bollard::query_parameters::StopContainerOptions {
            t: Some(RESTART_GRACE_SECS),
            signal: None,
        };
        let limit = Duration::from_secs(RESTART_GRACE_SECS as u64) + self.timeout * 2;
        let stop = bounded(limit, "stop", docker.stop_container(id, Some(options)));
        self.unless_cut_off("stop", async { stop.await.map_err(HostError::from) })
            .await
    }

    /// Kill at once (SIGKILL): no grace period, for a container that does
    /// not stop or must not go on for another second.
    pub async fn kill_container(&self, id: &str) -> Result<(), HostError> {
        let current = self.current(id);
        let id = current.as_str();
        let docker = self.mutation().await?;
        let options = bollard::query_parameters::KillContainerOptions {
            signal: "SIGKILL".into(),
        };
        bounded(
            self.timeout,
            "kill",
            docker.kill_container(id, Some(options)),
        )
        .await
        .map_err(HostError::from)
    }

    pub async fn restart_container(&self, id: &str) -> Result<(), HostError> {
        let current = self.current(id);
        let id = current.as_str();
        let docker = self.mutation().await?;
        let options = RestartContainerOptions {
            t: Some(RESTART_GRACE_SECS),
            signal: None,
        };
        // Stopping may take the whole grace period; starting a little more.
        let limit = Duration::from_secs(RESTART_GRACE_SECS as u64) + self.timeout * 4;
        let restart = bounded(
            limit,
            "restart",
            docker.restart_container(id, Some(options)),
        );
        self.unless_cut_off("restart", async { restart.await.map_err(HostError::from) })
            .await
    }

    pub async fn inspect_container(&self, id: &str) -> Result<Vec<InspectSection>, HostError> {
        let current = self.current(id);
        let id = current.as_str();
        let docker = self.docker().await?;
        let r = bounded(
            self.timeout,
            "inspect",
            docker.inspect_container(id, None::<InspectContainerOptions>),
        )
        .await?;
        Ok(super::convert_inspect::inspect_sections(&r))
    }

    /// The container's name, labels and environment, for a probe that needs
    /// credentials from it. The environment may hold secrets: it goes to an
    /// exec's environment only, never to the screen or a log.
    pub async fn probe_context(&self, id: &str) -> Result<ProbeContext, HostError> {
        let current = self.current(id);
        let id = current.as_str();
        let docker = self.docker().await?;
        let r = bounded(
            self.timeout,
            "inspect",
            docker.inspect_container(id, None::<InspectContainerOptions>),
        )
        .await?;
        let config = r.config.unwrap_or_default();
        Ok(ProbeContext {
            host: self.name.clone(),
            name: r
                .name
                .unwrap_or_default()
                .trim_start_matches('/')
                .to_string(),
            labels: config.labels.unwrap_or_default().into_iter().collect(),
            env: config.env.unwrap_or_default(),
        })
    }

    /// The container's state and health, read live (inspect).
    pub async fn container_status(&self, id: &str) -> Result<(ContainerState, Health), HostError> {
        let current = self.current(id);
        let id = current.as_str();
        let docker = self.docker().await?;
        let r = bounded(
            self.timeout,
            "inspect",
            docker.inspect_container(id, None::<InspectContainerOptions>),
        )
        .await?;
        let c = convert::container_from_inspect(&self.name, r, 0);
        Ok((c.state, c.health))
    }

    /// Set a swarm node's availability (`active`, `pause` or `drain`),
    /// keeping the rest of its spec. `node` is its id or hostname; the
    /// host must be a swarm manager.
    pub async fn set_node_availability(
        &self,
        node: &str,
        availability: &str,
    ) -> Result<(), HostError> {
        use bollard::models::NodeSpecAvailabilityEnum as A;
        let docker = self.mutation().await?;
        let wanted = match availability {
            "active" => A::ACTIVE,
            "pause" => A::PAUSE,
            "drain" => A::DRAIN,
            other => return Err(HostError::Engine(format!("unknown availability `{other}`"))),
        };
        let current = bounded(self.timeout, "inspect node", docker.inspect_node(node)).await?;
        let id = current.id.clone().unwrap_or_else(|| node.to_string());
        let version = current.version.and_then(|v| v.index).unwrap_or(0) as i64;
        let mut spec = current.spec.unwrap_or_default();
        spec.availability = Some(wanted);
        let options = bollard::query_parameters::UpdateNodeOptions { version };
        bounded(
            self.timeout,
            "update node",
            docker.update_node(&id, spec, options),
        )
        .await
        .map_err(HostError::from)
    }

    /// A swarm node's availability as the manager reports it.
    pub async fn node_availability(&self, node: &str) -> Result<String, HostError> {
        let docker = self.docker().await?;
        let n = bounded(self.timeout, "inspect node", docker.inspect_node(node)).await?;
        Ok(n.spec
            .and_then(|s| s.availability)
            .map(|a| a.to_string())
            .unwrap_or_default())
    }

    /// One CPU/memory sample. `stream(false)` makes the engine wait for a
    /// second reading so the CPU % has a baseline (TESTBED.md §6).
    pub async fn container_stats(&self, id: &str) -> Result<Stats, HostError> {
        let current = self.current(id);
        let id = current.as_str();
        let docker = self.docker().await?;
        let options = StatsOptions {
            stream: false,
            one_shot: false,
        };
        let mut stream = docker.stats(id, Some(options));
        let sample = tokio::time::timeout(self.timeout, stream.next())
            .await
            .map_err(|_| HostError::Engine("stats: no answer".into()))?
            .ok_or_else(|| HostError::Engine("stats: empty answer".into()))?
            .map_err(|e| HostError::Engine(format!("stats: {e}")))?;
        convert::stats(&sample).ok_or_else(|| HostError::Engine("stats: no CPU data".into()))
    }

    /// What a container wrote (stdout and stderr, raw): the last `tail`
    /// lines ("all" for everything), at most `limit` bytes of them.
    pub(super) async fn logs_written(
        &self,
        id: &str,
        tail: &str,
        limit: usize,
    ) -> Result<Vec<u8>, HostError> {
        let docker = self.docker().await?;
        let options = LogsOptions {
            follow: false,
            stdout: true,
            stderr: true,
            tail: tail.to_string(),
            ..Default::default()
        };
        let mut stream = docker.logs(id, Some(options));
        let mut out = Vec::new();
        let read = async {
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.map_err(|e| HostError::Engine(format!("logs: {e}")))?;
                out.extend_from_slice(&chunk.into_bytes());
                if out.len() >= limit {
                    break;
                }
            }
            Ok::<(), HostError>(())
        };
        tokio::time::timeout(self.timeout, read)
            .await
            .map_err(|_| HostError::Engine("logs: no answer".into()))??;
        out.truncate(limit);
        Ok(out)
    }

    /// The last `n` lines a container wrote (stdout and stderr), sanitized:
    /// read before a failed create removes it, so the outcome can quote why
    /// it stopped.
    pub async fn last_log_lines(&self, id: &str, n: usize) -> Result<Vec<String>, HostError> {
        let current = self.current(id);
        let id = current.as_str();
        let out = self.logs_written(id, &n.to_string(), 1 << 20).await?;
        let text = String::from_utf8_lossy(&out);
        let lines: Vec<String> = text
            .lines()
            .map(crate::model::sanitize)
            .filter(|l| !l.trim().is_empty())
            .collect();
        Ok(lines[lines.len().saturating_sub(n)..].to_vec())
    }

    /// The last `tail` lines, then new ones as they come. Raw bytes: the
    /// caller splits lines and sanitizes them.
    pub async fn container_logs(
        &self,
        id: &str,
        tail: usize,
    ) -> Result<impl Stream<Item = Result<Vec<u8>, HostError>> + Send + 'static, HostError> {
        let docker = self.docker().await?;
        let options = LogsOptions {
            follow: true,
            stdout: true,
            stderr: true,
            tail: tail.to_string(),
            ..Default::default()
        };
        Ok(docker.logs(id, Some(options)).map(log_bytes))
    }
}

/// A chunk of a log stream as its bytes, whichever stream it came on.
pub(super) fn log_bytes(
    chunk: Result<LogOutput, bollard::errors::Error>,
) -> Result<Vec<u8>, HostError> {
    chunk
        .map(|out| match out {
            LogOutput::StdOut { message }
            | LogOutput::StdErr { message }
            | LogOutput::Console { message }
            | LogOutput::StdIn { message } => message.to_vec(),
        })
        .map_err(|e| HostError::Engine(format!("logs: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn handle(client: watch::Receiver<Link>) -> HostHandle {
        HostHandle {
            name: "h".into(),
            client,
            read_only: false,
            timeout: Duration::from_secs(8),
            moves: Default::default(),
        }
    }

    fn a_client() -> Docker {
        // Made without connecting: the test never sends a request.
        Docker::connect_with_http("http://127.0.0.1:9", 4, bollard::API_DEFAULT_VERSION)
            .expect("a client")
    }

    #[tokio::test]
    async fn a_request_waits_for_a_dropped_connection_to_come_back() {
        let (tx, rx) = watch::channel(Link::Down(Some("event stream: reset".into())));
        let h = handle(rx);
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(300)).await;
            tx.send_replace(Link::Up(a_client()));
            std::future::pending::<()>().await;
        });
        assert!(h.docker().await.is_ok());
        assert!(h.mutation().await.is_ok());
    }

    #[tokio::test]
    async fn a_host_that_stays_down_is_not_connected_after_the_wait() {
        let (_tx, rx) = watch::channel(Link::Down(Some("ping: no answer within 5s".into())));
        let h = handle(rx);
        let start = tokio::time::Instant::now();
        let Err(e) = h.docker().await else {
            panic!("a client without a connection")
        };
        assert_eq!(
            e.to_string(),
            "host h is not connected: its connection ended (ping: no answer within 5s) and was \
             not back within 5s"
        );
        assert!(start.elapsed() >= RECONNECT_WAIT);
        let (_tx, rx) = watch::channel(Link::Down(None));
        let e = handle(rx).docker().await.err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("host h is not connected"));
    }
}
