//! The journal of unfinished jobs. A job writes an entry when it starts
//! and removes it when it ends, whatever the outcome; an entry whose
//! process is gone (`kill -9`, a reboot) is a job that was cut off, and it
//! says what that job may have left behind (`journal_leftovers`).
//! `tugboat recover` turns those into a plan that makes them safe.
//!
//! Several tugboats share the directory (two terminals, bastions with one
//! home on NFS): it is locked while read or changed, every entry names its
//! machine and process (`journal_holder`) and its job's token, an entry of
//! another machine is left to that machine, and one older than
//! `EXPIRE_AFTER_SECS` is only shown, to be checked by hand.

use std::fs::File;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::plan::{CleanupStep, CreateStep, Plan, StepOp};
use crate::config::private_fs::{open_private_append, write_private};
use crate::model::new_objects::JobToken;
use crate::ops::base::journal_holder::{random_token, Holder, Liveness};

pub use super::journal_leftovers::{leftovers, recover_plan, JournalEntry, Leftover};

/// How long a cut-off job's entry is acted on. Past a day the world it
/// recorded has most likely moved on (another operator repaired it, later
/// jobs ran, names were reused): acting on the record would more likely do
/// harm than good, so it is only shown, with what it recorded, to be
/// checked by hand.
pub const EXPIRE_AFTER_SECS: i64 = 24 * 60 * 60;

/// The name of the lock file in the journal directory.
const LOCK_FILE: &str = ".lock";

/// An entry as written: what the job may leave, its token, its holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
    #[serde(flatten)]
    pub entry: JournalEntry,
    pub token: JobToken,
    pub holder: Holder,
}

/// Why an entry is shown rather than acted on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ByHand {
    /// Written by a tugboat on another machine.
    OtherMachine { host: String },
    /// Cut off longer ago than `EXPIRE_AFTER_SECS`.
    Expired { hours: i64 },
    /// Not an entry this tugboat can read (damaged, or an older format).
    Unreadable { why: String },
}

/// A journal entry as this process sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// A job of this machine that was cut off: recover it.
    CutOff { path: PathBuf, stored: Stored },
    /// Shown, never acted on.
    Shown {
        path: PathBuf,
        why: ByHand,
        stored: Option<Stored>,
    },
}

/// What to do with an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Its job runs: leave it.
    Running,
    /// Its job was cut off here: recover it.
    Recover,
    /// Show it, to be checked by hand.
    Show(ByHand),
}

/// What to do with `stored`, whose holder is `liveness`, at `now` (unix
/// seconds).
pub fn verdict(stored: &Stored, liveness: Liveness, now: i64) -> Verdict {
    let age = now - stored.entry.started;
    match liveness {
        Liveness::Running => Verdict::Running,
        Liveness::OtherMachine => Verdict::Show(ByHand::OtherMachine {
            host: stored.holder.machine.host.clone(),
        }),
        Liveness::Gone if age > EXPIRE_AFTER_SECS => {
            Verdict::Show(ByHand::Expired { hours: age / 3600 })
        }
        Liveness::Gone => Verdict::Recover,
    }
}

