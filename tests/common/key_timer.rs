//! Keys timed from key to frame through tmux while faults are done, and
//! what tugboat's own log says of them (tests/host_faults.rs).
#![allow(dead_code)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::tmux::Tmux;

/// Keys timed from key to frame (as tests/flood.rs: sent through tmux,
/// the screen read until it shows the answer), until stopped; the last
/// Nodes screen is kept for the host rows.
pub struct KeyTimer {
    stop: Arc<AtomicBool>,
    nodes_screen: Arc<Mutex<String>>,
    thread: Option<std::thread::JoinHandle<Vec<Duration>>>,
}

impl KeyTimer {
    pub fn start(tmux: Arc<Tmux>) -> KeyTimer {
        let stop = Arc::new(AtomicBool::new(false));
        let nodes_screen = Arc::new(Mutex::new(String::new()));
        let (flag, screen) = (stop.clone(), nodes_screen.clone());
        let thread = std::thread::spawn(move || {
            let mut latencies = Vec::new();
            while !flag.load(Ordering::Relaxed) {
                for (key, marker) in [("2", "┌ Volumes"), ("1", "┌ Nodes")] {
                    let (took, seen) = time_key(&tmux, key, marker);
                    latencies.push(took);
                    if key == "1" {
                        *screen.lock().unwrap() = seen;
                    }
                    std::thread::sleep(Duration::from_millis(150));
                }
            }
            latencies
        });
        KeyTimer {
            stop,
            nodes_screen,
            thread: Some(thread),
        }
    }

    /// The host row of `host` once the Nodes pane shows `pred` on it.
    pub fn row_shows(&self, host: &str, limit: Duration, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.nodes_screen.lock().unwrap().clone();
            let row = screen
                .lines()
                .find(|l| l.contains(&format!("▼ {host} ")))
                .unwrap_or_default()
                .to_string();
            if pred(&row) {
                return row;
            }
            assert!(
                start.elapsed() < limit,
                "the row of {host} never showed it:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The first line of the Nodes pane naming `text` once `pred` holds for it.
    pub fn line_shows(&self, text: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.nodes_screen.lock().unwrap().clone();
            if let Some(line) = screen.lines().find(|l| l.contains(text) && pred(l)) {
                return line
                    .trim_matches(|c: char| c == '│' || c.is_whitespace())
                    .into();
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "no line naming {text} showed it:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The TUI's row of `host` says unreachable, since when and why (the
    /// reason whole: not cut off at the screen's edge).
    pub fn says_unreachable(&self, host: &str, fault: &str) {
        let row = self.row_shows(host, Duration::from_secs(10), |r| {
            r.contains("unreachable since ")
        });
        let row = row.trim_matches(|c: char| c == '│' || c.is_whitespace());
        eprintln!("{fault}: {row}");
        let reason = row.split(" UTC: ").nth(1).unwrap_or_default();
        assert!(
            !reason.is_empty() && !reason.ends_with('…'),
            "{fault}: the row gives no reason, or not whole: {row}"
        );
    }

    pub fn finish(mut self) -> Vec<Duration> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.take().unwrap().join().expect("the key timer")
    }
}

/// Send `key`, then read the screen until it shows `marker`.
fn time_key(tmux: &Tmux, key: &str, marker: &str) -> (Duration, String) {
    let start = Instant::now();
    tmux.run(&["send-keys", "-t", "t", key]);
    loop {
        let screen = tmux.screen();
        if screen.contains(marker) {
            return (start.elapsed(), screen);
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "`{key}` never showed {marker}; screen:\n{screen}"
        );
    }
}

/// What tugboat itself logged of the keys (read to frame written, every
/// ten seconds and at exit): how many, how many later than 100 ms, the slowest.
pub fn keys_inside(data: &std::path::Path) -> (usize, usize, Duration) {
    let log = std::fs::read_to_string(data.join("tugboat.log")).unwrap_or_default();
    let (mut keys, mut late, mut slowest) = (0, 0, Duration::ZERO);
    for line in log.lines().filter(|l| l.contains(" key(s) answered: ")) {
        let before = |marker: &str| -> usize {
            let head = line.split(marker).next().unwrap_or_default();
            head.rsplit(' ')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        };
        keys += before(" key(s) answered");
        late += before(" over 100ms");
        let text = line.split("slowest ").nth(1).unwrap_or_default();
        let text = text.split(',').next().unwrap_or_default();
        slowest = slowest.max(debug_duration(text));
    }
    (keys, late, slowest)
}

/// A `Duration`'s Debug text ("12.5ms", "950µs", "1.2s") back.
fn debug_duration(text: &str) -> Duration {
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let n: f64 = text[..split].parse().unwrap_or(0.0);
    let per_second = match &text[split..] {
        "s" => 1.0,
        "ms" => 1e3,
        "µs" => 1e6,
        _ => 1e9,
    };
    Duration::from_secs_f64(n / per_second)
}
