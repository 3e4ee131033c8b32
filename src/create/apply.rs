//! A cluster's creation as a job of the one executor (`ops::runner`): the
//! create plan becomes a plan of steps — preflight (hosts connected, images
//! present, names free, hosts reach each other) before anything is made,
//! then each object with the undo that removes it, the setup, and the
//! checks with a deadline. A failure, `x`, a signal: the runner removes
//! exactly what this run made, newest first; nothing that existed before
//! is touched. `CreateSteps` runs the creation's own steps and hands every
//! other one to the engines' executor.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::failure;
use super::images::{missing_images, planned_images};
use super::plan::{CreatePlan, Object, Setup};
use super::reach_check::{check_reach, Reached};
use super::setup::run_setup;
use super::verify::check_once;
use crate::config::Settings;
use crate::docker::{HostHandle, ObjectKind};
use crate::ops::cleanup_step::CleanupStep;
use crate::ops::error::{StepError, StepResult};
use crate::ops::exec::{StepCx, StepExec, StepFuture};
use crate::ops::plan::{CreateStep, Plan, PlanAction, PlanTarget, Step, StepOp};

fn kind_of(o: &Object) -> ObjectKind {
    match o {
        Object::Network { .. } => ObjectKind::Network,
        Object::Volume { .. } => ObjectKind::Volume,
        Object::Container(_) => ObjectKind::Container,
    }
}

fn setup_host(s: &Setup) -> &str {
    match s {
        Setup::ReplicationUser { host, .. } | Setup::StartReplica { host, .. } => host,
    }
}

/// The job that creates `plan`: its steps are the plan's lines (what the
/// review showed), each object undone by removing it.
pub fn create_job_plan(plan: &CreatePlan) -> Plan {
    let first = plan.objects.first().map_or("", |o| o.host()).to_string();
    let lines = plan.lines();
    // The plan's lines: reach lines, objects, setup, checks, in that order.
    let mut lines = lines.into_iter().skip(plan.reach.len());
    let mut preflight = String::from("preflight: hosts answer, images are present, names are free");
    for r in &plan.reach {
        preflight.push_str(&format!(
            "; the other hosts' containers reach {} at {}:{} ({})",
            r.host, r.address.address, r.port, r.address.source
        ));
    }
    let mut steps = vec![Step::new(preflight, StepOp::Create(CreateStep::Preflight)).on(&first)];
    for (index, o) in plan.objects.iter().enumerate() {
        let kind = kind_of(o);
        let name = o.name().to_string();
        let undo = Step::new(
            format!("remove {} {name} on {}", kind.word(), o.host()),
            StepOp::Cleanup(CleanupStep::RemoveObject {
                kind,
                name: name.clone(),
            }),
        )
        .on(o.host());
        let what = lines.next().unwrap_or_default();
        let op = StepOp::Create(CreateStep::Object {
            index,
            kind,
            name,
            job: plan.job.clone(),
        });
        steps.push(Step::new(what, op).on(o.host()).undone_by(undo));
    }
    for (index, s) in plan.setup.iter().enumerate() {
        let what = lines.next().unwrap_or_default();
        let op = StepOp::Create(CreateStep::Setup { index });
        steps.push(Step::new(what, op).on(setup_host(s)));
    }
    for index in 0..plan.checks.len() {
        let what = lines.next().unwrap_or_default();
        let op = StepOp::Create(CreateStep::Check { index });
        steps.push(Step::new(what, op).on(&first));
    }
    Plan {
        action: PlanAction::Create,
        host: first,
        target: PlanTarget::Cluster(plan.cluster.clone()),
        steps,
    }
}

/// Runs a creation's steps; every other step (the undo that removes an
/// object) goes to `base`.
/// The longest verification a create waits for (`--verify-timeout`).
pub const MAX_VERIFY_TIMEOUT_SECS: u64 = 24 * 60 * 60;
const MAX_VERIFY_TIMEOUT: Duration = Duration::from_secs(MAX_VERIFY_TIMEOUT_SECS);

pub struct CreateSteps {
    plan: CreatePlan,
    base: Arc<dyn StepExec>,
    hosts: Vec<HostHandle>,
    settings: Settings,
    /// From the first setup or check step to every check passing.
    verify_timeout: Duration,
    deadline: Mutex<Option<Instant>>,
}

impl StepExec for CreateSteps {
    fn read_only(&self, host: &str) -> StepResult<bool> {
        Ok(self.host(host)?.is_read_only())
    }

    fn run<'a>(&'a self, host: &'a str, op: &'a StepOp, cx: StepCx<'a>) -> StepFuture<'a> {
        match op {
            StepOp::Create(part) => Box::pin(self.part(host, part, cx)),
            _ => self.base.run(host, op, cx),
        }
    }
}

impl CreateSteps {
    pub fn new(
        plan: CreatePlan,
        base: Arc<dyn StepExec>,
        hosts: Vec<HostHandle>,
        settings: Settings,
        verify_timeout: Duration,
    ) -> Self {
        Self {
            plan,
            base,
            hosts,
            settings,
            // The CLI refuses more; this keeps the deadline's addition from
            // overflowing whoever the caller is.
            verify_timeout: verify_timeout.min(MAX_VERIFY_TIMEOUT),
            deadline: Mutex::new(None),
        }
    }

    fn host(&self, name: &str) -> StepResult<&HostHandle> {
        self.hosts
            .iter()
            .find(|h| h.name == name)
            .ok_or_else(|| StepError::UnknownHost(name.to_string()))
    }

    /// The verification deadline, set by the first step that needs it.
    fn deadline(&self) -> Instant {
        *self
            .deadline
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get_or_insert_with(|| Instant::now() + self.verify_timeout)
    }