impl Found {
    /// The line that tells what to do by hand (None: it is recovered).
    pub fn by_hand_text(&self) -> Option<String> {
        let Found::Shown { path, why, stored } = self else {
            return None;
        };
        let file = path.display();
        let what = stored.as_ref().map(|s| {
            let plan = recover_plan(&s.entry, "");
            format!(
                "job {} of process {} on {} ({} {}) recorded: {}",
                s.entry.job,
                s.entry.pid,
                s.holder.machine.host,
                s.entry.action,
                s.entry.target,
                plan.steps
                    .iter()
                    .map(|s| s.what.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        });
        let what = what.unwrap_or_else(|| format!("entry {file}"));
        // Anyone who can write the directory wrote this text: made inert.
        let text = match why {
            ByHand::OtherMachine { host } => format!(
                "{what} — held by another machine ({host}): check there"
            ),
            ByHand::Expired { hours } => format!(
                "{what} — cut off {hours} h ago, past the {} h limit: nothing is done from so old a record; \
                 check by hand, then remove {file}",
                EXPIRE_AFTER_SECS / 3600
            ),
            ByHand::Unreadable { why } => {
                format!("{what} cannot be read ({why}): check by hand, then remove it")
            }
        };
        Some(crate::model::sanitize(&text))
    }
}

/// A cut-off job's entry and the plan that makes its leftovers safe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    pub entry: PathBuf,
    pub plan: Plan,
}

/// The recovery plan of a cut-off job's entry (run through `default_host`
/// when no leftover names a host).
fn recovery_of(path: PathBuf, entry: &JournalEntry, default_host: &str) -> Recovery {
    let host = entry
        .leftovers
        .iter()
        .find_map(|l| match l {
            Leftover::Paused { host, .. }
            | Leftover::Helpers { host, .. }
            | Leftover::HalfMadeCluster { host, .. }
            | Leftover::FencedPrimary { host, .. }
            | Leftover::Stopped { host, .. }
            | Leftover::DrainedServer { host, .. } => Some(host.as_str()),
            Leftover::PartialFile { .. } => None,
        })
        .unwrap_or(default_host);
    Recovery {
        plan: recover_plan(entry, host),
        entry: path,
    }
}

/// Every cut-off job of this machine in `journal`, oldest first, with its
/// recovery plan.
pub fn recoveries(journal: &Journal, default_host: &str) -> Vec<Recovery> {
    journal
        .scan()
        .into_iter()
        .filter_map(|f| match f {
            Found::CutOff { path, stored } => {
                let mut found = recovery_of(path, &stored.entry, default_host);
                // Last: what the job held, once what it left is safe.
                found.plan.steps.push(super::plan::Step::new(
                    format!(
                        "free the leases the cut-off job's process (pid {}) left on the engines",
                        stored.holder.pid
                    ),
                    StepOp::Cleanup(CleanupStep::FreeLeases {
                        holder: stored.holder.clone(),
                    }),
                ));
                Some(found)
            }
            Found::Shown { .. } => None,
        })
        .collect()
}

/// The token of the job that runs `plan`: a create's is chosen with its
/// plan (its objects carry it); any other job gets a fresh one.
fn token_of(plan: &Plan) -> std::io::Result<JobToken> {
    let chosen = plan.steps.iter().find_map(|s| match &s.op {
        StepOp::Create(CreateStep::Object { job, .. }) => job.clone(),
        _ => None,
    });
    chosen.map_or_else(random_token, Ok)
}

/// Why a cut-off job's entry was not taken over for its recovery.
#[derive(Debug, thiserror::Error)]
pub enum NotTaken {
    #[error("journal lock: {0}")]
    Lock(std::io::Error),
    #[error("journal entry: {0}")]
    Write(std::io::Error),
    /// To be checked by hand (another machine's, or too old).
    #[error("{0}")]
    ByHand(String),
    #[error("recovered meanwhile, or its job runs again")]
    Gone,
}

/// The journal directory (beside the audit log).
#[derive(Debug, Clone)]
pub struct Journal {
    dir: PathBuf,
}

impl Journal {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    fn path(&self, pid: u32, job: u64) -> PathBuf {
        self.dir.join(format!("{pid}-{job}.json"))
    }

    /// The directory's lock, held until the file is dropped: no other
    /// tugboat reads or changes an entry meanwhile.
    fn lock(&self) -> std::io::Result<File> {
        let file = open_private_append(&self.dir.join(LOCK_FILE))?;
        file.lock()?;
        Ok(file)
    }

    fn write(&self, path: &Path, stored: &Stored) -> std::io::Result<()> {
        let tmp = path.with_extension("tmp");
        let text = serde_json::to_vec_pretty(stored).map_err(std::io::Error::other)?;
        // Private (in a private directory): it names what a job left behind.
        write_private(&tmp, &text)?;
        std::fs::rename(tmp, path)
    }

    /// Record that job `job` of this process starts `plan`. Nothing to
    /// recover means nothing to write.
    pub fn begin(&self, job: u64, plan: &Plan, started: i64) -> std::io::Result<()> {
        let leftovers = leftovers(plan);
        if leftovers.is_empty() {
            return Ok(());
        }
        let holder = Holder::this_process();
        let stored = Stored {
            entry: JournalEntry {
                pid: holder.pid,
                job,
                started,
                action: plan.action.to_string(),
                target: plan.target.to_string(),
                leftovers,
            },
            token: token_of(plan)?,
            holder,
        };
        let _lock = self.lock()?;
        self.write(&self.path(stored.entry.pid, job), &stored)
    }

