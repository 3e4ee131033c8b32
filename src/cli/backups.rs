//! `tugboat backups`: the backups in the backup directory, as a table
//! (sizes as people read them; a dump says so instead of a file count) or
//! as JSON, and the incomplete leftovers apart.

use std::path::PathBuf;
use std::process::ExitCode;

use super::contract::{CliError, CliResult};
use super::interrupt::{say, say_json};
use super::Loaded;
use crate::model::container::human_bytes;
use crate::ops::backup_store::{list, BackupEntry};

#[derive(Debug, clap::Args)]
pub struct BackupsArgs {
    /// The backup directory [default: the data directory's backups/]; one
    /// given must exist.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// `{"dir", "backups": {"complete", "incomplete"}}` instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(loaded: &Loaded, args: &BackupsArgs) -> CliResult {
    if let Some(dir) = &args.dir {
        if !dir.is_dir() {
            return Err(CliError::not_found(format!(
                "--dir {}: no such directory",
                dir.display()
            )));
        }
    }
    let dir = super::backup::backup_dir(loaded, args.dir.clone());
    let listing = list(&dir).map_err(|e| CliError::failed(e.to_string()))?;
    if args.json {
        say_json(&serde_json::json!({ "dir": dir, "backups": listing }));
        return Ok(ExitCode::SUCCESS);
    }
    if listing.complete.is_empty() {
        say(format!("no complete backups in {}", dir.display()));
    } else {
        let header = [
            "TIME", "HOST", "VOLUME", "KIND", "SIZE", "CONTENT", "ARCHIVE",
        ];
        let rows = listing.complete.iter().map(row).collect();
        say(super::status::columns(&header, rows).trim_end());
    }
    for l in &listing.incomplete {
        say(format!("incomplete: {} ({})", l.path.display(), l.reason));
    }
    Ok(ExitCode::SUCCESS)
}

/// A dump has no files to count: its content is the SQL's size.
fn row(e: &BackupEntry) -> Vec<String> {
    let m = &e.manifest;
    let dump = m.kind == "mysql-dump";
    let content = if dump {
        format!("SQL {}", human_bytes(m.content_bytes))
    } else {
        format!("{} files, {}", m.files, human_bytes(m.content_bytes))
    };
    vec![
        m.time.clone(),
        m.host.clone(),
        m.volume.clone(),
        if dump { "dump" } else { "files" }.to_string(),
        human_bytes(m.archive_bytes),
        content,
        e.archive.display().to_string(),
    ]
}
