//! One table of every action: its keys, its help text, where it applies and
//! whether it changes anything. Help, footer hints, confirmation and
//! read-only refusal all read this table.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    /// In the quit question: let the running jobs finish, then quit.
    QuitWhenDone,
    Help,
    NextPane,
    PrevPane,
    GotoPane(usize),
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Back,
    Filter,
    Sort,
    SortReverse,
    Restart,
    Logs,
    Inspect,
    Confirm,
    Cancel,
    Rejoin,
    /// Ask for a database cluster's replication account.
    ReplAccount,
    RollingRestart,
    MoveLeader,
    DrainServer,
    ReadyServer,
    MaintServer,
    CancelJob,
    Follow,
    SearchNext,
    SearchPrev,
    ScaleUp,
    ScaleDown,
    ScaleTo,
    DrainNode,
    ActivateNode,
    ServerWeight,
    BackupVolume,
    BackupVolumeOtherPause,
    RestoreLatestBackup,
    Failover,
    NewCluster,
    Recover,
    /// Mark (or unmark) the selected container for a bulk action.
    Mark,
    /// Mark every container from the last mark to the selection.
    MarkRange,
    /// Mark every member of the selected one's cluster in its role.
    MarkRole,
    ClearMarks,
    /// Start, stop, kill, pause, unpause or remove the marked containers
    /// (else the selected one).
    Lifecycle(crate::ops::lifecycle::Lifecycle),
    /// A shell in the container, on the real terminal.
    Shell,
    /// Copy the selection to the terminal's clipboard (OSC 52).
    Copy,
    /// Copy a diagnostics block of the selected container.
    CopyDiagnostics,
    /// Every member's log of the selected cluster, across hosts, merged
    /// in time order.
    ClusterLogs,
    /// In a log view: all levels → warnings and errors → errors.
    LevelFilter,
    /// In a merged log view: every member → each in turn.
    MemberFilter,
    /// In a log view: only the lines the search matches, or all.
    MatchesOnly,
    /// In a merged log view: go to a time of day or an age.
    JumpToTime,
    /// The command palette: every action by name.
    Palette,
}

/// Where a binding is live. The top overlay decides which context applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Everywhere except inside dialogs and text input.
    Global,
    /// The Nodes and Volumes tables.
    Table,
    /// Only on the Nodes pane (actions on a container).
    Nodes,
    /// Scrolling views: logs, inspect, details and help.
    Viewer,
    /// Only in the log viewer.
    Logs,
    /// The y/n confirmation dialog.
    Confirm,
    /// Only on the ZooKeeper pane.
    Zookeeper,
    /// Only on the Balancer pane (actions on a server).
    Balancer,
    /// Only on the Jobs pane.
    Jobs,
}

#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn k(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::NONE,
    }
}
const fn code(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}
const fn lifecycle(
    action: crate::ops::lifecycle::Lifecycle,
    keys: &'static [Key],
    help: &'static str,
) -> Binding {
    Binding {
        action: Action::Lifecycle(action),
        context: Context::Nodes,
        keys,
        help,
        mutating: true,
    }
}
const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

#[derive(Debug)]
pub struct Binding {
    pub action: Action,
    pub context: Context,
    pub keys: &'static [Key],
    pub help: &'static str,
    /// Changes something on a host: confirmed in the UI, refused read-only.
    pub mutating: bool,
}

const fn bind(
    action: Action,
    context: Context,
    keys: &'static [Key],
    help: &'static str,
) -> Binding {
    Binding {
        action,
        context,
        keys,
        help,
        mutating: false,
    }
}

