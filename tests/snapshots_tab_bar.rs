//! The tab bar's right side at 80 columns: the filter in force (it is what
//! hides rows) wins over the sort label when both do not fit; and the
//! mouse reads the tabs and rows where they are drawn (ui::mouse_spot).

use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tugboat::app::mouse_spot::Spot;
use tugboat::app::{update, Msg, Pane, State};
use tugboat::config::Theme;
use tugboat::ui::mouse_spot::spot_at;

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::{code, draw, press, state};

/// Sorted by state, reversed, and filtered by `filter` (typed, applied).
fn sorted_and_filtered(read_only: bool, size: (u16, u16), filter: &str) -> State {
    let mut s = state(read_only, size);
    press(&mut s, "ooO/");
    press(&mut s, filter);
    update(&mut s, code(KeyCode::Enter));
    assert_eq!(s.nodes.filter, filter);
    assert_eq!(s.nodes.sort.key.label(), "state");
    s
}

fn top_row(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    (0..buf.area.width).map(|x| buf[(x, 0)].symbol()).collect()
}

#[test]
fn at_80_columns_the_filter_wins_over_the_sort_label() {
    let theme = Theme::builtin_default();
    let s = sorted_and_filtered(false, (80, 24), "orders-db");
    let t = draw(&s, &theme);
    insta::assert_snapshot!("tab_bar_filter_and_sort_80x24", t.backend());
    let top = top_row(&t);
    assert!(top.ends_with("filter: orders-db  "), "{top:?}");
    assert!(!top.contains("sort:") && !top.contains('…'), "{top:?}");
    // Wide, both are there, the sort first.
    let wide = top_row(&draw(
        &sorted_and_filtered(false, (200, 50), "orders-db"),
        &theme,
    ));
    assert!(
        wide.contains("sort: state ↑  filter: orders-db"),
        "{wide:?}"
    );
}

#[test]
fn a_filter_too_long_is_cut_and_the_read_only_badge_stays() {
    let theme = Theme::builtin_default();
    let long = "orders-db-primary-in-the-eu-west-datacenter";
    let s = sorted_and_filtered(true, (80, 24), long);
    let top = top_row(&draw(&s, &theme));
    // Seven tabs leave little room: `/` stands for "filter: ".
    assert!(top.contains(" /order…"), "{top:?}");
    assert!(top.contains('…') && !top.contains(long), "{top:?}");
    assert!(top.ends_with(" READ-ONLY  "), "{top:?}");
    assert!(!top.contains("sort:"), "{top:?}");
}

#[test]
fn the_mouse_reads_tabs_and_rows_where_they_are_drawn() {
    let theme = Theme::builtin_default();
    for size in [(80, 24), (200, 50)] {
        let mut s = state(false, size);
        let top = top_row(&draw(&s, &theme));
        let cells: Vec<char> = top.chars().collect();
        let x_of = |text: &str| {
            let x = (0..cells.len())
                .find(|&x| cells[x..].iter().collect::<String>().starts_with(text))
                .unwrap_or_else(|| panic!("no {text} in {top:?}"));
            u16::try_from(x).unwrap()
        };
        assert_eq!(spot_at(&s, x_of("3 Zoo"), 0), Spot::Tab(2));
        assert_eq!(spot_at(&s, x_of("6 Time"), 0), Spot::Tab(5));
        // The `│` between two tabs is no tab.
        assert_eq!(spot_at(&s, x_of("│ 2"), 0), Spot::Other);
        // Border, header, first row.
        assert_eq!(spot_at(&s, 5, 1), Spot::Other);
        assert_eq!(spot_at(&s, 5, 2), Spot::Other);
        assert_eq!(spot_at(&s, 5, 3), Spot::Row(0));
        assert_eq!(spot_at(&s, 0, 3), Spot::Other);
        assert_eq!(spot_at(&s, 5, size.1 - 3), Spot::Other);
        // Right of the table (its border; at 200 columns, the side panel).
        let right = if size.0 >= 160 { 170 } else { size.0 - 1 };
        assert_eq!(spot_at(&s, right, 3), Spot::Other);
        // Through update, with the mouse on: a row, then a tab.
        s.spot_at = spot_at;
        update(
            &mut s,
            Msg::Key(crossterm::event::KeyEvent::new(
                KeyCode::F(2),
                KeyModifiers::NONE,
            )),
        );
        let click = |column, row| {
            Msg::Mouse(MouseEvent {
                kind: MouseEventKind::Down(MouseButton::Left),
                column,
                row,
                modifiers: KeyModifiers::NONE,
            })
        };
        update(&mut s, click(10, 6));
        assert_eq!(s.nodes.selected, 3);
        update(&mut s, click(x_of("2 Vol"), 0));
        assert_eq!(s.pane, Pane::Volumes);
    }
}
