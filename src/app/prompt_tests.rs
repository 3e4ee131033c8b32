//! The typed prompts through `update`: a count refused stays up as typed
//! to be corrected; the replication account's user, then its password
//! drawn as `*`s, which Ctrl-U clears whole.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::rows::NodeRow;
use crate::app::state::{Level, State};
use crate::app::views::{Overlay, Prompt, PromptFor};
use crate::app::{update, Effect, Msg};
use crate::model::cluster::LABEL_COMPOSE_SERVICE;
use crate::model::testing::container;
use crate::model::{Host, HostUpdate, Inventory, LABEL_COMPOSE_PROJECT};

/// One replica of the compose service shop/web, selected.
fn state() -> State {
    let mut inv = Inventory::new(vec![Host::new("local", "unix:///sock", "flag")]);
    let mut web = container("local", "shop-web-1");
    web.labels
        .insert(LABEL_COMPOSE_PROJECT.into(), "shop".into());
    web.labels
        .insert(LABEL_COMPOSE_SERVICE.into(), "web".into());
    inv.apply(HostUpdate::Listed {
        host: "local".into(),
        containers: vec![web],
        volumes: Vec::new(),
    });
    let mut s = State::new(inv, false, 0);
    while !matches!(s.selected_node(), Some(NodeRow::Container { .. })) {
        key(&mut s, KeyCode::Char('j'));
    }
    s
}

fn key(s: &mut State, code: KeyCode) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))).effects
}

fn typed(s: &mut State, text: &str) {
    for c in text.chars() {
        key(s, KeyCode::Char(c));
    }
}

fn prompt(s: &State) -> &Prompt {
    match s.top_overlay() {
        Some(Overlay::Prompt(p)) => p,
        other => panic!("no prompt on top: {other:?}"),
    }
}

fn warned(s: &State) -> String {
    let status = s.status.as_ref().expect("a reason");
    assert_eq!(status.level, Level::Warn, "{}", status.text);
    status.text.clone()
}

#[test]
fn a_count_refused_keeps_the_prompt_as_typed_to_correct() {
    let mut s = state();
    typed(&mut s, "s");
    // Digits only, at most six.
    typed(&mut s, "x-1234567");
    assert_eq!(prompt(&s).input.text(), "123456");
    for _ in 0..6 {
        key(&mut s, KeyCode::Backspace);
    }
    key(&mut s, KeyCode::Enter);
    assert_eq!(warned(&s), "type a number");
    typed(&mut s, "1");
    key(&mut s, KeyCode::Enter);
    assert!(warned(&s).contains("already has 1 replicas"));
    assert_eq!(prompt(&s).input.text(), "1", "kept as typed");
    // Corrected: the plan is asked for, the prompt gone beneath it.
    key(&mut s, KeyCode::Backspace);
    typed(&mut s, "2");
    key(&mut s, KeyCode::Enter);
    assert!(matches!(s.top_overlay(), Some(Overlay::Confirm(_))));
    assert_eq!(s.overlays.len(), 1, "{:?}", s.overlays);
}

#[test]
fn ctrl_u_in_the_password_clears_the_text_and_the_stars() {
    let mut s = state();
    typed(&mut s, "A");
    assert!(matches!(prompt(&s).about, PromptFor::ReplUser { .. }));
    // Enter with no user: the prompt stays up and says why.
    key(&mut s, KeyCode::Enter);
    assert!(warned(&s).contains("user's name"));
    typed(&mut s, "repl");
    key(&mut s, KeyCode::Enter);
    assert!(matches!(prompt(&s).about, PromptFor::ReplPassword { .. }));
    typed(&mut s, "hunter2");
    assert_eq!(prompt(&s).input.shown(), "*******");
    let ctrl_u = KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL);
    update(&mut s, Msg::Key(ctrl_u));
    let input = &prompt(&s).input;
    assert_eq!((input.text(), input.shown().as_str()), ("", ""));
    typed(&mut s, "s3cret");
    let effects = key(&mut s, KeyCode::Enter);
    let given = effects.iter().find_map(|e| match e {
        Effect::GiveReplAccount { account, .. } => Some(account),
        _ => None,
    });
    let account = given.expect("the account handed over");
    assert_eq!(
        (account.user.as_str(), account.password.as_str()),
        ("repl", "s3cret")
    );
}
