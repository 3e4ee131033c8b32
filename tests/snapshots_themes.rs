//! Every builtin theme on one screen (the Nodes pane of the UI fixture at
//! 80x24, a stopped container selected): the snapshots record, for a few
//! rows, each run of cells drawn in one style with its colours and
//! modifiers, so a theme that stops reaching the screen shows up. Plain
//! assertions beside them: the text never depends on the theme, the
//! themes all look different, and 16 colours mean only the named ones.

use std::fmt::Write;

use ratatui::backend::TestBackend;
use ratatui::buffer::Cell;
use ratatui::style::{Color, Modifier};
use ratatui::Terminal;
use tugboat::app::State;
use tugboat::config::{ColorDepth, Theme, BUILTIN_THEMES};

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

fn screen() -> State {
    let mut s = state(false, (80, 24));
    select(&mut s, "shop-web-2");
    s
}

fn theme(name: &str) -> Theme {
    Theme::builtin(name).unwrap_or_else(|| panic!("no builtin {name}"))
}

/// The rows the snapshots describe, each found by its text.
const ROWS: &[(&str, &str)] = &[
    ("tabs", " 1 Nodes"),
    ("title", "┌ Nodes"),
    ("header", "NAME"),
    ("ok", "shop-db-1"),
    ("selected", "shop-web-2"),
    ("bad", "unreachable since"),
    ("status line", " hosts "),
    ("footer", "?:help"),
];

fn style_of(c: &Cell) -> (Color, Color, Modifier) {
    (c.fg, c.bg, c.modifier)
}

/// Each run of cells in one style on row `y`: its columns, text, colours
/// and modifiers.
fn runs(terminal: &Terminal<TestBackend>, y: u16) -> String {
    let buf = terminal.backend().buffer();
    let mut out = String::new();
    let mut x = 0;
    while x < buf.area.width {
        let style = style_of(&buf[(x, y)]);
        let start = x;
        let mut text = String::new();
        while x < buf.area.width && style_of(&buf[(x, y)]) == style {
            text.push_str(buf[(x, y)].symbol());
            x += 1;
        }
        let (fg, bg, modifier) = style;
        let text = text.trim_end();
        let text = if text.chars().count() > 24 {
            format!("{}…", text.chars().take(24).collect::<String>())
        } else {
            text.to_string()
        };
        writeln!(
            out,
            "  {start:>2}-{:<2} fg={fg:<22} bg={bg:<22} {modifier:<22} {text:?}",
            x - 1,
            fg = format!("{fg:?}"),
            bg = format!("{bg:?}"),
            modifier = format!("{modifier:?}"),
        )
        .unwrap();
    }
    out
}

fn describe(terminal: &Terminal<TestBackend>) -> String {
    let mut out = String::new();
    for (what, text) in ROWS {
        let y = find_row(terminal, text).unwrap_or_else(|| panic!("no row with {text:?}"));
        writeln!(out, "{what} (row {y}):").unwrap();
        out.push_str(&runs(terminal, y));
    }
    out
}

#[test]
fn each_builtin_theme_styles_the_nodes_pane() {
    let s = screen();
    let plain = draw(&s, &Theme::builtin_default()).backend().to_string();
    let mut described = Vec::new();
    for name in BUILTIN_THEMES {
        let terminal = draw(&s, &theme(name));
        assert_eq!(
            terminal.backend().to_string(),
            plain,
            "{name}: a theme changes styles, never text"
        );
        let text = describe(&terminal);
        insta::assert_snapshot!(format!("theme_{name}_80x24"), text);
        described.push((name, text));
    }
    for (i, (a, da)) in described.iter().enumerate() {
        for (b, db) in &described[i + 1..] {
            assert_ne!(da, db, "{a} and {b} look the same");
        }
    }
}

/// The selected row and an error stay visible in every theme: the
/// selection differs from the row under it, the error from plain text.
#[test]
fn selection_and_errors_stand_out_in_every_theme() {
    let s = screen();
    for name in BUILTIN_THEMES {
        let terminal = draw(&s, &theme(name));
        let buf = terminal.backend().buffer();
        let selected = find_row(&terminal, "shop-web-2").unwrap();
        let next = find_row(&terminal, "▸ ungrouped").unwrap();
        assert_ne!(
            style_of(&buf[(6, selected)]),
            style_of(&buf[(6, next)]),
            "{name}: selection"
        );
        let bad = find_row(&terminal, "unreachable since").unwrap();
        let x = (0..buf.area.width)
            .find(|&x| buf[(x, bad)].symbol() == "u")
            .unwrap();
        let t = theme(name);
        assert_eq!(
            style_of(&buf[(x, bad)]).2 & t.status_bad.add_modifier,
            t.status_bad.add_modifier,
            "{name}: the error is drawn as status_bad"
        );
        assert!(
            buf[(x, bad)].modifier.contains(Modifier::BOLD),
            "{name}: errors are bold"
        );
    }
}

#[test]
fn solarized_at_16_colours_uses_only_the_named_ones() {
    let s = screen();
    let solarized = theme("solarized");
    let truecolor = draw(&s, &solarized);
    let rgb = |c: Color| matches!(c, Color::Rgb(..));
    assert!(
        truecolor
            .backend()
            .buffer()
            .content()
            .iter()
            .any(|c| rgb(c.fg) && rgb(c.bg)),
        "solarized is written in #rrggbb"
    );
    for depth in [ColorDepth::Ansi16, ColorDepth::Ansi256] {
        let terminal = draw(&s, &solarized.clone().for_depth(depth));
        for (i, cell) in terminal.backend().buffer().content().iter().enumerate() {
            for c in [cell.fg, cell.bg, cell.underline_color] {
                let ok = match (depth, c) {
                    (_, Color::Rgb(..)) => false,
                    (ColorDepth::Ansi16, Color::Indexed(n)) => n < 16,
                    _ => true,
                };
                assert!(ok, "{depth:?}: cell {i} {:?} has {c:?}", cell.symbol());
            }
        }
    }
}
