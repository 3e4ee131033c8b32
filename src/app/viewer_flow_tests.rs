//! Wrapping, scrolling sideways and searching in the viewers, through
//! `update` at 80x24 (a viewer of 80 columns and 20 rows).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::msg::{Effect, Msg};
use crate::app::rows::NodeRow;
use crate::app::state::{Level, State};
use crate::app::update::update;
use crate::app::views::{InspectView, LogView, Overlay};
use crate::model::testing::container;
use crate::model::{Host, HostUpdate, InspectSection, Inventory};

fn state() -> State {
    let mut inv = Inventory::new(vec![Host::new("local", "unix:///sock", "flag")]);
    inv.apply(HostUpdate::Listed {
        host: "local".into(),
        containers: vec![container("local", "db-1")],
        volumes: Vec::new(),
    });
    let mut s = State::new(inv, false, 1_700_000_000);
    update(
        &mut s,
        Msg::Resize {
            width: 80,
            height: 24,
        },
    );
    while !matches!(s.selected_node(), Some(NodeRow::Container { .. })) {
        press(&mut s, KeyCode::Char('j'));
    }
    s
}

fn press(s: &mut State, code: KeyCode) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))).effects
}

fn type_text(s: &mut State, text: &str) {
    for c in text.chars() {
        press(s, KeyCode::Char(c));
    }
}

/// `n` numbered lines of 200 columns each: three rows each when wrapped.
fn long_lines(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("{i:03} {}", "x".repeat(196)))
        .collect()
}

fn with_logs(lines: Vec<String>) -> State {
    let mut s = state();
    let effects = press(&mut s, KeyCode::Char('l'));
    let Some(Effect::OpenLogs { session, .. }) = effects.into_iter().next() else {
        panic!("logs opened");
    };
    let skipped = 0;
    update(
        &mut s,
        Msg::LogLines {
            session,
            lines,
            skipped,
        },
    );
    s
}

fn logs(s: &State) -> &LogView {
    match s.top_overlay() {
        Some(Overlay::Logs(v)) => v,
        other => panic!("no log view: {other:?}"),
    }
}

#[test]
fn wrapped_log_lines_page_by_the_lines_on_screen_and_end_at_the_real_ends() {
    let mut s = with_logs(long_lines(60));
    let rows = s.viewer_height();
    assert_eq!(logs(&s).window(rows).len(), rows, "cut: a line a row");
    press(&mut s, KeyCode::Char('w'));
    assert!(logs(&s).flow.wrap);
    // 3 rows a line: 7 lines fill 20 rows (the top one cut).
    let bottom = logs(&s).window(rows);
    assert_eq!(bottom, (53..60).collect::<Vec<_>>());
    press(&mut s, KeyCode::PageUp);
    let page = logs(&s).window(rows);
    assert_eq!(page, (46..53).collect::<Vec<_>>(), "the page above, no gap");
    assert_eq!(logs(&s).current_index(), Some(52));
    // g: the oldest line on screen and current, the window full.
    press(&mut s, KeyCode::Char('g'));
    assert_eq!(logs(&s).scroll_from_bottom, 60 - 7);
    assert_eq!(logs(&s).window(rows), (0..7).collect::<Vec<_>>());
    assert_eq!(logs(&s).current_index(), Some(0));
    press(&mut s, KeyCode::Char('G'));
    assert_eq!(logs(&s).scroll_from_bottom, 0);
    assert_eq!(logs(&s).window(rows), bottom);
    // Wrapped, nothing is cut to scroll sideways to.
    press(&mut s, KeyCode::Right);
    let status = s.status.as_ref().expect("said why");
    assert_eq!(status.level, Level::Warn);
    assert_eq!(logs(&s).flow.col, 0);
}

