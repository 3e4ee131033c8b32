//! The interactive front end: terminal setup, the main loop that owns the
//! state, and the effect runner.

mod clipboard;
pub mod cluster_logs;
pub mod create_job;
mod effects;
mod frames;
pub mod inbox;
mod log_buffer;
pub mod logs;
mod probe_target;
mod probing;
mod shell;
pub mod terminal;
mod wizard_effects;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use tokio::sync::watch;
use tokio::time::MissedTickBehavior;

use crate::app::{update, update_all, Msg, Outcome, State};
use crate::config::{HostSpec, Settings, Theme};
use crate::docker::{spawn_hosts, unix_now, unix_now_ms};
use crate::model::{Host, Inventory};
use crate::ops::AuditLog;
use frames::{FrameLimiter, KeyLatency, SlowTurns};
use inbox::Outbox;

pub struct TuiOptions {
    pub hosts: Vec<HostSpec>,
    pub settings: Settings,
    pub theme: Theme,
    /// Where `:theme NAME` looks for user themes (the config directory).
    pub theme_dir: std::path::PathBuf,
    pub read_only: bool,
    pub audit: AuditLog,
    /// Shown in the status line at start (jobs a crash cut off).
    pub notice: Option<String>,
    /// What `U` offers to make safe: the jobs a crash cut off.
    pub recoveries: Vec<crate::ops::journal::Recovery>,
    /// The keys in effect: the defaults with the user's `[keys]` over them.
    pub keymap: std::sync::Arc<crate::app::keymap::Keymap>,
    /// `[[actions]]`, in the order `Action::User` indexes them.
    pub user_actions: std::sync::Arc<[crate::config::UserActionSpec]>,
}

/// Messages applied in one go before the loop looks at keys again.
const BATCH: usize = 512;

pub async fn run(options: TuiOptions) -> std::io::Result<()> {
    let mut term = terminal::enter()?;
    let result = main_loop(&mut term, options).await;
    terminal::restore();
    result
}

/// Owns the state: each turn applies what arrived, then draws if a frame is
/// due. Ends when an effect is to quit (a failed draw leads there too, once
/// the jobs are stopped).
async fn main_loop(term: &mut terminal::Tui, mut options: TuiOptions) -> std::io::Result<()> {
    let (outbox, mut inbox) = inbox::channel();
    let mut state = initial_state(term, &options)?;
    let gate = shell::InputGate::new();
    let mut effects = start_background_tasks(&options, outbox, &gate);
    if let Some(dir) = state.backups.dir.clone() {
        effects.run(crate::app::Effect::ListBackups(dir));
    }
    term.draw(|f| crate::ui::render(f, &state, &options.theme))?;
    let mut screen = Screen::drawn_now();
    let mut slow = SlowTurns::default();
    let mut clock = Clock::new();
    loop {
        // No frames once the terminal is gone (nor a wait for one).
        let deadline = screen.deadline();
        let (turn, key_read) =
            next_turn(&mut inbox, &mut effects.local, &mut clock, deadline, &state).await;
        let (busy, waited) = (Instant::now(), cpu_wait());
        let hosts_up = state.inventory.hosts_up();
        if !apply_turn(turn, &mut state, &mut screen.frames, &mut effects) {
            break;
        }
        // A host coming up with its rows is what a person waits for at
        // launch (or after an outage): shown without the frame interval.
        if state.inventory.hosts_up() > hosts_up {
            screen.frames.hurry();
        }
        if let Some(target) = effects.shell.take() {
            run_shell(term, &mut state, &mut effects, &target, &gate, &options).await?;
        }
        if let Some(name) = effects.theme.take() {
            switch_theme(&mut state, &mut options, &name);
        }
        screen.hurry_for_key(key_read);
        screen.draw_if_due(term, &state, &options.theme, &mut effects.local);
        note_slow_turn(&mut slow, busy, waited);
    }
    screen.flush_key_latency();
    Ok(())
}

