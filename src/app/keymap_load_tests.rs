//! The user's `[keys]` over the defaults: replacing, unbinding, and every
//! mistake and clash reported at its line.

use std::path::Path;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::keymap::live;
use crate::config::parse_config;

fn built(src: &str) -> Built {
    let file = parse_config(Path::new("/c/config.toml"), src).unwrap();
    build(&file.keys)
}

fn errors(src: &str) -> Vec<String> {
    built(src).errors.iter().map(|e| e.to_string()).collect()
}

fn press(keymap: &Keymap, c: char, contexts: &[Context]) -> Option<Action> {
    keymap.lookup(
        &KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
        contexts,
    )
}

#[test]
fn the_defaults_have_no_clash_and_no_mistake() {
    assert_eq!(build_defaults().errors, []);
    assert_eq!(clashes(&default_keymap()), []);
    assert_eq!(built("").errors, []);
}

#[test]
fn an_entry_replaces_the_keys_of_its_action_in_its_context() {
    let b = built("[keys.nodes]\nrestart = \"X\"\nkill = [\"K\", \"Ctrl-k\"]\n");
    assert_eq!(b.errors, []);
    let km = &b.keymap;
    assert_eq!(press(km, 'X', live::NODES), Some(Action::Restart));
    assert_eq!(press(km, 'r', live::NODES), None);
    let ctrl_k = KeyEvent::new(KeyCode::Char('k'), KeyModifiers::CONTROL);
    assert_eq!(
        km.lookup(&ctrl_k, live::NODES),
        Some(Action::Lifecycle(crate::ops::lifecycle::Lifecycle::Kill))
    );
    let restart = km.binding(Action::Restart, Context::Nodes).unwrap();
    assert_eq!(
        restart.written.as_ref().unwrap().to_string(),
        "/c/config.toml:2:1"
    );
    // Other contexts keep theirs: `r` is not bound elsewhere, `l` still opens logs.
    assert_eq!(press(km, 'l', live::NODES), Some(Action::Logs));
}

#[test]
fn an_empty_list_unbinds() {
    let b = built("[keys.nodes]\nrestart = []\n");
    assert_eq!(b.errors, []);
    assert_eq!(press(&b.keymap, 'r', live::NODES), None);
    let restart = b.keymap.binding(Action::Restart, Context::Nodes).unwrap();
    assert!(restart.keys.is_empty());
    // Still known: the palette runs it, help lists it.
    assert!(b.keymap.is_mutating(Action::Restart));
}

#[test]
fn an_unknown_context_is_reported_at_its_table() {
    let e = errors("[settings]\n\n[keys.node]\nrestart = \"X\"\n");
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with(
            "/c/config.toml:3:7: [keys.node]: no such context (there are: global, tables, nodes,"
        ),
        "{e:?}"
    );
}

#[test]
fn an_unknown_action_is_reported_with_what_there_is() {
    let e = errors("[keys.nodes]\nreboot = \"X\"\n");
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with("/c/config.toml:2:1: [keys.nodes] reboot: no such action in nodes (there are: copy-diagnostics, restart,"),
        "{e:?}"
    );
}

#[test]
fn an_action_of_another_context_says_where_it_works() {
    let e = errors("[keys.global]\nrestart = \"X\"\n");
    assert_eq!(
        e,
        ["/c/config.toml:2:1: [keys.global] restart: does nothing in global; it works in [keys.nodes]"]
    );
    let e = errors("[keys.nodes]\ncopy = \"y\"\n");
    assert!(
        e[0].ends_with("it works in [keys.tables], [keys.viewers]"),
        "{e:?}"
    );
}

#[test]
fn a_bad_key_is_reported_at_the_key_and_the_entry_left_as_it_was() {
    let src = "[keys.nodes]\nrestart = [\"X\", \"Hyper-q\"]\nlogs = \"F13\"\n";
    let b = built(src);
    let e: Vec<String> = b.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].starts_with(
            "/c/config.toml:2:17: [keys.nodes] restart: bad key: `Hyper-q` is not a key"
        ),
        "{e:?}"
    );
    assert!(
        e[1].starts_with("/c/config.toml:3:8: [keys.nodes] logs: bad key: `F13`: function keys"),
        "{e:?}"
    );
    assert_eq!(press(&b.keymap, 'r', live::NODES), Some(Action::Restart));
    assert!(b.errors.iter().all(KeymapError::stops_start));
}

