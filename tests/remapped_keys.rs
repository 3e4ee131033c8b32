//! `[keys]` in the TUI's core: a remapped key does the action and the old
//! one no longer does; help, the footer and the palette show the key in
//! effect.

use std::path::Path;
use std::sync::Arc;

use crossterm::event::KeyCode;
use tugboat::app::keymap_load::build;
use tugboat::app::views::Overlay;
use tugboat::app::{update, State};
use tugboat::config::{parse_config, Theme};

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

/// The fixture with `[keys]` from `src` over the defaults.
fn with_keys(src: &str) -> State {
    let file = parse_config(Path::new("config.toml"), src).unwrap();
    let built = build(&file.keys);
    assert_eq!(built.errors, []);
    let mut s = state(false, (100, 30));
    s.keymap = Arc::new(built.keymap);
    s
}

fn screen(s: &State) -> String {
    let terminal = draw(s, &Theme::builtin_default());
    let buf = terminal.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
            line + "\n"
        })
        .collect()
}

#[test]
fn x_restarts_once_restart_is_x_and_r_does_not() {
    let mut s = with_keys("[keys.nodes]\nrestart = \"X\"\n");
    select(&mut s, "shop-db-1");
    press(&mut s, "r");
    assert!(s.overlays.is_empty(), "{:?}", s.overlays);
    press(&mut s, "X");
    match s.overlays.last() {
        Some(Overlay::Confirm(c)) => assert_eq!(c.title, "Restart container"),
        other => panic!("no confirmation: {other:?}"),
    }
    update(&mut s, code(KeyCode::Esc));
    assert!(s.overlays.is_empty());
}

#[test]
fn the_footer_help_and_palette_show_the_key_in_effect() {
    let mut s = with_keys("[keys.nodes]\nrestart = \"X\"\n[keys.global]\nhelp = \"F1\"\n");
    select(&mut s, "shop-db-1");
    let footer = screen(&s).lines().last().unwrap().to_string();
    assert!(footer.contains("X:restart"), "{footer}");
    assert!(footer.contains("F1:help"), "{footer}");
    assert!(!footer.contains("r:restart"), "{footer}");

    update(&mut s, code(KeyCode::F(1)));
    assert!(matches!(s.overlays.last(), Some(Overlay::Help { .. })));
    // Page down until the Nodes pane's rows show.
    let mut restart = None;
    for _ in 0..10 {
        restart = screen(&s)
            .lines()
            .find(|l| l.contains("restart the container (asks first)"))
            .map(str::to_string);
        if restart.is_some() {
            break;
        }
        update(&mut s, code(KeyCode::PageDown));
    }
    let restart = restart.expect("help lists restart");
    assert!(restart.contains("  X "), "{restart}");
    update(&mut s, code(KeyCode::Esc));

    press(&mut s, ":restart the container");
    let Some(Overlay::Palette(palette)) = s.overlays.last() else {
        panic!("no palette: {:?}", s.overlays.last());
    };
    let chosen = palette.chosen().unwrap();
    assert_eq!(chosen.name, "restart the container (asks first)");
    assert_eq!(chosen.key.as_deref(), Some("X"));
}

#[test]
fn an_unbound_action_is_still_in_help_and_the_palette() {
    let mut s = with_keys("[keys.nodes]\nrestart = []\n");
    select(&mut s, "shop-db-1");
    press(&mut s, "r");
    assert!(s.overlays.is_empty());
    assert!(!screen(&s).lines().last().unwrap().contains("restart"));
    press(&mut s, ":restart the container");
    let Some(Overlay::Palette(palette)) = s.overlays.last() else {
        panic!("no palette");
    };
    assert_eq!(palette.chosen().unwrap().key, None);
    update(&mut s, code(KeyCode::Enter));
    match s.overlays.last() {
        Some(Overlay::Confirm(c)) => assert_eq!(c.title, "Restart container"),
        other => panic!("the palette runs it still: {other:?}"),
    }
}
