//! How every headless operation runs: the plan printed, confirmed (unless
//! `--yes`), run by the one executor with its steps on stdout, stopped
//! safely on SIGINT, SIGTERM or SIGHUP, and its outcome said.
//!
//! Exit codes and the JSON error: src/cli/contract.rs (0 done, 1 the job
//! failed, 3 refused or not confirmed: nothing ran, 128 + N stopped safely
//! by signal N).

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use super::contract::CliError;
use super::interrupt::{say, say_json, warn, Interrupts};
use super::Loaded;
use crate::docker::{spawn_hosts, HostHandle};
use crate::ops::exec::StepExec;
use crate::ops::job::{JobEvent, JobOutcome};
use crate::ops::plan::{Plan, PlanAction};
use crate::ops::runner::{JobControl, JobRunner};
use crate::ops::AuditLog;

pub use super::contract::EXIT_REFUSED as EXIT_NOT_CONFIRMED;

/// What an operation says besides its plan: a heading of its own, notes
/// under the steps, and fields added to the JSON report.
#[derive(Debug, Default)]
pub struct Report {
    pub heading: Option<String>,
    pub notes: Vec<String>,
    pub fields: serde_json::Map<String, serde_json::Value>,
}

/// How a job that was confirmed ended: its outcome and, when signal N
/// stopped it, 128 + N.
pub struct Ran {
    pub outcome: JobOutcome,
    pub signal_exit: Option<u8>,
    /// When it was confirmed (a job reports confirm to done).
    pub confirmed: std::time::Instant,
}

/// Print the plan, ask (unless `yes`), run it with the job runner and say
/// how it ended; shared by every headless operation.
pub async fn run_plan(
    loaded: &Loaded,
    plan: Plan,
    yes: bool,
    json: bool,
    read_only: bool,
) -> ExitCode {
    run_plan_with(loaded, plan, Report::default(), yes, json, read_only).await
}

pub async fn run_plan_with(
    loaded: &Loaded,
    plan: Plan,
    report: Report,
    yes: bool,
    json: bool,
    read_only: bool,
) -> ExitCode {
    show_plan(&plan, &report, json);
    if plan.action != PlanAction::Recover {
        if let Some(notice) = super::cut_off::notice(loaded, false) {
            warn(format!("tugboat: note: {notice}"));
        }
    }
    let ran = confirm_and_run(loaded, &plan, yes, None, json, read_only).await;
    let secs = ran.as_ref().map(|r| r.confirmed.elapsed().as_secs_f64());
    let done = |text: String| format!("{text} ({:.1}s)", secs.unwrap_or_default());
    conclude(&plan, report.fields, ran.as_ref(), json, done)
}

/// The plan (or the operation's own heading) and its notes, as text.
pub fn show_plan(plan: &Plan, report: &Report, json: bool) {
    if json {
        return;
    }
    match &report.heading {
        Some(h) => say(h),
        None => say(format!("Plan ({} {}):", plan.action, plan.target)),
    }
    for line in plan.lines() {
        say(format!("  {line}"));
    }
    for note in &report.notes {
        say(format!("  note: {note}"));
    }
}

/// Ask (unless `yes`; twice, the second naming the volume, when `forced`
/// overwrites one), then run the plan. None: not confirmed, nothing ran.
pub async fn confirm_and_run(
    loaded: &Loaded,
    plan: &Plan,
    yes: bool,
    forced: Option<&str>,
    json: bool,
    read_only: bool,
) -> Option<Ran> {
    let asked = |question: &str, answer: &str| yes || ask(question, answer);
    let go = asked("Go ahead? [y/N] ", "y")
        && forced.is_none_or(|volume| {
            asked(
                &format!("This overwrites files in volume {volume}. Type its name to go on: "),
                volume,
            )
        });
    if !go {
        return None;
    }
    let confirmed = std::time::Instant::now();
    let hosts = spawn_hosts(&loaded.hosts, &loaded.settings, read_only, |_| {});
    // Every host a step acts on, connected before the first step.
    let used: Vec<&str> = std::iter::once(plan.host.as_str())
        .chain(plan.steps.iter().filter_map(|s| s.host.as_deref()))
        .collect();
    for h in hosts.iter().filter(|h| used.contains(&h.name.as_str())) {
        h.wait_connected(loaded.settings.request_timeout).await;
    }
    let (outcome, signal_exit) = run_headless(loaded, hosts, plan, json).await;
    Some(Ran {
        outcome,
        signal_exit,
        confirmed,
    })
}

