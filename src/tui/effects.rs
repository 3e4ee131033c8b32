//! Running what `update` asked for: each effect becomes a task that reports
//! back with a `Msg`, so the main loop never waits on a host.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::{mpsc, watch};
use tokio::task::AbortHandle;

use crate::app::{Effect, Msg};
use crate::config::Settings;
use crate::docker::HostHandle;
use crate::model::{ContainerKey, HostUpdate};

/// Lines of history a log view starts with.
const LOG_TAIL: usize = 500;

pub struct Effects {
    pub hosts: Vec<HostHandle>,
    pub tx: mpsc::UnboundedSender<Msg>,
    pub logs: HashMap<u64, AbortHandle>,
    pub watch: watch::Sender<Vec<ContainerKey>>,
    pub probes: watch::Sender<Vec<super::probing::Target>>,
    pub runner: crate::ops::runner::JobRunner,
    pub jobs: HashMap<u64, crate::ops::job::JobControl>,
    /// What a cluster creation from the wizard needs besides the handles.
    pub host_specs: Vec<crate::config::HostSpec>,
    pub settings: Settings,
}

impl Effects {
    fn host(&self, name: &str) -> Option<HostHandle> {
        self.hosts.iter().find(|h| h.name == name).cloned()
    }

    fn cancel(&self, id: u64, why: &str) {
        if let Some(control) = self.jobs.get(&id) {
            control.stop_because(why);
        }
    }

    /// Returns false when the effect is Quit.
    pub fn run(&mut self, effect: Effect) -> bool {
        match effect {
            Effect::Quit => return false,
            Effect::WatchStats(keys) => {
                self.watch.send_replace(keys);
            }
            Effect::RunPlan(plan) => {
                let tx = self.tx.clone();
                let (id, control) = self.runner.start(
                    plan,
                    std::sync::Arc::new(move |e| {
                        let _ = tx.send(Msg::Job(e));
                    }),
                );
                self.jobs.insert(id, control);
            }
            Effect::Recover(recoveries) => {
                for r in recoveries {
                    let tx = self.tx.clone();
                    let entry = r.entry.clone();
                    let sink = std::sync::Arc::new(move |e: crate::ops::job::JobEvent| {
                        if let crate::ops::job::JobEvent::Finished { outcome, .. } = &e {
                            // Forgotten only once safe; else offered again next time.
                            if outcome.is_done() {
                                if let Err(err) = std::fs::remove_file(&entry) {
                                    tracing::warn!("journal {}: {err}", entry.display());
                                }
                            }
                        }
                        let _ = tx.send(Msg::Job(e));
                    });
                    let (id, control) = self.runner.start(r.plan, sink);
                    self.jobs.insert(id, control);
                }
            }
            Effect::CancelJob(id) => self.cancel(id, "cancelled"),
            Effect::StopJobs { ids, why } => {
                for id in ids {
                    self.cancel(id, &why);
                }
            }
            Effect::WatchProbes(targets) => {
                self.probes.send_replace(targets);
            }
            Effect::Inspect { host, id } => {
                let tx = self.tx.clone();
                let handle = self.host(&host);
                tokio::spawn(async move {
                    let result = match handle {
                        Some(h) => h.inspect_container(&id).await,
                        None => Err(crate::docker::HostError::NotConnected(host.clone())),
                    };
                    let _ = tx.send(Msg::Inspected { host, id, result });
                });
            }
            Effect::OpenLogs { session, host, id } => {
                let tx = self.tx.clone();
                let handle = self.host(&host);
                let task = tokio::spawn(async move {
                    let reason = match handle.map(|h| h.container_logs(&id, LOG_TAIL)) {
                        None => format!("unknown host {host}"),
                        Some(Err(e)) => e.to_string(),
                        Some(Ok(stream)) => forward_logs(session, stream, &tx).await,
                    };
                    let _ = tx.send(Msg::LogEnded { session, reason });
                });
                self.logs.insert(session, task.abort_handle());
            }
            Effect::CloseLogs { session } => {
                if let Some(task) = self.logs.remove(&session) {
                    task.abort();
                }
            }
            Effect::ListBackups(dir) => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Msg::Backups(crate::ops::backup_store::list(&dir)));
                });
            }
            Effect::CreateCluster(spec) => {
                let job = super::create_job::CreateJob {
                    specs: self.host_specs.clone(),
                    hosts: self.hosts.clone(),
                    settings: self.settings.clone(),
                    runner: self.runner.clone(),
                };
                let (id, control) = job.start(self.tx.clone(), *spec);
                self.jobs.insert(id, control);
            }
            // Answered inside `update`: nothing to run.
            Effect::Ask(_) => {}
            Effect::ListImages(names) => {
                let hosts = names.iter().filter_map(|n| self.host(n)).collect();
                super::wizard_effects::list_images(&self.tx, hosts);
            }
            Effect::SaveSpec { path, text } => {
                super::wizard_effects::save_spec(&self.tx, &path, &text)
            }
        }
        true
    }
}

/// Log chunks go to the UI in batches, so a chatty container costs one
/// redraw per batch rather than one per line.
async fn forward_logs(
    session: u64,
    stream: impl futures_util::Stream<Item = Result<Vec<u8>, crate::docker::HostError>>,
    tx: &mpsc::UnboundedSender<Msg>,
) -> String {
    let mut stream = std::pin::pin!(stream.ready_chunks(256));
    while let Some(chunks) = stream.next().await {
        let mut lines = Vec::with_capacity(chunks.len());
        let mut error = None;
        for chunk in chunks {
            match chunk {
                Ok(bytes) => lines.push(String::from_utf8_lossy(&bytes).into_owned()),
                Err(e) => error = Some(e.to_string()),
            }
        }
        if tx.send(Msg::LogLines { session, lines }).is_err() {
            return "closed".into();
        }
        if let Some(e) = error {
            return e;
        }
    }
    "the container's log stream closed (container stopped?)".into()
}

/// Samples CPU and memory for the containers on screen only, a few at a
/// time, every `stats_interval`, and right after the visible set changes.
pub async fn sample_stats(
    hosts: Vec<HostHandle>,
    settings: Settings,
    mut watched: watch::Receiver<Vec<ContainerKey>>,
    tx: mpsc::UnboundedSender<Msg>,
) {
    loop {
        let keys = watched.borrow_and_update().clone();
        let jobs = keys.into_iter().filter_map(|(host, id)| {
            let handle = hosts.iter().find(|h| h.name == host)?.clone();
            Some(async move {
                let stats = handle.container_stats(&id).await.ok()?;
                Some(HostUpdate::Stats { host, id, stats })
            })
        });
        let mut results =
            futures_util::stream::iter(jobs).buffer_unordered(settings.stats_concurrency.max(1));
        while let Some(update) = results.next().await {
            if let Some(update) = update {
                if tx.send(Msg::Host(update)).is_err() {
                    return;
                }
            }
        }
        drop(results);
        tokio::select! {
            _ = tokio::time::sleep(settings.stats_interval) => {}
            changed = watched.changed() => {
                if changed.is_err() {
                    return;
                }
                // Let scrolling settle before sampling the new rows.
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        }
    }
}
