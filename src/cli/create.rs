//! `tugboat create --from SPEC`: the wizard's plan, progress and rollback,
//! headless. Secrets are generated here; the root password is printed once
//! on success and is kept only in the containers' environment (never
//! logged, never audited).
//!
//! Exit codes (src/cli/contract.rs): 0 created and verified (or a dry
//! run), 1 failed and rolled back, 2 bad usage, a bad spec
//! (`FILE:FIELD: message`) or an image that is not on its host (also with
//! `--dry-run`; the message says which `docker pull` to run where), 3
//! refused (read-only) or not confirmed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::contract::{CliError, CliResult};
use super::headless::run_headless_with;
use super::interrupt::{say, say_json, warn};
use super::Loaded;
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
    /// The plan, progress and outcome as JSON; an error as
    /// `{"error": {kind, message, exit}}`.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(loaded: &Loaded, args: CreateArgs, read_only: bool) -> ExitCode {
    let json = args.json;
    super::contract::finish(create(loaded, args, read_only).await, json)
}

async fn create(loaded: &Loaded, args: CreateArgs, read_only: bool) -> CliResult {
    let file = args.from.display().to_string();
    let spec = read_spec(&args.from, &file)?;
    if loaded.hosts.is_empty() {
        return Err(CliError::usage("no Docker host configured"));
    }
    let hosts = spawn_hosts(&loaded.hosts, &loaded.settings, read_only, |_| {});
    let (plan, secrets) = prepare_plan(loaded, &spec, &hosts, &file).await?;
    let lines = plan.lines();
    // Before the question: an image that is not there fails the create only
    // after the user said yes.
    let limit = loaded.settings.request_timeout * 3;
    let missing = missing_images(&plan, &hosts, limit).await?;
    if let Some(ended) = show_plan(&args, &plan, &lines, &missing) {
        return ended;
    }
    if !args.yes && !super::headless::confirmed() {
        return Err(CliError::not_confirmed());
    }
    let finished = run_create_job(loaded, &args, &plan, hosts).await;
    let made_db = finished.outcome.is_done() && spec.template == Template::Database;
    let passwords = ShownOnce::new(made_db, &secrets);
    let error = CliError::from_outcome(&finished.outcome, finished.steps, finished.signal_exit);
    if args.json {
        say_outcome_json(&plan, &lines, &finished, &passwords, error.as_ref());
    } else {
        say_outcome_text(&finished, &passwords);
    }
    Ok(error.map_or(ExitCode::SUCCESS, |e| e.code()))
}

/// The spec file, read and checked; any problem is a usage error that
/// names the file (and the field, when one is at fault).
fn read_spec(path: &Path, file: &str) -> Result<ClusterSpec, CliError> {
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => CliError::not_found(format!("{file}: no such spec file")),
        _ => CliError::usage(format!("{file}: {e}")),
    })?;
    let spec = ClusterSpec::from_toml(&text)
        .map_err(|e| CliError::usage(format!("{file}: {}", e.to_string().trim())))?;
    if let Some(p) = spec.errors().first() {
        return Err(CliError::usage(format!(
            "{file}:{}: {}",
            p.field, p.message
        )));
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
) -> Result<(CreatePlan, Secrets), CliError> {
    match prepare(spec, &loaded.hosts, hosts, &loaded.settings).await {
        Ok(p) => Ok(p),
        Err(e @ Unprepared::Secrets(_)) => Err(CliError::failed(e.to_string())),
        // About a spec field: `FILE:FIELD: message`.
        Err(e) => Err(CliError::usage(format!("{file}:{e}"))),
    }
}

/// The images the plan needs that are not on their hosts, as messages
/// saying which `docker pull` to run where. A host that cannot be asked
/// ends the run (exit 1) before anything exists.
async fn missing_images(
    plan: &CreatePlan,
    hosts: &[HostHandle],
    limit: Duration,
) -> Result<Vec<String>, CliError> {
    match check_images(plan, hosts, limit).await {
        Ok(m) => Ok(m.iter().map(|m| m.to_string()).collect()),
        Err(crate::docker::HostError::NotConnected(host)) => Err(CliError::failed(format!(
            "host {host} is not reachable: nothing was created"
        ))),
        Err(e) => Err(CliError::failed(format!(
            "cannot check the images ({e}): nothing was created"
        ))),
    }
}

/// Show the plan before the question, and end the run (`Some(result)`)
/// when it goes no further: a JSON dry run (its report carries the missing
/// images, and an error when any is), a missing image, or a dry run.
fn show_plan(
    args: &CreateArgs,
    plan: &CreatePlan,
    lines: &[String],
    missing: &[String],
) -> Option<CliResult> {
    let not_there = || CliError::not_found(format!("{}; nothing was created", missing.join("; ")));
    if args.json && args.dry_run {
        let error = (!missing.is_empty()).then(not_there);
        let report = serde_json::json!({
            "cluster": plan.cluster, "template": plan.template,
            "plan": lines, "warnings": plan.warnings, "missing_images": missing,
            "error": error,
        });
        say_json(&report);
        return Some(Ok(match error {
            None => ExitCode::SUCCESS,
            Some(e) => {
                e.warn();
                e.code()
            }
        }));
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
        if args.json {
            return Some(Err(not_there()));
        }
        for m in missing {
            warn(format!("tugboat: {m}"));
        }
        warn("tugboat: nothing was created");
        return Some(Ok(ExitCode::from(super::contract::EXIT_USAGE)));
    }
    if args.dry_run {
        return Some(Ok(ExitCode::SUCCESS));
    }
    None
}

/// How the create job ended, and what its report says about it.
pub(super) struct Finished {
    pub(super) outcome: JobOutcome,
    /// The exit code of a signal that stopped the job, if one did.
    pub(super) interrupted: Option<ExitCode>,
    /// The same, as a number (128 + N).
    pub(super) signal_exit: Option<u8>,
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
    let (outcome, signal_exit) =
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
        interrupted: signal_exit.map(ExitCode::from),
        signal_exit,
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
    error: Option<&CliError>,
) {
    let report = serde_json::json!({
        "cluster": plan.cluster, "template": plan.template, "plan": lines,
        "warnings": plan.warnings, "outcome": finished.outcome,
        "millis": finished.millis, "root_password": passwords.root,
        "app_password": passwords.app, "error": error,
    });
    if let Some(e) = error {
        e.warn();
    }
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
