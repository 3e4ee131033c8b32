//! The wizard's create, run in the background as a job of the one
//! executor, exactly as `tugboat create` runs it (undo, audit, claims);
//! its progress goes to the wizard's progress screen and the Jobs pane.

use std::sync::Arc;
use std::time::Duration;

use super::inbox::Outbox;
use crate::app::{Level, Msg};
use crate::config::{HostSpec, Settings};
use crate::create::apply::{create_job_plan, CreateSteps};
use crate::create::prepare::prepare;
use crate::create::spec::{ClusterSpec, Template};
use crate::docker::{unix_now_ms, HostHandle};
use crate::ops::job::{JobEvent, JobOutcome};
use crate::ops::plan::{Plan, PlanAction, PlanTarget};
use crate::ops::runner::{JobControl, JobRunner};

/// From the first setup or check to every check passing.
const VERIFY_TIMEOUT: Duration = Duration::from_secs(180);

pub struct CreateJob {
    pub specs: Vec<HostSpec>,
    pub hosts: Vec<HostHandle>,
    pub settings: Settings,
    pub runner: JobRunner,
}

impl CreateJob {
    /// Start creating `spec`; the control stops it (what it made is then
    /// removed), as for any job.
    pub fn start(self, outbox: Outbox, spec: ClusterSpec) -> (u64, JobControl) {
        let (id, control) = self.runner.reserve();
        let job = control.clone();
        tokio::spawn(async move { self.run(outbox, spec, id, job).await });
        (id, control)
    }

    async fn run(self, outbox: Outbox, spec: ClusterSpec, id: u64, control: JobControl) {
        let send = {
            let outbox = outbox.clone();
            Arc::new(move |e: JobEvent| outbox.send_sync(Msg::Job(e)))
        };
        let prepared = prepare(&spec, &self.specs, &self.hosts, &self.settings).await;
        let (plan, secrets) = match prepared {
            Ok(p) => p,
            Err(e) => {
                send(JobEvent::Started {
                    id,
                    plan: Plan {
                        action: PlanAction::Create,
                        host: String::new(),
                        target: PlanTarget::Cluster(spec.name.clone()),
                        steps: Vec::new(),
                    },
                    at_ms: unix_now_ms(),
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
        let job = create_job_plan(&plan);
        let steps = Arc::new(CreateSteps::new(
            plan,
            self.runner.steps(),
            self.hosts.clone(),
            self.settings.clone(),
            VERIFY_TIMEOUT,
        ));
        let outcome = self
            .runner
            .run_reserved(id, job, steps, send, &control)
            .await;
        if outcome.is_done() && spec.template == Template::Database {
            // Shown once, here; kept only in the containers' environment.
            let said = Msg::Status {
                level: Level::Ok,
                text: format!(
                    "created {}: root password (shown once): {} · account app (no admin): {}",
                    spec.name, secrets.root_password, secrets.app_password
                ),
            };
            outbox.send(said).await;
        }
    }
}