/// Say how the operation ended and give its exit code: as text (the
/// outcome; after a success, what `done` makes of it), or as one JSON object
/// of `fields`, the plan, the outcome and, unless done, the error.
/// `ran`: None when not confirmed.
pub fn conclude(
    plan: &Plan,
    fields: serde_json::Map<String, serde_json::Value>,
    ran: Option<&Ran>,
    json: bool,
    done: impl FnOnce(String) -> String,
) -> ExitCode {
    let error = match ran {
        None => Some(CliError::not_confirmed()),
        Some(r) => CliError::from_outcome(&r.outcome, plan.steps.len(), r.signal_exit),
    };
    if json {
        let mut out = fields;
        out.insert("plan".into(), serde_json::json!(plan));
        out.insert("outcome".into(), serde_json::json!(ran.map(|r| &r.outcome)));
        out.insert("error".into(), serde_json::json!(error));
        if let Some(e) = &error {
            e.warn();
        }
        say_json(&serde_json::Value::Object(out));
    } else {
        match (ran, &error) {
            (Some(r), None) => say(done(r.outcome.text(plan.steps.len()))),
            (Some(r), Some(_)) => say(r.outcome.text(plan.steps.len())),
            (None, Some(e)) => e.warn(),
            (None, None) => {}
        }
    }
    error.map_or(ExitCode::SUCCESS, |e| e.code())
}

/// Run `plan` with the job runner (step lines on stdout unless `json`),
/// stopping it safely on SIGINT, SIGTERM or SIGHUP. Returns the outcome and,
/// when a signal stopped the job, the exit code that says so.
pub async fn run_headless(
    loaded: &Loaded,
    hosts: Vec<HostHandle>,
    plan: &Plan,
    json: bool,
) -> (JobOutcome, Option<u8>) {
    run_headless_with(loaded, hosts, plan, json, |base| base).await
}

/// `run_headless`, with the steps run by the executor `steps` makes of the
/// engines' one (a cluster creation adds its own steps).
pub async fn run_headless_with(
    loaded: &Loaded,
    hosts: Vec<HostHandle>,
    plan: &Plan,
    json: bool,
    steps: impl FnOnce(Arc<dyn StepExec>) -> Arc<dyn StepExec>,
) -> (JobOutcome, Option<u8>) {
    let runner = JobRunner::new(
        hosts,
        loaded.settings.clone(),
        AuditLog::new(loaded.paths.audit_log()),
    );
    let steps = steps(runner.steps());
    let sink = Arc::new(move |e: JobEvent| match (&e, json) {
        (JobEvent::Step { index, detail, .. }, false) => {
            // A create's lines go on with every label: the plan showed them.
            let short = detail.split(" · ").next().unwrap_or(detail);
            say(format!("step {}: {short}", index + 1));
        }
        (JobEvent::Progress { text, .. }, false) => say(format!("  {text}")),
        _ => {}
    });
    let control = JobControl::default();
    let interrupts = match Interrupts::watch(control.clone()) {
        Ok(i) => i,
        Err(e) => {
            let reason = format!("cannot watch for signals ({e}): nothing was changed");
            return (JobOutcome::Refused { reason }, None);
        }
    };
    let outcome = runner.run_with(plan.clone(), steps, sink, &control).await;
    let code = interrupts.exit_code(&outcome);
    (outcome, code)
}

/// Ask on the terminal; with no terminal to ask on, the answer is no.
pub(super) fn confirmed() -> bool {
    ask("Go ahead? [y/N] ", "y")
}

/// Ask `question` and compare the answer with `expected` ("y" also takes
/// Y and yes); with no terminal to ask on, the answer is no.
pub(super) fn ask(question: &str, expected: &str) -> bool {
    if !std::io::stdin().is_terminal() {
        return false;
    }
    print!("{question}");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().lock().read_line(&mut answer);
    let answer = answer.trim();
    answer == expected || (expected == "y" && matches!(answer, "Y" | "yes"))
}
