use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Modifier;

use super::*;

fn typed(text: &str) -> LineEditor {
    let mut e = LineEditor::new();
    for c in text.chars() {
        e.on_key(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    e
}

fn press(e: &mut LineEditor, code: KeyCode, times: usize) {
    for _ in 0..times {
        e.on_key(&KeyEvent::new(code, KeyModifiers::NONE));
    }
}

/// The spans' text, the cursor's cell in `[ ]`.
fn drawn(e: &LineEditor, width: usize) -> String {
    let theme = Theme::builtin_default();
    editor_spans(e, width, &theme)
        .iter()
        .map(|s| {
            if s.style.add_modifier.contains(Modifier::REVERSED) {
                format!("[{}]", s.content)
            } else {
                s.content.to_string()
            }
        })
        .collect()
}

#[test]
fn the_cursor_cell_is_reversed_and_a_space_at_the_end() {
    let mut e = typed("zk-1");
    assert_eq!(drawn(&e, 20), "zk-1[ ]");
    press(&mut e, KeyCode::Left, 2);
    assert_eq!(drawn(&e, 20), "zk[-]1");
    press(&mut e, KeyCode::Home, 1);
    assert_eq!(drawn(&e, 20), "[z]k-1");
    assert_eq!(drawn(&LineEditor::new(), 20), "[ ]");
}

#[test]
fn long_text_scrolls_so_the_cursor_stays_in_view() {
    let mut e = typed("abcdefghij");
    // At the end: the end shows, the cut start marked.
    assert_eq!(drawn(&e, 6), "…ghij[ ]");
    press(&mut e, KeyCode::Home, 1);
    assert_eq!(drawn(&e, 6), "[a]bcde…");
    press(&mut e, KeyCode::Right, 7);
    assert_eq!(drawn(&e, 6), "…efg[h]…");
    for width in 0..14 {
        for at in 0..=10 {
            press(&mut e, KeyCode::Home, 1);
            press(&mut e, KeyCode::Right, at);
            let shown = drawn(&e, width);
            assert!(shown.contains('['), "{width} {at}: {shown}");
            let cells = Span::raw(shown.replace(['[', ']'], "")).width();
            assert!(cells <= width.max(1), "{width} {at}: {shown}");
        }
    }
}

#[test]
fn masked_text_and_wide_chars() {
    let mut e = typed("hunter2").masked();
    assert_eq!(drawn(&e, 20), "*******[ ]");
    e.on_key(&KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    assert_eq!(drawn(&e, 20), "[ ]");
    let e = typed("日本語日本語");
    assert_eq!(drawn(&e, 8), "…日本語[ ]");
}

#[test]
fn control_chars_are_never_drawn() {
    let e = LineEditor::with_text("a\u{1b}[2J\u{202e}b");
    assert_eq!(drawn(&e, 20), "a?[2J?b[ ]");
}
