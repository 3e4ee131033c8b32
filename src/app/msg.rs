//! The one message type: everything that can change the state arrives as a
//! `Msg` on one channel, and the main loop applies it with `update`.

use crossterm::event::{KeyEvent, MouseEvent};

use crate::model::probed::ProbeResult;
use crate::model::{ContainerKey, HostUpdate, InspectSection};
use crate::probes::run::ProbeKind;

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    /// A wheel notch or a click, while the mouse is on (app::mouse).
    Mouse(MouseEvent),
    Resize {
        width: u16,
        height: u16,
    },
    /// The clock moved (unix milliseconds); uptimes age, running jobs'
    /// times count.
    Tick(i64),
    Host(HostUpdate),
    /// A host's leases as its engine just listed them, each with its
    /// holder and whether that process runs, read as the listing came in
    /// (asked again at every listing: a holder that ended shows cut off).
    LeasesHeld {
        host: String,
        held: Vec<crate::ops::leases::Held>,
    },
    Inspected {
        host: String,
        id: String,
        result: Result<Vec<InspectSection>, crate::docker::HostError>,
    },
    /// Complete lines of a followed log; `skipped` older ones were dropped
    /// before these because the viewer could not keep up.
    LogLines {
        session: u64,
        lines: Vec<String>,
        skipped: usize,
    },
    LogEnded {
        session: u64,
        reason: String,
    },
    /// Lines of a cluster's merged log (`L`), each with its corrected
    /// time; `note` says how the hosts' clocks were read, once known.
    ClusterLog {
        session: u64,
        note: Option<String>,
        lines: Vec<crate::model::log_time::MergedLine>,
    },
    /// The job runner's progress.
    Job(crate::ops::job::JobEvent),
    /// A service probe answered (or failed), at unix seconds `at`.
    Probed {
        key: ContainerKey,
        at: i64,
        result: ProbeResult,
    },
    /// A host's local image tags (`docker images`), for the wizard.
    HostImages {
        host: String,
        images: Vec<String>,
    },
    /// The backup directory was read (or could not be).
    Backups(Result<crate::ops::backup_store::Listing, crate::ops::backup_store::StoreError>),
    /// A signal arrived (SIGHUP: the session is gone) or the terminal can no
    /// longer be drawn on: stop the jobs safely and quit.
    Interrupted(String),
    /// Text made ready outside the loop (a diagnostics block with its log
    /// lines) to copy to the clipboard.
    Copy {
        what: String,
        text: String,
    },
    /// A line for the status bar from the effects side (a spec saved, …).
    Status {
        level: Level,
        text: String,
    },
}

/// What `update` asks the runtime to do. Effects are data so the state
/// machine stays pure and tests can assert on them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Write a refusal made here (before any job) to the audit log: what
    /// was asked (the action's name), on what, and why.
    AuditRefusal {
        action: String,
        target: String,
        reason: String,
    },
    /// Keep the operator's replication account for a cluster's jobs, in
    /// this process's memory only (its Debug hides the password).
    GiveReplAccount {
        cluster: String,
        account: crate::ops::db_account::ReplAccount,
    },
    Inspect {
        host: String,
        id: String,
    },
    OpenLogs {
        session: u64,
        host: String,
        id: String,
    },
    CloseLogs {
        session: u64,
    },
    /// Put `text` on the terminal's clipboard (OSC 52); `what` names it in
    /// the status line.
    Copy {
        what: String,
        text: String,
    },
    /// A container's diagnostics block (`text`) with its last log lines
    /// added, onto the clipboard.
    CopyDiagnostics {
        host: String,
        id: String,
        text: String,
    },
    /// Follow every member's log of a cluster, merged in time order
    /// (host, id, name of each).
    OpenClusterLogs {
        session: u64,
        members: Vec<(String, String, String)>,
    },
    /// Hand the terminal to a shell in this container until it ends.
    OpenShell {
        host: String,
        id: String,
        name: String,
    },
    /// The running containers now on screen: sample only these.
    WatchStats(Vec<ContainerKey>),
    /// The services the open pane shows: probe only these.
    WatchProbes(Vec<(ContainerKey, ProbeKind)>),
    /// Run an operation's plan (confirmed by the user).
    RunPlan(crate::ops::plan::Plan),
    CancelJob(u64),
    /// Ask a job to pause at its next pause point, or to continue.
    PauseJob {
        id: u64,
        paused: bool,
    },
    /// Run the recoveries of cut-off jobs (confirmed by the user); each
    /// entry is forgotten once its plan is done.
    Recover(Vec<crate::ops::journal::Recovery>),
    /// Stop these jobs at their next safe point (quitting while they run);
    /// `why` goes into their outcome and the audit log.
    StopJobs {
        ids: Vec<u64>,
        why: String,
    },
    Quit,
    /// Read the backup directory and answer with `Msg::Backups`.
    ListBackups(std::path::PathBuf),
    /// Ask one more question before acting: `update` shows it when the
    /// first is answered yes (never reaches the runtime).
    Ask(Box<Confirm>),
    /// Ask these hosts for their local image tags (`Msg::HostImages`).
    ListImages(Vec<String>),
    /// Create a cluster from the wizard's answers (confirmed on its Review).
    CreateCluster(Box<crate::create::spec::ClusterSpec>),
    /// Write a cluster spec; a relative `path` is under the config directory.
    SaveSpec {
        path: std::path::PathBuf,
        text: String,
    },
    /// Draw with this theme from now on (`:theme NAME`); the runtime loads
    /// it and answers on the status line.
    UseTheme(String),
    /// Capture the mouse (wheel, clicks) or give it back to the terminal
    /// for selecting text.
    MouseCapture(bool),
}

/// How much a status line matters (its colour, and whether it stays).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Ok,
    Warn,
    Error,
}

/// A pending mutating action, shown as a y/n dialog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    /// What will happen, in full: names the target and the host.
    pub body: Vec<String>,
    pub on_yes: Effect,
    /// First body line shown: a plan longer than the screen scrolls, so
    /// every step (and its point of no return) can be read before `y`.
    pub scroll: usize,
}
