//! The stable names of actions and contexts, as `[keys]` in config.toml
//! and `keys/default.toml` write them (kebab-case), the titles help shows
//! for contexts, and the other words the palette finds an action by.

use super::keymap_spec::{Action, Context};
use crate::ops::lifecycle::Lifecycle;

/// The panes `pane-*` goes to, by number (`GotoPane(0)` is the first).
const PANE_NAMES: [&str; 7] = [
    "pane-nodes",
    "pane-volumes",
    "pane-zookeeper",
    "pane-balancer",
    "pane-jobs",
    "pane-timeline",
    "pane-services",
];

impl Action {
    /// Its name in `[keys]`: `restart`, `next-pane`, `pane-jobs`, `kill`.
    pub fn name(self) -> &'static str {
        match self {
            Action::Quit => "quit",
            Action::QuitWhenDone => "quit-when-done",
            Action::Help => "help",
            Action::Palette => "palette",
            Action::NextPane => "next-pane",
            Action::PrevPane => "prev-pane",
            // A pane past the last means the last, as `update` goes there.
            Action::GotoPane(n) => PANE_NAMES[n.min(PANE_NAMES.len() - 1)],
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp => "page-up",
            Action::PageDown => "page-down",
            Action::Top => "top",
            Action::Bottom => "bottom",
            Action::Open => "open",
            Action::Back => "back",
            Action::Filter => "filter",
            Action::Sort => "sort",
            Action::SortReverse => "sort-reverse",
            Action::Restart => "restart",
            Action::Logs => "logs",
            Action::Inspect => "inspect",
            Action::Confirm => "confirm",
            Action::Cancel => "cancel",
            Action::Rejoin => "rejoin",
            Action::ReplAccount => "repl-account",
            Action::RollingRestart => "rolling-restart",
            Action::RollingUpdate => "rolling-update",
            Action::MoveLeader => "move-leader",
            Action::DrainServer => "drain-server",
            Action::ReadyServer => "ready-server",
            Action::MaintServer => "maint-server",
            Action::CancelJob => "cancel-job",
            Action::PauseJob => "pause-job",
            Action::Follow => "follow",
            Action::SearchNext => "search-next",
            Action::SearchPrev => "search-prev",
            Action::ScaleUp => "scale-up",
            Action::ScaleDown => "scale-down",
            Action::ScaleTo => "scale-to",
            Action::DrainNode => "drain-node",
            Action::ActivateNode => "activate-node",
            Action::PromoteNode => "promote-node",
            Action::DemoteNode => "demote-node",
            Action::ServerWeight => "server-weight",
            Action::BackupVolume => "backup-volume",
            Action::BackupVolumeOtherPause => "backup-volume-other-pause",
            Action::RestoreLatestBackup => "restore-latest-backup",
            Action::Failover => "failover",
            Action::NewCluster => "new-cluster",
            Action::Recover => "recover",
            Action::Mark => "mark",
            Action::MarkRange => "mark-range",
            Action::MarkRole => "mark-role",
            Action::ClearMarks => "clear-marks",
            Action::Lifecycle(what) => match what {
                Lifecycle::Start => "start",
                Lifecycle::Stop => "stop",
                Lifecycle::Kill => "kill",
                Lifecycle::Pause => "pause",
                Lifecycle::Unpause => "unpause",
                Lifecycle::Remove => "remove",
            },
            Action::Shell => "shell",
            Action::Copy => "copy",
            Action::CopyDiagnostics => "copy-diagnostics",
            Action::ClusterLogs => "cluster-logs",
            Action::LevelFilter => "level-filter",
            Action::MemberFilter => "member-filter",
            Action::MatchesOnly => "matches-only",
            Action::JumpToTime => "jump-to-time",
            Action::Wrap => "wrap",
            Action::ScrollLeft => "scroll-left",
            Action::ScrollRight => "scroll-right",
            Action::ToggleMouse => "mouse",
            Action::Messages => "messages",
            // Named by the user (`Binding::name`); not remappable in [keys].
            Action::User(_) => "user-action",
        }
    }

    /// The action `name` names, if any.
    pub fn from_name(name: &str) -> Option<Action> {
        if let Some(n) = PANE_NAMES.iter().position(|p| *p == name) {
            return Some(Action::GotoPane(n));
        }
        let action = match name {
            "quit" => Action::Quit,
            "quit-when-done" => Action::QuitWhenDone,
            "help" => Action::Help,
            "palette" => Action::Palette,
            "next-pane" => Action::NextPane,
            "prev-pane" => Action::PrevPane,
            "up" => Action::Up,
            "down" => Action::Down,
            "page-up" => Action::PageUp,
            "page-down" => Action::PageDown,
            "top" => Action::Top,
            "bottom" => Action::Bottom,
            "open" => Action::Open,
            "back" => Action::Back,
            "filter" => Action::Filter,
            "sort" => Action::Sort,
            "sort-reverse" => Action::SortReverse,
            "restart" => Action::Restart,
            "logs" => Action::Logs,
            "inspect" => Action::Inspect,
            "confirm" => Action::Confirm,
            "cancel" => Action::Cancel,
            "rejoin" => Action::Rejoin,
            "repl-account" => Action::ReplAccount,
            "rolling-restart" => Action::RollingRestart,
            "rolling-update" => Action::RollingUpdate,
            "move-leader" => Action::MoveLeader,
            "drain-server" => Action::DrainServer,
            "ready-server" => Action::ReadyServer,
            "maint-server" => Action::MaintServer,
            "cancel-job" => Action::CancelJob,
            "pause-job" => Action::PauseJob,
            "follow" => Action::Follow,
            "search-next" => Action::SearchNext,
            "search-prev" => Action::SearchPrev,
            "scale-up" => Action::ScaleUp,
            "scale-down" => Action::ScaleDown,
            "scale-to" => Action::ScaleTo,
            "drain-node" => Action::DrainNode,
            "activate-node" => Action::ActivateNode,
            "promote-node" => Action::PromoteNode,
            "demote-node" => Action::DemoteNode,
            "server-weight" => Action::ServerWeight,
            "backup-volume" => Action::BackupVolume,
            "backup-volume-other-pause" => Action::BackupVolumeOtherPause,
            "restore-latest-backup" => Action::RestoreLatestBackup,
            "failover" => Action::Failover,
            "new-cluster" => Action::NewCluster,
            "recover" => Action::Recover,
            "mark" => Action::Mark,
            "mark-range" => Action::MarkRange,
            "mark-role" => Action::MarkRole,
            "clear-marks" => Action::ClearMarks,
            "start" => Action::Lifecycle(Lifecycle::Start),
            "stop" => Action::Lifecycle(Lifecycle::Stop),
            "kill" => Action::Lifecycle(Lifecycle::Kill),
            "pause" => Action::Lifecycle(Lifecycle::Pause),
            "unpause" => Action::Lifecycle(Lifecycle::Unpause),
            "remove" => Action::Lifecycle(Lifecycle::Remove),
            "shell" => Action::Shell,
            "copy" => Action::Copy,
            "copy-diagnostics" => Action::CopyDiagnostics,
            "cluster-logs" => Action::ClusterLogs,
            "level-filter" => Action::LevelFilter,
            "member-filter" => Action::MemberFilter,
            "matches-only" => Action::MatchesOnly,
            "jump-to-time" => Action::JumpToTime,
            "wrap" => Action::Wrap,
            "scroll-left" => Action::ScrollLeft,
            "scroll-right" => Action::ScrollRight,
            "mouse" => Action::ToggleMouse,
            "messages" => Action::Messages,
            _ => return None,
        };
        Some(action)
    }
}

