//! What tugboat can do by key, typed: every action, the contexts it works
//! in, its help text and whether it changes anything. The keys themselves
//! are data (`keys/default.toml`, then the user's `[keys]`; see
//! `keymap_load`); the names they are written with are in `keymap_names`.

pub use super::keymap_action::{live, Action, Context, LIVE_SETS, MEANT_SHADOWS};
use crate::ops::lifecycle::Lifecycle as L;
use Action as A;
use Context as C;

/// One action in one context: what help says of it and whether it
/// changes something (confirmed in the UI, refused read-only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spec {
    pub action: Action,
    pub context: Context,
    pub help: &'static str,
    pub mutating: bool,
}

const fn does(action: Action, context: Context, help: &'static str) -> Spec {
    Spec {
        action,
        context,
        help,
        mutating: false,
    }
}

const fn changes(action: Action, context: Context, help: &'static str) -> Spec {
    Spec {
        action,
        context,
        help,
        mutating: true,
    }
}

/// Every action in every context it works in, in the order help lists
/// them (grouped by context, the contexts in the order first named here).
pub static SPEC: &[Spec] = &[
    does(A::Quit, C::Global, "quit"),
    does(A::Help, C::Global, "help: every key"),
    does(
        A::Palette,
        C::Global,
        "command palette: every action, pane, theme and host by name",
    ),
    does(A::NextPane, C::Global, "next pane"),
    does(A::PrevPane, C::Global, "previous pane"),
    does(A::GotoPane(0), C::Global, "Nodes pane"),
    does(A::GotoPane(1), C::Global, "Volumes pane"),
    does(A::GotoPane(2), C::Global, "ZooKeeper pane"),
    does(A::GotoPane(3), C::Global, "Balancer pane"),
    does(A::GotoPane(4), C::Global, "Jobs pane"),
    does(
        A::GotoPane(5),
        C::Global,
        "Timeline pane: deaths, OOM kills, health, leaders, jobs",
    ),
    does(
        A::GotoPane(6),
        C::Global,
        "Services pane: a swarm's services, their tasks and why a task failed",
    ),
    does(A::Up, C::Table, "move up"),
    does(A::Down, C::Table, "move down"),
    does(A::PageUp, C::Table, "page up"),
    does(A::PageDown, C::Table, "page down"),
    does(A::Top, C::Table, "first row"),
    does(A::Bottom, C::Table, "last row"),
    does(A::Open, C::Table, "details of the selection"),
    does(A::Filter, C::Table, "filter rows"),
    does(
        A::Copy,
        C::Table,
        "copy the selection (name, address; the marked names) to the clipboard (OSC 52)",
    ),
    does(
        A::Copy,
        C::Viewer,
        "copy the line at the bottom (logs) or the id (details) to the clipboard",
    ),
    does(
        A::CopyDiagnostics,
        C::Nodes,
        "copy the container's diagnostics (summary, cluster, last log lines) for a ticket",
    ),
    does(A::Sort, C::Table, "sort by the next column"),
    does(A::SortReverse, C::Table, "reverse the sort"),
    changes(A::Restart, C::Nodes, "restart the container (asks first)"),
    does(A::Logs, C::Nodes, "logs of the container"),
    does(
        A::ClusterLogs,
        C::Nodes,
        "logs of the whole cluster, every host, in time order (clocks corrected)",
    ),
    does(
        A::Mark,
        C::Nodes,
        "mark the container (or unmark it): actions then act on every marked one",
    ),
    does(
        A::MarkRange,
        C::Nodes,
        "mark every container from the last mark to here",
    ),
    does(
        A::MarkRole,
        C::Nodes,
        "mark every member of the cluster in the selected one's role (all followers, all replicas)",
    ),
    does(A::ClearMarks, C::Nodes, "clear every mark"),
    changes(
        A::Lifecycle(L::Start),
        C::Nodes,
        "start the container, or every marked one (asks first)",
    ),
    changes(
        A::Lifecycle(L::Stop),
        C::Nodes,
        "stop the container, or every marked one; quorum and replicas guarded (asks first)",
    ),
    changes(
        A::Lifecycle(L::Kill),
        C::Nodes,
        "kill the container (SIGKILL), or every marked one; guarded (asks first)",
    ),
    changes(
        A::Lifecycle(L::Pause),
        C::Nodes,
        "pause the container, or every marked one; guarded (asks first)",
    ),
    changes(
        A::Lifecycle(L::Unpause),
        C::Nodes,
        "unpause the container, or every marked one (asks first)",
    ),
    changes(
        A::Lifecycle(L::Remove),
        C::Nodes,
        "remove the container with its anonymous volumes, or every marked one (asks first)",
    ),
    does(A::Inspect, C::Nodes, "inspect the container"),
    changes(
        A::Shell,
        C::Nodes,
        "a shell in the container (bash, else sh; exit it to come back; audited)",
    ),
    changes(
        A::RollingRestart,
        C::Nodes,
        "rolling restart of the selected cluster, one member at a time (asks first)",
    ),
    changes(
        A::RollingUpdate,
        C::Nodes,
        "rolling update of the selected cluster's swarm services to an image you type (asks first)",
    ),
    changes(
        A::ScaleUp,
        C::Nodes,
        "scale the selected replica's service up by one (asks first)",
    ),
    changes(
        A::ScaleDown,
        C::Nodes,
        "scale the service down by one: the highest number goes (asks first)",
    ),
    changes(
        A::ScaleTo,
        C::Nodes,
        "scale the service to a count you type (asks first)",
    ),
    changes(
        A::ScaleUp,
        C::Services,
        "scale the selected swarm service up by one (asks first)",
    ),
    changes(
        A::ScaleDown,
        C::Services,
        "scale the selected swarm service down by one (asks first)",
    ),
    changes(
        A::ScaleTo,
        C::Services,
        "scale the selected swarm service to a count you type (asks first)",
    ),
    changes(
        A::DrainNode,
        C::Nodes,
        "drain the selected swarm node: its tasks move to other nodes (asks first)",
    ),
    changes(
        A::ActivateNode,
        C::Nodes,
        "make the selected swarm node active again (asks first)",
    ),
    changes(
        A::PromoteNode,
        C::Nodes,
        "make the selected swarm node a manager, if the managers keep their quorum (asks first)",
    ),
    changes(
        A::DemoteNode,
        C::Nodes,
        "make the selected swarm manager a worker, if the managers keep their quorum (asks first)",
    ),
    changes(
        A::MoveLeader,
        C::Zookeeper,
        "move leadership off the leader: restart it once followers are in sync (asks first)",
    ),
    changes(
        A::DrainServer,
        C::Balancer,
        "drain the server: finish sessions, take no new ones (asks first)",
    ),
    changes(
        A::ReadyServer,
        C::Balancer,
        "make the server ready again (asks first)",
    ),
    changes(
        A::ServerWeight,
        C::Balancer,
        "set the server's weight, typed (asks first)",
    ),
    changes(
        A::MaintServer,
        C::Balancer,
        "put the server in maintenance (asks first)",
    ),
    does(
        A::CancelJob,
        C::Jobs,
        "cancel the job (stops between steps)",
    ),
    does(
        A::PauseJob,
        C::Jobs,
        "pause the job before its next member (a rolling restart's), or let it continue",
    ),
    does(A::Up, C::Viewer, "scroll up"),
    does(A::Down, C::Viewer, "scroll down"),
    does(A::PageUp, C::Viewer, "page up"),
    does(A::PageDown, C::Viewer, "page down"),
    does(A::Top, C::Viewer, "top"),
    does(A::Bottom, C::Viewer, "bottom"),
    does(A::Back, C::Viewer, "close"),
    does(A::Wrap, C::Viewer, "wrap long lines, or cut them"),
    does(A::ScrollLeft, C::Viewer, "long lines cut: scroll left"),
    does(A::ScrollRight, C::Viewer, "long lines cut: scroll right"),
    does(A::Follow, C::Logs, "follow new lines on/off"),
    does(A::Filter, C::Logs, "search"),
    does(A::SearchNext, C::Logs, "next match"),
    does(
        A::MatchesOnly,
        C::Logs,
        "show only the search's matches, or every line",
    ),
    does(
        A::LevelFilter,
        C::Logs,
        "show all levels → warnings and errors → errors only",
    ),
    does(
        A::MemberFilter,
        C::Logs,
        "cluster logs: show every member → one member at a time",
    ),
    does(
        A::JumpToTime,
        C::Logs,
        "cluster logs: go to a time (14:03, 14:03:27) or an age (5m)",
    ),
    does(
        A::Mark,
        C::Logs,
        "mark the current line (and move down): c copies the marked lines",
    ),
    does(A::ClearMarks, C::Logs, "clear the marks"),
    does(A::SearchPrev, C::Logs, "previous match"),
    does(A::Filter, C::Inspect, "search"),
    does(A::SearchNext, C::Inspect, "next match"),
    does(A::SearchPrev, C::Inspect, "previous match"),
    does(A::Confirm, C::Confirm, "yes, do it"),
    does(A::Cancel, C::Confirm, "no, cancel"),
    does(A::Down, C::Confirm, "scroll a long plan down"),
    does(A::Up, C::Confirm, "scroll a long plan up"),
    does(A::PageDown, C::Confirm, "page down"),
    does(A::PageUp, C::Confirm, "page up"),
    does(A::Top, C::Confirm, "top"),
    does(A::Bottom, C::Confirm, "bottom"),
    does(
        A::QuitWhenDone,
        C::Confirm,
        "quitting while jobs run: let them finish, then quit",
    ),
    does(A::Back, C::Global, "back / clear filter"),
    changes(
        A::BackupVolume,
        C::Table,
        "back up the selected volume (Volumes pane; database users paused; asks first)",
    ),
    changes(
        A::BackupVolumeOtherPause,
        C::Table,
        "back up the volume, making the other pause choice (asks first)",
    ),
    changes(
        A::RestoreLatestBackup,
        C::Table,
        "restore the volume's latest backup into a new volume (asks first)",
    ),
    changes(
        A::Failover,
        C::Nodes,
        "switch a database cluster's primary (failover if it is down; asks first)",
    ),
    changes(
        A::Rejoin,
        C::Nodes,
        "rejoin a database server to its cluster's primary as a replica (asks first)",
    ),
    does(
        A::ReplAccount,
        C::Nodes,
        "give a database cluster's replication account (kept in memory only)",
    ),
    does(
        A::ToggleMouse,
        C::Global,
        "mouse on/off: wheel scrolls, clicks select (off: select text)",
    ),
    does(
        A::Messages,
        C::Global,
        "messages: what the status line said, in full, newest first",
    ),
    changes(
        A::Recover,
        C::Global,
        "make safe what jobs cut off by a crash left (paused, drained, half made; asks first)",
    ),
    changes(
        A::NewCluster,
        C::Table,
        "new cluster: a guided wizard, with the plan to review first",
    ),
];

