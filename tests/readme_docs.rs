//! The parts of README.md the code writes, so they cannot drift: the key
//! table (from the default keymap), a text capture of each pane at 80x24
//! (from the UI snapshot fixture, default theme) and the config reference
//! (what `tugboat config --print-default` prints). Each sits between
//! `<!-- NAME:begin -->` and `<!-- NAME:end -->`; a block that differs
//! fails its test. To rewrite the blocks from the code:
//!
//!     TUGBOAT_UPDATE_README=1 cargo test --test readme_docs

use std::path::PathBuf;
use std::sync::Mutex;

use tugboat::app::keymap_doc::keys_markdown;
use tugboat::app::keymap_load::default_keymap;
use tugboat::app::{update, Msg, State};
use tugboat::config::Theme;
use tugboat::model::timeline::{from_engine, EngineEvent};
use tugboat::model::HostUpdate;
use tugboat::ops::haproxy_command::ServerState;
use tugboat::ops::job::{JobEvent, JobOutcome};
use tugboat::ops::plan::{restart_plan, Plan, PlanAction, PlanTarget};

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

/// How to bring the README's blocks up to date.
const REGENERATE: &str = "TUGBOAT_UPDATE_README=1 cargo test --test readme_docs";
/// The size every pane is captured at: the smallest tugboat is made for.
const SIZE: (u16, u16) = (80, 24);

/// The tests of this file may rewrite README.md: one at a time.
static README: Mutex<()> = Mutex::new(());

fn readme_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md")
}

fn markers(name: &str) -> (String, String) {
    (
        format!("<!-- {name}:begin -->\n"),
        format!("<!-- {name}:end -->"),
    )
}

/// Where the body of block `name` lies in `text`: after its begin line, up
/// to its end marker.
fn block_span(text: &str, name: &str) -> std::ops::Range<usize> {
    let (begin, end) = markers(name);
    let found = |marker: &str, from: usize| {
        let at = text[from..].find(marker).unwrap_or_else(|| {
            panic!("README.md has no `{}`: the block `{name}` needs both markers on lines of their own",
                marker.trim_end())
        });
        from + at
    };
    let start = found(&begin, 0) + begin.len();
    start..found(&end, start)
}

/// Holds the README's block `name` equal to `generated`, or, with
/// `TUGBOAT_UPDATE_README=1`, writes `generated` into it.
fn check_block(name: &str, generated: &str) {
    let _one_at_a_time = README.lock().unwrap_or_else(|e| e.into_inner());
    let path = readme_path();
    let text = std::fs::read_to_string(&path).unwrap();
    let span = block_span(&text, name);
    if text[span.clone()] == *generated {
        return;
    }
    if std::env::var_os("TUGBOAT_UPDATE_README").is_some_and(|v| v == "1") {
        let mut updated = text.clone();
        updated.replace_range(span, generated);
        std::fs::write(&path, updated).unwrap();
        eprintln!("README.md: block `{name}` rewritten from the code");
        return;
    }
    panic!(
        "README.md's block `{name}` is not what the code generates: {}\n\
         It is written from the code; do not edit it by hand. Rewrite it with:\n    {REGENERATE}",
        first_difference(&text[span], generated)
    );
}

/// The first line where `written` and `generated` part, both quoted.
fn first_difference(written: &str, generated: &str) -> String {
    let (mut w, mut g) = (written.lines(), generated.lines());
    for n in 1.. {
        match (w.next(), g.next()) {
            (Some(a), Some(b)) if a == b => continue,
            (None, None) => break,
            (a, b) => {
                return format!(
                    "line {n} of the block\n  README:    {}\n  generated: {}",
                    a.unwrap_or("(the block ends)"),
                    b.unwrap_or("(the block ends)")
                )
            }
        }
    }
    "only the end of a line differs".into()
}

#[test]
fn key_table_is_the_default_keymap() {
    check_block("keys", &keys_markdown(&default_keymap()));
}

