//! `tugboat backup` and `tugboat restore`: the same plans and job runner
//! as the TUI, headless (`tugboat backups` lists: src/cli/backups.rs).
//!
//! Exit codes (src/cli/contract.rs): 0 done, 1 the job failed, 2 bad
//! usage (no such host, volume, archive or image), 3 refused (read-only,
//! busy, a volume a running container uses) or not confirmed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::contract::{finish, CliError, CliResult};
use super::headless::{conclude, confirm_and_run, show_plan, Report};
use super::Loaded;
use crate::docker::{spawn_hosts, unix_now, HostHandle};
use crate::ops::backup::{
    backup_plan, dump_plan, restore_plan, restored_name, BackupRequest, BackupStep, RestoreTarget,
};
use crate::ops::backup_store::manifest_for;
use crate::ops::plan::StepOp;
use crate::ops::restore_check::restore_check;

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// The named volume to back up.
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
    /// Image for the helper container (never started), which must be on
    /// the host [default: a user's image, else one the host has].
    #[arg(long, value_name = "IMAGE")]
    pub image: Option<String>,
    /// A logical dump (--single-transaction) of the running MySQL/MariaDB
    /// that uses the volume, instead of a copy of its files.
    #[arg(long, conflicts_with_all = ["pause", "no_pause", "image"])]
    pub dump: bool,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub yes: bool,
    /// The plan, outcome, archive and manifest as JSON; an error as
    /// `{"error": {kind, message, exit}}`.
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
    /// The archive (`<volume>-<time>.tar.gz`) beside its manifest.
    pub archive: PathBuf,
    /// The host to restore on [default: the only host].
    #[arg(long = "on", value_name = "HOST")]
    pub on: Option<String>,
    /// The volume to restore into [default: a new <volume>-restored-<time>];
    /// refused while a running container uses it.
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
    /// Image for the helper container (never started), which must be on
    /// the host [default: the backup's helper image, else one the host has].
    #[arg(long, value_name = "IMAGE")]
    pub image: Option<String>,
    /// Do not ask for confirmation (a forced restore asks twice).
    #[arg(long)]
    pub yes: bool,
    /// The plan, outcome and volume as JSON; an error as
    /// `{"error": {kind, message, exit}}`.
    #[arg(long)]
    pub json: bool,
}

/// The backup directory: `--dir`, else the data directory's `backups/`.
pub fn backup_dir(loaded: &Loaded, dir: Option<PathBuf>) -> PathBuf {
    let dir = dir.unwrap_or_else(|| loaded.paths.data_dir.join("backups"));
    std::path::absolute(&dir).unwrap_or(dir)
}

/// Connect to the one host the command acts on.
async fn host_for(
    loaded: &Loaded,
    on: Option<&str>,
    read_only: bool,
) -> Result<(Vec<HostHandle>, HostHandle), CliError> {
    let name = super::hosts_given::the_host(loaded, on)?;
    let hosts = spawn_hosts(&loaded.hosts, &loaded.settings, read_only, |_| {});
    let handle = hosts
        .iter()
        .find(|h| h.name == name)
        .cloned()
        .ok_or_else(|| CliError::not_found(format!("no host `{name}`")))?;
    if !handle.wait_connected(loaded.settings.request_timeout).await {
        return Err(CliError::failed(format!("host {name} does not answer")));
    }
    Ok((hosts, handle))
}

/// An image named with `--image` must be on the host: tugboat never
/// pulls, and another one silently used instead would surprise.
async fn image_on(handle: &HostHandle, image: Option<&str>) -> Result<(), CliError> {
    let Some(image) = image else { return Ok(()) };
    match handle.image_present(image).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(CliError::not_found(format!(
            "--image {image}: no such image on host {} (tugboat never pulls: `docker pull {image}` there first)",
            handle.name
        ))),
        Err(e) => Err(CliError::failed(e.to_string())),
    }
}

fn engine(e: impl std::fmt::Display) -> CliError {
    CliError::failed(e.to_string())
}

pub async fn backup(loaded: &Loaded, args: BackupArgs, read_only: bool) -> ExitCode {
    let json = args.json;
    finish(backup_run(loaded, args, read_only).await, json)
}