/// A shell on the real terminal until it ends; then everything is drawn
/// anew and the status line says how it ended.
async fn run_shell(
    term: &mut terminal::Tui,
    state: &mut State,
    effects: &mut effects::Effects,
    target: &shell::ShellTarget,
    gate: &shell::InputGate,
    options: &TuiOptions,
) -> std::io::Result<()> {
    let Some(handle) = effects
        .hosts
        .iter()
        .find(|h| h.name == target.host)
        .cloned()
    else {
        return Ok(());
    };
    let (level, text) = match shell::session(term, &handle, target, gate, &options.audit).await {
        Ok(text) => (crate::app::Level::Ok, text),
        Err(e) => (
            crate::app::Level::Error,
            format!("no shell in {}: {e}", target.name),
        ),
    };
    update(state, Msg::Status { level, text });
    // The shell's terminal had no mouse reports: back on if they were.
    if state.mouse {
        terminal::set_mouse(true);
    }
    // The window may have changed size while the shell had it.
    let size = term.size()?;
    update(
        state,
        Msg::Resize {
            width: size.width,
            height: size.height,
        },
    );
    term.draw(|f| crate::ui::render(f, state, &options.theme))?;
    Ok(())
}

/// `:theme NAME`: drawn with it from the next frame; one that cannot be
/// loaded leaves the theme as it was and says why.
fn switch_theme(state: &mut State, options: &mut TuiOptions, name: &str) {
    let depth = options.settings.colors.depth();
    let (level, text) = match Theme::load_for(name, &options.theme_dir, depth) {
        Ok(theme) => {
            options.theme = theme;
            (crate::app::Level::Ok, format!("theme {name}"))
        }
        Err(e) => (
            crate::app::Level::Warn,
            crate::model::sanitize(&format!("theme {name} not used: {e}")),
        ),
    };
    update(state, Msg::Status { level, text });
}

/// The state tugboat starts from: the configured hosts, the keys in
/// effect, what a crash left behind (its notice and recoveries), and the
/// terminal's size.
fn initial_state(term: &terminal::Tui, options: &TuiOptions) -> std::io::Result<State> {
    let inventory = Inventory::new(
        options
            .hosts
            .iter()
            .map(|h| {
                Host::new(&h.name, &h.url, &h.source.to_string()).with_transport(h.transport())
            })
            .collect(),
    );
    let mut state = State::new(inventory, options.read_only, unix_now());
    state.keymap = options.keymap.clone();
    state.spot_at = crate::ui::mouse_spot::spot_at;
    state.user_actions = options.user_actions.clone();
    if let Some(notice) = &options.notice {
        state.set_status(crate::app::Level::Warn, notice.clone());
    }
    state.recoveries = options.recoveries.clone();
    state.themes = Theme::available(&options.theme_dir);
    // Backups go to the data directory, where the audit log is.
    state.backups.dir = options.audit.path().parent().map(|d| d.join("backups"));
    let size = term.size()?;
    update(
        &mut state,
        Msg::Resize {
            width: size.width,
            height: size.height,
        },
    );
    Ok(state)
}

/// Connects to the hosts and starts the tasks that report to the loop
/// (probes, stats, terminal events, signals); the effect runner returned
/// holds what the loop steers them with.
fn start_background_tasks(
    options: &TuiOptions,
    outbox: Outbox,
    gate: &shell::InputGate,
) -> effects::Effects {
    let host_outbox = outbox.clone();
    let hosts = spawn_hosts(
        &options.hosts,
        &options.settings,
        options.read_only,
        move |u| host_outbox.host(u),
    );
    let (watch_tx, watch_rx) = watch::channel(Vec::new());
    let (probe_tx, probe_rx) = watch::channel(Vec::new());
    tokio::spawn(probing::run(
        hosts.clone(),
        options.settings.clone(),
        probe_rx,
        outbox.clone(),
    ));
    tokio::spawn(effects::sample_stats(
        hosts.clone(),
        options.settings.clone(),
        watch_rx,
        outbox.clone(),
    ));
    tokio::spawn(forward_terminal_events(outbox.clone(), gate.clone()));
    tokio::spawn(forward_signals(outbox.clone()));
    let hosts_for_jobs = hosts.clone();
    effects::Effects {
        hosts,
        outbox,
        local: Vec::new(),
        logs: HashMap::new(),
        watch: watch_tx,
        probes: probe_tx,
        runner: crate::ops::runner::JobRunner::new(
            hosts_for_jobs,
            options.settings.clone(),
            options.audit.clone(),
        ),
        jobs: HashMap::new(),
        host_specs: options.hosts.clone(),
        settings: options.settings.clone(),
        shell: None,
        theme: None,
    }
}

