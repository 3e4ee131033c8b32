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

use super::contract::CliError;
use super::cut_off::{journal, pending};
use super::headless::{run_plan, EXIT_NOT_CONFIRMED};
use super::interrupt::{say, warn};
use super::Loaded;
use crate::ops::journal::Found;

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
        return CliError::refused(format!(
            "{} cut-off job(s) to check by hand (listed above): nothing was changed",
            by_hand.len()
        ))
        .report(json);
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
