//! The executor on its own: steps that pass, fail, hang, report, and are
//! stopped, run through an executor that touches no engine, so that the
//! orders of stop, failure, undo and point of no return are all covered.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::exec::{StepCx, StepExec, StepFuture};
use super::job::{JobControl, JobEvent, JobOutcome};
use super::plan::{ContainerStep, Plan, PlanAction, PlanTarget, Step, StepOp, UserStep};
use super::runner::{JobRunner, JobSink, AUDIT_STARTED};
use crate::ops::base::audit::AuditLog;
use crate::ops::base::error::{StepError, StepResult};

/// Runs node availability steps (whose undo any step of the plan may be)
/// by their node's name, its id's first word: `ok`, `fail`,
/// `hang` (until stopped), `wait` (stopped or 300 ms, then done), `say`
/// (reports a line), `stop` (the job is asked to stop while it runs),
/// `pause` (the job is asked to pause while it runs),
/// `quit` (says it stopped, the job's switch untouched).
/// Every run is logged as `host:id`.
#[derive(Default)]
struct Scripted {
    log: Mutex<Vec<String>>,
    control: Mutex<Option<JobControl>>,
}

impl Scripted {
    fn ran(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

impl StepExec for Scripted {
    fn read_only(&self, host: &str) -> StepResult<bool> {
        match host {
            "ro" => Ok(true),
            "gone" => Err(StepError::UnknownHost(host.into())),
            _ => Ok(false),
        }
    }

    fn run<'a>(&'a self, host: &'a str, op: &'a StepOp, cx: StepCx<'a>) -> StepFuture<'a> {
        Box::pin(async move {
            if let StepOp::User(UserStep::Run { action, .. }) = op {
                self.log
                    .lock()
                    .unwrap()
                    .push(format!("{host}:user {action}"));
                return Ok(());
            }
            let StepOp::Container(ContainerStep::SetNodeAvailability { node: id, .. }) = op else {
                return Err("unexpected op".into());
            };
            self.log.lock().unwrap().push(format!("{host}:{id}"));
            let mut cancel = cx.cancel.clone();
            match id.split('-').next().unwrap_or("") {
                "ok" => Ok(()),
                "fail" => Err(StepError::Failed(format!("{id} broke"))),
                "quit" => Err(StepError::Stopped(format!("{id} was told to stop"))),
                "say" => {
                    (cx.say)(format!("{id} found 3 of 3"));
                    Ok(())
                }
                "hang" => {
                    let _ = cancel.wait_for(|c| *c).await;
                    Err(StepError::Stopped("cancelled while waiting".into()))
                }
                "wait" => {
                    let stopped = cancel.wait_for(|c| *c);
                    match tokio::time::timeout(Duration::from_millis(300), stopped).await {
                        Ok(_) => Err(StepError::Stopped("cancelled while waiting".into())),
                        Err(_) => Ok(()),
                    }
                }
                "stop" => {
                    if let Some(c) = self.control.lock().unwrap().as_ref() {
                        c.interrupt("SIGHUP");
                    }
                    Ok(())
                }
                "pause" => {
                    if let Some(c) = self.control.lock().unwrap().as_ref() {
                        c.set_paused(true);
                    }
                    Ok(())
                }
                _ => Err(StepError::Failed(format!("no script for {id}"))),
            }
        })
    }
}

fn op(id: &str) -> StepOp {
    StepOp::Container(ContainerStep::SetNodeAvailability {
        node: id.into(),
        availability: "active".into(),
    })
}

fn step(id: &str) -> Step {
    Step::new(format!("run {id}"), op(id))
}

/// A step undone by `undo-ID`.
fn undoable(id: &str) -> Step {
    step(id).undone_by(step(&format!("ok-undo-{id}")))
}

/// `h/thing`.
fn thing() -> PlanTarget {
    PlanTarget::Container {
        host: "h".into(),
        name: "thing".into(),
    }
}

fn plan(steps: Vec<Step>) -> Plan {
    Plan {
        action: PlanAction::Restart,
        host: "h".into(),
        target: thing(),
        steps,
    }
}

struct Bench {
    exec: Arc<Scripted>,
    runner: JobRunner,
    events: Arc<Mutex<Vec<JobEvent>>>,
    _dir: tempfile::TempDir,
}

impl Bench {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let exec = Arc::new(Scripted::default());
        let runner = JobRunner::with_steps(exec.clone(), AuditLog::new(dir.path().join("a.jsonl")));
        Self {
            exec,
            runner,
            events: Arc::default(),
            _dir: dir,
        }
    }

    fn sink(&self) -> JobSink {
        let events = self.events.clone();
        Arc::new(move |e| events.lock().unwrap().push(e))
    }

    async fn run(&self, plan: Plan) -> JobOutcome {
        self.runner.run(plan, self.sink()).await
    }

    /// Run with a control the steps can reach (the `stop` script).
    async fn run_stoppable(&self, plan: Plan, control: &JobControl) -> JobOutcome {
        *self.exec.control.lock().unwrap() = Some(control.clone());
        self.runner.run_controlled(plan, self.sink(), control).await
    }

    fn audit_outcomes(&self) -> Vec<String> {
        AuditLog::new(self._dir.path().join("a.jsonl"))
            .read_all()
            .unwrap()
            .into_iter()
            .map(|r| r.outcome)
            .collect()
    }

    fn progress(&self) -> Vec<String> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                JobEvent::Progress { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }
}

#[tokio::test]
async fn every_step_runs_in_order_and_the_intent_and_outcome_are_audited() {
    let b = Bench::new();
    let outcome = b
        .run(plan(vec![undoable("ok-1"), step("say-2"), step("ok-3")]))
        .await;
    assert_eq!(outcome, JobOutcome::Done);
    // Done: no undo runs.
    assert_eq!(b.exec.ran(), ["h:ok-1", "h:say-2", "h:ok-3"]);
    assert_eq!(b.progress(), ["say-2 found 3 of 3"]);
    assert_eq!(b.audit_outcomes(), [AUDIT_STARTED, "done"]);
}

#[tokio::test]
async fn a_failure_undoes_what_was_done_newest_first_and_nothing_after() {
    let b = Bench::new();
    let outcome = b
        .run(plan(vec![
            undoable("ok-1"),
            step("ok-2"),
            undoable("ok-3"),
            step("fail-4"),
            undoable("ok-5"),
        ]))
        .await;
    let JobOutcome::Failed { step, error } = &outcome else {
        panic!("{outcome:?}");
    };
    assert_eq!(*step, 4);
    assert!(error.starts_with("fail-4 broke; made safe: "), "{error}");
    assert_eq!(
        b.exec.ran(),
        [
            "h:ok-1",
            "h:ok-2",
            "h:ok-3",
            "h:fail-4",
            "h:ok-undo-ok-3",
            "h:ok-undo-ok-1"
        ]
    );
    assert_eq!(
        b.progress(),
        [
            "undo: run ok-undo-ok-3: done",
            "undo: run ok-undo-ok-1: done"
        ]
    );
    let audited = b.audit_outcomes();
    assert!(
        audited[1].starts_with("failed at step 4 of 5"),
        "{audited:?}"
    );
}

#[tokio::test]
async fn a_hanging_step_is_cut_short_by_a_stop_and_its_job_made_safe() {
    let b = Bench::new();
    let control = JobControl::default();
    let stopper = control.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        stopper.interrupt("SIGTERM");
    });
    let outcome = b
        .run_stoppable(
            plan(vec![undoable("ok-1"), step("hang-2"), step("ok-3")]),
            &control,
        )
        .await;
    let JobOutcome::Cancelled {
        completed,
        why,
        detail,
    } = &outcome
    else {
        panic!("{outcome:?}");
    };
    assert_eq!((*completed, why.as_str()), (1, "interrupted by SIGTERM"));
    assert!(
        detail
            .as_deref()
            .unwrap()
            .contains("made safe: run ok-undo-ok-1: done"),
        "{detail:?}"
    );
    assert_eq!(b.exec.ran(), ["h:ok-1", "h:hang-2", "h:ok-undo-ok-1"]);
    let audited = b.audit_outcomes();
    assert!(
        audited[1].starts_with("interrupted by SIGTERM after 1 of 3 steps"),
        "{audited:?}"
    );
}

