//! How every headless operation runs: the plan printed, confirmed (unless
//! `--yes`), run by the one executor with its steps on stdout, stopped
//! safely on SIGINT, SIGTERM or SIGHUP, and its outcome said.
//!
//! Exit codes: 0 done, 1 the job failed, 2 bad usage, 3 refused
//! (read-only, something it touches is busy) or not confirmed: in both,
//! nothing ran; 128 + N stopped safely by signal N (130 SIGINT, 143
//! SIGTERM, 129 SIGHUP).

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use super::interrupt::{say, say_json, warn, Interrupts};
use super::Loaded;
use crate::docker::{spawn_hosts, HostHandle};
use crate::ops::exec::StepExec;
use crate::ops::job::{JobEvent, JobOutcome};
use crate::ops::plan::Plan;
use crate::ops::runner::{JobControl, JobRunner};
use crate::ops::AuditLog;

/// What an operation says besides its plan: a heading of its own, notes
/// under the steps, and fields added to the JSON report.
#[derive(Debug, Default)]
pub struct Report {
    pub heading: Option<String>,
    pub notes: Vec<String>,
    pub fields: serde_json::Map<String, serde_json::Value>,
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
    if !json {
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
    if plan.action != "recover" {
        if let Some(notice) = super::cut_off::notice(loaded, false) {
            warn(format!("tugboat: note: {notice}"));
        }
    }
    if !yes && !confirmed() {
        warn("tugboat: not confirmed; nothing was changed (use --yes to skip the question)");
        return ExitCode::from(EXIT_NOT_CONFIRMED);
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
    let (outcome, interrupted) = run_headless(loaded, hosts, &plan, json).await;
    if json {
        let mut out = report.fields;
        out.insert("plan".into(), serde_json::json!(plan));
        out.insert("outcome".into(), serde_json::json!(outcome));
        say_json(&serde_json::Value::Object(out));
    } else {
        // Confirm to done, as a create reports it.
        let text = outcome.text(plan.steps.len());
        match outcome {
            JobOutcome::Done => say(format!(
                "{text} ({:.1}s)",
                confirmed.elapsed().as_secs_f64()
            )),
            _ => say(text),
        }
    }
    exit_code(&outcome, interrupted)
}

/// An operation's exit code: the signal's when one stopped it, else by how
/// it ended.
pub fn exit_code(outcome: &JobOutcome, interrupted: Option<ExitCode>) -> ExitCode {
    if let Some(code) = interrupted {
        return code;
    }
    match outcome {
        JobOutcome::Done => ExitCode::SUCCESS,
        // Refused (read-only, a busy target): nothing ran, like not confirmed.
        JobOutcome::Refused { .. } => ExitCode::from(EXIT_NOT_CONFIRMED),
        _ => ExitCode::from(1),
    }
}

pub const EXIT_NOT_CONFIRMED: u8 = 3;

/// Run `plan` with the job runner (step lines on stdout unless `json`),
/// stopping it safely on SIGINT, SIGTERM or SIGHUP. Returns the outcome and,
/// when a signal stopped the job, the exit code that says so.
pub async fn run_headless(
    loaded: &Loaded,
    hosts: Vec<HostHandle>,
    plan: &Plan,
    json: bool,
) -> (JobOutcome, Option<ExitCode>) {
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
) -> (JobOutcome, Option<ExitCode>) {
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
