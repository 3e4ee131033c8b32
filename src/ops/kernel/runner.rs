//! The one executor every change goes through — TUI jobs, every headless
//! verb, a cluster's creation and its destruction: read-only refusal and
//! claims before anything runs, an audit record of the intent at the start
//! and of the outcome at the end, a journal entry while it runs (read by
//! the next start if this process dies), steps in order with typed
//! progress, cancellation at safe points, and the undo of what was done
//! when a job stops or fails before its point of no return.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::watch;

use super::claims::{ClaimError, Claims};
use super::exec::{DockerSteps, StepCx, StepExec};
use super::job::{JobEvent, JobOutcome};
use super::journal::Journal;
use super::plan::{CleanupStep, Plan, Step};
use crate::config::Settings;
use crate::docker::{unix_now, unix_now_ms, HostHandle};
use crate::ops::base::audit::{local_user, now_string, AuditLog, AuditRecord};
use crate::ops::base::error::StepError;
use crate::ops::base::leases;

pub use super::job::JobControl;

pub type JobSink = Arc<dyn Fn(JobEvent) + Send + Sync>;

/// Where the journal of unfinished jobs lives: beside the audit log.
pub fn journal_dir(audit_log: &std::path::Path) -> std::path::PathBuf {
    audit_log
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .join("journal")
}

/// The outcome written in the audit record made when a job starts.
pub const AUDIT_STARTED: &str = "started";

#[derive(Clone)]
pub struct JobRunner {
    steps: Arc<dyn StepExec>,
    audit: AuditLog,
    claims: Arc<Claims>,
    journal: Journal,
    next_id: Arc<AtomicU64>,
}

impl JobRunner {
    /// The runner for the engines of `hosts`.
    pub fn new(hosts: Vec<HostHandle>, settings: Settings, audit: AuditLog) -> Self {
        Self::with_steps(Arc::new(DockerSteps::new(hosts, settings)), audit)
    }

    /// The journal of unfinished jobs this runner writes.
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// A runner whose steps run through `steps`.
    pub fn with_steps(steps: Arc<dyn StepExec>, audit: AuditLog) -> Self {
        Self {
            journal: Journal::new(journal_dir(audit.path())),
            steps,
            audit,
            claims: Arc::default(),
            next_id: Arc::new(AtomicU64::new(1)),
        }
    }

    /// The executor this runner's jobs use unless told otherwise.
    pub fn steps(&self) -> Arc<dyn StepExec> {
        self.steps.clone()
    }

    /// Start `plan` in the background. Refusals (read-only, something the
    /// plan touches is busy) come back as a Finished event like any other
    /// outcome.
    pub fn start(&self, plan: Plan, sink: JobSink) -> (u64, JobControl) {
        self.start_with(plan, self.steps.clone(), sink)
    }