    async fn part(&self, host: &str, part: &CreateStep, cx: StepCx<'_>) -> StepResult {
        match part {
            // Nothing is made yet: a preflight that fails refuses the create.
            CreateStep::Preflight => self.preflight(cx).await.map_err(|e| match e {
                StepError::Stopped(_) => e,
                _ => StepError::Refused(format!("{e}: nothing was created")),
            }),
            CreateStep::Object { index, .. } => {
                let o = self
                    .plan
                    .objects
                    .get(*index)
                    .ok_or("no such object in the create plan")?;
                self.create(o).await
            }
            CreateStep::Setup { index } => {
                let step = self
                    .plan
                    .setup
                    .get(*index)
                    .ok_or("no such setup in the create plan")?;
                let deadline = self.deadline();
                self.all_running().await?;
                let h = self.host(host)?;
                let mut cancel = cx.cancel.clone();
                let cancelled = async move {
                    if cancel.wait_for(|c| *c).await.is_err() {
                        std::future::pending::<()>().await;
                    }
                };
                let detail = tokio::select! {
                    r = run_setup(&self.plan, step, h, deadline) => r?,
                    _ = cancelled => return Err(StepError::Stopped("cancelled while setting up".into())),
                };
                (cx.say)(format!("setup: {detail}"));
                Ok(())
            }
            CreateStep::Check { index } => {
                let check = self
                    .plan
                    .checks
                    .get(*index)
                    .ok_or("no such check in the create plan")?;
                let deadline = self.deadline();
                let lookup = |n: &str| self.hosts.iter().find(|h| h.name == n).cloned();
                loop {
                    if *cx.cancel.borrow() {
                        return Err(StepError::Stopped("cancelled while verifying".into()));
                    }
                    self.all_running().await?;
                    match check_once(check, lookup, &self.settings).await {
                        Ok(detail) => {
                            (cx.say)(format!("verified: {detail}"));
                            return Ok(());
                        }
                        Err(why) if Instant::now() >= deadline => {
                            let mut logs = String::new();
                            for (host, name) in failure::checked_containers(check) {
                                if let Ok(h) = self.host(&host) {
                                    logs.push_str(&failure::log_tail(h, &name).await);
                                }
                            }
                            return Err(StepError::Failed(format!(
                                "verification timed out after {}s: {why}{logs}",
                                self.verify_timeout.as_secs()
                            )));
                        }
                        Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
                    }
                }
            }
        }
    }

    /// Hosts answer, images are here, no name is taken, hosts reach each
    /// other: checked before anything is created.
    async fn preflight(&self, cx: StepCx<'_>) -> StepResult {
        let hosts: BTreeSet<&str> = self.plan.objects.iter().map(|o| o.host()).collect();
        for name in &hosts {
            let limit = self.settings.request_timeout * 3;
            if !self.host(name)?.wait_connected(limit).await {
                return Err(StepError::Failed(format!("host {name} is not reachable")));
            }
        }
        (cx.say)(format!("preflight: {} host(s) connected", hosts.len()));
        let lookup = |n: &str| self.hosts.iter().find(|h| h.name == n);
        let missing = missing_images(&self.plan, lookup).await?;
        if !missing.is_empty() {
            let text: Vec<String> = missing.iter().map(|m| m.to_string()).collect();
            return Err(StepError::Failed(text.join("; ")));
        }
        (cx.say)(format!(
            "preflight: {} image(s) present",
            planned_images(&self.plan).len()
        ));
        for o in &self.plan.objects {
            let kind = kind_of(o);
            let exists = self.host(o.host())?.object_exists(kind, o.name()).await?;
            if exists {
                return Err(StepError::Failed(format!(
                    "{} {} already exists on {}",
                    kind.word(),
                    o.name(),
                    o.host()
                )));
            }
        }
        (cx.say)("preflight: every name is free".into());
        if !self.plan.reach.is_empty() {
            match check_reach(&self.plan.reach, |n| self.host(n)).await? {
                Reached::All(d) | Reached::Unchecked(d) => (cx.say)(format!("preflight: {d}")),
            }
        }
        Ok(())
    }

    /// Make one object. A container made but not uploaded to or started is
    /// removed here: the runner undoes only steps that completed.
    async fn create(&self, o: &Object) -> StepResult {
        let h = self.host(o.host())?;
        let err = |e: crate::docker::HostError| StepError::Failed(format!("{}: {e}", o.name()));
        match o {
            Object::Network { name, labels, .. } => {
                h.create_network(name, labels).await.map_err(err)
            }
            Object::Volume { host, name, labels } => {
                // The engine answers "created" for a volume that already
                // exists: ask first, so a volume made by someone else is
                // never taken for ours (and never removed by an undo).
                if h.object_exists(ObjectKind::Volume, name)
                    .await
                    .map_err(err)?
                {
                    return Err(StepError::Failed(format!(
                        "volume {name} already exists on {host}"
                    )));
                }
                h.create_volume(name, labels).await.map_err(err)
            }
            Object::Container(c) => {
                let id = h.create_planned(c).await.map_err(err)?;
                let started = async {
                    h.upload_files(&id, &c.files).await?;
                    h.start(&id).await
                };
                if let Err(e) = started.await {
                    let _ = h.remove_created_container(&id).await;
                    return Err(err(e));
                }
                Ok(())
            }
        }
    }

    /// Every container of the plan still runs.
    async fn all_running(&self) -> StepResult {
        for o in &self.plan.objects {
            let Object::Container(c) = o else { continue };
            let state = self.host(&c.host)?.run_state(&c.name).await?;
            if !state.running {
                return Err(failure::stopped(self.host(&c.host)?, &c.name, &state).await);
            }
        }
        Ok(())
    }
}