/// The clock: every ten seconds for uptimes (they show minutes), and
/// every tenth of a second while the Jobs pane counts a running job's time.
struct Clock {
    uptime: tokio::time::Interval,
    job: tokio::time::Interval,
}

impl Clock {
    fn new() -> Self {
        let every = |d| {
            let mut clock = tokio::time::interval(d);
            clock.set_missed_tick_behavior(MissedTickBehavior::Delay);
            clock
        };
        Self {
            uptime: every(Duration::from_secs(10)),
            job: every(Duration::from_millis(100)),
        }
    }

    /// The next tick; of the job clock too when `job` says so.
    async fn tick(&mut self, job: bool) {
        tokio::select! {
            _ = self.uptime.tick() => {}
            _ = self.job.tick(), if job => {}
        }
    }
}

/// Waits for what this turn applies, and when it holds a key, the moment
/// that key was read.
async fn next_turn(
    inbox: &mut inbox::Inbox,
    local: &mut Vec<Msg>,
    clock: &mut Clock,
    deadline: Option<Instant>,
    state: &State,
) -> (Turn, Option<Instant>) {
    let job_clock = state.counts_job_time();
    // What the effects answered at once (a spec saved, …) comes first;
    // then, biased, keys and signals, then a due frame, so neither
    // waits behind a flood of the rest.
    let mut key_read = None;
    let turn = if !local.is_empty() {
        Turn::Each(std::mem::take(local))
    } else {
        tokio::select! {
            biased;
            Some((at, msg)) = inbox.keys.recv() => {
                key_read = Some(at);
                Turn::Each(vec![msg])
            }
            () = sleep_until(deadline), if deadline.is_some() => Turn::Each(Vec::new()),
            () = inbox.coalesced.woken() => Turn::Together(inbox.coalesced.take(BATCH)),
            Some(first) = inbox.msgs.recv() => Turn::Each(drain_batch(first, &mut inbox.msgs)),
            () = clock.tick(job_clock) => Turn::Each(vec![Msg::Tick(unix_now_ms())]),
        }
    };
    (turn, key_read)
}

/// `first` and whatever else is already waiting, up to `BATCH`: applied in
/// one turn so a flood does not cost a turn per message.
fn drain_batch(first: Msg, msgs: &mut tokio::sync::mpsc::Receiver<Msg>) -> Vec<Msg> {
    let mut batch = vec![first];
    while batch.len() < BATCH {
        match msgs.try_recv() {
            Ok(msg) => batch.push(msg),
            Err(_) => break,
        }
    }
    batch
}

/// Applies a turn's messages and runs their effects; false when one of
/// them was to quit (the messages after it are then left unapplied).
fn apply_turn(
    turn: Turn,
    state: &mut State,
    frames: &mut FrameLimiter,
    effects: &mut effects::Effects,
) -> bool {
    match turn {
        Turn::Each(msgs) => msgs
            .into_iter()
            .all(|msg| carry_out(update(state, msg), frames, effects)),
        Turn::Together(msgs) => carry_out(update_all(state, msgs), frames, effects),
    }
}

/// A key waits for this much at worst: say so when a turn is long.
fn note_slow_turn(slow: &mut SlowTurns, busy: Instant, waited: Option<Duration>) {
    let took = busy.elapsed();
    let no_cpu = cpu_wait().zip(waited).map(|(b, a)| b.saturating_sub(a));
    if let Some(line) = slow.note(took, no_cpu, Instant::now()) {
        tracing::warn!("{line}");
    }
}

/// When to draw, the key-to-frame figures, and whether there is still a
/// terminal to draw on.
struct Screen {
    frames: FrameLimiter,
    key_latency: KeyLatency,
    /// Once the terminal cannot be drawn on (the session is gone), nothing
    /// is drawn again; the jobs are stopped safely before tugboat exits.
    terminal_gone: bool,
}

impl Screen {
    /// For a screen the first frame was just drawn on.
    fn drawn_now() -> Self {
        let mut frames = FrameLimiter::new(frames::FRAME);
        frames.drawn(Instant::now());
        Screen {
            frames,
            key_latency: KeyLatency::default(),
            terminal_gone: false,
        }
    }

    /// When the next frame is due; never once the terminal is gone.
    fn deadline(&self) -> Option<Instant> {
        self.frames.deadline().filter(|_| !self.terminal_gone)
    }