    /// `start`, with the steps run by `steps` (a creation's executor).
    pub fn start_with(
        &self,
        plan: Plan,
        steps: Arc<dyn StepExec>,
        sink: JobSink,
    ) -> (u64, JobControl) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        // Claimed now, not in the task: a job started right after this one
        // must already see what this one holds.
        let claimed = self.claim(id, &plan, steps.as_ref());
        let control = JobControl::default();
        let runner = self.clone();
        let job = control.clone();
        tokio::spawn(async move {
            runner
                .run_job(id, plan, claimed, steps.as_ref(), &job, sink)
                .await
        });
        (id, control)
    }

    /// An id and a control for a job whose plan is still being made (a
    /// creation checks the hosts first); a stop asked before it runs
    /// stops it before its first step. Run it with `run_reserved`.
    pub fn reserve(&self) -> (u64, JobControl) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        (id, JobControl::default())
    }

    /// Run the job reserved as `id`.
    pub async fn run_reserved(
        &self,
        id: u64,
        plan: Plan,
        steps: Arc<dyn StepExec>,
        sink: JobSink,
        control: &JobControl,
    ) -> JobOutcome {
        let claimed = self.claim(id, &plan, steps.as_ref());
        self.run_job(id, plan, claimed, steps.as_ref(), control, sink)
            .await
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
        self.run_with(plan, self.steps.clone(), sink, control).await
    }

    /// `run_controlled`, with the steps run by `steps`.
    pub async fn run_with(
        &self,
        plan: Plan,
        steps: Arc<dyn StepExec>,
        sink: JobSink,
        control: &JobControl,
    ) -> JobOutcome {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.run_reserved(id, plan, steps, sink, control).await
    }

    /// A refusal made before any plan reached the runner (the TUI refused
    /// it: read-only, a guard, a held target): audited like a refused job,
    /// with what was asked and why, no plan.
    pub fn audit_refusal(&self, action: &str, target: &str, reason: &str) {
        let record = AuditRecord {
            time: now_string(),
            user: local_user(),
            host: String::new(),
            action: action.into(),
            target: target.into(),
            plan: Vec::new(),
            outcome: format!("refused: {}", reason.trim_start_matches("refused: ")),
            duration_ms: 0,
        };
        if let Err(e) = self.audit.append(&record) {
            tracing::error!("audit log {}: {e}", self.audit.path().display());
        }
    }

    fn audit(&self, plan: &Plan, outcome: String, duration_ms: u64) {
        let record = AuditRecord {
            time: now_string(),
            user: local_user(),
            host: plan.host.clone(),
            action: plan.action.to_string(),
            target: plan.target.to_string(),
            plan: plan.lines(),
            outcome,
            duration_ms,
        };
        if let Err(e) = self.audit.append(&record) {
            tracing::error!("audit log {}: {e}", self.audit.path().display());
        }
    }

    async fn run_job(
        &self,
        id: u64,
        plan: Plan,
        claimed: Result<(), ClaimError>,
        steps: &dyn StepExec,
        control: &JobControl,
        sink: JobSink,
    ) -> JobOutcome {
        let started = Instant::now();
        debug_assert!(
            plan.undo_mismatches().is_empty(),
            "a plan's undo contradicts its step kinds: {:?}",
            plan.undo_mismatches()
        );
        sink(JobEvent::Started {
            id,
            plan: plan.clone(),
            at_ms: unix_now_ms(),
        });
        let outcome = match claimed {
            Err(reason) => JobOutcome::Refused {
                reason: reason.to_string(),
            },
            // A plan that only reads leaves nothing to recover and holds
            // nothing another tugboat must wait for: no journal, no lease
            // (which would write to an engine, read-only or not).
            Ok(()) if plan.reads_only() => {
                let outcome = self.run_leased(id, &plan, steps, control, &sink).await;
                self.claims.release(id);
                outcome
            }
            Ok(()) => {
                // Read by the next start if this process dies mid-job:
                // written before the leases, so a cut-off job's leases
                // always have an entry whose recovery frees them.
                if let Err(e) = self.journal.begin(id, &plan, unix_now()) {
                    tracing::warn!("journal: {e}");
                }
                let outcome = match self.lease(&plan, steps).await {
                    Err(reason) => JobOutcome::Refused {
                        reason: reason.to_string(),
                    },
                    Ok(leases) => {
                        let outcome = self.run_leased(id, &plan, steps, control, &sink).await;
                        leases::release(steps.lease_hosts(), &leases).await;
                        outcome
                    }
                };
                self.journal.end(id);
                self.claims.release(id);
                outcome
            }
        };
        let millis = started.elapsed().as_millis() as u64;
        self.audit(&plan, outcome.text(plan.steps.len()), millis);
        sink(JobEvent::Finished {
            id,
            outcome: outcome.clone(),
            millis,
        });
        outcome
    }

    /// Leases on every engine that holds something the plan touches, so
    /// another tugboat (terminal, bastion) is refused too.
    async fn lease(
        &self,
        plan: &Plan,
        steps: &dyn StepExec,
    ) -> Result<leases::Taken, leases::LeaseError> {
        let claims = super::claims::touches(plan);
        // A recovery takes over the leases of the cut-off job it recovers.
        let succeeds = plan.steps.iter().find_map(|s| match &s.op {
            super::plan::StepOp::Cleanup(CleanupStep::FreeLeases { holder }) => Some(holder),
            _ => None,
        });
        leases::take(
            steps.lease_hosts(),
            (&format!("{} {}", plan.action, plan.target), &plan.host),
            &claims,
            succeeds,
        )
        .await
    }

    /// The job's steps, its intent audited first.
    async fn run_leased(
        &self,
        id: u64,
        plan: &Plan,
        steps: &dyn StepExec,
        control: &JobControl,
        sink: &JobSink,
    ) -> JobOutcome {
        // The intent, before anything changes: a job cut off by `kill -9`
        // still left a trace of what it set out to do.
        self.audit(plan, AUDIT_STARTED.into(), 0);
        run_steps(steps, id, plan, control, sink).await
    }

    /// Read-only mode on any host the plan acts on (unless the plan only
    /// reads), and anything a running job holds, are refused before
    /// anything runs.
    fn claim(&self, id: u64, plan: &Plan, steps: &dyn StepExec) -> Result<(), ClaimError> {
        if plan.reads_only() {
            return self.claims.claim(id, plan);
        }
        let mut hosts: Vec<&str> = plan
            .steps
            .iter()
            .filter_map(|s| s.host.as_deref())
            .collect();
        hosts.push(&plan.host);
        for host in hosts {
            if steps.read_only(host)? {
                return Err(ClaimError::ReadOnly);
            }
        }
        self.claims.claim(id, plan)
    }
}