    /// Job `job` of this process ended.
    pub fn end(&self, job: u64) {
        let path = self.path(std::process::id(), job);
        // A job with nothing to recover wrote nothing.
        if !path.exists() {
            return;
        }
        let _lock = self.lock();
        let _ = std::fs::remove_file(path);
    }

    fn read(path: &Path, now: i64, liveness: impl Fn(&Holder) -> Liveness) -> Option<Found> {
        let shown = |why: String| Found::Shown {
            path: path.to_path_buf(),
            why: ByHand::Unreadable { why },
            stored: None,
        };
        let text = match std::fs::read(path) {
            Ok(t) => t,
            // Ended (and removed) since the directory was listed.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => return Some(shown(e.to_string())),
        };
        let stored: Stored = match serde_json::from_slice(&text) {
            Ok(s) => s,
            Err(e) => return Some(shown(e.to_string())),
        };
        match verdict(&stored, liveness(&stored.holder), now) {
            Verdict::Running => None,
            Verdict::Recover => Some(Found::CutOff {
                path: path.to_path_buf(),
                stored,
            }),
            Verdict::Show(why) => Some(Found::Shown {
                path: path.to_path_buf(),
                why,
                stored: Some(stored),
            }),
        }
    }

    /// Every entry that is not a job running here, oldest first, seen
    /// with `liveness` at `now`.
    pub fn scan_with(&self, now: i64, liveness: impl Fn(&Holder) -> Liveness) -> Vec<Found> {
        // Reading makes nothing: no directory, no lock file, no entries.
        if !self.dir.is_dir() {
            return Vec::new();
        }
        let Ok(_lock) = self.lock() else {
            return Vec::new();
        };
        let Ok(dir) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut found: Vec<Found> = dir
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .filter_map(|p| Self::read(&p, now, &liveness))
            .collect();
        found.sort_by_key(|f| match f {
            Found::CutOff { stored, .. }
            | Found::Shown {
                stored: Some(stored),
                ..
            } => (stored.entry.started, stored.entry.job),
            Found::Shown { stored: None, .. } => (i64::MIN, 0),
        });
        found
    }

    /// Every entry that is not a job running here, seen now.
    pub fn scan(&self) -> Vec<Found> {
        self.scan_with(crate::docker::unix_now(), Holder::liveness_here)
    }

    /// Entries of jobs of this machine that were cut off, oldest first.
    pub fn stale(&self) -> Vec<(PathBuf, Stored)> {
        self.scan()
            .into_iter()
            .filter_map(|f| match f {
                Found::CutOff { path, stored } => Some((path, stored)),
                Found::Shown { .. } => None,
            })
            .collect()
    }

    /// Take a cut-off job's entry over before recovering it: it is held by
    /// this process from now on, so a second tugboat sees it running and
    /// leaves it alone (and sees it cut off again if this one dies too).
    /// Refused when it is no longer a cut-off job of this machine.
    pub fn take(&self, path: &Path) -> Result<Stored, NotTaken> {
        let _lock = self.lock().map_err(NotTaken::Lock)?;
        let now = crate::docker::unix_now();
        match Self::read(path, now, Holder::liveness_here) {
            Some(Found::CutOff { mut stored, .. }) => {
                stored.holder = Holder::this_process();
                self.write(path, &stored).map_err(NotTaken::Write)?;
                Ok(stored)
            }
            Some(shown @ Found::Shown { .. }) => {
                Err(NotTaken::ByHand(shown.by_hand_text().unwrap_or_default()))
            }
            None => Err(NotTaken::Gone),
        }
    }

    /// A cut-off job's entry, once what it left was made safe.
    pub fn forget(&self, path: &Path) -> std::io::Result<()> {
        let _lock = self.lock()?;
        std::fs::remove_file(path)
    }
}

#[cfg(test)]
#[path = "journal_tests.rs"]
mod tests;
