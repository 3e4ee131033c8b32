//! Runs plans step by step: one job per target at a time, cancellation
//! between steps, progress as `JobEvent`s, and an audit record at the end,
//! whatever the outcome.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::audit::{local_user, now_string, AuditLog, AuditRecord};
use super::claims::Claims;
use super::job::{JobEvent, JobOutcome};
use super::journal::Journal;
use super::plan::{Plan, Step, StepOp};
use crate::config::Settings;
use crate::docker::{unix_now, ExecPurpose, HostHandle};
use crate::model::probed::ProbeResult;
use crate::model::{ContainerState, Health};
use crate::probes::haproxy::ProxyKind;
use crate::probes::run::{probe, ProbeKind};
use crate::probes::zookeeper::ZkMode;

pub type JobSink = Arc<dyn Fn(JobEvent) + Send + Sync>;

/// Sends one runtime-API command through a stats socket and prints the
/// answer (empty when HAProxy accepted it). Command and socket come in the
/// environment, never spliced into the script.
const HAPROXY_COMMAND_SCRIPT: &str = r#"
s="$TUGBOAT_HAPROXY_SOCKET"; c="$TUGBOAT_HAPROXY_CMD"
case "$s" in
  ipv4@*|ipv6@*)
    a=${s#*@}; h=${a%:*}; p=${a##*:}
    [ -z "$h" ] || [ "$h" = "*" ] || [ "$h" = "0.0.0.0" ] && h=127.0.0.1
    if command -v socat >/dev/null 2>&1; then printf '%s\n' "$c" | socat -t 2 stdio "TCP:$h:$p"
    else bash -c 'exec 3<>"/dev/tcp/$0/$1" && printf "%s\n" "$2" >&3 && cat <&3' "$h" "$p" "$c"; fi ;;
  *) printf '%s\n' "$c" | socat -t 2 stdio "UNIX-CONNECT:${s#unix@}" ;;
esac
"#;

/// Where the journal of unfinished jobs lives: beside the audit log.
pub fn journal_dir(audit_log: &std::path::Path) -> std::path::PathBuf {
    audit_log
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .join("journal")
}

#[derive(Clone)]
pub struct JobRunner {
    hosts: Vec<HostHandle>,
    settings: Settings,
    audit: AuditLog,
    claims: Arc<Claims>,
    journal: Journal,
    next_id: Arc<AtomicU64>,
}

/// Ask a running job to stop at its next safe point: between steps, or
/// inside a long step that watches for it (and then makes safe what it
/// did). The first reason given is the one reported and audited.
#[derive(Clone)]
pub struct JobControl {
    stop: Arc<watch::Sender<bool>>,
    why: Arc<Mutex<Option<String>>>,
}

impl Default for JobControl {
    fn default() -> Self {
        Self {
            stop: Arc::new(watch::channel(false).0),
            why: Arc::default(),
        }
    }
}

impl JobControl {
    /// A signal arrived (`SIGTERM`, `SIGHUP`: the session is gone, …).
    pub fn interrupt(&self, signal: &str) {
        self.stop_because(&format!("interrupted by {signal}"));
    }

    /// Stop for `why` (said in the outcome and the audit record).
    pub fn stop_because(&self, why: &str) {
        self.why
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert_with(|| why.to_string());
        self.stop.send_replace(true);
    }

    pub fn is_stopped(&self) -> bool {
        *self.stop.borrow()
    }

    fn why(&self) -> String {
        self.why
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .unwrap_or_else(|| "cancelled".into())
    }

    /// A receiver that turns true when the job is asked to stop.
    pub fn watch(&self) -> watch::Receiver<bool> {
        self.stop.subscribe()
    }
}

impl JobRunner {
    pub fn new(hosts: Vec<HostHandle>, settings: Settings, audit: AuditLog) -> Self {
        Self {
            journal: Journal::new(journal_dir(audit.path())),
            hosts,
            settings,
            audit,
            claims: Arc::default(),
            next_id: Arc::new(AtomicU64::new(1)),
        }
    }

