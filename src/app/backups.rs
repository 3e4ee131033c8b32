//! Backups in the TUI: `b` on a volume puts its backup plan up for
//! confirmation (pausing its running users by default for database
//! volumes; `B` makes the other choice), `u` the restore of its latest
//! backup into a new volume, and the Volumes pane shows each volume's
//! backups from a listing the effects side reads from disk.

use super::confirm::PlanQuestion;
use super::msg::Effect;
use super::state::{Level, Pane, State};
use crate::model::clock::utc_datetime;
use crate::model::{detect_role, MountKind, Role};
use crate::ops::backup::{backup_plan, pause_by_default, BackupRequest, VolumeUserInfo};
use crate::ops::backup_store::{Listing, StoreError};
use crate::ops::job::JobEvent;
use crate::ops::plan::PlanAction;

pub use super::backups_view::BackupsView;

/// The containers of the inventory that mount `volume` on `host`.
fn users(state: &State, host: &str, volume: &str) -> Vec<VolumeUserInfo> {
    let mut users: Vec<VolumeUserInfo> = state
        .inventory
        .containers
        .values()
        .filter(|c| c.host == host)
        .filter(|c| {
            c.mounts
                .iter()
                .any(|m| m.kind == MountKind::Volume && m.name.as_deref() == Some(volume))
        })
        .filter(|c| !c.labels.contains_key(crate::docker::HELPER_LABEL))
        .map(|c| VolumeUserInfo {
            id: c.id.clone(),
            name: c.name.clone(),
            image: c.image.clone(),
            running: c.is_running(),
            database: matches!(detect_role(c), Role::Mysql | Role::Mariadb),
        })
        .collect();
    users.sort_by(|a, b| a.name.cmp(&b.name));
    users
}

/// b / B on the Volumes pane: the plan, shown for confirmation.
pub(super) fn backup_volume(state: &mut State, other_pause_choice: bool) {
    if state.pane != Pane::Volumes {
        state.set_status(
            Level::Warn,
            "b backs up a volume: open the Volumes pane (2)",
        );
        return;
    }
    let Some((host, volume)) = state.selected_volume() else {
        state.set_status(Level::Warn, "select a volume");
        return;
    };
    let Some(dir) = state.backups.dir.clone() else {
        state.set_status(Level::Warn, "no backup directory is configured");
        return;
    };
    let users = users(state, &host, &volume);
    let default_pause = pause_by_default(&users);
    let pause = default_pause != other_pause_choice;
    let request = BackupRequest {
        host: host.clone(),
        volume: volume.clone(),
        dir,
        pause: Some(pause),
        image: None,
        unix_millis: state.now * 1000,
    };
    let plan = match backup_plan(&request, &users) {
        Ok(p) => p,
        Err(e) => return state.plan_refused(e),
    };
    let running = users.iter().filter(|u| u.running).count();
    let mut choice = Vec::new();
    if running > 0 {
        choice.push(String::new());
        choice.push(format!(
            "{} for the copy ({}). Press n, then {} to {}.",
            if pause {
                "Users are paused"
            } else {
                "Users keep running"
            },
            if default_pause == pause {
                "the default here"
            } else {
                "not the default"
            },
            if other_pause_choice { "b" } else { "B" },
            if pause {
                "back up without pausing"
            } else {
                "pause them"
            },
        ));
    }
    let question = format!("Back up volume {volume} on {host}?");
    PlanQuestion::new("Back up volume", question, plan)
        .after(choice)
        .ask(state);
}

/// A backup or restore finished: read the directory again.
pub(super) fn relist_after(state: &State, event: &JobEvent) -> Option<Effect> {
    let JobEvent::Finished { id, .. } = event else {
        return None;
    };
    let job = state.jobs.iter().find(|j| j.id == *id)?;
    let ours = matches!(job.plan.action, PlanAction::Backup | PlanAction::Restore);
    ours.then(|| state.backups.dir.clone().map(Effect::ListBackups))
        .flatten()
}

pub(super) fn on_listing(state: &mut State, result: Result<Listing, StoreError>) {
    match result {
        Ok(listing) => {
            state.backups.listing = listing;
            state.backups.error = None;
        }
        Err(e) => state.backups.error = Some(e),
    }
}

/// `3 @04:30` (count, time of the latest: UTC clock today, else its date)
/// for the Volumes pane; None when the volume has no backup.
pub fn summary(state: &State, host: &str, volume: &str) -> Option<String> {
    let all: Vec<_> = state.backups.listing.of_volume(host, volume).collect();
    let latest = all.last()?.manifest.unix_time;
    let when = utc_datetime(latest);
    let today = utc_datetime(state.now);
    let short = if when.get(..10) == today.get(..10) {
        when.get(11..16).unwrap_or_default().to_string()
    } else {
        when.get(5..10).unwrap_or_default().to_string()
    };
    Some(format!("{} @{short}", all.len()))
}

/// u on the Volumes pane: restore the volume's latest backup into a new
/// volume (restoring over an existing volume stays headless, with --force).
pub(super) fn restore_latest(state: &mut State) {
    use crate::ops::backup::{restore_plan, restored_name, RestoreTarget, KIND_VOLUME};
    use crate::ops::restore_check::restore_check;
    if state.pane != Pane::Volumes {
        state.set_status(
            Level::Warn,
            "u restores a volume: open the Volumes pane (2)",
        );
        return;
    }
    let Some((host, volume)) = state.selected_volume() else {
        state.set_status(Level::Warn, "select a volume");
        return;
    };
    let latest = state
        .backups
        .listing
        .of_volume(&host, &volume)
        .filter(|e| e.manifest.kind == KIND_VOLUME)
        .last()
        .cloned();
    let Some(entry) = latest else {
        state.set_status(Level::Warn, format!("no backup of {volume} on {host}"));
        return;
    };
    let target = RestoreTarget::New(restored_name(&volume, state.now * 1000));
    let image = Some(entry.manifest.helper_image.clone());
    // Verified when tugboat can ask the server that used the volume.
    let check = restore_check(&state.inventory, &host, &entry.manifest);
    let unverified = check
        .as_ref()
        .err()
        .map(|why| format!("(not verified: {why})"));
    match restore_plan(
        &host,
        &entry.archive,
        &entry.manifest,
        &target,
        image,
        check.ok(),
    ) {
        Err(e) => state.plan_refused(e),
        Ok(plan) => {
            let question = format!(
                "Restore the backup of {volume} taken {} into a new volume {}?",
                utc_datetime(entry.manifest.unix_time),
                target.name()
            );
            PlanQuestion::new("Restore volume", question, plan)
                .after(unverified)
                .ask(state);
        }
    }
}
