//! `tugboat recover`: jobs cut off by `kill -9` or a reboot left their
//! entry in the journal; each becomes a plan that makes what it may have
//! left safe (unpause, remove helpers and partial files, make drained
//! servers ready), shown, confirmed and run like any operation. An entry
//! is taken over by this process before its plan runs (a second tugboat
//! leaves it alone) and forgotten once its plan is done. Entries of
//! another machine, and entries older than the journal's limit, are only
//! shown, to be checked by hand.
//!
//! Exit codes: 0 nothing to recover, or all recovered; 1 a recovery
//! failed or refused what it found (its entry stays); 3 not confirmed,
//! refused (read-only), or entries left to check by hand.

use std::process::ExitCode;

use super::headless::{run_plan, EXIT_NOT_CONFIRMED};
use super::interrupt::{say, warn};
use super::Loaded;
use crate::ops::journal::{recoveries, Found, Journal, Recovery};
use crate::ops::runner::journal_dir;

fn journal(loaded: &Loaded) -> Journal {
    Journal::new(journal_dir(&loaded.paths.audit_log()))
}

/// Every cut-off job with the plan that makes what it left safe.
pub fn pending(loaded: &Loaded) -> Vec<Recovery> {
    let first_host = loaded.hosts.first().map_or("", |h| h.name.as_str());
    recoveries(&journal(loaded), first_host)
}

/// What to tell at start-up when jobs were cut off, or entries wait to be
/// checked by hand.
pub fn notice(loaded: &Loaded, tui: bool) -> Option<String> {
    let found = journal(loaded).scan();
    let by_hand = found.iter().filter(|f| f.by_hand_text().is_some()).count();
    let cut_off: Vec<&Found> = found
        .iter()
        .filter(|f| matches!(f, Found::CutOff { .. }))
        .collect();
    let mut said = Vec::new();
    if let Some(Found::CutOff { stored, .. }) = cut_off.first() {
        said.push(format!(
            "{} job(s) were cut off ({} {}{}) and may have left things paused or drained: {}",
            cut_off.len(),
            stored.entry.action,
            stored.entry.target,
            if cut_off.len() > 1 { ", …" } else { "" },
            if tui {
                "press U to make them safe"
            } else {
                "run `tugboat recover`"
            }
        ));
    }
    if by_hand > 0 {
        said.push(format!(
            "{by_hand} journal entr{} to check by hand (another machine's, or too old to act on): \
             `tugboat recover` lists them",
            if by_hand == 1 { "y" } else { "ies" }
        ));
    }
    (!said.is_empty()).then(|| said.join("; "))
}

pub async fn run(loaded: &Loaded, yes: bool, json: bool, read_only: bool) -> ExitCode {
    let journal = journal(loaded);
    let found = journal.scan();
    let by_hand: Vec<String> = found.iter().filter_map(Found::by_hand_text).collect();
    for text in &by_hand {
        warn(format!("tugboat: check by hand: {text}"));
    }
    let pending = pending(loaded);
    if pending.is_empty() {
        if by_hand.is_empty() {
            say(if json {
                "{\"recovered\":[]}"
            } else {
                "nothing to recover"
            });
            return ExitCode::SUCCESS;
        }
        return ExitCode::from(EXIT_NOT_CONFIRMED);
    }
    let mut worst = if by_hand.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_NOT_CONFIRMED)
    };
    for r in pending {
        // Held by this process from here: another tugboat leaves it alone.
        if let Err(why) = journal.take(&r.entry) {
            warn(format!(
                "tugboat: not recovered: {}: {why}",
                r.entry.display()
            ));
            worst = ExitCode::from(EXIT_NOT_CONFIRMED);
            continue;
        }
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
