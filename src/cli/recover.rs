//! `tugboat recover`: jobs cut off by `kill -9` or a reboot left their
//! entry in the journal; each becomes a plan that makes what it may have
//! left safe (unpause, remove helpers and partial files, make drained
//! servers ready), shown, confirmed and run like any operation. An entry
//! is forgotten once its plan is done.
//!
//! Exit codes: 0 nothing to recover, or all recovered; 1 a recovery
//! failed (its entry stays); 3 not confirmed or refused (read-only).

use std::process::ExitCode;

use super::headless::run_plan;
use super::interrupt::{say, warn};
use super::Loaded;
use crate::ops::journal::{recoveries, Journal, Recovery};
use crate::ops::runner::journal_dir;

fn journal(loaded: &Loaded) -> Journal {
    Journal::new(journal_dir(&loaded.paths.audit_log()))
}

/// Every cut-off job with the plan that makes what it left safe.
pub fn pending(loaded: &Loaded) -> Vec<Recovery> {
    let first_host = loaded.hosts.first().map_or("", |h| h.name.as_str());
    recoveries(&journal(loaded), first_host)
}

/// What to tell at start-up when jobs were cut off.
pub fn notice(loaded: &Loaded, tui: bool) -> Option<String> {
    let stale = journal(loaded).stale();
    let (_, first) = stale.first()?;
    Some(format!(
        "{} job(s) were cut off ({} {}{}) and may have left things paused or drained: {}",
        stale.len(),
        first.action,
        first.target,
        if stale.len() > 1 { ", …" } else { "" },
        if tui {
            "press U to make them safe"
        } else {
            "run `tugboat recover`"
        }
    ))
}

pub async fn run(loaded: &Loaded, yes: bool, json: bool, read_only: bool) -> ExitCode {
    let journal = journal(loaded);
    let pending = pending(loaded);
    if pending.is_empty() {
        say(if json {
            "{\"recovered\":[]}"
        } else {
            "nothing to recover"
        });
        return ExitCode::SUCCESS;
    }
    let mut worst = ExitCode::SUCCESS;
    for r in pending {
        let code = run_plan(loaded, r.plan, yes, json, read_only).await;
        if code == ExitCode::SUCCESS {
            if let Err(e) = journal.forget(&r.entry) {
                warn(format!("tugboat: {}: {e}", r.entry.display()));
            }
        } else {
            worst = code;
        }
    }
    worst
}