#[tokio::test]
async fn a_stop_between_steps_runs_no_further_step() {
    let b = Bench::new();
    let control = JobControl::default();
    let outcome = b
        .run_stoppable(
            plan(vec![undoable("ok-1"), step("stop-2"), step("ok-3")]),
            &control,
        )
        .await;
    assert!(
        matches!(&outcome, JobOutcome::Cancelled { completed: 2, why, .. } if why == "interrupted by SIGHUP"),
        "{outcome:?}"
    );
    assert_eq!(b.exec.ran(), ["h:ok-1", "h:stop-2", "h:ok-undo-ok-1"]);
}

#[tokio::test]
async fn a_step_that_says_it_stopped_ends_the_job_as_cancelled_not_failed() {
    let b = Bench::new();
    // The job's own switch stays off: the step's typed answer is what tells
    // (a stop that reached the step another way, e.g. its host's task).
    let outcome = b
        .run(plan(vec![undoable("ok-1"), step("quit-2"), step("ok-3")]))
        .await;
    let JobOutcome::Cancelled {
        completed, detail, ..
    } = &outcome
    else {
        panic!("{outcome:?}");
    };
    assert_eq!(*completed, 1);
    assert!(
        detail
            .as_deref()
            .unwrap()
            .starts_with("quit-2 was told to stop; made safe"),
        "{detail:?}"
    );
    assert_eq!(b.exec.ran(), ["h:ok-1", "h:quit-2", "h:ok-undo-ok-1"]);
}

