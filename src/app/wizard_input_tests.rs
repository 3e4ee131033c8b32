//! The wizard's text inputs as line editors (a cursor, Ctrl-U/Ctrl-W),
//! validated as typed; j/k on the Template list; why Enter does not go
//! on from Placement.

use super::*;

fn ctrl(s: &mut State, c: char) {
    update(
        s,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    );
}

fn cursor(s: &State) -> usize {
    wizard(s).editor().expect("a text input focused").cursor()
}

#[test]
fn the_name_is_edited_at_a_cursor_and_checked_on_every_change() {
    let mut s = state(false);
    typed(&mut s, "n");
    key(&mut s, KeyCode::Enter);
    typed(&mut s, "new-web");
    ctrl(&mut s, 'w');
    assert_eq!(wizard(&s).spec.name, "new-");
    key(&mut s, KeyCode::Left);
    key(&mut s, KeyCode::Left);
    assert_eq!(cursor(&s), 2);
    typed(&mut s, "X");
    assert_eq!((wizard(&s).spec.name.as_str(), cursor(&s)), ("neXw-", 3));
    assert!(wizard(&s).name_problem.is_some(), "checked as typed");
    key(&mut s, KeyCode::Backspace);
    key(&mut s, KeyCode::End);
    typed(&mut s, "shop");
    assert_eq!(wizard(&s).spec.name, "new-shop");
    assert_eq!(wizard(&s).name_problem, None);
    ctrl(&mut s, 'u');
    assert_eq!(wizard(&s).spec.name, "");
    assert_eq!(wizard(&s).name_problem.as_deref(), Some("a name is needed"));
}

#[test]
fn a_field_starts_with_the_cursor_at_its_end_and_ctrl_u_clears_it() {
    let mut s = state(false);
    to_settings(&mut s, '1', "zk");
    key(&mut s, KeyCode::Home);
    assert_eq!(cursor(&s), 0);
    // Away and back: the cursor is at the end again.
    key(&mut s, KeyCode::Tab);
    key(&mut s, KeyCode::BackTab);
    assert_eq!(cursor(&s), 1);
    ctrl(&mut s, 'u');
    assert_eq!(wizard(&s).field_text("zookeeper.members"), "");
    assert!(wizard(&s).field_message("zookeeper.members").unwrap().1);
    typed(&mut s, "5");
    assert_eq!(wizard(&s).spec.zookeeper.members, 5);
    assert_eq!(wizard(&s).field_message("zookeeper.members"), None);
}

#[test]
fn j_and_k_move_in_the_template_list_but_are_typed_in_a_name() {
    let mut s = state(false);
    typed(&mut s, "n");
    typed(&mut s, "jj");
    assert_eq!(wizard(&s).template, 2);
    typed(&mut s, "k");
    assert_eq!(wizard(&s).template, 1);
    key(&mut s, KeyCode::Enter);
    typed(&mut s, "jk");
    assert_eq!(wizard(&s).spec.name, "jk");
}

#[test]
fn enter_in_placement_with_no_host_says_why() {
    let mut s = state(false);
    typed(&mut s, "n");
    key(&mut s, KeyCode::Enter);
    typed(&mut s, "fresh");
    key(&mut s, KeyCode::Enter);
    assert_eq!(wizard(&s).step, WizardStep::Placement);
    // The first host comes ticked: untick it.
    typed(&mut s, " ");
    key(&mut s, KeyCode::Enter);
    assert_eq!(wizard(&s).step, WizardStep::Placement);
    let status = s.status.as_ref().expect("a reason");
    assert_eq!(status.level, Level::Warn);
    assert!(status.text.contains("choose a host"), "{}", status.text);
}