#[test]
fn config_reference_is_print_default() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tugboat"))
        .args(["config", "--print-default"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    check_block("config", &format!("```toml\n{text}```\n"));
}

#[test]
fn pane_captures_are_the_fixture_drawn() {
    let mut body = String::new();
    for (title, setup) in screens() {
        let mut s = state(false, SIZE);
        setup(&mut s);
        let lines = capture(&s);
        body.push_str(&format!("### {title}\n\n```text\n{lines}```\n\n"));
    }
    body.pop();
    check_block("panes", &body);
}

/// The theme file the README shows as an example is one tugboat reads.
#[test]
fn theme_example_is_a_theme() {
    const FIRST: &str = "    # ~/.config/tugboat/themes/night.toml\n";
    let text = std::fs::read_to_string(readme_path()).unwrap();
    let at = text.find(FIRST).expect("README.md shows a theme file");
    let example: String = text[at..]
        .lines()
        .take_while(|l| l.is_empty() || l.starts_with("    "))
        .map(|l| format!("{}\n", l.trim_start()))
        .collect();
    let theme = Theme::from_toml(std::path::Path::new("night.toml"), &example);
    let theme = theme.unwrap_or_else(|e| panic!("README.md's theme example: {e}\n{example}"));
    assert_ne!(theme, Theme::builtin_default(), "{example}");
}

type Setup = fn(&mut State);

/// Each screen the README shows, with what brings the fixture to it.
fn screens() -> Vec<(&'static str, Setup)> {
    vec![
        ("Nodes (`1`)", |_| {}),
        ("Volumes (`2`)", |s| drop(press(s, "2"))),
        ("ZooKeeper (`3`)", |s| {
            add_zookeeper(s);
            press(s, "3");
        }),
        ("Balancer (`4`)", |s| *s = balancer_state(SIZE)),
        ("Jobs (`5`)", |s| {
            add_jobs(s);
            press(s, "5");
        }),
        ("Timeline (`6`)", |s| {
            add_jobs(s);
            add_events(s);
            press(s, "6");
        }),
        ("A confirmation (`r` on shop-db-1)", |s| {
            select(s, "shop-db-1");
            press(s, "r");
        }),
        ("Help (`?`)", |s| drop(press(s, "?"))),
        ("Command palette (`:`, then `backup`)", |s| {
            drop(press(s, ":backup"))
        }),
    ]
}

/// The screen as text: one line per row, trailing blanks dropped.
fn capture(s: &State) -> String {
    let terminal = draw(s, &Theme::builtin_default());
    // The backend's own rendering, one quoted row per line: what the
    // snapshot tests compare, wide symbols handled.
    let view = terminal.backend().to_string();
    let mut text = String::new();
    for row in view.lines() {
        let row = row
            .split("\" Hidden by multi-width symbols:")
            .next()
            .unwrap_or(row);
        let row = row.strip_prefix('"').unwrap_or(row);
        let row = row.strip_suffix('"').unwrap_or(row);
        text.push_str(row.trim_end());
        text.push('\n');
    }
    text
}

fn job_started(s: &mut State, id: u64, plan: Plan, ago_ms: i64) {
    let at_ms = NOW * 1000 - ago_ms;
    update(s, Msg::Job(JobEvent::Started { id, plan, at_ms }));
}

fn job_step(s: &mut State, id: u64, index: usize, detail: &str) {
    let detail = detail.into();
    update(s, Msg::Job(JobEvent::Step { id, index, detail }));
}

fn job_finished(s: &mut State, id: u64, outcome: JobOutcome, millis: u64) {
    let event = JobEvent::Finished {
        id,
        outcome,
        millis,
    };
    update(s, Msg::Job(event));
}

/// A restart of shop-db-1 done in 2.3s, a drain refused read-only, a
/// restart of zk3 that failed after 75s, and a rolling restart of zk-prod
/// at its fourth step of six, 38.4s in.
fn add_jobs(s: &mut State) {
    let restart = |name: &str| restart_plan("local", "abc", name, 10);
    job_started(s, 1, restart("shop-db-1"), 600_000);
    job_step(
        s,
        1,
        1,
        "wait until shop-db-1 runs and passes its healthcheck",
    );
    job_finished(s, 1, JobOutcome::Done, 2_300);
    let drain = Plan {
        action: PlanAction::Server(ServerState::Drain),
        target: PlanTarget::Server {
            host: "local".into(),
            balancer: "haproxy-edge".into(),
            backend: "be_app".into(),
            server: "web2".into(),
        },
        ..restart("haproxy-edge")
    };
    job_started(s, 2, drain, 400_000);
    let reason = "read-only: tugboat was started with --read-only".to_string();
    job_finished(s, 2, JobOutcome::Refused { reason }, 0);
    job_started(s, 3, restart("zk3"), 200_000);
    let error = "zk3 did not run again within 60s".to_string();
    job_finished(s, 3, JobOutcome::Failed { step: 2, error }, 75_000);
    let mut rolling = Plan {
        action: PlanAction::RollingRestart,
        target: PlanTarget::Cluster("zk-prod".into()),
        ..restart("zk1")
    };
    rolling.steps = ["zk1", "zk2", "zk3"]
        .iter()
        .flat_map(|n| restart(n).steps)
        .collect();
    job_started(s, 4, rolling, 38_400);
    job_step(s, 4, 3, "wait until zk2 runs and passes its healthcheck");
}

fn engine_event(secs_ago: i64, action: &str, name: &str, attrs: &[(&str, &str)]) -> EngineEvent {
    let mut attributes: std::collections::BTreeMap<String, String> = attrs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    attributes.insert("name".into(), name.into());
    EngineEvent {
        at: i128::from(NOW - secs_ago) * 1_000_000_000 + 123_000_000,
        kind: "container".into(),
        action: action.into(),
        id: "0".repeat(64),
        attributes,
    }
}

/// An OOM kill of zk3 and its exit, its restarts, a failing healthcheck.
fn add_events(s: &mut State) {
    let events = [
        engine_event(900, "oom", "zk3", &[]),
        engine_event(899, "die", "zk3", &[("exitCode", "137")]),
        engine_event(898, "start", "zk3", &[]),
        engine_event(700, "health_status: unhealthy", "shop-cache-1", &[]),
        engine_event(500, "die", "shop-web-2", &[("exitCode", "1")]),
    ];
    let entries = events
        .iter()
        .filter_map(|e| from_engine("local", e))
        .collect();
    let host = "local".into();
    let batch = 1;
    update(
        s,
        Msg::Host(HostUpdate::Events {
            host,
            batch,
            entries,
        }),
    );
}
