use super::*;

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn typed(text: &str) -> LineEditor {
    let mut e = LineEditor::new();
    for c in text.chars() {
        e.on_key(&key(KeyCode::Char(c)));
    }
    e
}

#[test]
fn typing_inserts_at_the_cursor() {
    let mut e = typed("zk-1");
    e.on_key(&key(KeyCode::Left));
    e.on_key(&key(KeyCode::Left));
    e.on_key(&key(KeyCode::Char('X')));
    assert_eq!((e.text(), e.cursor()), ("zkX-1", 3));
    e.on_key(&key(KeyCode::Home));
    e.on_key(&key(KeyCode::Delete));
    assert_eq!((e.text(), e.cursor()), ("kX-1", 0));
    e.on_key(&key(KeyCode::End));
    e.on_key(&key(KeyCode::Backspace));
    assert_eq!((e.text(), e.cursor()), ("kX-", 3));
}

#[test]
fn multibyte_text_is_edited_by_char() {
    let mut e = typed("héllo");
    e.on_key(&key(KeyCode::Left));
    e.on_key(&key(KeyCode::Left));
    e.on_key(&key(KeyCode::Left));
    e.on_key(&key(KeyCode::Backspace));
    assert_eq!(e.text(), "hllo");
}

#[test]
fn ctrl_w_deletes_the_word_before_the_cursor() {
    let mut e = typed("state:running zk-2  ");
    e.on_key(&ctrl('w'));
    assert_eq!(e.text(), "state:running zk-");
    e.on_key(&ctrl('w'));
    assert_eq!(e.text(), "state:running zk");
    e.on_key(&ctrl('w'));
    assert_eq!(e.text(), "state:running ");
    e.on_key(&ctrl('w'));
    assert_eq!(e.text(), "state:");
}

#[test]
fn ctrl_u_and_ctrl_k_cut_to_either_end() {
    let mut e = typed("secret");
    e.on_key(&key(KeyCode::Left));
    e.on_key(&ctrl('u'));
    assert_eq!((e.text(), e.cursor()), ("t", 0));
    let mut e = typed("secret");
    e.on_key(&ctrl('a'));
    e.on_key(&key(KeyCode::Right));
    e.on_key(&ctrl('k'));
    assert_eq!(e.text(), "s");
}

#[test]
fn masked_shows_one_star_per_char_left() {
    let mut e = LineEditor::new().masked();
    for c in "hunter2".chars() {
        e.on_key(&key(KeyCode::Char(c)));
    }
    assert_eq!(e.shown(), "*******");
    e.on_key(&ctrl('u'));
    // All of it gone, and shown so: a retyped password starts clean.
    assert_eq!((e.shown().as_str(), e.text()), ("", ""));
}

#[test]
fn limits_and_digits_refuse_chars() {
    let mut e = LineEditor::new().with_limit(3).accepting(Accepts::Digits);
    for c in "1a2-34".chars() {
        e.on_key(&key(KeyCode::Char(c)));
    }
    assert_eq!(e.text(), "123");
}

#[test]
fn history_recalls_newest_first_and_returns_to_the_draft() {
    let mut h = LineHistory::default();
    h.remember("zk");
    h.remember("db");
    h.remember("zk");
    h.remember("  ");
    let mut e = LineEditor::with_text("dra").with_history(&h);
    e.on_key(&key(KeyCode::Up));
    assert_eq!(e.text(), "zk");
    e.on_key(&key(KeyCode::Up));
    assert_eq!(e.text(), "db");
    // The oldest stays.
    e.on_key(&key(KeyCode::Up));
    assert_eq!(e.text(), "db");
    e.on_key(&key(KeyCode::Down));
    e.on_key(&key(KeyCode::Down));
    assert_eq!((e.text(), e.cursor()), ("dra", 3));
    assert_eq!(e.on_key(&key(KeyCode::Down)), Edit::Ignored);
}

#[test]
fn keys_it_does_not_edit_with_are_left_to_the_caller() {
    let mut e = typed("x");
    assert_eq!(e.on_key(&key(KeyCode::Tab)), Edit::Ignored);
    assert_eq!(e.on_key(&key(KeyCode::Up)), Edit::Ignored);
    assert_eq!(e.on_key(&key(KeyCode::Enter)), Edit::Submit);
    assert_eq!(e.on_key(&key(KeyCode::Esc)), Edit::Cancel);
    assert_eq!(e.take(), "x");
    assert!(e.is_empty());
}