impl Context {
    /// Every context, in the order `[keys]` documents them.
    pub const ALL: [Context; 11] = [
        Context::Global,
        Context::Table,
        Context::Nodes,
        Context::Viewer,
        Context::Logs,
        Context::Inspect,
        Context::Confirm,
        Context::Zookeeper,
        Context::Balancer,
        Context::Jobs,
        Context::Services,
    ];

    /// Its name in `[keys.NAME]`.
    pub fn name(self) -> &'static str {
        match self {
            Context::Global => "global",
            Context::Table => "tables",
            Context::Nodes => "nodes",
            Context::Viewer => "viewers",
            Context::Logs => "logs",
            Context::Inspect => "inspect",
            Context::Confirm => "confirm",
            Context::Zookeeper => "zookeeper",
            Context::Balancer => "balancer",
            Context::Jobs => "jobs",
            Context::Services => "services",
        }
    }

    /// The context `name` names, if any.
    pub fn from_name(name: &str) -> Option<Context> {
        Context::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// The title of a context's group in help and the palette.
pub fn context_title(context: Context) -> &'static str {
    match context {
        Context::Global => "Everywhere",
        Context::Table => "Tables",
        Context::Nodes => "Nodes pane",
        Context::Viewer => "Viewers: logs, inspect, details, help",
        Context::Logs => "Logs",
        Context::Inspect => "Inspect",
        Context::Confirm => "Confirmation",
        Context::Zookeeper => "ZooKeeper pane",
        Context::Balancer => "Balancer pane",
        Context::Jobs => "Jobs pane",
        Context::Services => "Services pane",
    }
}

