//! `tugboat create --from SPEC`: the wizard's plan, progress and rollback,
//! headless. Secrets are generated here; the root password is printed once
//! on success and is kept only in the containers' environment (never
//! logged, never audited).
//!
//! Exit codes: 0 created and verified (or a dry run), 1 failed and rolled
//! back, 2 bad usage or a bad spec (`FILE:FIELD: message`), 3 refused
//! (read-only) or not confirmed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use super::drain::EXIT_NOT_CONFIRMED;
use super::interrupt::{say, warn, Interrupts};
use super::{Loaded, EXIT_USAGE};
use crate::create::apply::{apply_audited, ApplyEvent, ApplyOptions, ApplyOutcome};
use crate::create::prepare::{prepare, Unprepared};
use crate::create::spec::{ClusterSpec, Template};
use crate::docker::spawn_hosts;
use crate::ops::runner::JobControl;
use crate::ops::AuditLog;

pub struct CreateArgs {
    pub from: PathBuf,
    pub yes: bool,
    pub json: bool,
    pub dry_run: bool,
    pub read_only: bool,
    /// Seconds from the last object created to every check passing.
    pub verify_timeout: u64,
}

fn usage(message: String) -> ExitCode {
    eprintln!("tugboat: {message}");
    ExitCode::from(EXIT_USAGE)
}

pub async fn run(loaded: &Loaded, args: CreateArgs) -> ExitCode {
    let file = args.from.display().to_string();
    let text = match std::fs::read_to_string(&args.from) {
        Ok(t) => t,
        Err(e) => return usage(format!("{file}: {e}")),
    };
    let spec = match ClusterSpec::from_toml(&text) {
        Ok(s) => s,
        Err(e) => return usage(format!("{file}: {}", e.trim())),
    };
    if let Some(p) = spec.errors().first() {
        return usage(format!("{file}:{}: {}", p.field, p.message));
    }
    if loaded.hosts.is_empty() {
        return usage("no Docker host configured".into());
    }
    let hosts = spawn_hosts(&loaded.hosts, &loaded.settings, args.read_only, |_| {});
    let (plan, secrets) = match prepare(&spec, &loaded.hosts, &hosts, &loaded.settings).await {
        Ok(p) => p,
        Err(Unprepared::Secrets(e)) => {
            eprintln!("tugboat: cannot generate passwords: {e}");
            return ExitCode::from(1);
        }
        Err(Unprepared::Plan(e)) => return usage(format!("{file}:{e}")),
    };
    let lines = plan.lines();
    if args.json && args.dry_run {
        let report = serde_json::json!({
            "cluster": plan.cluster, "template": plan.template,
            "plan": lines, "warnings": plan.warnings,
        });
        println!("{report}");
        return ExitCode::SUCCESS;
    }
    if !args.json {
        println!("Plan (create cluster/{}):", plan.cluster);
        for line in &lines {
            println!("  {line}");
        }
        for w in &plan.warnings {
            println!("  warning: {w}");
        }
    }
    if args.dry_run {
        return ExitCode::SUCCESS;
    }
    if !args.yes && !super::drain::confirmed() {
        eprintln!("tugboat: not confirmed; nothing was changed (use --yes to skip the question)");
        return ExitCode::from(EXIT_NOT_CONFIRMED);
    }
    // SIGINT, SIGTERM and SIGHUP stop the run at the next step and roll
    // back. Watched from here, before anything is created, so an early one
    // is not lost.
    let control = JobControl::default();
    let interrupts = match Interrupts::watch(control.clone()) {
        Ok(i) => i,
        Err(e) => {
            warn(format!(
                "tugboat: cannot watch for signals: {e}; nothing was changed"
            ));
            return ExitCode::from(1);
        }
    };
    let options = ApplyOptions {
        settings: loaded.settings.clone(),
        verify_timeout: Duration::from_secs(args.verify_timeout),
    };
    let json = args.json;
    let events = std::sync::Mutex::new(Vec::new());
    let sink = |e: ApplyEvent| {
        if json {
            events.lock().unwrap_or_else(|p| p.into_inner()).push(e);
        } else if !matches!(e, ApplyEvent::Failed { .. }) {
            // The outcome line says what failed.
            say(e.text());
        }
    };
    let audit = AuditLog::new(loaded.paths.audit_log());
    let (outcome, millis) =
        apply_audited(&plan, &hosts, &options, control.watch(), &sink, &audit).await;
    let password = (outcome == ApplyOutcome::Done && spec.template == Template::Database)
        .then_some(secrets.root_password.as_str());
    if json {
        let events = events.into_inner().unwrap_or_else(|p| p.into_inner());
        let report = serde_json::json!({
            "cluster": plan.cluster, "template": plan.template, "plan": lines,
            "warnings": plan.warnings, "events": events, "outcome": outcome,
            "millis": millis, "root_password": password,
        });
        say(report);
    } else {
        say(format!(
            "{} ({:.1}s)",
            outcome.text(),
            millis as f64 / 1000.0
        ));
        if let Some(p) = password {
            say(format!(
                "root password (shown once; kept only in the containers' environment): {p}"
            ));
        }
    }
    if let (ApplyOutcome::Cancelled { .. }, Some(code)) = (&outcome, interrupts.signal_code()) {
        return code;
    }
    match outcome {
        ApplyOutcome::Done => ExitCode::SUCCESS,
        ApplyOutcome::Refused { .. } => ExitCode::from(EXIT_NOT_CONFIRMED),
        _ => ExitCode::from(1),
    }
}
