//! `tugboat backup`, `tugboat restore` and `tugboat backups`: the same
//! plans and job runner as the TUI, headless.
//!
//! Exit codes: 0 done, 1 the job failed, 2 bad usage (no such host,
//! volume or archive), 3 refused (read-only, busy) or not confirmed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::interrupt::{say, say_json, warn};
use super::{Loaded, EXIT_USAGE};
use crate::docker::{spawn_hosts, unix_now, HostHandle};
use crate::ops::backup::{
    backup_plan, dump_plan, restore_plan, restored_name, BackupRequest, BackupStep, RestoreTarget,
};
use crate::ops::backup_store::{list, manifest_for};
use crate::ops::job::JobOutcome;
use crate::ops::plan::{Plan, StepOp};
use crate::ops::restore_check::restore_check;

pub const EXIT_FAILED: u8 = 1;
pub const EXIT_REFUSED: u8 = 3;

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    pub volume: String,
    /// The host that has the volume [default: the only host].
    #[arg(long = "on", value_name = "HOST")]
    pub on: Option<String>,
    /// Where the archive goes [default: the data directory's backups/].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Pause the volume's running users for the copy (default for
    /// MySQL/MariaDB volumes).
    #[arg(long, conflicts_with = "no_pause")]
    pub pause: bool,
    /// Do not pause the users, even of a database volume.
    #[arg(long)]
    pub no_pause: bool,
    /// Image for the helper container (never started) [default: a user's image].
    #[arg(long, value_name = "IMAGE")]
    pub image: Option<String>,
    /// A logical dump (--single-transaction) of the running MySQL/MariaDB
    /// that uses the volume, instead of a copy of its files.
    #[arg(long, conflicts_with_all = ["pause", "no_pause", "image"])]
    pub dump: bool,
    #[arg(long)]
    pub yes: bool,
    #[arg(long)]
    pub json: bool,
}

impl BackupArgs {
    /// Some(true) --pause, Some(false) --no-pause, None: decided by the
    /// volume's users.
    fn requested_pause(&self) -> Option<bool> {
        (self.pause || self.no_pause).then_some(self.pause)
    }
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    pub archive: PathBuf,
    #[arg(long = "on", value_name = "HOST")]
    pub on: Option<String>,
    /// The volume to restore into [default: a new <volume>-restored-<time>].
    #[arg(long, value_name = "VOLUME")]
    pub into: Option<String>,
    /// Restore into a non-empty volume, overwriting its files.
    #[arg(long)]
    pub force: bool,
    /// Then boot a copy of the server that used the volume (its image,
    /// command and environment; no network) on the restored data, ask it
    /// what it holds (a database: each table's rows; ZooKeeper: znodes and
    /// zxid), and remove the copy; a copy that does not boot fails the
    /// restore and the new volume is removed (the archive stays).
    #[arg(long)]
    pub verify: bool,
    #[arg(long, value_name = "IMAGE")]
    pub image: Option<String>,
    #[arg(long)]
    pub yes: bool,
    #[arg(long)]
    pub json: bool,
}

/// The backup directory: `--dir`, else the data directory's `backups/`.
pub fn backup_dir(loaded: &Loaded, dir: Option<PathBuf>) -> PathBuf {
    let dir = dir.unwrap_or_else(|| loaded.paths.data_dir.join("backups"));
    std::path::absolute(&dir).unwrap_or(dir)
}

fn usage(e: impl std::fmt::Display) -> ExitCode {
    warn(format!("tugboat: {e}"));
    ExitCode::from(EXIT_USAGE)
}

/// Why no host was picked for a volume command.
#[derive(Debug, thiserror::Error)]
enum NoHost {
    #[error("several hosts are configured: say which with --on HOST")]
    Ambiguous,
    #[error("no host named {0}")]
    Unknown(String),
    #[error("host {0} does not answer")]
    Silent(String),
}

