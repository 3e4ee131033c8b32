//! One task per Docker host. It owns the connection: connects, pings,
//! lists everything, follows the event stream, re-lists now and then, and
//! notices a dead or hung engine through a heartbeat ping. It reports only
//! through `HostUpdate`s and never blocks anyone else.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use bollard::query_parameters::{
    EventsOptions, InspectContainerOptions, ListContainersOptions, ListVolumesOptions,
};
use bollard::Docker;
use futures_util::{FutureExt, StreamExt};

use tokio::sync::watch;

use super::connect::{bounded, open};
use super::error::{DockerError, RequestError};
use super::handle::Link;
use super::swarm_list::{list_swarm, SwarmListing, SwarmWatch, SWARM_POLL};
use super::{convert, raw};
use crate::config::{HostSpec, Settings};
use crate::model::lease::LeaseRecord;
use crate::model::HostUpdate;

pub type UpdateSink = Arc<dyn Fn(HostUpdate) + Send + Sync>;

const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// Tries at the engine's disk-usage report before sizes wait for the next listing.
const DF_ATTEMPTS: u32 = 5;
/// Inspections in flight at once when a burst of events names many containers.
const INSPECT_CONCURRENCY: usize = 8;

pub(super) struct HostTask {
    pub spec: HostSpec,
    pub settings: Settings,
    pub sink: UpdateSink,
    /// The current client, published for the handle; None while down.
    pub client: watch::Sender<Link>,
    /// The last swarm listing sent, and how many listings since were the
    /// same: one unchanged is not sent again (nothing to redraw).
    pub last_swarm: std::sync::Mutex<Option<(SwarmListing, u32)>>,
    /// When volume sizes were last asked for: not on every relist.
    pub sizes_asked: std::sync::Mutex<Option<std::time::Instant>>,
}

/// Volume sizes are asked for on each session's first listing, then at most
/// this often: the engine's disk-usage answer (on Engine 20.10, every
/// container's too, whatever the filter) was most of an idle tugboat's
/// CPU at 2,000 containers, asked on every 30 s relist, for sizes that
/// move slowly.
const SIZES_EVERY: Duration = Duration::from_secs(300);

/// A relist's interval grows to this many times the configured one while
/// the event stream stays up: at 2,000 containers each relist parses and
/// compares every container, most of an idle tugboat's CPU.
const RELIST_BACKOFF: u32 = 8;

/// The interval after a relist that came `every` after the one before.
fn backed_off(every: Duration, configured: Duration) -> Duration {
    (every * 2).min(configured * RELIST_BACKOFF)
}

impl HostTask {
    fn send(&self, update: HostUpdate) {
        (self.sink)(update);
    }

    pub async fn run(self) {
        let mut backoff = Duration::from_secs(1);
        loop {
            self.send(HostUpdate::Connecting {
                host: self.spec.name.clone(),
            });
            let error = match self.session().await {
                // A session that got as far as a listing earns a fresh backoff.
                Ok(()) => {
                    backoff = Duration::from_secs(1);
                    continue;
                }
                Err((error, was_up)) => {
                    if was_up {
                        backoff = Duration::from_secs(1);
                    }
                    error
                }
            };
            tracing::warn!(host = %self.spec.name, "connection ended: {error}");
            self.client
                .send_replace(Link::Down(Some(error.to_string())));
            self.send(HostUpdate::Unreachable {
                host: self.spec.name.clone(),
                at: unix_now(),
                error: error.to_string(),
            });
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(BACKOFF_MAX);
        }
    }

    /// One connection's life. Returns the error that ended it and whether
    /// the host was up at some point.
    async fn session(&self) -> Result<(), (DockerError, bool)> {
        let docker = open(&self.spec).map_err(|e| (e.into(), false))?;
        let since = unix_now() - 2;
        // A new session's first listing asks for volume sizes again.
        *self.sizes_asked.lock().unwrap_or_else(|e| e.into_inner()) = None;
        let swarm = self
            .relist(&docker)
            .await
            .map_err(|e| (super::connect::first_contact(&self.spec, e), false))?;
        self.client.send_replace(Link::Up(docker.clone()));
        self.follow(&docker, since, swarm)
            .await
            .map_err(|e| (e, true))
    }

