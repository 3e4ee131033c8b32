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
use crate::ops::journal::{recover_plan, Journal, Leftover};
use crate::ops::runner::journal_dir;

fn journal(loaded: &Loaded) -> Journal {
    Journal::new(journal_dir(&loaded.paths.audit_log()))
}

/// What to tell at start-up when jobs were cut off.
pub fn notice(loaded: &Loaded) -> Option<String> {
    let stale = journal(loaded).stale();
    let (_, first) = stale.first()?;
    Some(format!(
        "{} job(s) were cut off ({} {}{}) and may have left things paused or drained: run `tugboat recover`",
        stale.len(),
        first.action,
        first.target,
        if stale.len() > 1 { ", …" } else { "" }
    ))
}

pub async fn run(loaded: &Loaded, yes: bool, json: bool, read_only: bool) -> ExitCode {
    let journal = journal(loaded);
    let stale = journal.stale();
    if stale.is_empty() {
        say(if json {
            "{\"recovered\":[]}"
        } else {
            "nothing to recover"
        });
        return ExitCode::SUCCESS;
    }
    let first_host = loaded
        .hosts
        .first()
        .map(|h| h.name.clone())
        .unwrap_or_default();
    let mut worst = ExitCode::SUCCESS;
    for (path, entry) in stale {
        let host = entry
            .leftovers
            .iter()
            .find_map(|l| match l {
                Leftover::Paused { host, .. }
                | Leftover::Helpers { host, .. }
                | Leftover::HalfMadeCluster { host, .. }
                | Leftover::DrainedServer { host, .. } => Some(host.clone()),
                Leftover::PartialFile { .. } => None,
            })
            .unwrap_or_else(|| first_host.clone());
        let code = run_plan(loaded, recover_plan(&entry, &host), yes, json, read_only).await;
        if code == ExitCode::SUCCESS {
            if let Err(e) = journal.forget(&path) {
                warn(format!("tugboat: {}: {e}", path.display()));
            }
        } else {
            worst = code;
        }
    }
    worst
}