/// Connect to the one host the command acts on.
async fn host_for(
    loaded: &Loaded,
    on: Option<&str>,
    read_only: bool,
) -> Result<(Vec<HostHandle>, HostHandle), NoHost> {
    let name = match on {
        Some(n) => n.to_string(),
        None if loaded.hosts.len() == 1 => loaded.hosts[0].name.clone(),
        None => return Err(NoHost::Ambiguous),
    };
    let hosts = spawn_hosts(&loaded.hosts, &loaded.settings, read_only, |_| {});
    let handle = hosts
        .iter()
        .find(|h| h.name == name)
        .cloned()
        .ok_or_else(|| NoHost::Unknown(name.clone()))?;
    if !handle.wait_connected(loaded.settings.request_timeout).await {
        return Err(NoHost::Silent(name));
    }
    Ok((hosts, handle))
}

pub async fn backup(loaded: &Loaded, args: BackupArgs, read_only: bool) -> ExitCode {
    let (hosts, handle) = match host_for(loaded, args.on.as_deref(), read_only).await {
        Ok(h) => h,
        Err(e) => return usage(e),
    };
    match handle.volume_exists(&args.volume).await {
        Ok(true) => {}
        Ok(false) => return usage(format!("no volume {} on {}", args.volume, handle.name)),
        Err(e) => return usage(e),
    }
    let users = match handle.volume_users(&args.volume).await {
        Ok(u) => u,
        Err(e) => return usage(e),
    };
    // Asked before the request takes `dir` and `image` out of `args`.
    let pause = args.requested_pause();
    let request = BackupRequest {
        host: handle.name.clone(),
        volume: args.volume.clone(),
        dir: backup_dir(loaded, args.dir),
        pause,
        image: args.image,
        unix_millis: unix_millis(),
    };
    let planned = if args.dump {
        dump_plan(&request, &users)
    } else {
        backup_plan(&request, &users)
    };
    let plan = match planned {
        Ok(p) => p,
        Err(e) => return usage(e),
    };
    let archive = match &plan.steps[1].op {
        StepOp::Backup(BackupStep::Copy { dir, file, .. })
        | StepOp::Backup(BackupStep::Dump { dir, file, .. }) => Path::new(dir).join(file),
        _ => PathBuf::new(),
    };
    let (code, outcome) = run(loaded, hosts, &plan, args.yes, None, args.json).await;
    if args.json {
        let manifest = outcome
            .as_ref()
            .filter(|o| o.is_done())
            .and_then(|_| manifest_for(&archive).ok());
        let report = serde_json::json!({
            "plan": plan,
            "outcome": outcome,
            "archive": outcome.as_ref().filter(|o| o.is_done()).map(|_| &archive),
            "manifest": manifest,
        });
        say_json(&report);
    } else if outcome.as_ref().is_some_and(|o| o.is_done()) {
        say(format!("archive: {}", archive.display()));
    }
    code
}

pub async fn restore(loaded: &Loaded, args: RestoreArgs, read_only: bool) -> ExitCode {
    let archive = std::path::absolute(&args.archive).unwrap_or(args.archive.clone());
    let manifest = match manifest_for(&archive) {
        Ok(m) => m,
        Err(e) => return usage(e),
    };
    if args.force && args.into.is_none() {
        return usage("--force needs --into VOLUME (a new volume needs no force)");
    }
    let (hosts, handle) = match host_for(loaded, args.on.as_deref(), read_only).await {
        Ok(h) => h,
        Err(e) => return usage(e),
    };
    let target = match args.into {
        None => RestoreTarget::New(restored_name(&manifest.volume, unix_millis())),
        Some(name) => match handle.volume_exists(&name).await {
            Ok(true) => RestoreTarget::Existing {
                name,
                force: args.force,
            },
            Ok(false) => RestoreTarget::New(name),
            Err(e) => return usage(e),
        },
    };
    let image = args.image.or_else(|| Some(manifest.helper_image.clone()));
    let check = if args.verify {
        let (inventory, ..) = super::status::collect(&loaded.hosts, &loaded.settings).await;
        match restore_check(&inventory, &handle.name, &manifest) {
            Ok(c) => Some(c),
            Err(why) => return usage(format!("cannot verify the restore: {why}")),
        }
    } else {
        None
    };
    let plan = match restore_plan(&handle.name, &archive, &manifest, &target, image, check) {
        Ok(p) => p,
        Err(e) => return usage(e),
    };
    let forced = match &target {
        RestoreTarget::Existing { name, force: true } => Some(name.as_str()),
        _ => None,
    };
    let (code, outcome) = run(loaded, hosts, &plan, args.yes, forced, args.json).await;
    if args.json {
        let report = serde_json::json!({
            "plan": plan,
            "outcome": outcome,
            "volume": target.name(),
        });
        say_json(&report);
    } else if outcome.as_ref().is_some_and(|o| o.is_done()) {
        say(format!("restored into volume {}", target.name()));
    }
    code
}

