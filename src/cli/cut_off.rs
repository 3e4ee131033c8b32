//! What jobs cut off by `kill -9` or a reboot left in the journal: the
//! recoveries waiting, and the notice that says so at start-up. Below both
//! `recover` (which runs them) and `headless` (which gives the notice
//! before any other operation), so neither needs the other for it.

use super::Loaded;
use crate::ops::journal::{recoveries, Found, Journal, Recovery};
use crate::ops::runner::journal_dir;

/// The journal of unfinished jobs, kept beside the audit log.
pub(super) fn journal(loaded: &Loaded) -> Journal {
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