    /// Engine facts and every container and volume, asked all at once so
    /// the first rows appear after one round trip — except over ssh, where
    /// each request in flight is its own `ssh` process and handshake: sshd
    /// refuses handshakes beyond its limit (MaxStartups), so a reconnect
    /// (or two tugboats reconnecting) could be turned away again and again.
    /// There they go one after another over one kept-alive connection. The
    /// swarm role can change without a reconnect, so it is re-read on every
    /// listing.
    async fn relist(&self, docker: &Docker) -> Result<SwarmWatch, RequestError> {
        let timeout = self.settings.request_timeout;
        let host = &self.spec.name;
        let (engine, containers, (volumes, leases)) = if self.spec.transport() == "ssh" {
            let engine = hello_one_by_one(docker, timeout).await?;
            let containers = list_containers(docker, host, timeout, None).await?;
            (
                engine,
                containers,
                list_volumes(docker, host, timeout).await?,
            )
        } else {
            tokio::try_join!(
                hello(docker, timeout),
                list_containers(docker, host, timeout, None),
                list_volumes(docker, host, timeout),
            )?
        };
        let manager = engine.swarm_role.as_deref() == Some("manager");
        // The rows first: the host shows as up with them, in one frame.
        self.send(HostUpdate::Listed {
            host: host.clone(),
            containers,
            volumes,
        });
        self.send(HostUpdate::Leases {
            host: host.clone(),
            leases,
        });
        self.send(HostUpdate::Connected {
            host: host.clone(),
            engine,
        });
        if self.sizes_due() {
            self.spawn_volume_sizes(docker.clone());
        }
        // A new session or a full relist shows the swarm again, as is.
        self.forget_swarm();
        Ok(self.relist_swarm(docker, manager).await)
    }

    /// A manager's swarm: nodes, services and tasks (none for other
    /// hosts). A failure is the swarm's trouble (no leader, too few
    /// managers), shown on the host row, not the connection's end: the
    /// containers are what the host task is for.
    async fn relist_swarm(&self, docker: &Docker, manager: bool) -> SwarmWatch {
        let host = self.spec.name.clone();
        let (listing, watch) = if manager {
            match list_swarm(docker, self.settings.request_timeout).await {
                Ok(listing) => {
                    let mut last = self.last_swarm.lock().unwrap_or_else(|e| e.into_inner());
                    if let Some((seen, quiet)) = last.as_mut().filter(|(l, _)| *l == listing) {
                        *quiet += 1;
                        return SwarmWatch::of(seen, *quiet);
                    }
                    *last = Some((listing.clone(), 0));
                    let watch = SwarmWatch::of(&listing, 0);
                    (listing, watch)
                }
                Err(e) => {
                    // The next listing clears the trouble: sent whatever it is.
                    self.forget_swarm();
                    tracing::warn!(host = %host, "swarm listing: {e}");
                    let trouble = Some(crate::model::SafeText::from_foreign(&e.to_string()));
                    self.send(HostUpdate::SwarmTrouble { host, trouble });
                    return SwarmWatch::Troubled;
                }
            }
        } else {
            self.forget_swarm();
            (SwarmListing::default(), SwarmWatch::NotManager)
        };
        for update in listing.into_updates(&host) {
            self.send(update);
        }
        watch
    }