    /// Start `plan` in the background. Refusals (read-only, busy target)
    /// come back as a Finished event like any other outcome.
    pub fn start(&self, plan: Plan, sink: JobSink) -> (u64, JobControl) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        // Claimed now, not in the task: a job started right after this one
        // must already see what this one holds.
        let claimed = self.claim(id, &plan);
        let control = JobControl::default();
        let runner = self.clone();
        let job = control.clone();
        tokio::spawn(async move { runner.run_job(id, plan, claimed, &job, sink).await });
        (id, control)
    }

    /// Run `plan` to the end and return its outcome.
    pub async fn run(&self, plan: Plan, sink: JobSink) -> JobOutcome {
        self.run_controlled(plan, sink, &JobControl::default())
            .await
    }

    /// Run `plan` to the end, or until `control` stops it at a safe point
    /// (headless commands: a signal).
    pub async fn run_controlled(
        &self,
        plan: Plan,
        sink: JobSink,
        control: &JobControl,
    ) -> JobOutcome {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let claimed = self.claim(id, &plan);
        self.run_job(id, plan, claimed, control, sink).await
    }

    async fn run_job(
        &self,
        id: u64,
        plan: Plan,
        claimed: Result<(), String>,
        control: &JobControl,
        sink: JobSink,
    ) -> JobOutcome {
        let started = Instant::now();
        sink(JobEvent::Started {
            id,
            plan: plan.clone(),
            at: unix_now(),
        });
        let outcome = match claimed {
            Err(reason) => JobOutcome::Refused { reason },
            Ok(()) => {
                // Read by the next start if this process dies mid-job.
                if let Err(e) = self.journal.begin(id, &plan, unix_now()) {
                    tracing::warn!("journal: {e}");
                }
                let outcome = self.steps(id, &plan, control, &sink).await;
                self.journal.end(id);
                self.claims.release(id);
                outcome
            }
        };
        let millis = started.elapsed().as_millis() as u64;
        let record = AuditRecord {
            time: now_string(),
            user: local_user(),
            host: plan.host.clone(),
            action: plan.action.clone(),
            target: plan.target.clone(),
            plan: plan.lines(),
            outcome: outcome.text(plan.steps.len()),
            duration_ms: millis,
        };
        if let Err(e) = self.audit.append(&record) {
            tracing::error!("audit log {}: {e}", self.audit.path().display());
        }
        sink(JobEvent::Finished {
            id,
            outcome: outcome.clone(),
            millis,
        });
        outcome
    }

    fn host(&self, name: &str) -> Result<&HostHandle, String> {
        self.hosts
            .iter()
            .find(|h| h.name == name)
            .ok_or_else(|| format!("unknown host {name}"))
    }

    /// Read-only mode, and anything a running job holds, are refused
    /// before anything runs.
    fn claim(&self, id: u64, plan: &Plan) -> Result<(), String> {
        if self.host(&plan.host)?.is_read_only() {
            return Err("read-only mode (--read-only) changes nothing".into());
        }
        self.claims.claim(id, plan)
    }

    async fn steps(
        &self,
        id: u64,
        plan: &Plan,
        control: &JobControl,
        sink: &JobSink,
    ) -> JobOutcome {
        let stop = control.watch();
        // Past a point of no return nothing stops the job: its waits get a
        // switch no one turns.
        let (_never_turned, never) = watch::channel(false);
        let mut committed = false;
        // The undo steps of done steps not yet undone, oldest first.
        let mut pending: Vec<&Step> = Vec::new();
        for (i, step) in plan.steps.iter().enumerate() {
            if control.is_stopped() && !committed {
                return JobOutcome::Cancelled {
                    completed: i,
                    why: control.why(),
                    detail: self.make_safe(plan, &mut pending).await,
                };
            }
            let result = match self.host(step.host.as_deref().unwrap_or(&plan.host)) {
                Ok(handle) => {
                    sink(JobEvent::Step {
                        id,
                        index: i,
                        detail: step.what.clone(),
                    });
                    let cancel = if committed { &never } else { &stop };
                    self.step(handle, &step.op, cancel).await
                }
                Err(e) => Err(e),
            };
            if let Err(error) = result {
                if committed {
                    let error =
                        format!("{error} (past the point of no return: nothing was undone)");
                    return JobOutcome::Failed { step: i + 1, error };
                }
                let detail = match self.make_safe(plan, &mut pending).await {
                    Some(safe) => format!("{error}; {safe}"),
                    None => error,
                };
                // A step that stopped because it was asked to is not a failure.
                if control.is_stopped() {
                    return JobOutcome::Cancelled {
                        completed: i,
                        why: control.why(),
                        detail: Some(detail),
                    };
                }
                return JobOutcome::Failed {
                    step: i + 1,
                    error: detail,
                };
            }
            pending.retain(|u| u.op != step.op && !step.settles.contains(&u.op));
            if let Some(undo) = &step.undo {
                pending.push(undo);
            }
            if step.no_return {
                committed = true;
                pending.clear();
            }
        }
        JobOutcome::Done
    }

    /// Run the undo steps still pending, newest first, whatever happens to
    /// each; what they did, for the outcome.
    async fn make_safe(&self, plan: &Plan, pending: &mut Vec<&Step>) -> Option<String> {
        if pending.is_empty() {
            return None;
        }
        let (_never_turned, never) = watch::channel(false);
        let mut said = Vec::new();
        while let Some(undo) = pending.pop() {
            let result = match self.host(undo.host.as_deref().unwrap_or(&plan.host)) {
                Ok(h) => self.step(h, &undo.op, &never).await,
                Err(e) => Err(e),
            };
            said.push(match result {
                Ok(()) => format!("{}: done", undo.what),
                Err(e) => format!("{}: FAILED ({e})", undo.what),
            });
        }
        Some(format!("made safe: {}", said.join("; ")))
    }

    /// The members other than `restarting` that serve must make a majority
    /// of `voters`; asked now, not when the plan was made.
    async fn guard_quorum(
        &self,
        members: &[(String, String)],
        restarting: &str,
        voters: usize,
    ) -> Result<(), String> {
        let needed = voters / 2 + 1;
        let mut serving = 0;
        for (host, id) in members.iter().filter(|(_, id)| id != restarting) {
            let Ok(h) = self.host(host) else { continue };
            if let ProbeResult::Zookeeper(Ok(p)) =
                probe(h, id, ProbeKind::Zookeeper, &self.settings).await
            {
                serving += usize::from(p.mode().is_voting_up());
            }
        }
        if serving >= needed {
            Ok(())
        } else {
            Err(format!(
                "refused: only {serving} other member(s) serve and the ensemble of {voters} needs {needed}: \
                 restarting this one now would cost it its quorum; nothing more was restarted"
            ))
        }
    }

    async fn step(
        &self,
        handle: &HostHandle,
        op: &StepOp,
        cancel: &watch::Receiver<bool>,
    ) -> Result<(), String> {
        match op {
            StepOp::HaproxyCommand {
                container_id,
                socket,
                command,
            } => {
                let timeout = self.settings.request_timeout;
                let answer = haproxy_answer(handle, timeout, container_id, socket, command).await?;
                // HAProxy answers an accepted command with an empty line.
                if answer.is_empty() {
                    Ok(())
                } else {
                    Err(format!("HAProxy said: {answer}"))
                }
            }
            StepOp::WaitZkServing { id, timeout_secs } => {
                wait_until(cancel, *timeout_secs, || async move {
                    match probe(handle, id, ProbeKind::Zookeeper, &self.settings).await {
                        ProbeResult::Zookeeper(Ok(p)) => {
                            let mode = p.mode();
                            if mode.is_voting_up() || mode == ZkMode::Observer {
                                Ok(())
                            } else {
                                Err(mode.as_str().to_string())
                            }
                        }
                        _ => Err("no answer".into()),
                    }
                })
                .await
            }
            StepOp::GuardQuorum {
                members,
                restarting,
                voters,
            } => self.guard_quorum(members, restarting, *voters).await,
            StepOp::WaitNewLeader {
                members,
                old,
                timeout_secs,
            } => {
                wait_until(cancel, *timeout_secs, || async move {
                    for (host, id) in members.iter().filter(|(_, id)| id != old) {
                        let Ok(h) = self.host(host) else { continue };
                        if let ProbeResult::Zookeeper(Ok(p)) =
                            probe(h, id, ProbeKind::Zookeeper, &self.settings).await
                        {
                            if p.mode() == ZkMode::Leader {
                                return Ok(());
                            }
                        }
                    }
                    Err("no new leader".into())
                })
                .await
            }
            StepOp::SetNodeAvailability { node, availability } => {
                handle
                    .set_node_availability(node, availability)
                    .await
                    .map_err(|e| e.to_string())?;
                let now = handle
                    .node_availability(node)
                    .await
                    .map_err(|e| e.to_string())?;
                if now == *availability {
                    Ok(())
                } else {
                    Err(format!("node {node} reports {now}, not {availability}"))
                }
            }
            StepOp::RestartContainer { id } => handle
                .restart_container(id)
                .await
                .map_err(|e| e.to_string()),
            StepOp::StopContainer { id } => {
                handle.stop_container(id).await.map_err(|e| e.to_string())
            }
            StepOp::StartContainer { id } => handle.start(id).await.map_err(|e| e.to_string()),
            StepOp::WaitContainerUp { id, timeout_secs } => {
                wait_until(cancel, *timeout_secs, || async move {
                    let (state, health) = handle
                        .container_status(id)
                        .await
                        .map_err(|e| e.to_string())?;
                    if state == ContainerState::Running
                        && matches!(health, Health::None | Health::Healthy)
                    {
                        Ok(())
                    } else {
                        Err(format!("{} {}", state.as_str(), health.as_str())
                            .trim()
                            .to_string())
                    }
                })
                .await
            }
            StepOp::WaitServerStatus {
                container_id,
                backend,
                server,
                want,
                timeout_secs,
            } => {
                wait_until(cancel, *timeout_secs, || async move {
                    let ProbeResult::Haproxy(Ok(p)) =
                        probe(handle, container_id, ProbeKind::Haproxy, &self.settings).await
                    else {
                        return Err("no answer".into());
                    };
                    let found = p.rows.iter().find(|r| {
                        r.kind == ProxyKind::Server && r.proxy == *backend && r.name == *server
                    });
                    match found.map(|r| r.status.label()) {
                        Some(label) if want.contains(&label) => Ok(()),
                        Some(label) => Err(format!("{backend}/{server} showing {label}")),
                        None => Err(format!("no server {backend}/{server}")),
                    }
                })
                .await
            }
            StepOp::WaitReplicaCaughtUp {
                id,
                max_lag_secs,
                timeout_secs,
            } => {
                wait_until(cancel, *timeout_secs, || async move {
                    let ProbeResult::Mysql(Ok(p)) =
                        probe(handle, id, ProbeKind::Mysql, &self.settings).await
                    else {
                        return Err("no answer".into());
                    };
                    let Some(r) = p.replica else {
                        return Err("not replicating".into());
                    };
                    match r.seconds_behind {
                        Some(lag) if r.is_healthy() && lag <= *max_lag_secs => Ok(()),
                        Some(lag) if r.is_healthy() => Err(format!("{lag}s behind")),
                        _ => Err(format!(
                            "replication threads IO {} SQL {}",
                            r.io_running.as_str(),
                            r.sql_running.as_str()
                        )),
                    }
                })
                .await
            }
            StepOp::CreateReplica { .. }
            | StepOp::RemoveContainer { .. }
            | StepOp::HaproxyAddServer { .. }
            | StepOp::WaitServerIdle { .. }
            | StepOp::HaproxyRemoveServer { .. }
            | StepOp::ScaleService { .. }
            | StepOp::WaitServiceTasks { .. } => {
                super::run_scale::step(handle, &self.settings, op, cancel).await
            }
            StepOp::Unpause { .. } | StepOp::RemoveHelpers { .. } | StepOp::RemoveFile { .. } => {
                super::run_recover::step(handle, op).await
            }
            StepOp::Listed => {
                Err("this step is run by the create engine, not the job runner".into())
            }
            StepOp::Backup(step) => super::run_backup::step(handle, step, cancel).await,
            StepOp::DbExec {
                container_id,
                flavor,
                statement,
            } => {
                super::run_db::exec_statement(
                    handle,
                    &self.settings,
                    container_id,
                    *flavor,
                    statement,
                )
                .await
            }
            StepOp::DbCatchUp {
                container_id,
                flavor,
                source,
                timeout_secs,
            } => {
                let source = match source {
                    Some((host, id)) => Some((self.host(host)?, id.as_str())),
                    None => None,
                };
                super::run_db::catch_up(
                    handle,
                    &self.settings,
                    container_id,
                    *flavor,
                    source,
                    *timeout_secs,
                )
                .await
            }
            StepOp::DbWaitReplicating {
                container_id,
                source_host,
                timeout_secs,
            } => {
                wait_until(cancel, *timeout_secs, || {
                    super::run_db::replicating_from(
                        handle,
                        &self.settings,
                        container_id,
                        source_host,
                    )
                })
                .await
            }
        }
    }
}