pub static KEYMAP: &[Binding] = &[
    bind(Action::Quit, Context::Global, &[k('q'), ctrl('c')], "quit"),
    bind(Action::Help, Context::Global, &[k('?')], "help: every key"),
    bind(
        Action::Palette,
        Context::Global,
        &[k(':')],
        "command palette: every action, pane, theme and host by name",
    ),
    bind(
        Action::NextPane,
        Context::Global,
        &[code(KeyCode::Tab)],
        "next pane",
    ),
    bind(
        Action::PrevPane,
        Context::Global,
        &[code(KeyCode::BackTab)],
        "previous pane",
    ),
    bind(
        Action::GotoPane(0),
        Context::Global,
        &[k('1')],
        "Nodes pane",
    ),
    bind(
        Action::GotoPane(1),
        Context::Global,
        &[k('2')],
        "Volumes pane",
    ),
    bind(
        Action::GotoPane(2),
        Context::Global,
        &[k('3')],
        "ZooKeeper pane",
    ),
    bind(
        Action::GotoPane(3),
        Context::Global,
        &[k('4')],
        "Balancer pane",
    ),
    bind(Action::GotoPane(4), Context::Global, &[k('5')], "Jobs pane"),
    bind(
        Action::GotoPane(5),
        Context::Global,
        &[k('6')],
        "Timeline pane: deaths, OOM kills, health, leaders, jobs",
    ),
    bind(
        Action::Up,
        Context::Table,
        &[code(KeyCode::Up), k('k')],
        "move up",
    ),
    bind(
        Action::Down,
        Context::Table,
        &[code(KeyCode::Down), k('j')],
        "move down",
    ),
    bind(
        Action::PageUp,
        Context::Table,
        &[code(KeyCode::PageUp), ctrl('b')],
        "page up",
    ),
    bind(
        Action::PageDown,
        Context::Table,
        &[code(KeyCode::PageDown), ctrl('f')],
        "page down",
    ),
    bind(
        Action::Top,
        Context::Table,
        &[code(KeyCode::Home), k('g')],
        "first row",
    ),
    bind(
        Action::Bottom,
        Context::Table,
        &[code(KeyCode::End), k('G')],
        "last row",
    ),
    bind(
        Action::Open,
        Context::Table,
        &[code(KeyCode::Enter)],
        "details of the selection",
    ),
    bind(Action::Filter, Context::Table, &[k('/')], "filter rows"),
    bind(
        Action::Copy,
        Context::Table,
        &[k('c')],
        "copy the selection (name, address; the marked names) to the clipboard (OSC 52)",
    ),
    bind(
        Action::Copy,
        Context::Viewer,
        &[k('c')],
        "copy the line at the bottom (logs) or the id (details) to the clipboard",
    ),
    bind(
        Action::CopyDiagnostics,
        Context::Nodes,
        &[k('C')],
        "copy the container's diagnostics (summary, cluster, last log lines) for a ticket",
    ),
    bind(
        Action::Sort,
        Context::Table,
        &[k('o')],
        "sort by the next column",
    ),
    bind(
        Action::SortReverse,
        Context::Table,
        &[k('O')],
        "reverse the sort",
    ),
    Binding {
        action: Action::Restart,
        context: Context::Nodes,
        keys: &[k('r')],
        help: "restart the container (asks first)",
        mutating: true,
    },
    bind(
        Action::Logs,
        Context::Nodes,
        &[k('l')],
        "logs of the container",
    ),
    bind(
        Action::ClusterLogs,
        Context::Nodes,
        &[k('L')],
        "logs of the whole cluster, every host, in time order (clocks corrected)",
    ),
    bind(
        Action::Mark,
        Context::Nodes,
        &[k(' ')],
        "mark the container (or unmark it): actions then act on every marked one",
    ),
    bind(
        Action::MarkRange,
        Context::Nodes,
        &[ctrl(' '), k('v')],
        "mark every container from the last mark to here",
    ),
    bind(
        Action::MarkRole,
        Context::Nodes,
        &[k('*')],
        "mark every member of the cluster in the selected one's role (all followers, all replicas)",
    ),
    bind(
        Action::ClearMarks,
        Context::Nodes,
        &[k('M')],
        "clear every mark",
    ),
    lifecycle(
        crate::ops::lifecycle::Lifecycle::Start,
        &[k('t')],
        "start the container, or every marked one (asks first)",
    ),
    lifecycle(
        crate::ops::lifecycle::Lifecycle::Stop,
        &[k('S')],
        "stop the container, or every marked one; quorum and replicas guarded (asks first)",
    ),
    lifecycle(
        crate::ops::lifecycle::Lifecycle::Kill,
        &[k('K')],
        "kill the container (SIGKILL), or every marked one; guarded (asks first)",
    ),
    lifecycle(
        crate::ops::lifecycle::Lifecycle::Pause,
        &[k('p')],
        "pause the container, or every marked one; guarded (asks first)",
    ),
    lifecycle(
        crate::ops::lifecycle::Lifecycle::Unpause,
        &[k('P')],
        "unpause the container, or every marked one (asks first)",
    ),
    lifecycle(
        crate::ops::lifecycle::Lifecycle::Remove,
        &[k('D')],
        "remove the container with its anonymous volumes, or every marked one (asks first)",
    ),
    bind(
        Action::Inspect,
        Context::Nodes,
        &[k('i')],
        "inspect the container",
    ),
    Binding {
        action: Action::Shell,
        context: Context::Nodes,
        keys: &[k('e')],
        help: "a shell in the container (bash, else sh; exit it to come back; audited)",
        // Refused read-only: a shell can change anything.
        mutating: true,
    },
    Binding {
        action: Action::RollingRestart,
        context: Context::Nodes,
        keys: &[k('R')],
        help: "rolling restart of the selected cluster, one member at a time (asks first)",
        mutating: true,
    },
    Binding {
        action: Action::ScaleUp,
        context: Context::Nodes,
        keys: &[k('+')],
        help: "scale the selected replica's service up by one (asks first)",
        mutating: true,
    },
    Binding {
        action: Action::ScaleDown,
        context: Context::Nodes,
        keys: &[k('-')],
        help: "scale the service down by one: the highest number goes (asks first)",
        mutating: true,
    },
    Binding {
        action: Action::ScaleTo,
        context: Context::Nodes,
        keys: &[k('s')],
        help: "scale the service to a count you type (asks first)",
        mutating: true,
    },
    Binding {
        action: Action::DrainNode,
        context: Context::Nodes,
        keys: &[k('d')],
        help: "drain the selected swarm node: its tasks move to other nodes (asks first)",
        mutating: true,
    },
    Binding {
        action: Action::ActivateNode,
        context: Context::Nodes,
        keys: &[k('a')],
        help: "make the selected swarm node active again (asks first)",
        mutating: true,
    },
    Binding {
        action: Action::MoveLeader,
        context: Context::Zookeeper,
        keys: &[k('f')],
        help: "move leadership off the leader: restart it once followers are in sync (asks first)",
        mutating: true,
    },
    Binding {
        action: Action::DrainServer,
        context: Context::Balancer,
        keys: &[k('d')],
        help: "drain the server: finish sessions, take no new ones (asks first)",
        mutating: true,
    },
    Binding {
        action: Action::ReadyServer,
        context: Context::Balancer,
        keys: &[k('a')],
        help: "make the server ready again (asks first)",
        mutating: true,
    },
    Binding {
        action: Action::ServerWeight,
        context: Context::Balancer,
        keys: &[k('w')],
        help: "set the server's weight, typed (asks first)",
        mutating: true,
    },
    Binding {
        action: Action::MaintServer,
        context: Context::Balancer,
        keys: &[k('m')],
        help: "put the server in maintenance (asks first)",
        mutating: true,
    },
    bind(
        Action::CancelJob,
        Context::Jobs,
        &[k('x')],
        "cancel the job (stops between steps)",
    ),
    bind(
        Action::Up,
        Context::Viewer,
        &[code(KeyCode::Up), k('k')],
        "scroll up",
    ),
    bind(
        Action::Down,
        Context::Viewer,
        &[code(KeyCode::Down), k('j')],
        "scroll down",
    ),
    bind(
        Action::PageUp,
        Context::Viewer,
        &[code(KeyCode::PageUp), ctrl('b')],
        "page up",
    ),
    bind(
        Action::PageDown,
        Context::Viewer,
        &[code(KeyCode::PageDown), ctrl('f')],
        "page down",
    ),
    bind(
        Action::Top,
        Context::Viewer,
        &[code(KeyCode::Home), k('g')],
        "top",
    ),
    bind(
        Action::Bottom,
        Context::Viewer,
        &[code(KeyCode::End), k('G')],
        "bottom",
    ),
    bind(
        Action::Back,
        Context::Viewer,
        &[code(KeyCode::Esc), k('q')],
        "close",
    ),
    bind(
        Action::Follow,
        Context::Logs,
        &[k('f')],
        "follow new lines on/off",
    ),
    bind(Action::Filter, Context::Logs, &[k('/')], "search"),
    bind(Action::SearchNext, Context::Logs, &[k('n')], "next match"),
    bind(
        Action::MatchesOnly,
        Context::Logs,
        &[k('&')],
        "show only the search's matches, or every line",
    ),
    bind(
        Action::LevelFilter,
        Context::Logs,
        &[k('l')],
        "show all levels → warnings and errors → errors only",
    ),
    bind(
        Action::MemberFilter,
        Context::Logs,
        &[k('m')],
        "cluster logs: show every member → one member at a time",
    ),
    bind(
        Action::JumpToTime,
        Context::Logs,
        &[k('@')],
        "cluster logs: go to a time (14:03, 14:03:27) or an age (5m)",
    ),
    bind(
        Action::Mark,
        Context::Logs,
        &[k(' ')],
        "mark the current line (and move down): c copies the marked lines",
    ),
    bind(
        Action::ClearMarks,
        Context::Logs,
        &[k('M')],
        "clear the marks",
    ),
    bind(
        Action::SearchPrev,
        Context::Logs,
        &[k('N')],
        "previous match",
    ),
    bind(
        Action::Confirm,
        Context::Confirm,
        &[k('y'), k('Y')],
        "yes, do it",
    ),
    bind(
        Action::Cancel,
        Context::Confirm,
        &[k('n'), k('N'), code(KeyCode::Esc)],
        "no, cancel",
    ),
    bind(
        Action::Down,
        Context::Confirm,
        &[code(KeyCode::Down), k('j')],
        "scroll a long plan down",
    ),
    bind(
        Action::Up,
        Context::Confirm,
        &[code(KeyCode::Up), k('k')],
        "scroll a long plan up",
    ),
    bind(
        Action::PageDown,
        Context::Confirm,
        &[code(KeyCode::PageDown), ctrl('f')],
        "page down",
    ),
    bind(
        Action::PageUp,
        Context::Confirm,
        &[code(KeyCode::PageUp), ctrl('b')],
        "page up",
    ),
    bind(
        Action::Top,
        Context::Confirm,
        &[code(KeyCode::Home), k('g')],
        "top",
    ),
    bind(
        Action::Bottom,
        Context::Confirm,
        &[code(KeyCode::End), k('G')],
        "bottom",
    ),
    bind(
        Action::QuitWhenDone,
        Context::Confirm,
        &[k('w')],
        "quitting while jobs run: let them finish, then quit",
    ),
    bind(
        Action::Back,
        Context::Global,
        &[code(KeyCode::Esc)],
        "back / clear filter",
    ),
    Binding {
        action: Action::BackupVolume,
        context: Context::Table,
        keys: &[k('b')],
        help: "back up the selected volume (Volumes pane; database users paused; asks first)",
        mutating: true,
    },
    Binding {
        action: Action::BackupVolumeOtherPause,
        context: Context::Table,
        keys: &[k('B')],
        help: "back up the volume, making the other pause choice (asks first)",
        mutating: true,
    },
    Binding {
        action: Action::RestoreLatestBackup,
        context: Context::Table,
        keys: &[k('u')],
        help: "restore the volume's latest backup into a new volume (asks first)",
        mutating: true,
    },
    Binding {
        action: Action::Failover,
        context: Context::Nodes,
        keys: &[k('f')],
        help: "switch a database cluster's primary (failover if it is down; asks first)",
        mutating: true,
    },
    Binding {
        action: Action::Rejoin,
        context: Context::Nodes,
        keys: &[k('J')],
        help: "rejoin a database server to its cluster's primary as a replica (asks first)",
        mutating: true,
    },
    Binding {
        action: Action::ReplAccount,
        context: Context::Nodes,
        keys: &[k('A')],
        help: "give a database cluster's replication account (kept in memory only)",
        mutating: false,
    },
    Binding {
        action: Action::Recover,
        context: Context::Global,
        keys: &[k('U')],
        help:
            "make safe what jobs cut off by a crash left (paused, drained, half made; asks first)",
        mutating: true,
    },
    Binding {
        action: Action::NewCluster,
        context: Context::Table,
        keys: &[k('n')],
        help: "new cluster: a guided wizard, with the plan to review first",
        mutating: true,
    },
];