#[tokio::test]
async fn a_job_stopped_before_it_starts_runs_nothing() {
    let b = Bench::new();
    let (id, control) = b.runner.reserve();
    control.stop_because("cancelled");
    let outcome = b
        .runner
        .run_reserved(
            id,
            plan(vec![step("ok-1")]),
            b.runner.steps(),
            b.sink(),
            &control,
        )
        .await;
    assert!(
        matches!(outcome, JobOutcome::Cancelled { completed: 0, .. }),
        "{outcome:?}"
    );
    assert!(b.exec.ran().is_empty());
}

#[tokio::test]
async fn past_the_point_of_no_return_the_job_finishes_and_undoes_nothing() {
    let b = Bench::new();
    let control = JobControl::default();
    let outcome = b
        .run_stoppable(
            plan(vec![
                undoable("ok-1"),
                undoable("ok-2").point_of_no_return(),
                step("stop-3"),
                step("wait-4"),
                step("ok-5"),
            ]),
            &control,
        )
        .await;
    // Asked to stop at step 3, it went on: stopping half way would be worse.
    assert_eq!(outcome, JobOutcome::Done);
    assert_eq!(
        b.exec.ran(),
        ["h:ok-1", "h:ok-2", "h:stop-3", "h:wait-4", "h:ok-5"]
    );
}

#[tokio::test]
async fn a_failure_past_the_point_of_no_return_says_so_and_undoes_nothing() {
    let b = Bench::new();
    let outcome = b
        .run(plan(vec![
            undoable("ok-1").point_of_no_return(),
            undoable("ok-2"),
            step("fail-3"),
        ]))
        .await;
    let JobOutcome::Failed { step: 3, error } = &outcome else {
        panic!("{outcome:?}");
    };
    assert!(error.contains("past the point of no return"), "{error}");
    assert_eq!(b.exec.ran(), ["h:ok-1", "h:ok-2", "h:fail-3"]);
}

