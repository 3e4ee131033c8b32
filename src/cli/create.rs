//! `tugboat create --from SPEC`: the wizard's plan, progress and rollback,
//! headless. Secrets are generated here; the root password is printed once
//! on success and is kept only in the containers' environment (never
//! logged, never audited).
//!
//! Exit codes: 0 created and verified (or a dry run), 1 failed and rolled
//! back, 2 bad usage, a bad spec (`FILE:FIELD: message`) or an image that
//! is not on its host (also with `--dry-run`; the message says which `docker
//! pull` to run where), 3 refused (read-only) or not confirmed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::headless::EXIT_NOT_CONFIRMED;
use super::headless::{exit_code, run_headless_with};
use super::interrupt::{say, say_json, warn};
use super::{Loaded, EXIT_USAGE};
use crate::create::apply::{create_job_plan, CreateSteps};
use crate::create::images::check_images;
use crate::create::prepare::{prepare, Unprepared};
use crate::create::spec::{ClusterSpec, Template};
use crate::docker::spawn_hosts;

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
    let text = match std::fs::read_to_string(&args.from) {
        Ok(t) => t,
        Err(e) => return usage(format!("{file}: {e}")),
    };
    let spec = match ClusterSpec::from_toml(&text) {
        Ok(s) => s,
        Err(e) => return usage(format!("{file}: {}", e.to_string().trim())),
    };
    if let Some(p) = spec.errors().first() {
        return usage(format!("{file}:{}: {}", p.field, p.message));
    }
    if loaded.hosts.is_empty() {
        return usage("no Docker host configured".into());
    }
    let hosts = spawn_hosts(&loaded.hosts, &loaded.settings, read_only, |_| {});
    let (plan, secrets) = match prepare(&spec, &loaded.hosts, &hosts, &loaded.settings).await {
        Ok(p) => p,
        Err(e @ Unprepared::Secrets(_)) => {
            warn(format!("tugboat: {e}"));
            return ExitCode::from(1);
        }
        // About a spec field: `FILE:FIELD: message`.
        Err(e) => return usage(format!("{file}:{e}")),
    };
    let lines = plan.lines();
    // Before the question: an image that is not there fails the create only
    // after the user said yes.
    let limit = loaded.settings.request_timeout * 3;
    let missing: Vec<String> = match check_images(&plan, &hosts, limit).await {
        Ok(m) => m.iter().map(|m| m.to_string()).collect(),
        Err(crate::docker::HostError::NotConnected(host)) => {
            say(format!("host {host} is not reachable: nothing was created"));
            return ExitCode::from(1);
        }
        Err(e) => {
            say(format!(
                "cannot check the images ({e}): nothing was created"
            ));
            return ExitCode::from(1);
        }
    };
    if args.json && args.dry_run {
        let report = serde_json::json!({
            "cluster": plan.cluster, "template": plan.template,
            "plan": lines, "warnings": plan.warnings, "missing_images": missing,
        });
        say_json(&report);
        return if missing.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(EXIT_USAGE)
        };
    }
    if !args.json {
        say(format!("Plan (create cluster/{}):", plan.cluster));
        for line in &lines {
            say(format!("  {line}"));
        }
        for w in &plan.warnings {
            say(format!("  warning: {w}"));
        }
    }
    if !missing.is_empty() {
        for m in &missing {
            warn(format!("tugboat: {m}"));
        }
        warn("tugboat: nothing was created");
        return ExitCode::from(EXIT_USAGE);
    }
    if args.dry_run {
        return ExitCode::SUCCESS;
    }
    if !args.yes && !super::headless::confirmed() {
        warn("tugboat: not confirmed; nothing was changed (use --yes to skip the question)");
        return ExitCode::from(EXIT_NOT_CONFIRMED);
    }
    // The one executor runs it: SIGINT, SIGTERM and SIGHUP stop it at the
    // next step and remove what it made.
    let job = create_job_plan(&plan);
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
    let made_db = outcome.is_done() && spec.template == Template::Database;
    let password = made_db.then_some(secrets.root_password.as_str());
    let app_password = made_db.then_some(secrets.app_password.as_str());
    if args.json {
        let report = serde_json::json!({
            "cluster": plan.cluster, "template": plan.template, "plan": lines,
            "warnings": plan.warnings, "outcome": outcome,
            "millis": millis, "root_password": password, "app_password": app_password,
        });
        say_json(&report);
    } else {
        say(format!(
            "{} ({:.1}s)",
            outcome.text(job.steps.len()),
            millis as f64 / 1000.0
        ));
        if let Some(p) = password {
            say(format!(
                "root password (shown once; kept only in the containers' environment): {p}"
            ));
        }
        if let Some(a) = app_password {
            say(format!(
                "application account (no admin rights; for clients, instead of root; shown once, kept nowhere): \
                 user app, database app, password {a}"
            ));
        }
    }
    exit_code(&outcome, interrupted)
}