/// The spec of `action` in `context`, if it works there.
pub fn spec_of(action: Action, context: Context) -> Option<&'static Spec> {
    SPEC.iter()
        .find(|s| s.action == action && s.context == context)
}

/// Whether `action` changes something: confirmed in the UI, refused
/// read-only. Per action, wherever its key is.
pub fn is_mutating(action: Action) -> bool {
    SPEC.iter().any(|s| s.action == action && s.mutating)
}

/// Moving around: a key of these must never also change something.
pub fn is_navigation(action: Action) -> bool {
    match action {
        A::Up
        | A::Down
        | A::PageUp
        | A::PageDown
        | A::Top
        | A::Bottom
        | A::Back
        | A::NextPane
        | A::PrevPane
        | A::ScrollLeft
        | A::ScrollRight
        | A::GotoPane(_) => true,
        A::Quit
        | A::QuitWhenDone
        | A::Help
        | A::Open
        | A::Filter
        | A::Sort
        | A::SortReverse
        | A::Restart
        | A::Logs
        | A::Inspect
        | A::Confirm
        | A::Cancel
        | A::Rejoin
        | A::ReplAccount
        | A::RollingRestart
        | A::RollingUpdate
        | A::MoveLeader
        | A::DrainServer
        | A::ReadyServer
        | A::MaintServer
        | A::CancelJob
        | A::PauseJob
        | A::Follow
        | A::SearchNext
        | A::SearchPrev
        | A::ScaleUp
        | A::ScaleDown
        | A::ScaleTo
        | A::DrainNode
        | A::ActivateNode
        | A::PromoteNode
        | A::DemoteNode
        | A::ServerWeight
        | A::BackupVolume
        | A::BackupVolumeOtherPause
        | A::RestoreLatestBackup
        | A::Failover
        | A::NewCluster
        | A::Recover
        | A::Mark
        | A::MarkRange
        | A::MarkRole
        | A::ClearMarks
        | A::Lifecycle(_)
        | A::Shell
        | A::Copy
        | A::CopyDiagnostics
        | A::ClusterLogs
        | A::LevelFilter
        | A::MemberFilter
        | A::MatchesOnly
        | A::JumpToTime
        | A::Wrap
        | A::Palette
        | A::ToggleMouse
        | A::Messages
        | A::User(_) => false,
    }
}

/// The contexts in the order `SPEC` first names them: help's order.
pub fn contexts_in_spec_order() -> Vec<Context> {
    let mut seen = Vec::new();
    for s in SPEC {
        if !seen.contains(&s.context) {
            seen.push(s.context);
        }
    }
    seen
}