fn matches(key: &Key, event: &KeyEvent) -> bool {
    // Shifted letters arrive as the upper-case char, with or without SHIFT.
    let mods = event.modifiers - KeyModifiers::SHIFT;
    key.code == event.code && key.mods == mods
}

/// The action bound to `event` in the first of `contexts` that has one.
pub fn lookup(event: &KeyEvent, contexts: &[Context]) -> Option<Action> {
    contexts.iter().find_map(|ctx| {
        KEYMAP
            .iter()
            .find(|b| b.context == *ctx && b.keys.iter().any(|key| matches(key, event)))
            .map(|b| b.action)
    })
}

/// A binding of `event` in a context other than `contexts`, to say where a
/// key that does nothing here works.
pub fn bound_elsewhere(event: &KeyEvent, contexts: &[Context]) -> Option<&'static Binding> {
    KEYMAP
        .iter()
        .find(|b| !contexts.contains(&b.context) && b.keys.iter().any(|key| matches(key, event)))
}

pub fn is_mutating(action: Action) -> bool {
    KEYMAP.iter().any(|b| b.action == action && b.mutating)
}

pub fn key_label(key: &Key) -> String {
    let base = match key.code {
        KeyCode::Char(' ') => "Space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "Shift-Tab".into(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        other => format!("{other:?}"),
    };
    if key.mods.contains(KeyModifiers::CONTROL) {
        format!("Ctrl-{base}")
    } else {
        base
    }
}