    /// The next swarm listing is sent even if it is the same as the last.
    fn forget_swarm(&self) {
        *self.last_swarm.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Whether volume sizes are due (noting that they are asked now).
    fn sizes_due(&self) -> bool {
        let mut asked = self.sizes_asked.lock().unwrap_or_else(|e| e.into_inner());
        let due = asked.is_none_or(|at| at.elapsed() >= SIZES_EVERY);
        if due {
            *asked = Some(std::time::Instant::now());
        }
        due
    }

    /// Volume sizes are expensive for the engine to compute, so they are
    /// fetched in the background and merged when they arrive.
    fn spawn_volume_sizes(&self, docker: Docker) {
        let spec = self.spec.clone();
        let sink = self.sink.clone();
        let timeout = self.settings.request_timeout * 6;
        tokio::spawn(async move {
            // The engine runs one disk-usage computation at a time and refuses
            // a second ("already running"), e.g. from another client: retry.
            for attempt in 1..=DF_ATTEMPTS {
                match volume_sizes(&docker, &spec, timeout).await {
                    Ok(sizes) => {
                        sink(HostUpdate::VolumeSizes {
                            host: spec.name.clone(),
                            sizes,
                        });
                        return;
                    }
                    Err(e) => {
                        tracing::debug!(host = %spec.name, attempt, "volume sizes: {e}");
                        tokio::time::sleep(Duration::from_millis(500 * u64::from(attempt))).await;
                    }
                }
            }
        });
    }

    async fn follow(
        &self,
        docker: &Docker,
        since: i64,
        mut swarm: SwarmWatch,
    ) -> Result<(), DockerError> {
        let host = self.spec.name.clone();
        let filters = HashMap::from([(
            "type".to_string(),
            vec![
                "container".to_string(),
                "volume".to_string(),
                "node".to_string(),
                "service".to_string(),
            ],
        )]);
        let mut events = docker.events(Some(EventsOptions {
            since: Some(since.to_string()),
            until: None,
            filters: Some(filters),
        }));
        // The events keep the listing current; the relist only catches
        // what they missed, so it backs off while the stream stays up
        // (a new session starts again from the configured interval).
        let mut relist_every = self.settings.relist_interval;
        let mut relist_at = tokio::time::Instant::now() + relist_every;
        let mut ping = tokio::time::interval(self.settings.ping_interval);
        // Tasks send no events: a manager is asked again while its swarm
        // moves, and now and then when it rests (a task that dies on
        // another node is seen within SWARM_REST_POLLS seconds).
        let mut swarm_poll = tokio::time::interval(SWARM_POLL);
        swarm_poll.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut polls_at_rest = 0u32;
        ping.tick().await;
        swarm_poll.tick().await;
        loop {
            tokio::select! {
                event = events.next() => {
                    let Some(event) = event else {
                        return Err(DockerError::EventStreamEnded);
                    };
                    let event = event.map_err(event_stream)?;
                    let mut changed = Changes::default();
                    changed.note(&event);
                    let mut told = vec![event];
                    // Drain whatever else already arrived, so a burst is one listing.
                    while let Some(Some(more)) = events.next().now_or_never() {
                        let more = more.map_err(event_stream)?;
                        changed.note(&more);
                        told.push(more);
                    }
                    self.send(HostUpdate::EventSeen { host: host.clone(), at: changed.latest });
                    self.tell_timeline(told);
                    if let Some(now) = self.apply_changes(docker, changed, swarm).await? {
                        swarm = now;
                    }
                }
                () = tokio::time::sleep_until(relist_at) => {
                    swarm = self.relist(docker).await?;
                    relist_every = backed_off(relist_every, self.settings.relist_interval);
                    relist_at = tokio::time::Instant::now() + relist_every;
                }
                _ = swarm_poll.tick() => {
                    polls_at_rest += 1;
                    if swarm.wants_poll(polls_at_rest) {
                        polls_at_rest = 0;
                        swarm = self.relist_swarm(docker, true).await;
                    }
                }
                _ = ping.tick() => {
                    bounded(self.settings.request_timeout, "ping", docker.ping()).await?;
                }
            }
        }
    }

    /// The incident timeline's entries for these events, as one batch;
    /// the noise (execs of healthchecks, …) stays here.
    fn tell_timeline(&self, told: Vec<bollard::models::EventMessage>) {
        static BATCH: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let host = &self.spec.name;
        let entries: Vec<_> = told
            .into_iter()
            .filter_map(|e| {
                crate::model::timeline::from_engine(host, &super::logs::engine_event(e))
            })
            .collect();
        if !entries.is_empty() {
            let batch = BATCH.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            self.send(HostUpdate::Events {
                host: host.clone(),
                batch,
                entries,
            });
        }
    }

    /// Returns the swarm's state when it was listed again.
    async fn apply_changes(
        &self,
        docker: &Docker,
        changed: Changes,
        swarm: SwarmWatch,
    ) -> Result<Option<SwarmWatch>, RequestError> {
        let timeout = self.settings.request_timeout;
        let host = &self.spec.name;
        // The event itself says a container died: show it at once, as the
        // inspect below waits until the engine has finished cleaning up.
        for (id, exit_code) in &changed.died {
            self.send(HostUpdate::ContainerDied {
                host: host.clone(),
                id: id.clone(),
                exit_code: *exit_code,
            });
        }
        // Inspect, not list: Engine 20.10 announces `die` before its list
        // shows the exit (it updates the list after cleanup, up to a second
        // later), while inspect reads the live container.
        let inspections = futures_util::stream::iter(changed.containers)
            .map(|id| async move {
                let result = tokio::time::timeout(
                    timeout,
                    docker.inspect_container(&id, None::<InspectContainerOptions>),
                )
                .await;
                (id, result)
            })
            .buffer_unordered(INSPECT_CONCURRENCY)
            .collect::<Vec<_>>()
            .await;
        let now = unix_now();
        let mut unsure = false;
        for (id, result) in inspections {
            match result {
                Ok(Ok(r)) => self.send(HostUpdate::ContainerChanged {
                    container: convert::container_from_inspect(host, r, now),
                }),
                Ok(Err(bollard::errors::Error::DockerResponseServerError {
                    status_code: 404,
                    ..
                })) => {
                    self.send(HostUpdate::ContainerRemoved {
                        host: host.clone(),
                        id,
                    });
                }
                // One container's answer is not the connection's: ending
                // the session for it left every job on this host "not
                // connected" until it was back (a backup's helper left
                // behind in a fresh CI run). A listing settles it; if that
                // fails too, the engine is in trouble and the session ends.
                Ok(Err(e)) => {
                    tracing::warn!(host = %host, "inspect {id}: {e}; listing again");
                    unsure = true;
                }
                Err(_) => {
                    tracing::warn!(host = %host, "inspect {id}: no answer within {timeout:?}; listing again");
                    unsure = true;
                }
            }
        }
        let mut listed = None;
        if unsure {
            listed = Some(self.relist(docker).await?);
        }
        if changed.swarm && swarm.is_manager() {
            listed = Some(self.relist_swarm(docker, true).await);
        }
        if changed.volumes || changed.leases {
            let (volumes, leases) = list_volumes(docker, host, timeout).await?;
            self.send(HostUpdate::Leases {
                host: host.clone(),
                leases,
            });
            // A lease's coming or going is no reason to ask for disk usage.
            if changed.volumes {
                self.send(HostUpdate::VolumesListed {
                    host: host.clone(),
                    volumes,
                });
                self.spawn_volume_sizes(docker.clone());
            }
        }
        Ok(listed)
    }
}

/// The event stream failed; bollard's whole text, as before.
fn event_stream(e: bollard::errors::Error) -> RequestError {
    RequestError::Failed {
        what: "event stream".into(),
        detail: e.to_string(),
        cause: None,
    }
}

/// What a batch of events asks us to look at again.
#[derive(Default)]
struct Changes {
    containers: BTreeSet<String>,
    /// Containers whose `die` event came in this batch, with the exit code.
    died: Vec<(String, i64)>,
    volumes: bool,
    /// A swarm node or service changed (only managers see these).
    swarm: bool,
    /// A lease was taken or given back.
    leases: bool,
    latest: i64,
}

impl Changes {
    fn note(&mut self, event: &bollard::models::EventMessage) {
        self.latest = self.latest.max(event.time.unwrap_or_else(unix_now));
        let kind = event.typ.map(|t| t.to_string()).unwrap_or_default();
        let action = event.action.as_deref().unwrap_or_default();
        let id = event.actor.as_ref().and_then(|a| a.id.clone());
        match (kind.as_str(), id) {
            // exec_* and top events say nothing about the container's state.
            ("container", Some(id)) if !action.starts_with("exec_") && action != "top" => {
                if action == "die" {
                    let code = event
                        .actor
                        .as_ref()
                        .and_then(|a| a.attributes.as_ref())
                        .and_then(|at| at.get("exitCode"))
                        .and_then(|c| c.parse().ok())
                        .unwrap_or(-1);
                    self.died.push((id.clone(), code));
                }
                self.containers.insert(id);
            }
            // A lease comes and goes with every job: not a change of the
            // host's volumes, whose relist asks the engine for disk usage,
            // which every watching tugboat would then hammer.
            ("volume", Some(name)) if name.starts_with(super::lease::LEASE_PREFIX) => {
                self.leases = true;
            }
            ("volume", _) if matches!(action, "create" | "destroy" | "prune") => {
                self.volumes = true;
            }
            ("node" | "service", _) => self.swarm = true,
            _ => {}
        }
    }
}

pub(super) async fn hello(
    docker: &Docker,
    timeout: Duration,
) -> Result<crate::model::EngineInfo, RequestError> {
    let (version, info) = tokio::join!(
        bounded(timeout, "version", docker.version()),
        bounded(timeout, "info", docker.info()),
    );
    Ok(convert::engine_info(&version?, info.ok().as_ref()))
}

/// `hello` one request after the other (see `HostTask::relist`).
async fn hello_one_by_one(
    docker: &Docker,
    timeout: Duration,
) -> Result<crate::model::EngineInfo, RequestError> {
    let version = bounded(timeout, "version", docker.version()).await?;
    let info = bounded(timeout, "info", docker.info()).await;
    Ok(convert::engine_info(&version, info.ok().as_ref()))
}

pub(super) async fn list_containers(
    docker: &Docker,
    host: &str,
    timeout: Duration,
    ids: Option<Vec<String>>,
) -> Result<Vec<crate::model::Container>, RequestError> {
    let options = ListContainersOptions {
        all: true,
        filters: ids.map(|ids| HashMap::from([("id".to_string(), ids)])),
        ..Default::default()
    };
    let summaries = bounded(
        timeout,
        "list containers",
        docker.list_containers(Some(options)),
    )
    .await?;
    let now = unix_now();
    Ok(summaries
        .into_iter()
        .map(|s| convert::container(host, s, now))
        .collect())
}

/// The host's volumes, and apart from them its leases: they hold no data,
/// they are not volumes to back up or show.
pub(super) async fn list_volumes(
    docker: &Docker,
    host: &str,
    timeout: Duration,
) -> Result<(Vec<crate::model::Volume>, Vec<LeaseRecord>), RequestError> {
    let listed = bounded(
        timeout,
        "list volumes",
        docker.list_volumes(None::<ListVolumesOptions>),
    )
    .await?;
    let (leases, volumes): (Vec<_>, Vec<_>) = listed
        .volumes
        .unwrap_or_default()
        .into_iter()
        .partition(|v| v.labels.contains_key(super::lease::LEASE_LABEL));
    let leases = leases
        .into_iter()
        .map(|v| LeaseRecord {
            name: v.name,
            labels: v.labels.into_iter().collect(),
        })
        .collect();
    let volumes = volumes
        .into_iter()
        .map(|v| convert::volume(host, v))
        .collect();
    Ok((volumes, leases))
}

/// Volumes only (`type=volume`): the engine then sizes no container or
/// image. Asked in full, with 667 containers on a host it took the engine
/// 5.6 s, twice per listing, and slowed every other request (issue 22);
/// this way 1 ms. Engines before API 1.42 ignore the filter and answer in
/// full; `raw::volume_sizes` reads both shapes (TESTBED.md §6). `verbose`
/// is for API ≥ 1.52, which lists items only when asked.
pub(super) async fn volume_sizes(
    _docker: &Docker,
    spec: &HostSpec,
    timeout: Duration,
) -> Result<HashMap<String, u64>, DockerError> {
    let df = raw::get_json(spec, "/system/df?type=volume&verbose=1", timeout).await?;
    Ok(raw::volume_sizes(&df))
}

pub fn unix_now() -> i64 {
    unix_now_ms().div_euclid(1000)
}

/// The clock in unix milliseconds: for how long a job has run.
pub fn unix_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bollard::models::{EventActor, EventMessage, EventMessageTypeEnum};