/// Send one runtime-API command through a balancer's stats socket and
/// return HAProxy's answer, trimmed (empty when it accepted the command
/// silently).
pub(super) async fn haproxy_answer(
    handle: &HostHandle,
    timeout: Duration,
    container_id: &str,
    socket: &str,
    command: &str,
) -> Result<String, String> {
    let env = vec![
        format!("TUGBOAT_HAPROXY_SOCKET={socket}"),
        format!("TUGBOAT_HAPROXY_CMD={command}"),
    ];
    let out = handle
        .exec(
            container_id,
            &["sh", "-c", HAPROXY_COMMAND_SCRIPT],
            &env,
            ExecPurpose::Change,
            timeout,
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok(format!("{}{}", out.stdout.trim(), out.stderr.trim()))
}

/// How often a waiting step looks again.
const POLL: Duration = Duration::from_millis(300);

/// Ask `check` until it is satisfied, the deadline passes or the job is
/// cancelled; `check` says what it saw, for the error.
pub(super) async fn wait_until<Fut>(
    cancel: &watch::Receiver<bool>,
    timeout_secs: u64,
    mut check: impl FnMut() -> Fut,
) -> Result<(), String>
where
    Fut: std::future::Future<Output = Result<(), String>>,
{
    let deadline = Instant::now() + Duration::from_secs(timeout_secs);
    let mut last = String::from("no answer");
    while Instant::now() < deadline {
        if *cancel.borrow() {
            return Err("cancelled while waiting".into());
        }
        match check().await {
            Ok(()) => return Ok(()),
            Err(seen) => last = seen,
        }
        tokio::time::sleep(POLL).await;
    }
    Err(format!("still {last} after {timeout_secs}s"))
}
