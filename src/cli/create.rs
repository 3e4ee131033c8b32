//! `tugboat create --from SPEC`: the wizard's plan, progress and rollback,
//! headless. Secrets are generated here; the root password is printed once
//! on success and is kept only in the containers' environment (never
//! logged, never audited).
//!
//! Exit codes: 0 created and verified (or a dry run), 1 failed and rolled
//! back, 2 bad usage, a bad spec (`FILE:FIELD: message`) or an image that
//! is not on its host (also with `--dry-run`; the message says which `docker
//! pull` to run where), 3 refused (read-only) or not confirmed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::headless::EXIT_NOT_CONFIRMED;
use super::headless::{exit_code, run_headless_with};
use super::interrupt::{say, say_json, warn};
use super::{Loaded, EXIT_USAGE};
use crate::create::apply::{create_job_plan, CreateSteps};
use crate::create::images::check_images;
use crate::create::plan::{CreatePlan, Secrets};
use crate::create::prepare::{prepare, Unprepared};
use crate::create::spec::{ClusterSpec, Template};
use crate::docker::{spawn_hosts, HostHandle};
use crate::ops::job::JobOutcome;

#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// The cluster spec.
    #[arg(long, value_name = "SPEC")]
    pub from: PathBuf,
    /// Print the plan and exit.
    #[arg(long)]
    pub dry_run: bool,
    /// Seconds allowed from the last object created to verified (at
    /// most a day: refused here rather than overflowing once the
    /// objects exist).
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 180,
        value_parser = clap::value_parser!(u64)
            .range(1..=crate::create::apply::MAX_VERIFY_TIMEOUT_SECS)
    )]
    pub verify_timeout: u64,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// The plan, progress and outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

fn usage(message: String) -> ExitCode {
    warn(format!("tugboat: {message}"));
    ExitCode::from(EXIT_USAGE)
}

pub async fn run(loaded: &Loaded, args: CreateArgs, read_only: bool) -> ExitCode {
    let file = args.from.display().to_string();
    let spec = match read_spec(&args.from, &file) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if loaded.hosts.is_empty() {
        return usage("no Docker host configured".into());
    }
    let hosts = spawn_hosts(&loaded.hosts, &loaded.settings, read_only, |_| {});
    let (plan, secrets) = match prepare_plan(loaded, &spec, &hosts, &file).await {
        Ok(p) => p,
        Err(code) => return code,
    };
    let lines = plan.lines();
    // Before the question: an image that is not there fails the create only
    // after the user said yes.
    let limit = loaded.settings.request_timeout * 3;
    let missing = match missing_images(&plan, &hosts, limit).await {
        Ok(m) => m,
        Err(code) => return code,
    };
    if let Some(code) = show_plan(&args, &plan, &lines, &missing) {
        return code;
    }
    if !args.yes && !super::headless::confirmed() {
        warn("tugboat: not confirmed; nothing was changed (use --yes to skip the question)");
        return ExitCode::from(EXIT_NOT_CONFIRMED);
    }
    let finished = run_create_job(loaded, &args, &plan, hosts).await;
    let made_db = finished.outcome.is_done() && spec.template == Template::Database;
    let passwords = ShownOnce::new(made_db, &secrets);
    if args.json {
        say_outcome_json(&plan, &lines, &finished, &passwords);
    } else {
        say_outcome_text(&finished, &passwords);
    }
    exit_code(&finished.outcome, finished.interrupted)
}

/// The spec file, read and checked; any problem is a usage error that
/// names the file (and the field, when one is at fault).
fn read_spec(path: &Path, file: &str) -> Result<ClusterSpec, ExitCode> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return Err(usage(format!("{file}: {e}"))),
    };
    let spec = match ClusterSpec::from_toml(&text) {
        Ok(s) => s,
        Err(e) => return Err(usage(format!("{file}: {}", e.to_string().trim()))),
    };
    if let Some(p) = spec.errors().first() {
        return Err(usage(format!("{file}:{}: {}", p.field, p.message)));
    }
    Ok(spec)
}

/// The plan and its freshly generated secrets. No randomness is a failure
/// of this machine (exit 1); anything else is about a spec field.
async fn prepare_plan(
    loaded: &Loaded,
    spec: &ClusterSpec,
    hosts: &[HostHandle],
    file: &str,
) -> Result<(CreatePlan, Secrets), ExitCode> {
    match prepare(spec, &loaded.hosts, hosts, &loaded.settings).await {
        Ok(p) => Ok(p),
        Err(e @ Unprepared::Secrets(_)) => {
            warn(format!("tugboat: {e}"));
            Err(ExitCode::from(1))
        }
        // About a spec field: `FILE:FIELD: message`.
        Err(e) => Err(usage(format!("{file}:{e}"))),
    }
}

