//! Issue 22's scale figure inside tugboat: one keypress at 2,000 containers
//! across three hosts (600 created and 67 running on each), from `update`
//! to the frame drawn, as the main loop does it (the terminal is ratatui's
//! test backend, so writing to a real terminal is not in it: the end-to-end
//! figure beside it is `scripts/bench-scale`'s). The goal is 16 ms a key.
//!
//! `cargo bench --bench scale` prints criterion's estimates; the median is
//! the figure the README quotes.

use criterion::{criterion_group, criterion_main, Criterion};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tugboat::app::{update, Msg, State};
use tugboat::config::Theme;
use tugboat::model::testing::container;
use tugboat::model::{ContainerState, EngineInfo, Host, HostUpdate, Inventory, Stats};

const HOSTS: [&str; 3] = ["s1", "s2", "s3"];
const CREATED: usize = 600;
const RUNNING: usize = 67;
const NOW: i64 = 1_700_003_600;

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// What `scripts/bench-scale` makes: per host 67 running containers, some
/// with stats, and 600 only created.
fn inventory() -> Inventory {
    let mut inv = Inventory::new(
        HOSTS
            .iter()
            .map(|h| Host::new(h, &format!("tcp://{h}:2375"), "flag"))
            .collect(),
    );
    for host in HOSTS {
        inv.apply(HostUpdate::Connected {
            host: host.into(),
            engine: EngineInfo {
                engine_version: "26.1.5".into(),
                api_version: "1.45".into(),
                os: "linux".into(),
                swarm_role: None,
                swarm_id: None,
            },
        });
        let running = (0..RUNNING).map(|i| container(host, &format!("app-{i:03}")));
        let created = (0..CREATED).map(|i| {
            let mut c = container(host, &format!("idle-{i:04}"));
            c.state = ContainerState::Created;
            c.status = "Created".into();
            c.started_at = None;
            c
        });
        let containers: Vec<_> = running.chain(created).collect();
        let ids: Vec<_> = containers.iter().take(20).map(|c| c.id.clone()).collect();
        inv.apply(HostUpdate::Listed {
            host: host.into(),
            containers,
            volumes: Vec::new(),
        });
        for id in ids {
            let stats = Stats {
                cpu_percent: 0.5,
                memory_bytes: 300_000,
                memory_limit: 1 << 30,
            };
            inv.apply(HostUpdate::Stats {
                host: host.into(),
                id,
                stats,
            });
        }
    }
    inv
}

fn state() -> State {
    let mut s = State::new(inventory(), false, NOW);
    update(
        &mut s,
        Msg::Resize {
            width: 80,
            height: 24,
        },
    );
    s
}

/// Each iteration is one key of the pair, in turn, then the frame: so the
/// state swings between two screens and never runs out of room.
fn bench_keys(c: &mut Criterion, name: &str, setup: &[Msg], pair: [KeyCode; 2]) {
    let mut s = state();
    for msg in setup {
        update(&mut s, msg.clone());
    }
    let theme = Theme::builtin_default();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).expect("a test terminal");
    let mut turn = 0usize;
    c.bench_function(name, |b| {
        b.iter(|| {
            let code = pair[turn % 2];
            turn += 1;
            let out = update(&mut s, key(code));
            if out.redraw {
                terminal
                    .draw(|f| tugboat::ui::render(f, &s, &theme))
                    .expect("a frame");
            }
            out.effects.len()
        })
    });
}

fn scale(c: &mut Criterion) {
    let nodes = [key(KeyCode::Char('1'))];
    bench_keys(
        c,
        "2000 rows: j/k then frame",
        &nodes,
        [KeyCode::Char('j'), KeyCode::Char('k')],
    );
    let filtering = [key(KeyCode::Char('/'))];
    bench_keys(
        c,
        "2000 rows: filter char typed/erased then frame",
        &filtering,
        [KeyCode::Char('p'), KeyCode::Backspace],
    );
    bench_keys(
        c,
        "2000 rows: pane switch 2/1 then frame",
        &nodes,
        [KeyCode::Char('2'), KeyCode::Char('1')],
    );
}

/// What an idle screen costs each second: the clock's tick, which draws
/// nothing (uptimes show minutes), and a stats sample of the running
/// containers on screen, applied as one turn.
fn idle(c: &mut Criterion) {
    let mut s = state();
    update(&mut s, key(KeyCode::Char('1')));
    let mut second = 0i64;
    c.bench_function("2000 rows: idle clock tick (update only)", |b| {
        b.iter(|| {
            // Within one minute: no frame is asked for.
            second = (second + 1) % 59;
            let out = update(&mut s, Msg::Tick((NOW - NOW % 60 + second) * 1000));
            assert!(!out.redraw, "a tick within the minute draws nothing");
            out.effects.len()
        })
    });
    let on_screen: Vec<_> = s.visible_running();
    let mut load = 0.0;
    c.bench_function("2000 rows: stats sample of the screen (update_all)", |b| {
        b.iter(|| {
            load = (load + 0.1) % 5.0;
            let msgs = on_screen.iter().map(|(host, id)| {
                Msg::Host(HostUpdate::Stats {
                    host: host.clone(),
                    id: id.clone(),
                    stats: Stats {
                        cpu_percent: load,
                        memory_bytes: 300_000,
                        memory_limit: 1 << 30,
                    },
                })
            });
            tugboat::app::update_all(&mut s, msgs).effects.len()
        })
    });
}

criterion_group!(benches, scale, idle);
criterion_main!(benches);