/// The keys of the first binding for `action` in `context`, for footer hints.
pub fn keys_for(action: Action, context: Context) -> Option<String> {
    KEYMAP
        .iter()
        .find(|b| b.action == action && b.context == context)
        .and_then(|b| b.keys.first())
        .map(key_label)
}

/// Other words people look an action up by in the palette, beside its
/// help text. Every action says (an empty string is a choice too).
pub fn aliases(action: Action) -> &'static str {
    use crate::ops::lifecycle::Lifecycle;
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
        Action::GotoPane(_) => "timeline events incidents",
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
        Action::MoveLeader => "zk leader election",
        Action::DrainServer => "haproxy backend disable",
        Action::ReadyServer => "haproxy backend enable",
        Action::MaintServer => "haproxy maintenance",
        Action::CancelJob => "abort stop kill job",
        Action::Follow => "tail",
        Action::SearchNext | Action::SearchPrev => "find",
        Action::ScaleUp | Action::ScaleDown | Action::ScaleTo => "scale replicas",
        Action::DrainNode | Action::ActivateNode => "swarm node availability",
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
    }
}

pub fn context_title(context: Context) -> &'static str {
    match context {
        Context::Global => "Everywhere",
        Context::Table => "Tables",
        Context::Nodes => "Nodes pane",
        Context::Viewer => "Viewers: logs, inspect, details, help",
        Context::Logs => "Logs",
        Context::Confirm => "Confirmation",
        Context::Zookeeper => "ZooKeeper pane",
        Context::Balancer => "Balancer pane",
        Context::Jobs => "Jobs pane",
    }
}

#[cfg(test)]
#[path = "keymap_tests.rs"]
mod tests;