#[tokio::test]
async fn a_later_step_that_does_the_undo_or_settles_it_leaves_nothing_to_undo() {
    let b = Bench::new();
    let outcome = b
        .run(plan(vec![
            // "drain", then the plan's own "ready" (the undo's op).
            undoable("ok-1"),
            step("ok-undo-ok-1"),
            // Undone by a step that a later one makes moot.
            undoable("ok-2"),
            step("ok-3").settling(op("ok-undo-ok-2")),
            undoable("ok-4"),
            step("fail-5"),
        ]))
        .await;
    assert!(
        matches!(outcome, JobOutcome::Failed { step: 6, .. }),
        "{outcome:?}"
    );
    assert_eq!(
        b.exec.ran(),
        [
            "h:ok-1",
            "h:ok-undo-ok-1",
            "h:ok-2",
            "h:ok-3",
            "h:ok-4",
            "h:fail-5",
            "h:ok-undo-ok-4"
        ]
    );
}

#[tokio::test]
async fn an_undo_that_fails_is_tried_again_reported_and_the_older_ones_still_run() {
    let b = Bench::new();
    let outcome = b
        .run(plan(vec![
            undoable("ok-1"),
            step("ok-2").undone_by(step("fail-undo")),
            step("fail-3"),
        ]))
        .await;
    let JobOutcome::Failed { error, .. } = &outcome else {
        panic!("{outcome:?}");
    };
    assert!(
        error.contains("run fail-undo: FAILED (fail-undo broke); run ok-undo-ok-1: done"),
        "{error}"
    );
    assert_eq!(b.exec.ran().last().unwrap(), "h:ok-undo-ok-1");
    // Tried again before it counts as failed.
    let tries = b.exec.ran().iter().filter(|r| *r == "h:fail-undo").count();
    assert_eq!(tries, 3);
}

#[tokio::test]
async fn steps_run_on_their_own_host() {
    let b = Bench::new();
    let outcome = b
        .run(plan(vec![step("ok-1").on("other"), step("ok-2")]))
        .await;
    assert_eq!(outcome, JobOutcome::Done);
    assert_eq!(b.exec.ran(), ["other:ok-1", "h:ok-2"]);
}

#[tokio::test]
async fn read_only_or_unknown_hosts_anywhere_in_the_plan_refuse_it_before_anything_runs() {
    let b = Bench::new();
    let outcome = b.run(plan(vec![step("ok-1"), step("ok-2").on("ro")])).await;
    assert!(
        matches!(&outcome, JobOutcome::Refused { reason } if reason.contains("read-only")),
        "{outcome:?}"
    );
    let outcome = b.run(plan(vec![step("ok-1").on("gone")])).await;
    assert!(
        matches!(&outcome, JobOutcome::Refused { .. }),
        "{outcome:?}"
    );
    assert!(b.exec.ran().is_empty());
    // Refused jobs never started: only their outcome is audited.
    assert!(b.audit_outcomes().iter().all(|o| o.starts_with("refused")));
}

