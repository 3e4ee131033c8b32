use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::state::{Pane, State};
use crate::app::views::Overlay;
use crate::app::{update, Effect, Msg};
use crate::model::{Host, Inventory};

fn fresh() -> State {
    let inv = Inventory::new(vec![
        Host::new("local", "unix:///sock", "flag"),
        Host::new("db1", "tcp://10.0.0.1:2375", "flag"),
    ]);
    let mut s = State::new(inv, false, 1_700_000_000);
    s.themes = vec!["default".into(), "light".into(), "mono".into()];
    update(
        &mut s,
        Msg::Resize {
            width: 80,
            height: 24,
        },
    );
    s
}

fn key(s: &mut State, code: KeyCode) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))).effects
}

fn type_in(s: &mut State, text: &str) -> Vec<Effect> {
    let mut effects = Vec::new();
    for c in text.chars() {
        effects.extend(key(s, KeyCode::Char(c)));
    }
    effects
}

fn palette(s: &State) -> &Palette {
    match s.overlays.last() {
        Some(Overlay::Palette(p)) => p,
        other => panic!("no palette on top: {other:?}"),
    }
}

fn first_name(s: &State) -> String {
    palette(s).chosen().expect("an entry").name.clone()
}

#[test]
fn colon_opens_it_and_an_alias_finds_the_pane() {
    let mut s = fresh();
    type_in(&mut s, ":");
    assert!(palette(&s).shown.len() > 30, "every action is offered");
    type_in(&mut s, "volumes");
    assert_eq!(first_name(&s), "Volumes pane");
    assert_eq!(palette(&s).chosen().unwrap().key.as_deref(), Some("2"));
    key(&mut s, KeyCode::Enter);
    assert!(s.overlays.is_empty());
    assert_eq!(s.pane, Pane::Volumes);
}

#[test]
fn zk_and_backup_find_what_their_words_mean() {
    let mut s = fresh();
    type_in(&mut s, ":zk");
    assert_eq!(first_name(&s), "ZooKeeper pane");
    key(&mut s, KeyCode::Esc);
    assert!(s.overlays.is_empty(), "Esc closes");
    type_in(&mut s, ":backup");
    let chosen = palette(&s).chosen().unwrap();
    assert!(
        chosen.name.starts_with("back up the selected volume"),
        "{}",
        chosen.name
    );
    assert_eq!(chosen.key.as_deref(), Some("b"));
}

#[test]
fn theme_by_name_asks_the_runtime_for_it() {
    let mut s = fresh();
    type_in(&mut s, ":theme light");
    assert_eq!(first_name(&s), "theme light");
    let effects = key(&mut s, KeyCode::Enter);
    assert!(
        effects.contains(&Effect::UseTheme("light".into())),
        "{effects:?}"
    );
}

#[test]
fn host_by_name_selects_its_row_on_nodes() {
    let mut s = fresh();
    key(&mut s, KeyCode::Char('3'));
    type_in(&mut s, ":host db1");
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.pane, Pane::Nodes);
    let rows = s.node_rows();
    assert_eq!(
        rows[s.nodes.selected],
        crate::app::rows::NodeRow::Host("db1".into())
    );
}

#[test]
fn an_action_of_another_pane_opens_that_pane_and_runs_there() {
    let mut s = fresh();
    key(&mut s, KeyCode::Char('2'));
    type_in(&mut s, ":cancel the job");
    let chosen = palette(&s).chosen().unwrap();
    assert_eq!(chosen.place, Some("Jobs pane"), "says where it works");
    assert_eq!(chosen.key.as_deref(), Some("x"));
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.pane, Pane::Jobs);
}

#[test]
fn mutating_actions_chosen_are_still_refused_read_only() {
    let mut s = fresh();
    s.read_only = true;
    type_in(&mut s, ":rolling restart");
    key(&mut s, KeyCode::Enter);
    let status = s.status.as_ref().expect("a refusal");
    assert!(status.text.starts_with("read-only"), "{}", status.text);
}

#[test]
fn the_last_chosen_come_first() {
    let mut s = fresh();
    type_in(&mut s, ":timeline");
    key(&mut s, KeyCode::Enter);
    type_in(&mut s, ":");
    assert!(
        first_name(&s).starts_with("Timeline pane"),
        "{}",
        first_name(&s)
    );
    key(&mut s, KeyCode::Esc);
    type_in(&mut s, ":theme mono");
    key(&mut s, KeyCode::Enter);
    type_in(&mut s, ":");
    assert_eq!(first_name(&s), "theme mono");
    key(&mut s, KeyCode::Down);
    assert!(palette(&s)
        .chosen()
        .unwrap()
        .name
        .starts_with("Timeline pane"));
}

#[test]
fn nothing_matching_says_so() {
    let mut s = fresh();
    type_in(&mut s, ":qqqqzzzz");
    assert!(palette(&s).shown.is_empty());
    key(&mut s, KeyCode::Enter);
    let status = s.status.as_ref().expect("a message");
    assert!(
        status.text.contains("nothing in the palette matches"),
        "{}",
        status.text
    );
}

#[test]
fn over_a_viewer_only_what_works_there_is_offered() {
    let mut s = fresh();
    key(&mut s, KeyCode::Char('?'));
    type_in(&mut s, ":");
    let p = palette(&s);
    assert!(p.entries.iter().all(|e| !matches!(
        e.command,
        PaletteCommand::Run {
            context: Context::Balancer | Context::Table,
            ..
        }
    )));
}

/// A theme or host name that is none of them matches nothing: no loose
/// match elsewhere runs instead (`host nosuch` matched "mouse on/off"
/// and Enter turned the mouse on).
#[test]
fn a_theme_or_host_not_known_runs_nothing_else() {
    let mut s = fresh();
    type_in(&mut s, ":host nosuch");
    assert!(palette(&s).shown.is_empty(), "{:?}", first_name(&s));
    let effects = key(&mut s, KeyCode::Enter);
    assert!(!s.mouse, "the mouse stays off");
    assert!(effects.is_empty(), "{effects:?}");
    assert!(s.status.as_ref().unwrap().text.contains("host nosuch"));
    type_in(&mut s, ":theme nosuch");
    assert!(palette(&s).shown.is_empty(), "{:?}", first_name(&s));
    key(&mut s, KeyCode::Esc);
    // A name that is one, or part of one, still finds it.
    type_in(&mut s, ":host db");
    assert_eq!(first_name(&s), "host db1");
    key(&mut s, KeyCode::Esc);
    type_in(&mut s, ":THEME mon");
    assert_eq!(first_name(&s), "theme mono");
}