/// The images the plan needs that are not on their hosts, as messages
/// saying which `docker pull` to run where. A host that cannot be asked
/// ends the run (exit 1) before anything exists.
async fn missing_images(
    plan: &CreatePlan,
    hosts: &[HostHandle],
    limit: Duration,
) -> Result<Vec<String>, ExitCode> {
    match check_images(plan, hosts, limit).await {
        Ok(m) => Ok(m.iter().map(|m| m.to_string()).collect()),
        Err(crate::docker::HostError::NotConnected(host)) => {
            say(format!("host {host} is not reachable: nothing was created"));
            Err(ExitCode::from(1))
        }
        Err(e) => {
            say(format!(
                "cannot check the images ({e}): nothing was created"
            ));
            Err(ExitCode::from(1))
        }
    }
}

/// Show the plan before the question, and end the run (`Some(code)`) when
/// it goes no further: a JSON dry run (its report carries the missing
/// images), a missing image, or a dry run.
fn show_plan(
    args: &CreateArgs,
    plan: &CreatePlan,
    lines: &[String],
    missing: &[String],
) -> Option<ExitCode> {
    if args.json && args.dry_run {
        let report = serde_json::json!({
            "cluster": plan.cluster, "template": plan.template,
            "plan": lines, "warnings": plan.warnings, "missing_images": missing,
        });
        say_json(&report);
        return Some(if missing.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(EXIT_USAGE)
        });
    }
    if !args.json {
        say(format!("Plan (create cluster/{}):", plan.cluster));
        for line in lines {
            say(format!("  {line}"));
        }
        for w in &plan.warnings {
            say(format!("  warning: {w}"));
        }
    }
    if !missing.is_empty() {
        for m in missing {
            warn(format!("tugboat: {m}"));
        }
        warn("tugboat: nothing was created");
        return Some(ExitCode::from(EXIT_USAGE));
    }
    if args.dry_run {
        return Some(ExitCode::SUCCESS);
    }
    None
}

/// How the create job ended, and what its report says about it.
pub(super) struct Finished {
    pub(super) outcome: JobOutcome,
    /// The exit code of a signal that stopped the job, if one did.
    pub(super) interrupted: Option<ExitCode>,
    pub(super) steps: usize,
    pub(super) millis: u64,
}

/// Run the create as a job. The one executor runs it: SIGINT, SIGTERM and
/// SIGHUP stop it at the next step and remove what it made. (`tugboat
/// demo` makes its clusters through it too.)
pub(super) async fn run_create_job(
    loaded: &Loaded,
    args: &CreateArgs,
    plan: &CreatePlan,
    hosts: Vec<HostHandle>,
) -> Finished {
    let job = create_job_plan(plan);
    let (settings, verify) = (
        loaded.settings.clone(),
        Duration::from_secs(args.verify_timeout),
    );
    let started = Instant::now();
    let (outcome, interrupted) =
        run_headless_with(loaded, hosts.clone(), &job, args.json, |base| {
            Arc::new(CreateSteps::new(
                plan.clone(),
                base,
                hosts,
                settings,
                verify,
            ))
        })
        .await;
    let millis = started.elapsed().as_millis() as u64;
    Finished {
        outcome,
        interrupted,
        steps: job.steps.len(),
        millis,
    }
}

/// A new database's passwords: shown once, on success, and kept nowhere
/// else (never logged, never audited).
struct ShownOnce<'a> {
    root: Option<&'a str>,
    app: Option<&'a str>,
}

impl<'a> ShownOnce<'a> {
    fn new(made_db: bool, secrets: &'a Secrets) -> Self {
        Self {
            root: made_db.then_some(secrets.root_password.as_str()),
            app: made_db.then_some(secrets.app_password.as_str()),
        }
    }
}

fn say_outcome_json(
    plan: &CreatePlan,
    lines: &[String],
    finished: &Finished,
    passwords: &ShownOnce,
) {
    let report = serde_json::json!({
        "cluster": plan.cluster, "template": plan.template, "plan": lines,
        "warnings": plan.warnings, "outcome": finished.outcome,
        "millis": finished.millis, "root_password": passwords.root,
        "app_password": passwords.app,
    });
    say_json(&report);
}

fn say_outcome_text(finished: &Finished, passwords: &ShownOnce) {
    say(format!(
        "{} ({:.1}s)",
        finished.outcome.text(finished.steps),
        finished.millis as f64 / 1000.0
    ));
    if let Some(p) = passwords.root {
        say(format!(
            "root password (shown once; kept only in the containers' environment): {p}"
        ));
    }
    if let Some(a) = passwords.app {
        say(format!(
            "application account (no admin rights; for clients, instead of root; shown once, kept nowhere): \
             user app, database app, password {a}"
        ));
    }
}