/// The steps of `plan` in order; on a stop or a failure before the point
/// of no return, the undo steps of what was done, newest first.
pub(crate) async fn run_steps(
    steps: &dyn StepExec,
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
        if step.pause_point && !committed && control.is_paused() && !control.is_stopped() {
            let paused = |paused| JobEvent::Paused {
                id,
                index: i,
                paused,
            };
            sink(paused(true));
            control.paused().await;
            sink(paused(false));
        }
        if control.is_stopped() && !committed {
            return JobOutcome::Cancelled {
                completed: i,
                why: control.why(),
                detail: make_safe(steps, id, i, plan, &mut pending, sink).await,
            };
        }
        sink(JobEvent::Step {
            id,
            index: i,
            detail: step.what.clone(),
        });
        let say = |text: String| sink(JobEvent::Progress { id, index: i, text });
        let cx = StepCx {
            cancel: if committed { &never } else { &stop },
            say: &say,
        };
        let host = step.host.as_deref().unwrap_or(&plan.host);
        if let Err(error) = steps.run(host, &step.op, cx).await {
            // A step that stopped because it was asked to is not a failure.
            let stopped = matches!(error, StepError::Stopped(_)) || control.is_stopped();
            // The one place an outcome's error is made: whatever the step
            // quoted (HAProxy's, MySQL's, the engine's words) is made inert.
            let error = crate::model::sanitize(&error.to_string());
            if committed {
                let error = format!("{error} (past the point of no return: nothing was undone)");
                return JobOutcome::Failed { step: i + 1, error };
            }
            let detail = match make_safe(steps, id, i, plan, &mut pending, sink).await {
                Some(safe) => format!("{error}; {safe}"),
                None => error,
            };
            if stopped {
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

/// Tries of each undo step before it is reported as failed.
const UNDO_ATTEMPTS: usize = 3;
const UNDO_RETRY: std::time::Duration = std::time::Duration::from_millis(500);

/// Run the undo steps still pending, newest first, whatever happens to
/// each (nothing cancels them); what they did, for the outcome, each also
/// reported as progress of step `index`.
async fn make_safe(
    steps: &dyn StepExec,
    id: u64,
    index: usize,
    plan: &Plan,
    pending: &mut Vec<&Step>,
    sink: &JobSink,
) -> Option<String> {
    if pending.is_empty() {
        return None;
    }
    let (_never_turned, never) = watch::channel(false);
    let say = |text: String| sink(JobEvent::Progress { id, index, text });
    let mut said = Vec::new();
    while let Some(undo) = pending.pop() {
        let cx = StepCx {
            cancel: &never,
            say: &say,
        };
        let host = undo.host.as_deref().unwrap_or(&plan.host);
        // What is left unsafe matters more than time: an undo that failed
        // (a busy engine, a server restarting) is tried again.
        let mut result = steps.run(host, &undo.op, cx).await;
        for _ in 1..UNDO_ATTEMPTS {
            if result.is_ok() {
                break;
            }
            tokio::time::sleep(UNDO_RETRY).await;
            result = steps.run(host, &undo.op, cx).await;
        }
        let line = crate::model::sanitize(&match result {
            Ok(()) => format!("{}: done", undo.what),
            Err(e) => format!("{}: FAILED ({e})", undo.what),
        });
        say(format!("undo: {line}"));
        said.push(line);
    }
    Some(format!("made safe: {}", said.join("; ")))
}