    #[test]
    fn relists_back_off_while_the_events_flow_up_to_eight_times_the_interval() {
        let configured = Duration::from_secs(30);
        let mut every = configured;
        let mut seen = Vec::new();
        for _ in 0..5 {
            every = backed_off(every, configured);
            seen.push(every.as_secs());
        }
        assert_eq!(seen, [60, 120, 240, 240, 240]);
    }

    fn volume_event(name: &str, action: &str) -> EventMessage {
        EventMessage {
            typ: Some(EventMessageTypeEnum::VOLUME),
            action: Some(action.into()),
            actor: Some(EventActor {
                id: Some(name.into()),
                attributes: None,
            }),
            ..Default::default()
        }
    }

    /// A job's leases come and go: no relist, no disk-usage storm.
    #[test]
    fn lease_volumes_are_not_changes_of_the_hosts_volumes() {
        let mut changed = Changes::default();
        changed.note(&volume_event("tugboat-lease-0123456789abcdef", "create"));
        changed.note(&volume_event("tugboat-lease-0123456789abcdef", "destroy"));
        assert!(!changed.volumes);
        assert!(changed.leases, "the other tugboats' jobs are listed again");
        changed.note(&volume_event("shop-db1-data", "create"));
        assert!(changed.volumes);
    }
}
