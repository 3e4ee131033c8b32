//! Running what `update` asked for: each effect becomes a task that reports
//! back with a `Msg`, so the main loop never waits on a host.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::watch;
use tokio::task::AbortHandle;

use super::inbox::Outbox;
use super::logs::{self, LOG_TAIL};
use crate::app::views::LOG_CAPACITY;
use crate::app::{Effect, Msg};
use crate::config::Settings;
use crate::docker::HostHandle;
use crate::model::{ContainerKey, HostUpdate};

/// How often a followed cluster log hands its new lines to the loop.
const CLUSTER_LOG_FLUSH: Duration = Duration::from_millis(100);

/// Log lines a diagnostics block ends with.
const DIAGNOSTIC_LOG_LINES: usize = 20;

/// The status line after a copy.
fn copied(what: &str, result: Result<usize, super::clipboard::CopyError>) -> Msg {
    let (level, text) = match result {
        Ok(bytes) => (
            crate::app::Level::Ok,
            format!("copied {what} ({bytes} bytes) to the clipboard"),
        ),
        Err(e) => (crate::app::Level::Warn, format!("not copied: {e}")),
    };
    Msg::Status { level, text }
}

pub struct Effects {
    pub hosts: Vec<HostHandle>,
    pub outbox: Outbox,
    /// Answers known at once, applied by the loop before anything else
    /// (the loop must not wait on its own bounded lane).
    pub local: Vec<Msg>,
    pub logs: HashMap<u64, AbortHandle>,
    pub watch: watch::Sender<Vec<ContainerKey>>,
    pub probes: watch::Sender<Vec<super::probe_target::Target>>,
    pub runner: crate::ops::runner::JobRunner,
    pub jobs: HashMap<u64, crate::ops::job::JobControl>,
    /// What a cluster creation from the wizard needs besides the handles.
    pub host_specs: Vec<crate::config::HostSpec>,
    pub settings: Settings,
    /// A shell asked for: the loop hands it the terminal after this turn.
    pub shell: Option<super::shell::ShellTarget>,
    /// A theme asked for (`:theme NAME`): the loop, which draws, loads it.
    pub theme: Option<String>,
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
            Effect::AuditRefusal {
                action,
                target,
                reason,
            } => self.runner.audit_refusal(&action, &target, &reason),
            Effect::UseTheme(name) => self.theme = Some(name),
            Effect::MouseCapture(on) => super::terminal::set_mouse(on),
            Effect::GiveReplAccount { cluster, account } => {
                crate::ops::db_account::give(&cluster, account);
            }
            Effect::WatchStats(keys) => {
                self.watch.send_replace(keys);
            }
            Effect::RunPlan(plan) => self.run_plan(plan),
            Effect::Recover(recoveries) => {
                for r in recoveries {
                    self.recover(r);
                }
            }
            Effect::CancelJob(id) => self.cancel(id, "cancelled"),
            Effect::PauseJob { id, paused } => {
                if let Some(control) = self.jobs.get(&id) {
                    control.set_paused(paused);
                }
            }
            Effect::StopJobs { ids, why } => {
                for id in ids {
                    self.cancel(id, &why);
                }
            }
            Effect::WatchProbes(targets) => {
                self.probes.send_replace(targets);
            }
            Effect::Inspect { host, id } => self.inspect(host, id),
            Effect::OpenLogs { session, host, id } => self.open_logs(session, host, id),
            Effect::CloseLogs { session } => self.close_logs(session),
            Effect::OpenClusterLogs { session, members } => {
                self.open_cluster_logs(session, members);
            }
            Effect::Copy { what, text } => {
                let msg = copied(&what, super::clipboard::copy(&text));
                self.local.push(msg);
            }
            Effect::CopyDiagnostics { host, id, text } => self.copy_diagnostics(host, id, text),
            Effect::OpenShell { host, id, name } => {
                self.shell = Some(super::shell::ShellTarget { host, id, name });
            }
            Effect::ListBackups(dir) => self.list_backups(dir),
            Effect::CreateCluster(spec) => self.create_cluster(*spec),
            // Answered inside `update`: nothing to run.
            Effect::Ask(_) => {}
            Effect::ListImages(names) => {
                let hosts = names.iter().filter_map(|n| self.host(n)).collect();
                super::wizard_effects::list_images(&self.outbox, hosts);
            }
            Effect::SaveSpec { path, text } => self
                .local
                .push(super::wizard_effects::save_spec(&path, &text)),
        }
        true
    }

    /// Adds the container's last log lines to its diagnostics, then hands
    /// the block back to the loop to copy: only the loop writes to the
    /// terminal, so the sequence never lands inside a frame.
    fn copy_diagnostics(&mut self, host: String, id: String, text: String) {
        let Some(handle) = self.host(&host) else {
            return;
        };
        let outbox = self.outbox.clone();
        tokio::spawn(async move {
            let logs = match handle.last_log_lines(&id, DIAGNOSTIC_LOG_LINES).await {
                Ok(lines) => lines.join("\n"),
                Err(e) => format!("(its log could not be read: {e})"),
            };
            let text = format!("{text}\nlast {DIAGNOSTIC_LOG_LINES} log lines:\n{logs}\n");
            let what = "the diagnostics".to_string();
            outbox.send(Msg::Copy { what, text }).await;
        });
    }

    /// Starts a confirmed operation's plan as a job reporting to the loop.
    fn run_plan(&mut self, plan: crate::ops::plan::Plan) {
        let outbox = self.outbox.clone();
        let (id, control) = self.runner.start(
            plan,
            std::sync::Arc::new(move |e| outbox.send_sync(Msg::Job(e))),
        );
        self.jobs.insert(id, control);
    }

    /// Starts the recovery of one cut-off job, unless its journal entry
    /// cannot be taken (the status line then says why).
    fn recover(&mut self, r: crate::ops::journal::Recovery) {
        let outbox = self.outbox.clone();
        let journal = self.runner.journal().clone();
        // Held by this process from here, as `tugboat recover`
        // does: another tugboat leaves it alone, and one that
        // recovered it meanwhile is not recovered again.
        if let Err(why) = journal.take(&r.entry) {
            outbox.send_sync(Msg::Status {
                level: crate::app::Level::Warn,
                text: format!("not recovered: {why}"),
            });
            return;
        }
        let entry = r.entry.clone();
        let sink = std::sync::Arc::new(move |e: crate::ops::job::JobEvent| {
            if let crate::ops::job::JobEvent::Finished { outcome, .. } = &e {
                // Forgotten only once safe; else offered again next time.
                if outcome.is_done() {
                    if let Err(err) = journal.forget(&entry) {
                        tracing::warn!("journal {}: {err}", entry.display());
                    }
                }
            }
            outbox.send_sync(Msg::Job(e));
        });
        let (id, control) = self.runner.start(r.plan, sink);
        self.jobs.insert(id, control);
    }

    /// Inspects a container in a task (the host may be slow), answering
    /// with `Msg::Inspected`.
    fn inspect(&self, host: String, id: String) {
        let outbox = self.outbox.clone();
        let handle = self.host(&host);
        tokio::spawn(async move {
            let result = match handle {
                Some(h) => h.inspect_container(&id).await,
                None => Err(crate::docker::HostError::NotConnected(host.clone())),
            };
            outbox.send(Msg::Inspected { host, id, result }).await;
        });
    }

    /// Follows a container's logs in a task, kept so `close_logs` can stop
    /// it; the session ends with the reason the stream stopped.
    fn open_logs(&mut self, session: u64, host: String, id: String) {
        let outbox = self.outbox.clone();
        let handle = self.host(&host);
        // Lines past what the viewer keeps would only push older
        // ones out of it, so the source keeps no more than that.
        outbox.open_log(session, LOG_CAPACITY);
        let task = tokio::spawn(async move {
            let reason = match handle {
                None => format!("unknown host {host}"),
                Some(h) => match h.container_logs(&id, LOG_TAIL).await {
                    Err(e) => e.to_string(),
                    Ok(stream) => logs::follow(session, stream, &outbox).await,
                },
            };
            outbox.log_ended(session, reason);
        });
        self.logs.insert(session, task.abort_handle());
    }

    /// Follows every member's log of a cluster: the hosts' clocks read
    /// first, then lines in batches (at most every `FLUSH`) to the loop,
    /// which puts each where its corrected time belongs.
    fn open_cluster_logs(&mut self, session: u64, members: Vec<(String, String, String)>) {
        use super::cluster_logs::{measure_offsets, offsets_note, stream_members, LogMember};
        let outbox = self.outbox.clone();
        let hosts = self.hosts.clone();
        let members: Vec<LogMember> = members
            .into_iter()
            .map(|(host, id, name)| LogMember { host, id, name })
            .collect();
        let task = tokio::spawn(async move {
            let offsets = measure_offsets(&hosts, &members).await;
            let note = Some(offsets_note(&offsets));
            let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
            let window = crate::docker::LogWindow {
                since: None,
                tail: Some(LOG_TAIL),
                follow: true,
            };
            let _readers = stream_members(&hosts, &members, &offsets, window, tx);
            let msg = |note, lines| Msg::ClusterLog {
                session,
                note,
                lines,
            };
            outbox.send(msg(note, Vec::new())).await;
            let mut batch = Vec::new();
            loop {
                let deadline = tokio::time::sleep(CLUSTER_LOG_FLUSH);
                tokio::pin!(deadline);
                loop {
                    tokio::select! {
                        line = rx.recv() => match line {
                            Some(l) => batch.push(l),
                            None => break,
                        },
                        () = &mut deadline => break,
                    }
                    if batch.len() >= LOG_CAPACITY {
                        break;
                    }
                }
                if !batch.is_empty() && !outbox.send(msg(None, std::mem::take(&mut batch))).await {
                    return;
                }
                if rx.is_closed() && rx.is_empty() {
                    break;
                }
            }
            let reason = "every member's log ended".to_string();
            outbox.send(Msg::LogEnded { session, reason }).await;
        });
        self.logs.insert(session, task.abort_handle());
    }

    /// Stops following a session's logs and drops its buffer.
    fn close_logs(&mut self, session: u64) {
        if let Some(task) = self.logs.remove(&session) {
            task.abort();
        }
        self.outbox.close_log(session);
    }

    /// Reads the backup directory off the async threads (it is disk work),
    /// answering with `Msg::Backups`.
    fn list_backups(&self, dir: std::path::PathBuf) {
        let outbox = self.outbox.clone();
        tokio::task::spawn_blocking(move || {
            outbox.send_sync(Msg::Backups(crate::ops::backup_store::list(&dir)));
        });
    }

    /// Starts the wizard's cluster creation as a job.
    fn create_cluster(&mut self, spec: crate::create::spec::ClusterSpec) {
        let job = super::create_job::CreateJob {
            specs: self.host_specs.clone(),
            hosts: self.hosts.clone(),
            settings: self.settings.clone(),
            runner: self.runner.clone(),
        };
        let (id, control) = job.start(self.outbox.clone(), spec);
        self.jobs.insert(id, control);
    }
}

/// Samples CPU and memory for the containers on screen only, a few at a
/// time, every `stats_interval`, and right after the visible set changes.
pub async fn sample_stats(
    hosts: Vec<HostHandle>,
    settings: Settings,
    mut watched: watch::Receiver<Vec<ContainerKey>>,
    outbox: Outbox,
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
        let results =
            futures_util::stream::iter(jobs).buffer_unordered(settings.stats_concurrency.max(1));
        // A round's samples are handed over together: one turn of the loop
        // and at most one frame for the round, not one each (issue 22: at
        // 2,000 containers a turn costs a few ms, and idle CPU adds them up).
        let round: Vec<HostUpdate> = results.filter_map(|u| async { u }).collect().await;
        // A newer sample replaces one the loop has not applied yet.
        for update in round {
            outbox.host(update);
        }
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
