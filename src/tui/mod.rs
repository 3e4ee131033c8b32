//! The interactive front end: terminal setup, the main loop that owns the
//! state, and the effect runner.

pub mod create_job;
mod effects;
mod probing;
pub mod terminal;
mod wizard_effects;

use std::collections::HashMap;
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures_util::StreamExt;
use tokio::sync::{mpsc, watch};

use crate::app::{update, Msg, State};
use crate::config::{HostSpec, Settings, Theme};
use crate::docker::{spawn_hosts, unix_now};
use crate::model::{Host, Inventory};
use crate::ops::AuditLog;

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

/// Messages applied before one redraw, at most: a burst of events is drawn once.
const BATCH: usize = 512;

pub async fn run(options: TuiOptions) -> std::io::Result<()> {
    let mut term = terminal::enter()?;
    let result = main_loop(&mut term, options).await;
    terminal::restore();
    result
}

async fn main_loop(term: &mut terminal::Tui, options: TuiOptions) -> std::io::Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
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

    let host_tx = tx.clone();
    let hosts = spawn_hosts(
        &options.hosts,
        &options.settings,
        options.read_only,
        move |u| {
            let _ = host_tx.send(Msg::Host(u));
        },
    );
    let (watch_tx, watch_rx) = watch::channel(Vec::new());
    let (probe_tx, probe_rx) = watch::channel(Vec::new());
    tokio::spawn(probing::run(
        hosts.clone(),
        options.settings.clone(),
        probe_rx,
        tx.clone(),
    ));
    tokio::spawn(effects::sample_stats(
        hosts.clone(),
        options.settings.clone(),
        watch_rx,
        tx.clone(),
    ));
    tokio::spawn(forward_terminal_events(tx.clone()));
    tokio::spawn(forward_signals(tx.clone()));
    tokio::spawn(tick(tx.clone()));
    let hosts_for_jobs = hosts.clone();
    let mut effects = effects::Effects {
        hosts,
        tx: tx.clone(),
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
    // Once the terminal cannot be drawn on (the session is gone), nothing is
    // drawn again; the jobs are stopped safely before tugboat exits.
    let mut terminal_gone = false;
    while let Some(first) = rx.recv().await {
        let mut redraw = false;
        let mut next = Some(first);
        let mut applied = 0;
        while let Some(msg) = next.take() {
            let outcome = update(&mut state, msg);
            redraw |= outcome.redraw;
            for effect in outcome.effects {
                if !effects.run(effect) {
                    return Ok(());
                }
            }
            applied += 1;
            if applied < BATCH {
                next = rx.try_recv().ok();
            }
        }
        if redraw && !terminal_gone {
            if let Err(e) = term.draw(|f| crate::ui::render(f, &state, &options.theme)) {
                tracing::warn!("the terminal is gone ({e}): stopping the jobs, then quitting");
                terminal_gone = true;
                let _ = tx.send(Msg::Interrupted("the terminal is gone".into()));
            }
        }
    }
    Ok(())
}

async fn forward_terminal_events(tx: mpsc::UnboundedSender<Msg>) {
    let mut events = EventStream::new();
    while let Some(event) = events.next().await {
        let msg = match event {
            Ok(Event::Key(key)) if key.kind != KeyEventKind::Release => Msg::Key(key),
            Ok(Event::Resize(width, height)) => Msg::Resize { width, height },
            Ok(_) => continue,
            Err(_) => break,
        };
        if tx.send(msg).is_err() {
            break;
        }
    }
}

/// SIGHUP (the terminal or the SSH session is gone), SIGTERM and SIGINT
/// (sent by another process: in the TUI Ctrl-C is a key) no longer end
/// tugboat at once: they become a message that stops the jobs safely.
async fn forward_signals(tx: mpsc::UnboundedSender<Msg>) {
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
        if tx.send(Msg::Interrupted(name.into())).is_err() {
            break;
        }
    }
}

/// The clock, for uptimes. Ten seconds is plenty: uptimes show minutes.
async fn tick(tx: mpsc::UnboundedSender<Msg>) {
    let mut interval = tokio::time::interval(Duration::from_secs(10));
    loop {
        interval.tick().await;
        if tx.send(Msg::Tick(unix_now())).is_err() {
            break;
        }
    }
}
