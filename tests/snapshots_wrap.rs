//! Long lines in the viewers at 80x24: wrapped (`w`), or cut and scrolled
//! sideways (→), with a search's matches highlighted wherever they land;
//! and the inspect view's search.

use crossterm::event::KeyCode;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tugboat::app::views::Overlay;
use tugboat::app::{update, Effect, Msg, State};
use tugboat::config::Theme;
use tugboat::model::InspectSection;

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

/// Lines whose search match (`checksum`) sits past column 80: cut, it is
/// off screen.
fn open_long_logs(s: &mut State) {
    select(s, "shop-db-1");
    let session = press(s, "l")
        .into_iter()
        .find_map(|e| match e {
            Effect::OpenLogs { session, .. } => Some(session),
            _ => None,
        })
        .expect("logs opened");
    let lines = (0..40)
        .map(|i| {
            format!(
                "23:{i:02}:00 [Note] InnoDB: page {i} read; {}checksum ok for page {i}",
                "detail ".repeat(10)
            )
        })
        .collect();
    let skipped = 0;
    update(
        s,
        Msg::LogLines {
            session,
            lines,
            skipped,
        },
    );
    press(s, "/checksum");
    update(s, code(KeyCode::Enter));
    press(s, "G");
}

fn screen(s: &State, name: &str) -> (Terminal<TestBackend>, String) {
    let terminal = draw(s, &Theme::builtin_default());
    insta::assert_snapshot!(name, terminal.backend());
    let text = terminal.backend().to_string();
    (terminal, text)
}

/// The style of the first cell of `word` on the row holding `row_text`.
fn style_of(terminal: &Terminal<TestBackend>, row_text: &str, word: &str) -> ratatui::style::Style {
    let row = find_row(terminal, row_text).expect("row on screen");
    let buf = terminal.backend().buffer();
    let line: String = (0..buf.area.width)
        .map(|x| buf[(x, row)].symbol())
        .collect();
    let at = line.find(word).expect("word on the row");
    let x = u16::try_from(line[..at].chars().count()).unwrap();
    buf[(x, row)].style()
}

#[test]
fn wrapped_logs_show_the_whole_line_and_its_match() {
    let mut s = state(false, (80, 24));
    open_long_logs(&mut s);
    let (_, cut) = screen(&s, "logs_cut_80x24");
    assert!(!cut.contains("checksum ok"), "cut: the match is off screen");
    press(&mut s, "w");
    let (terminal, wrapped) = screen(&s, "logs_wrapped_80x24");
    assert!(wrapped.contains("[wrap]"));
    assert!(
        wrapped.contains("checksum ok for page 39"),
        "the newest line's end shows"
    );
    let theme = Theme::builtin_default();
    let hit = style_of(&terminal, "checksum ok for page 39", "checksum");
    assert_eq!(
        hit.fg, theme.filter.fg,
        "the match is highlighted on its wrapped row"
    );
    // The bottom of the screen is the bottom of the log: the newest line's
    // last row sits just above the status line.
    let last = find_row(&terminal, "checksum ok for page 39").unwrap();
    assert_eq!(last, 24 - 3);
}

#[test]
fn cut_logs_scroll_sideways() {
    let mut s = state(false, (80, 24));
    open_long_logs(&mut s);
    for _ in 0..3 {
        update(&mut s, code(KeyCode::Right));
    }
    let (_, shifted) = screen(&s, "logs_shifted_80x24");
    assert!(shifted.contains("→ col 25"));
    // The first 24 columns (the time and level) are off to the left.
    assert!(!shifted.contains("23:39:00"));
    assert!(shifted.contains("page 39 read;"));
}

#[test]
fn inspect_finds_highlights_and_wraps() {
    let mut s = state(false, (80, 24));
    select(&mut s, "shop-db-1");
    press(&mut s, "i");
    let Some(Overlay::Inspect(view)) = s.top_overlay() else {
        panic!("inspect opened")
    };
    let (host, id) = (view.host.clone(), view.id.clone());
    let mut lines: Vec<String> = (0..40).map(|i| format!("Env[{i}]=VAR_{i}=value")).collect();
    lines[25] = format!(
        "Cmd: mysqld {} --innodb-buffer-pool-size=1G",
        "--flag ".repeat(12)
    );
    let sections = vec![InspectSection {
        title: "Config",
        lines,
    }];
    let result = Ok(sections);
    update(&mut s, Msg::Inspected { host, id, result });
    press(&mut s, "/buffer-pool");
    update(&mut s, code(KeyCode::Enter));
    let (_, found) = screen(&s, "inspect_search_80x24");
    assert!(found.contains("search: buffer-pool"));
    // On top of the view, cut: the match is off screen to the right.
    assert!(found.contains("Cmd: mysqld"));
    assert!(!found.contains("buffer-pool-size"));
    press(&mut s, "w");
    let (terminal, wrapped) = screen(&s, "inspect_search_wrapped_80x24");
    assert!(wrapped.contains("[wrap]") && wrapped.contains("buffer-pool-size=1G"));
    let theme = Theme::builtin_default();
    let hit = style_of(&terminal, "buffer-pool-size", "buffer-pool");
    assert_eq!(hit.fg, theme.filter.fg);
    press(&mut s, "n");
    let said = s
        .status
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(said.contains("no more matches for `buffer-pool`"), "{said}");
}