#[tokio::test]
async fn a_job_touching_what_a_running_job_holds_is_refused_naming_it() {
    let b = Bench::new();
    let (first, control) = b.runner.start(plan(vec![step("hang-shared")]), b.sink());
    // Same container, another target: refused while the first runs.
    let mut other = plan(vec![step("hang-shared")]);
    other.target = PlanTarget::Cluster("c".into());
    let outcome = b.run(other.clone()).await;
    let JobOutcome::Refused { reason } = &outcome else {
        panic!("{outcome:?}");
    };
    assert!(
        reason.contains(&format!(
            "job {first} (restart h/thing) is already working on"
        )),
        "{reason}"
    );
    control.stop_because("cancelled");
    // Once it ended, the same job is accepted.
    for _ in 0..100 {
        let done = b
            .events
            .lock()
            .unwrap()
            .iter()
            .any(|e| matches!(e, JobEvent::Finished { id, .. } if *id == first));
        if done {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    other.steps = vec![step("ok-again")];
    other.target = thing();
    assert_eq!(b.run(other).await, JobOutcome::Done);
}

fn user_step(action: &str, dangerous: bool) -> Step {
    Step::new(
        format!("run {action}"),
        StepOp::User(UserStep::Run {
            action: action.into(),
            argv: vec!["true".into()],
            env: vec![],
            timeout_secs: 1,
            dangerous,
            touches: Some("c1".into()),
        }),
    )
}

#[tokio::test]
async fn a_plan_that_only_reads_runs_read_only_and_a_dangerous_one_is_refused() {
    let b = Bench::new();
    let mut reads = plan(vec![user_step("stat", false)]);
    reads.host = "ro".into();
    assert_eq!(b.run(reads).await, JobOutcome::Done);
    assert_eq!(b.exec.ran(), ["ro:user stat"]);
    let mut changes = plan(vec![user_step("wipe", true)]);
    changes.host = "ro".into();
    let outcome = b.run(changes).await;
    assert!(
        matches!(&outcome, JobOutcome::Refused { reason } if reason.contains("read-only")),
        "{outcome:?}"
    );
    assert_eq!(b.exec.ran().len(), 1, "the dangerous one never ran");
    // One harmful step among reads makes the plan one that changes things.
    let mut mixed = plan(vec![user_step("stat", false), step("ok-1")]);
    mixed.host = "ro".into();
    assert!(matches!(b.run(mixed).await, JobOutcome::Refused { .. }));
}

impl Bench {
    /// The job's pauses and continues, as (step index, paused).
    fn pauses(&self) -> Vec<(usize, bool)> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                JobEvent::Paused { index, paused, .. } => Some((*index, *paused)),
                _ => None,
            })
            .collect()
    }

    /// Until the job says it waits (panics after 5 s).
    async fn until_paused(&self) {
        for _ in 0..500 {
            if self.pauses().last().is_some_and(|(_, p)| *p) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the job never paused: {:?}", self.exec.ran());
    }
}

/// ok-1, a step that asks for a pause, then two members' first steps.
fn pausing_plan() -> Plan {
    plan(vec![
        undoable("ok-1"),
        step("pause-2"),
        step("ok-3").pause_point(),
        step("ok-4").pause_point(),
    ])
}

#[tokio::test]
async fn a_paused_job_waits_at_its_next_pause_point_until_asked_to_continue() {
    let b = Bench::new();
    let control = JobControl::default();
    let drive = async {
        b.until_paused().await;
        // A while later it still waits, before the next member.
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(b.exec.ran(), ["h:ok-1", "h:pause-2"]);
        control.set_paused(false);
    };
    let (outcome, ()) = tokio::join!(b.run_stoppable(pausing_plan(), &control), drive);
    assert_eq!(outcome, JobOutcome::Done);
    assert_eq!(b.exec.ran(), ["h:ok-1", "h:pause-2", "h:ok-3", "h:ok-4"]);
    assert_eq!(b.pauses(), [(2, true), (2, false)]);
}

#[tokio::test]
async fn a_job_stopped_while_paused_is_cancelled_and_made_safe() {
    let b = Bench::new();
    let control = JobControl::default();
    let drive = async {
        b.until_paused().await;
        control.stop_because("cancelled");
    };
    let (outcome, ()) = tokio::join!(b.run_stoppable(pausing_plan(), &control), drive);
    assert!(
        matches!(&outcome, JobOutcome::Cancelled { completed: 2, .. }),
        "{outcome:?}"
    );
    assert_eq!(b.exec.ran(), ["h:ok-1", "h:pause-2", "h:ok-undo-ok-1"]);
}
