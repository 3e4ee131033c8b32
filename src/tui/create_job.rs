//! The wizard's create, run in the background: the same preparation and
//! apply engine as `tugboat create` (rollback, audit), its progress sent as
//! job events for the wizard's progress screen and the Jobs pane.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::app::{Level, Msg};
use crate::config::{HostSpec, Settings};
use crate::create::apply::{apply_audited, ApplyEvent, ApplyOptions, ApplyOutcome};
use crate::create::plan::CreatePlan;
use crate::create::prepare::prepare;
use crate::create::spec::{ClusterSpec, Template};
use crate::docker::{unix_now, HostHandle};
use crate::ops::job::{JobEvent, JobOutcome};
use crate::ops::plan::{Plan, Step, StepOp};
use crate::ops::AuditLog;

/// From the last object created to every check passing.
const VERIFY_TIMEOUT: Duration = Duration::from_secs(180);

pub struct CreateJob {
    pub specs: Vec<HostSpec>,
    pub hosts: Vec<HostHandle>,
    pub settings: Settings,
    pub audit: AuditLog,
}

/// The plan as the Jobs pane lists it: one step per line of the create plan.
fn listed(spec: &ClusterSpec, plan: Option<&CreatePlan>) -> Plan {
    let steps = plan.map_or_else(Vec::new, |p| {
        p.lines()
            .into_iter()
            .map(|l| Step::new(l, StepOp::Listed))
            .collect()
    });
    let host = plan
        .and_then(|p| p.objects.first())
        .map_or_else(String::new, |o| o.host().to_string());
    Plan {
        action: "create".into(),
        host,
        target: format!("cluster/{}", spec.name),
        steps,
    }
}

impl CreateJob {
    /// Start creating `spec` as job `id`; the returned sender cancels it
    /// (the run then rolls back what it made).
    pub fn start(
        self,
        tx: mpsc::UnboundedSender<Msg>,
        spec: ClusterSpec,
        id: u64,
    ) -> watch::Sender<bool> {
        let (cancel_tx, cancel_rx) = watch::channel(false);
        tokio::spawn(async move { self.run(tx, spec, id, cancel_rx).await });
        cancel_tx
    }

    async fn run(
        self,
        tx: mpsc::UnboundedSender<Msg>,
        spec: ClusterSpec,
        id: u64,
        cancel: watch::Receiver<bool>,
    ) {
        let send = |e: JobEvent| {
            let _ = tx.send(Msg::Job(e));
        };
        let prepared = prepare(&spec, &self.specs, &self.hosts, &self.settings).await;
        let (plan, secrets) = match prepared {
            Ok(p) => p,
            Err(e) => {
                send(JobEvent::Started {
                    id,
                    plan: listed(&spec, None),
                    at: unix_now(),
                });
                let outcome = JobOutcome::Refused {
                    reason: e.to_string(),
                };
                send(JobEvent::Finished {
                    id,
                    outcome,
                    millis: 0,
                });
                return;
            }
        };
        send(JobEvent::Started {
            id,
            plan: listed(&spec, Some(&plan)),
            at: unix_now(),
        });
        // Steps in the listed order: objects, then setup, then checks.
        let objects = plan.objects.len();
        let setup = plan.setup.len();
        let (set_up, verified) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let current = Arc::new(AtomicUsize::new(0));
        let sink = |e: ApplyEvent| {
            let index = match &e {
                ApplyEvent::Created { index, .. } => Some(*index),
                ApplyEvent::SetUp { .. } => Some(objects + set_up.fetch_add(1, Ordering::Relaxed)),
                ApplyEvent::Verified { .. } => {
                    Some(objects + setup + verified.fetch_add(1, Ordering::Relaxed))
                }
                _ => None,
            };
            if let Some(index) = index {
                current.store(index, Ordering::Relaxed);
                send(JobEvent::Step {
                    id,
                    index,
                    detail: e.text(),
                });
            }
        };
        let options = ApplyOptions {
            settings: self.settings.clone(),
            verify_timeout: VERIFY_TIMEOUT,
        };
        let (outcome, millis) =
            apply_audited(&plan, &self.hosts, &options, cancel, &sink, &self.audit).await;
        let step = current.load(Ordering::Relaxed) + 1;
        let job_outcome = match &outcome {
            ApplyOutcome::Done => JobOutcome::Done,
            ApplyOutcome::Refused { reason } => JobOutcome::Refused {
                reason: reason.clone(),
            },
            ApplyOutcome::Cancelled { .. } => JobOutcome::Cancelled {
                completed: step - 1,
                why: "cancelled".into(),
                detail: Some(outcome.text()),
            },
            ApplyOutcome::Failed { .. } => {
                let text = outcome.text();
                JobOutcome::Failed {
                    step,
                    error: text.strip_prefix("failed: ").unwrap_or(&text).to_string(),
                }
            }
        };
        send(JobEvent::Finished {
            id,
            outcome: job_outcome,
            millis,
        });
        if outcome == ApplyOutcome::Done && spec.template == Template::Database {
            // Shown once, here; kept only in the containers' environment.
            let _ = tx.send(Msg::Status {
                level: Level::Ok,
                text: format!(
                    "created {}: root password (shown once): {}",
                    spec.name, secrets.root_password
                ),
            });
        }
    }
}