/// Other words people look an action up by in the palette, beside its
/// help text. Every action says (an empty string is a choice too).
pub fn aliases(action: Action) -> &'static str {
    match action {
        Action::Quit => "exit leave",
        Action::QuitWhenDone => "",
        Action::Help => "keys keybindings",
        Action::Palette => "commands",
        Action::NextPane | Action::PrevPane => "tab",
        Action::GotoPane(0) => "nodes containers hosts",
        Action::GotoPane(1) => "volumes disks data",
        Action::GotoPane(2) => "zk zookeeper ensemble quorum",
        Action::GotoPane(3) => "lb haproxy balancer backends",
        Action::GotoPane(4) => "jobs operations tasks",
        Action::GotoPane(5) => "timeline events incidents",
        Action::GotoPane(_) => "services swarm tasks stacks",
        Action::Up
        | Action::Down
        | Action::PageUp
        | Action::PageDown
        | Action::Top
        | Action::Bottom
        | Action::Back
        | Action::Confirm
        | Action::Cancel => "",
        Action::Open => "detail describe",
        Action::Filter => "find search grep",
        Action::Sort | Action::SortReverse => "order",
        Action::Restart => "reboot bounce",
        Action::Logs => "log tail",
        Action::Inspect => "json",
        Action::Rejoin => "replica reattach",
        Action::ReplAccount => "password user replication credentials",
        Action::RollingRestart => "rolling restart",
        Action::RollingUpdate => "rolling update image upgrade swarm service",
        Action::MoveLeader => "zk leader election",
        Action::DrainServer => "haproxy backend disable",
        Action::ReadyServer => "haproxy backend enable",
        Action::MaintServer => "haproxy maintenance",
        Action::CancelJob => "abort stop kill job",
        Action::PauseJob => "pause continue resume hold job between members",
        Action::Follow => "tail",
        Action::SearchNext | Action::SearchPrev => "find",
        Action::ScaleUp | Action::ScaleDown | Action::ScaleTo => "scale replicas",
        Action::DrainNode | Action::ActivateNode => "swarm node availability",
        Action::PromoteNode | Action::DemoteNode => "swarm node manager worker raft quorum",
        Action::ServerWeight => "haproxy weight",
        Action::BackupVolume | Action::BackupVolumeOtherPause => "backup archive dump",
        Action::RestoreLatestBackup => "restore",
        Action::Failover => "switchover failover promote primary",
        Action::NewCluster => "create wizard new cluster",
        Action::Recover => "recover crash leftovers",
        Action::Mark | Action::MarkRange | Action::MarkRole | Action::ClearMarks => "select",
        Action::Lifecycle(Lifecycle::Start) => "up run",
        Action::Lifecycle(Lifecycle::Stop) => "down halt",
        Action::Lifecycle(Lifecycle::Kill) => "sigkill",
        Action::Lifecycle(Lifecycle::Pause) => "freeze",
        Action::Lifecycle(Lifecycle::Unpause) => "thaw resume",
        Action::Lifecycle(Lifecycle::Remove) => "rm delete",
        Action::Shell => "exec sh bash terminal",
        Action::Copy | Action::CopyDiagnostics => "clipboard yank",
        Action::ClusterLogs => "logs merged",
        Action::LevelFilter => "warn error",
        Action::MemberFilter => "member",
        Action::MatchesOnly => "grep",
        Action::JumpToTime => "goto time",
        Action::Wrap => "long lines fold",
        Action::ScrollLeft | Action::ScrollRight => "sideways horizontal columns",
        Action::ToggleMouse => "mouse click wheel scroll select",
        Action::Messages => "status history errors warnings log said",
        // Its help text starts with its own name.
        Action::User(_) => "user action custom",
    }
}