#[test]
fn ctrl_c_is_only_quit() {
    let e = errors("[keys.nodes]\nrestart = \"Ctrl-c\"\n");
    assert_eq!(
        e,
        ["/c/config.toml:2:11: [keys.nodes] restart: Ctrl-c always quits; it cannot be another action's key"]
    );
    assert_eq!(
        errors("[keys.global]\nquit = [\"Ctrl-c\"]\n"),
        Vec::<String>::new()
    );
}

#[test]
fn a_key_on_two_actions_that_work_together_is_a_conflict_naming_both() {
    // `x` cancels a job on the Jobs pane: not live with Nodes, no clash.
    assert_eq!(
        errors("[keys.nodes]\nrestart = \"x\"\n"),
        Vec::<String>::new()
    );
    // `o` sorts every table, Nodes included.
    let b = built("[keys]\n[keys.nodes]\nlogs = \"o\"\n");
    let e: Vec<String> = b.errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        e,
        ["/c/config.toml:3:1: key o: \"logs\" (nodes) and \"sort\" (tables) where both work; o does \"logs\" there"]
    );
    assert!(!b.errors[0].stops_start());
    // The first wins: Nodes is looked up before Tables.
    assert_eq!(press(&b.keymap, 'o', live::NODES), Some(Action::Logs));
    assert_eq!(press(&b.keymap, 'o', live::TABLE), Some(Action::Sort));
}

#[test]
fn two_actions_in_one_context_conflict_too() {
    let e = errors("[keys.global]\nhelp = \"h\"\npalette = [\":\", \"h\"]\n");
    assert_eq!(
        e,
        ["/c/config.toml:3:1: key h: \"help\" (global) and \"palette\" (global) where both work; h does \"help\" there"]
    );
}

#[test]
fn a_key_that_changes_things_never_shares_one_with_moving() {
    // `j` moves down a table and scrolls a container's details, where
    // the Nodes keys work too: both are named.
    let e = errors("[keys.nodes]\nkill = \"j\"\n");
    assert_eq!(
        e,
        [
            "/c/config.toml:2:1: key j: \"kill\" (nodes) changes things and must not share a key with \"down\" (viewers), which moves; give it another key",
            "/c/config.toml:2:1: key j: \"kill\" (nodes) changes things and must not share a key with \"down\" (tables), which moves; give it another key",
        ]
    );
    // Moving onto a dangerous key is the same mistake, reported at the move.
    let b = built("[keys.tables]\nup = [\"Up\", \"r\"]\n");
    assert_eq!(b.errors.len(), 1, "{:?}", b.errors);
    assert!(b.errors[0].stops_start());
    assert!(
        b.errors[0]
            .to_string()
            .starts_with("/c/config.toml:2:1: key r: \"restart\" (nodes) changes things"),
        "{}",
        b.errors[0]
    );
    // A pane key too, and in a container's details (Viewer with Nodes).
    let e = errors("[keys.nodes]\nremove = \"1\"\n");
    assert!(e[0].contains("\"pane-nodes\" (global)"), "{e:?}");
    let e = errors("[keys.viewers]\ntop = [\"Home\", \"D\"]\n");
    assert!(
        e[0].contains("key D: \"remove\" (nodes) changes things"),
        "{e:?}"
    );
}

#[test]
fn q_closing_a_viewer_is_meant_but_other_shadows_are_not() {
    assert_eq!(
        errors("[keys.viewers]\nback = [\"Esc\", \"q\"]\n"),
        Vec::<String>::new()
    );
    let e = errors("[keys.viewers]\ncopy = \"?\"\n");
    assert_eq!(
        e,
        ["/c/config.toml:2:1: key ?: \"copy\" (viewers) and \"help\" (global) where both work; ? does \"copy\" there"]
    );
}

#[test]
fn every_mistake_is_reported_not_just_the_first() {
    let src = "[keys.nodes]\nrestart = \"Ctrl-\"\nreboot = \"X\"\nlogs = \"o\"\n\n[keys.nowhere]\nquit = \"x\"\n";
    let e = errors(src);
    assert_eq!(e.len(), 4, "{e:?}");
    let lines: Vec<&str> = e.iter().map(|e| e.split(": ").next().unwrap()).collect();
    assert_eq!(
        lines,
        [
            "/c/config.toml:2:11",
            "/c/config.toml:3:1",
            "/c/config.toml:4:1",
            "/c/config.toml:6:7",
        ]
    );
}