async fn backup_run(loaded: &Loaded, args: BackupArgs, read_only: bool) -> CliResult {
    let (hosts, handle) = host_for(loaded, args.on.as_deref(), read_only).await?;
    if !handle.volume_exists(&args.volume).await.map_err(engine)? {
        return Err(CliError::not_found(format!(
            "no volume {} on {}",
            args.volume, handle.name
        )));
    }
    image_on(&handle, args.image.as_deref()).await?;
    let users = handle.volume_users(&args.volume).await.map_err(engine)?;
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
    let plan = if args.dump {
        dump_plan(&request, &users)
    } else {
        backup_plan(&request, &users)
    }
    .map_err(|e| CliError::usage(e.to_string()))?;
    let archive = match &plan.steps[1].op {
        StepOp::Backup(BackupStep::Copy { dir, file, .. })
        | StepOp::Backup(BackupStep::Dump { dir, file, .. }) => Path::new(dir).join(file),
        _ => PathBuf::new(),
    };
    show_plan(&plan, &Report::default(), args.json);
    drop(hosts);
    let ran = confirm_and_run(loaded, &plan, args.yes, None, args.json, read_only).await;
    let done = ran.as_ref().is_some_and(|r| r.outcome.is_done());
    let mut fields = serde_json::Map::new();
    fields.insert(
        "archive".into(),
        serde_json::json!(done.then_some(&archive)),
    );
    let manifest = done.then(|| manifest_for(&archive).ok()).flatten();
    fields.insert("manifest".into(), serde_json::json!(manifest));
    let code = conclude(&plan, fields, ran.as_ref(), args.json, |text| {
        format!("{text}\narchive: {}", archive.display())
    });
    Ok(code)
}

pub async fn restore(loaded: &Loaded, args: RestoreArgs, read_only: bool) -> ExitCode {
    let json = args.json;
    finish(restore_run(loaded, args, read_only).await, json)
}

async fn restore_run(loaded: &Loaded, args: RestoreArgs, read_only: bool) -> CliResult {
    let archive = std::path::absolute(&args.archive).unwrap_or(args.archive.clone());
    if !archive.exists() {
        return Err(CliError::not_found(format!(
            "{}: no such archive",
            archive.display()
        )));
    }
    let manifest = manifest_for(&archive).map_err(|e| CliError::usage(e.to_string()))?;
    if args.force && args.into.is_none() {
        return Err(CliError::usage(
            "--force needs --into VOLUME (a new volume needs no force)",
        ));
    }
    let (hosts, handle) = host_for(loaded, args.on.as_deref(), read_only).await?;
    image_on(&handle, args.image.as_deref()).await?;
    let target = match args.into {
        None => RestoreTarget::New(restored_name(&manifest.volume, unix_millis())),
        Some(name) => {
            if !handle.volume_exists(&name).await.map_err(engine)? {
                RestoreTarget::New(name)
            } else {
                not_in_use(&handle, &name).await?;
                RestoreTarget::Existing {
                    name,
                    force: args.force,
                }
            }
        }
    };
    let image = args.image.or_else(|| Some(manifest.helper_image.clone()));
    let check = if args.verify {
        let (inventory, ..) = super::status::collect(&loaded.hosts, &loaded.settings).await;
        let c = restore_check(&inventory, &handle.name, &manifest)
            .map_err(|why| CliError::usage(format!("cannot verify the restore: {why}")))?;
        Some(c)
    } else {
        None
    };
    let plan = restore_plan(&handle.name, &archive, &manifest, &target, image, check)
        .map_err(|e| CliError::usage(e.to_string()))?;
    let forced = match &target {
        RestoreTarget::Existing { name, force: true } => Some(name.as_str()),
        _ => None,
    };
    show_plan(&plan, &Report::default(), args.json);
    drop(hosts);
    let ran = confirm_and_run(loaded, &plan, args.yes, forced, args.json, read_only).await;
    let mut fields = serde_json::Map::new();
    fields.insert("volume".into(), serde_json::json!(target.name()));
    let code = conclude(&plan, fields, ran.as_ref(), args.json, |text| {
        format!("{text}\nrestored into volume {}", target.name())
    });
    Ok(code)
}

/// A volume a running container uses is not restored into: its files
/// would change under the server (refused, exit 3).
async fn not_in_use(handle: &HostHandle, volume: &str) -> Result<(), CliError> {
    let users = handle.volume_users(volume).await.map_err(engine)?;
    let running: Vec<String> = users
        .iter()
        .filter(|u| u.running)
        .map(|u| u.name.to_string())
        .collect();
    if running.is_empty() {
        return Ok(());
    }
    Err(CliError::refused(format!(
        "volume {volume} is used by running {} {}: stop {} first, or restore into a new volume",
        if running.len() == 1 {
            "container"
        } else {
            "containers"
        },
        running.join(", "),
        if running.len() == 1 { "it" } else { "them" },
    )))
}

fn unix_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(unix_now() * 1000)
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