pub fn backups(loaded: &Loaded, dir: Option<PathBuf>, json: bool) -> ExitCode {
    let dir = backup_dir(loaded, dir);
    let listing = match list(&dir) {
        Ok(l) => l,
        Err(e) => {
            warn(format!("tugboat: {e}"));
            return ExitCode::from(EXIT_FAILED);
        }
    };
    if json {
        say_json(&serde_json::json!({ "dir": dir, "backups": listing }));
        return ExitCode::SUCCESS;
    }
    if listing.complete.is_empty() {
        say(format!("no complete backups in {}", dir.display()));
    }
    for e in &listing.complete {
        let m = &e.manifest;
        say(format!(
            "{}  {:<10} {:<24} {:>12} bytes {:>8} files  {}",
            m.time,
            m.host,
            m.volume,
            m.archive_bytes,
            m.files,
            e.archive.display()
        ));
    }
    for l in &listing.incomplete {
        say(format!("incomplete: {} ({})", l.path.display(), l.reason));
    }
    ExitCode::SUCCESS
}

fn unix_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(unix_now() * 1000)
}

/// Show the plan, ask (twice, the second naming the volume, when a
/// restore is forced onto an existing one), run it and say how it ended.
/// The outcome is None when not confirmed.
async fn run(
    loaded: &Loaded,
    hosts: Vec<HostHandle>,
    plan: &Plan,
    yes: bool,
    forced: Option<&str>,
    json: bool,
) -> (ExitCode, Option<JobOutcome>) {
    if !json {
        say(format!("Plan ({} {}):", plan.action, plan.target));
        for line in plan.lines() {
            say(format!("  {line}"));
        }
    }
    let asked = |question: &str, answer: &str| yes || super::headless::ask(question, answer);
    let go = asked("Go ahead? [y/N] ", "y")
        && forced.is_none_or(|volume| {
            asked(
                &format!("This overwrites files in volume {volume}. Type its name to go on: "),
                volume,
            )
        });
    if !go {
        warn("tugboat: not confirmed; nothing was changed (use --yes to skip the question)");
        return (ExitCode::from(EXIT_REFUSED), None);
    }
    let (outcome, interrupted) = super::headless::run_headless(loaded, hosts, plan, json).await;
    if !json {
        say(outcome.text(plan.steps.len()));
    }
    if let Some(code) = interrupted {
        return (code, Some(outcome));
    }
    let code = match outcome {
        JobOutcome::Done => ExitCode::SUCCESS,
        JobOutcome::Refused { .. } => ExitCode::from(EXIT_REFUSED),
        _ => ExitCode::from(EXIT_FAILED),
    };
    (code, Some(outcome))
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::cli::{Cli, Command};

    fn backup(extra: &[&str]) -> Result<super::BackupArgs, clap::Error> {
        let words = ["tugboat", "backup", "data"];
        match Cli::try_parse_from(words.iter().chain(extra))?.command {
            Some(Command::Backup(args)) => Ok(args),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn pause_is_asked_by_either_flag_else_left_to_the_volume_s_users() {
        let pause = |extra: &[&str]| backup(extra).unwrap().requested_pause();
        assert_eq!(pause(&[]), None);
        assert_eq!(pause(&["--pause"]), Some(true));
        assert_eq!(pause(&["--no-pause"]), Some(false));
    }

    #[test]
    fn the_flags_that_exclude_each_other_are_usage_errors() {
        let kind = |extra: &[&str]| backup(extra).unwrap_err().kind();
        let conflict = clap::error::ErrorKind::ArgumentConflict;
        assert_eq!(kind(&["--pause", "--no-pause"]), conflict);
        for other in ["--pause", "--no-pause", "--image=alpine"] {
            assert_eq!(kind(&["--dump", other]), conflict, "{other}");
        }
    }
}
