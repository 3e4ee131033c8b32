//! The actions a key (or the palette) can ask for, and the contexts a
//! binding is live in, with which contexts are live together. What each
//! action does where, and its help, is `keymap_spec`'s table.

/// Something a key (or the palette) asks for.
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
    RollingUpdate,
    MoveLeader,
    DrainServer,
    ReadyServer,
    MaintServer,
    CancelJob,
    PauseJob,
    Follow,
    SearchNext,
    SearchPrev,
    ScaleUp,
    ScaleDown,
    ScaleTo,
    DrainNode,
    ActivateNode,
    PromoteNode,
    DemoteNode,
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
    /// In a viewer: wrap long lines, or cut them (and scroll sideways).
    Wrap,
    /// In a viewer with lines cut: show columns further left / right.
    ScrollLeft,
    ScrollRight,
    /// The command palette: every action by name.
    Palette,
    /// The user's own action: this index in `[[actions]]` (app::user_actions).
    User(u16),
    /// Turn the mouse on (wheel, clicks) or off (the terminal's own text
    /// selection back).
    ToggleMouse,
    /// Everything the status line said, in full.
    Messages,
}

/// Where a binding is live. The top overlay decides which contexts apply
/// (`LIVE_SETS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// Only in the inspect viewer.
    Inspect,
    /// The y/n confirmation dialog.
    Confirm,
    /// Only on the ZooKeeper pane.
    Zookeeper,
    /// Only on the Balancer pane (actions on a server).
    Balancer,
    /// Only on the Jobs pane.
    Jobs,
    /// Only on the Services pane (actions on a swarm service).
    Services,
}

/// The contexts keys are looked up in together, first match wins: one
/// set for each kind of screen (`State::key_contexts` picks one).
pub mod live {
    use super::Context as C;

    pub const CONFIRM: &[C] = &[C::Confirm];
    pub const LOGS: &[C] = &[C::Logs, C::Viewer, C::Global];
    pub const INSPECT: &[C] = &[C::Inspect, C::Viewer, C::Global];
    /// A container's details: its actions work there too.
    pub const CONTAINER_DETAIL: &[C] = &[C::Viewer, C::Nodes, C::Global];
    pub const VIEWER: &[C] = &[C::Viewer, C::Global];
    pub const NODES: &[C] = &[C::Nodes, C::Table, C::Global];
    pub const TABLE: &[C] = &[C::Table, C::Global];
    pub const ZOOKEEPER: &[C] = &[C::Zookeeper, C::Table, C::Global];
    pub const BALANCER: &[C] = &[C::Balancer, C::Table, C::Global];
    pub const JOBS: &[C] = &[C::Jobs, C::Table, C::Global];
    pub const SERVICES: &[C] = &[C::Services, C::Table, C::Global];
}

/// Every set of contexts that is live at once: a key may do one thing
/// only within each.
pub const LIVE_SETS: &[&[Context]] = &[
    live::CONFIRM,
    live::LOGS,
    live::INSPECT,
    live::CONTAINER_DETAIL,
    live::VIEWER,
    live::NODES,
    live::TABLE,
    live::ZOOKEEPER,
    live::BALANCER,
    live::JOBS,
    live::SERVICES,
];

/// Keys a context shadows on purpose in another live with it: the first
/// action wins where both work, and that is what is meant. `q` closes a
/// viewer (it quits everywhere else).
pub const MEANT_SHADOWS: &[(Action, Context, Action, Context)] =
    &[(Action::Back, Context::Viewer, Action::Quit, Context::Global)];
