//! Scaling from the Nodes pane at 80x24: `s` asks for the count, Enter
//! shows the plan for confirmation; `+` and `-` go one step; read-only
//! refuses before any plan is shown.

use crossterm::event::KeyCode;
use tugboat::app::update;
use tugboat::app::views::Overlay;
use tugboat::config::Theme;

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

fn confirm_body(s: &tugboat::app::State) -> String {
    match s.top_overlay() {
        Some(Overlay::Confirm(c)) => c.body.join("\n"),
        other => panic!("no confirmation: {other:?}"),
    }
}

#[test]
fn s_asks_for_a_count_then_shows_the_plan() {
    let mut s = state(false, (80, 24));
    select(&mut s, "shop-web-1");
    press(&mut s, "s4");
    let terminal = draw(&s, &Theme::builtin_default());
    insta::assert_snapshot!("scale_prompt_80x24", terminal.backend());
    let screen = terminal.backend().to_string();
    assert!(screen.contains("(now 2 replicas) to how many?"), "{screen}");
    assert!(screen.contains("> 4"), "{screen}");

    update(&mut s, code(KeyCode::Enter));
    let terminal = draw(&s, &Theme::builtin_default());
    insta::assert_snapshot!("scale_confirm_80x24", terminal.backend());
    let body = confirm_body(&s);
    assert!(body.contains("from 2 to 4 replicas"), "{body}");
    assert!(body.contains("create and start shop-web-3"), "{body}");
    assert!(body.contains("create and start shop-web-4"), "{body}");
}

#[test]
fn plus_and_minus_go_one_step_escape_changes_nothing() {
    let mut s = state(false, (80, 24));
    select(&mut s, "shop-web-1");
    press(&mut s, "+");
    assert!(confirm_body(&s).contains("from 2 to 3 replicas"));
    update(&mut s, code(KeyCode::Esc));
    press(&mut s, "-");
    let body = confirm_body(&s);
    assert!(body.contains("stop and remove shop-web-2"), "{body}");
    assert!(!body.contains("shop-web-1 on"), "web-1 stays: {body}");
    update(&mut s, code(KeyCode::Esc));
    press(&mut s, "s");
    update(&mut s, code(KeyCode::Esc));
    assert!(s.top_overlay().is_none());
    // A database is refused with the reason, no dialog.
    let mut s = state(false, (80, 24));
    select(&mut s, "shop-db-1");
    press(&mut s, "+");
    assert!(s.top_overlay().is_none());
    assert!(s.status.as_ref().unwrap().text.contains("database"));
}

#[test]
fn read_only_refuses_scaling_before_a_plan() {
    let mut s = state(true, (80, 24));
    select(&mut s, "shop-web-1");
    press(&mut s, "+");
    assert!(s.top_overlay().is_none());
    assert!(s.status.as_ref().unwrap().text.contains("read-only"));
}
