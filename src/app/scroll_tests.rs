use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::help::help_rows;
use crate::app::msg::{Effect, Msg};
use crate::app::rows::NodeRow;
use crate::app::update::update;
use crate::model::testing::container;
use crate::model::{Host, HostUpdate, InspectSection, Inventory};

/// 80x24, one host with one container carrying `labels` labels, selected.
fn state(labels: usize) -> State {
    let mut c = container("local", "db-1");
    for i in 0..labels {
        c.labels.insert(format!("label.{i:02}").into(), "x".into());
    }
    let mut inv = Inventory::new(vec![Host::new("local", "unix:///sock", "flag")]);
    inv.apply(HostUpdate::Listed {
        host: "local".into(),
        containers: vec![c],
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

fn scroll(s: &State) -> usize {
    match s.top_overlay() {
        Some(Overlay::Help { scroll, .. } | Overlay::Detail { scroll, .. }) => *scroll,
        Some(Overlay::Inspect(view)) => view.scroll,
        Some(Overlay::Logs(view)) => view.scroll_from_bottom,
        other => panic!("no scrolling overlay: {other:?}"),
    }
}

fn max(s: &State) -> usize {
    s.max_scroll(s.top_overlay().unwrap())
}

#[test]
fn help_end_then_up_moves_one_line_up_from_the_bottom() {
    let mut s = state(0);
    press(&mut s, KeyCode::Char('?'));
    let max = max(&s);
    assert_eq!(max, help_rows(&s.keymap).len() - s.help_height());
    assert!(max > 0, "help is longer than 80x24 shows");
    press(&mut s, KeyCode::End);
    assert_eq!(scroll(&s), max);
    press(&mut s, KeyCode::Down);
    assert_eq!(scroll(&s), max, "no scrolling past the end");
    press(&mut s, KeyCode::Up);
    assert_eq!(scroll(&s), max - 1);
    press(&mut s, KeyCode::End);
    press(&mut s, KeyCode::PageUp);
    assert_eq!(scroll(&s), max.saturating_sub(s.help_height()));
}

#[test]
fn pages_move_by_exactly_the_visible_rows() {
    let mut s = state(0);
    press(&mut s, KeyCode::Char('?'));
    press(&mut s, KeyCode::PageDown);
    assert_eq!(scroll(&s), s.help_height().min(max(&s)));
    press(&mut s, KeyCode::Home);
    assert_eq!(scroll(&s), 0);

    press(&mut s, KeyCode::Esc);
    let effects = press(&mut s, KeyCode::Char('i'));
    let Some(Effect::Inspect { host, id }) = effects.into_iter().next() else {
        panic!("inspect asked for");
    };
    let lines = (0..100).map(|i| format!("line {i}")).collect();
    let sections = vec![InspectSection {
        title: "Config",
        lines,
    }];
    update(
        &mut s,
        Msg::Inspected {
            host,
            id,
            result: Ok(sections),
        },
    );
    press(&mut s, KeyCode::PageDown);
    press(&mut s, KeyCode::PageDown);
    assert_eq!(scroll(&s), 2 * s.viewer_height());
    press(&mut s, KeyCode::End);
    assert_eq!(scroll(&s), 101 - s.viewer_height());
    press(&mut s, KeyCode::Up);
    assert_eq!(scroll(&s), 100 - s.viewer_height());
}

#[test]
fn detail_scrolls_within_its_content() {
    let mut s = state(20);
    press(&mut s, KeyCode::Enter);
    assert!(matches!(
        s.top_overlay(),
        Some(Overlay::Detail { scroll: 0, .. })
    ));
    let max = max(&s);
    // 11 fields, Mounts + none, Labels + 20 labels, in 20 rows.
    assert_eq!(max, 11 + 2 + 1 + 20 - s.viewer_height());
    press(&mut s, KeyCode::Char('j'));
    assert_eq!(scroll(&s), 1);
    press(&mut s, KeyCode::Char('G'));
    assert_eq!(scroll(&s), max);
    press(&mut s, KeyCode::Char('k'));
    assert_eq!(scroll(&s), max - 1);
    press(&mut s, KeyCode::Home);
    press(&mut s, KeyCode::PageDown);
    assert_eq!(scroll(&s), s.viewer_height().min(max));
    // Container actions still work from its detail view.
    press(&mut s, KeyCode::Char('r'));
    assert!(matches!(s.top_overlay(), Some(Overlay::Confirm(_))));
}

#[test]
fn a_resize_keeps_scrolls_within_the_content() {
    let mut s = state(20);
    press(&mut s, KeyCode::Enter);
    press(&mut s, KeyCode::End);
    update(
        &mut s,
        Msg::Resize {
            width: 80,
            height: 50,
        },
    );
    assert_eq!(max(&s), 0);
    assert_eq!(scroll(&s), 0);
}

#[test]
fn log_pages_meet_even_under_the_end_note() {
    let mut s = state(0);
    let effects = press(&mut s, KeyCode::Char('l'));
    let Some(Effect::OpenLogs { session, .. }) = effects.into_iter().next() else {
        panic!("logs opened");
    };
    let lines = (0..100).map(|i| format!("{i}")).collect();
    let skipped = 0;
    update(
        &mut s,
        Msg::LogLines {
            session,
            lines,
            skipped,
        },
    );
    let reason = "stopped".to_string();
    update(&mut s, Msg::LogEnded { session, reason });
    let rows = s.viewer_height();
    // At the bottom rows - 1 lines show above the note: 100 - (rows - 1)..100.
    press(&mut s, KeyCode::PageUp);
    // Now the bottom line shown is the one just above that page.
    assert_eq!(100 - 1 - scroll(&s), 100 - rows);
    press(&mut s, KeyCode::End);
    press(&mut s, KeyCode::Up);
    assert_eq!(scroll(&s), 1);
    press(&mut s, KeyCode::Home);
    assert_eq!(scroll(&s), 100 - rows);
}

#[test]
fn key_contexts_follow_the_top_overlay() {
    let mut s = state(0);
    assert_eq!(
        s.key_contexts(),
        [Context::Nodes, Context::Table, Context::Global]
    );
    press(&mut s, KeyCode::Enter);
    assert_eq!(
        s.key_contexts(),
        [Context::Viewer, Context::Nodes, Context::Global]
    );
    press(&mut s, KeyCode::Char('?'));
    assert_eq!(s.key_contexts(), [Context::Viewer, Context::Global]);
}