#[test]
fn cut_log_lines_scroll_sideways_no_further_than_the_widest() {
    let mut s = with_logs(long_lines(5));
    press(&mut s, KeyCode::Right);
    assert_eq!(logs(&s).flow.col, 8);
    for _ in 0..40 {
        press(&mut s, KeyCode::Right);
    }
    assert_eq!(logs(&s).flow.col, 200 - 80, "the end of the widest shows");
    assert_eq!(logs(&s).flow.badge().as_deref(), Some("→ col 121"));
    press(&mut s, KeyCode::Left);
    assert_eq!(logs(&s).flow.col, 112);
    // Wrapping starts from the left edge again.
    press(&mut s, KeyCode::Char('w'));
    assert_eq!((logs(&s).flow.wrap, logs(&s).flow.col), (true, 0));
}

fn with_inspect(lines: Vec<String>) -> State {
    let mut s = state();
    let effects = press(&mut s, KeyCode::Char('i'));
    let Some(Effect::Inspect { host, id }) = effects.into_iter().next() else {
        panic!("inspect asked for");
    };
    let sections = vec![InspectSection {
        title: "Config",
        lines,
    }];
    let result = Ok(sections);
    update(&mut s, Msg::Inspected { host, id, result });
    s
}

fn inspect(s: &State) -> &InspectView {
    match s.top_overlay() {
        Some(Overlay::Inspect(v)) => v,
        other => panic!("no inspect view: {other:?}"),
    }
}

#[test]
fn inspect_search_goes_to_each_match_and_says_when_there_is_no_more() {
    let lines = (0..100)
        .map(|i| match i {
            30 | 70 | 95 => format!("Env: NEEDLE={i}"),
            _ => format!("line {i}"),
        })
        .collect();
    let mut s = with_inspect(lines);
    press(&mut s, KeyCode::Char('/'));
    assert!(inspect(&s).input.is_some());
    type_text(&mut s, "needle");
    press(&mut s, KeyCode::Enter);
    // Line 0 is the section's title: line 30 is the 32nd.
    assert_eq!(inspect(&s).search.as_deref(), Some("needle"));
    assert_eq!(inspect(&s).found, Some(31));
    assert_eq!(inspect(&s).scroll, 31, "the match on top");
    press(&mut s, KeyCode::Char('n'));
    assert_eq!(inspect(&s).found, Some(71));
    assert_eq!(inspect(&s).scroll, 71);
    press(&mut s, KeyCode::Char('n'));
    // Near the end the view stops at its last page; the match is on it.
    assert_eq!(inspect(&s).found, Some(96));
    assert_eq!(inspect(&s).scroll, 101 - s.viewer_height());
    press(&mut s, KeyCode::Char('n'));
    let status = s.status.as_ref().expect("said so");
    assert_eq!(status.level, Level::Warn);
    assert!(status.text.contains("no more matches for `needle`"));
    assert_eq!(inspect(&s).found, Some(96), "stays on the last");
    press(&mut s, KeyCode::Char('N'));
    assert_eq!(inspect(&s).found, Some(71));
    // The search is remembered with the log views' searches.
    press(&mut s, KeyCode::Char('/'));
    press(&mut s, KeyCode::Up);
    press(&mut s, KeyCode::Enter);
    assert_eq!(inspect(&s).search.as_deref(), Some("needle"));
}

#[test]
fn wrapped_inspect_lines_scroll_by_rows_to_the_real_bottom() {
    let mut s = with_inspect(long_lines(60));
    let rows = s.viewer_height();
    press(&mut s, KeyCode::Char('w'));
    // The title row, then 60 lines of 202 columns (indented): 3 rows each.
    assert_eq!(inspect(&s).row_count(80), 1 + 60 * 3);
    press(&mut s, KeyCode::Char('G'));
    assert_eq!(inspect(&s).scroll, 181 - rows);
    press(&mut s, KeyCode::PageUp);
    assert_eq!(inspect(&s).scroll, 181 - 2 * rows);
    press(&mut s, KeyCode::Home);
    press(&mut s, KeyCode::PageDown);
    press(&mut s, KeyCode::PageDown);
    assert_eq!(inspect(&s).scroll, 2 * rows);
    // Cut again, the line on top (row 40 is the 14th line's) stays on top.
    press(&mut s, KeyCode::Char('w'));
    assert!(!inspect(&s).flow.wrap);
    assert_eq!(inspect(&s).scroll, 14);
}