    /// A key read this turn changed the screen: draw it without waiting
    /// for the frame interval, and time it to its frame.
    fn hurry_for_key(&mut self, key_read: Option<Instant>) {
        if let Some(at) = key_read.filter(|_| self.frames.pending()) {
            self.frames.hurry();
            self.key_latency.key(at);
        }
    }

    /// Draws when a frame is due. A failed draw means the terminal is gone:
    /// an interruption is queued in `local` so the jobs stop safely first.
    fn draw_if_due(
        &mut self,
        term: &mut terminal::Tui,
        state: &State,
        theme: &Theme,
        local: &mut Vec<Msg>,
    ) {
        let now = Instant::now();
        if !self.frames.due(now) || self.terminal_gone {
            return;
        }
        if let Err(e) = term.draw(|f| crate::ui::render(f, state, theme)) {
            tracing::warn!("the terminal is gone ({e}): stopping the jobs, then quitting");
            self.terminal_gone = true;
            local.push(Msg::Interrupted("the terminal is gone".into()));
        }
        self.frames.drawn(now);
        if let Some(line) = self.key_latency.drawn(Instant::now()) {
            tracing::info!("{line}");
        }
    }

    /// Logs the key-to-frame figures not yet logged, on the way out.
    fn flush_key_latency(&mut self) {
        if let Some(line) = self.key_latency.flush() {
            tracing::info!("{line}");
        }
    }
}

/// Run what applying asked for; false when that was to quit.
fn carry_out(outcome: Outcome, frames: &mut FrameLimiter, effects: &mut effects::Effects) -> bool {
    if outcome.redraw {
        frames.request();
    }
    outcome
        .effects
        .into_iter()
        .all(|effect| effects.run(effect))
}

/// What one turn of the loop applies: messages one by one (keys, answers),
/// or the coalesced lanes' batch settled once.
enum Turn {
    Each(Vec<Msg>),
    Together(Vec<Msg>),
}

/// How long this thread has waited for a CPU while runnable (Linux
/// schedstat), for the slow-turn log.
fn cpu_wait() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = stat.split_whitespace().nth(1)?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// Sleep until `at`, or forever when there is no deadline (the branch is
/// then disabled anyway).
async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at.into()).await,
        None => std::future::pending().await,
    }
}

/// Keys and resizes to the loop; while a shell has the terminal (`gate`
/// paused) the reader is dropped, so not one byte typed into the shell is
/// read here, and made anew when it ends.
async fn forward_terminal_events(outbox: Outbox, gate: shell::InputGate) {
    let mut paused = gate.paused.subscribe();
    loop {
        if paused.wait_for(|p| !*p).await.is_err() {
            return;
        }
        gate.idle.send_replace(false);
        let mut events = EventStream::new();
        loop {
            let event = tokio::select! {
                event = events.next() => event,
                _ = paused.wait_for(|p| *p) => break,
            };
            let msg = match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => Msg::Key(key),
                Some(Ok(Event::Resize(width, height))) => Msg::Resize { width, height },
                Some(Ok(Event::Mouse(m))) if crate::app::mouse::wanted(m.kind) => Msg::Mouse(m),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return,
            };
            if !outbox.key(msg).await {
                return;
            }
        }
        drop(events);
        gate.idle.send_replace(true);
    }
}

/// SIGHUP (the terminal or the SSH session is gone), SIGTERM and SIGINT
/// (sent by another process: in the TUI Ctrl-C is a key) no longer end
/// tugboat at once: they become a message that stops the jobs safely.
async fn forward_signals(outbox: Outbox) {
    use tokio::signal::unix::{signal, SignalKind};
    let kinds = [
        ("SIGHUP", SignalKind::hangup()),
        ("SIGTERM", SignalKind::terminate()),
        ("SIGINT", SignalKind::interrupt()),
    ];
    let mut streams = Vec::new();
    for (name, kind) in kinds {
        match signal(kind) {
            Ok(s) => streams.push((name, s)),
            Err(e) => tracing::error!("cannot watch for {name}: {e}"),
        }
    }
    while !streams.is_empty() {
        let arrivals = streams.iter_mut().map(|(name, s)| {
            Box::pin(async move {
                s.recv().await;
                *name
            })
        });
        let (name, _, _) = futures_util::future::select_all(arrivals).await;
        if !outbox.key(Msg::Interrupted(name.into())).await {
            break;
        }
    }
}
