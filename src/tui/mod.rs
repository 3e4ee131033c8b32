//! The interactive front end: terminal setup, the main loop that owns the
//! state, and the effect runner.

pub mod create_job;
mod effects;
mod frames;
pub mod inbox;
mod log_buffer;
mod logs;
mod probe_target;
mod probing;
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
use crate::docker::{spawn_hosts, unix_now};
use crate::model::{Host, Inventory};
use crate::ops::AuditLog;
use frames::{FrameLimiter, KeyLatency, SlowTurns};
use inbox::Outbox;

pub struct TuiOptions {
    pub hosts: Vec<HostSpec>,
    pub settings: Settings,
    pub theme: Theme,
    pub read_only: bool,
    pub audit: AuditLog,
    /// Shown in the status line at start (jobs a crash cut off).
    pub notice: Option<String>,
    /// What `U` offers to make safe: the jobs a crash cut off.
    pub recoveries: Vec<crate::ops::journal::Recovery>,
}

/// Messages applied in one go before the loop looks at keys again.
const BATCH: usize = 512;

pub async fn run(options: TuiOptions) -> std::io::Result<()> {
    let mut term = terminal::enter()?;
    let result = main_loop(&mut term, options).await;
    terminal::restore();
    result
}

async fn main_loop(term: &mut terminal::Tui, options: TuiOptions) -> std::io::Result<()> {
    let (outbox, mut inbox) = inbox::channel();
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
    if let Some(notice) = &options.notice {
        state.set_status(crate::app::Level::Warn, notice.clone());
    }
    state.recoveries = options.recoveries.clone();
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
    tokio::spawn(forward_terminal_events(outbox.clone()));
    tokio::spawn(forward_signals(outbox.clone()));
    let hosts_for_jobs = hosts.clone();
    let mut effects = effects::Effects {
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
    };

    if let Some(dir) = state.backups.dir.clone() {
        effects.run(crate::app::Effect::ListBackups(dir));
    }
    term.draw(|f| crate::ui::render(f, &state, &options.theme))?;
    let mut frames = FrameLimiter::new(frames::FRAME);
    frames.drawn(Instant::now());
    let mut slow = SlowTurns::default();
    let mut key_latency = KeyLatency::default();
    // The clock, for uptimes. Ten seconds is plenty: uptimes show minutes.
    let mut clock = tokio::time::interval(Duration::from_secs(10));
    clock.set_missed_tick_behavior(MissedTickBehavior::Delay);
    // Once the terminal cannot be drawn on (the session is gone), nothing is
    // drawn again; the jobs are stopped safely before tugboat exits.
    let mut terminal_gone = false;
    'turns: loop {
        // No frames once the terminal is gone (nor a wait for one).
        let deadline = frames.deadline().filter(|_| !terminal_gone);
        // What the effects answered at once (a spec saved, …) comes first;
        // then, biased, keys and signals, then a due frame, so neither
        // waits behind a flood of the rest.
        let mut key_read = None;
        let turn = if !effects.local.is_empty() {
            Turn::Each(std::mem::take(&mut effects.local))
        } else {
            tokio::select! {
                biased;
                Some((at, msg)) = inbox.keys.recv() => {
                    key_read = Some(at);
                    Turn::Each(vec![msg])
                }
                () = sleep_until(deadline), if deadline.is_some() => Turn::Each(Vec::new()),
                () = inbox.coalesced.woken() => Turn::Together(inbox.coalesced.take(BATCH)),
                Some(first) = inbox.msgs.recv() => {
                    let mut batch = vec![first];
                    while batch.len() < BATCH {
                        match inbox.msgs.try_recv() {
                            Ok(msg) => batch.push(msg),
                            Err(_) => break,
                        }
                    }
                    Turn::Each(batch)
                }
                _ = clock.tick() => Turn::Each(vec![Msg::Tick(unix_now())]),
            }
        };
        let (busy, waited) = (Instant::now(), cpu_wait());
        match turn {
            Turn::Each(msgs) => {
                for msg in msgs {
                    if !carry_out(update(&mut state, msg), &mut frames, &mut effects) {
                        break 'turns;
                    }
                }
            }
            Turn::Together(msgs) => {
                if !carry_out(update_all(&mut state, msgs), &mut frames, &mut effects) {
                    break 'turns;
                }
            }
        }
        if let Some(at) = key_read.filter(|_| frames.pending()) {
            frames.hurry();
            key_latency.key(at);
        }
        let now = Instant::now();
        if frames.due(now) && !terminal_gone {
            if let Err(e) = term.draw(|f| crate::ui::render(f, &state, &options.theme)) {
                tracing::warn!("the terminal is gone ({e}): stopping the jobs, then quitting");
                terminal_gone = true;
                effects
                    .local
                    .push(Msg::Interrupted("the terminal is gone".into()));
            }
            frames.drawn(now);
            if let Some(line) = key_latency.drawn(Instant::now()) {
                tracing::info!("{line}");
            }
        }
        // A key waits for this much at worst: say so when it is long.
        let took = busy.elapsed();
        let no_cpu = cpu_wait().zip(waited).map(|(b, a)| b.saturating_sub(a));
        if let Some(line) = slow.note(took, no_cpu, Instant::now()) {
            tracing::warn!("{line}");
        }
    }
    if let Some(line) = key_latency.flush() {
        tracing::info!("{line}");
    }
    Ok(())
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

async fn forward_terminal_events(outbox: Outbox) {
    let mut events = EventStream::new();
    while let Some(event) = events.next().await {
        let msg = match event {
            Ok(Event::Key(key)) if key.kind != KeyEventKind::Release => Msg::Key(key),
            Ok(Event::Resize(width, height)) => Msg::Resize { width, height },
            Ok(_) => continue,
            Err(_) => break,
        };
        if !outbox.key(msg).await {
            break;
        }
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
