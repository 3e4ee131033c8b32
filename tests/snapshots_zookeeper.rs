//! Snapshots of the ZooKeeper pane (key `3`) at 80x24 and 200x50: a
//! healthy ensemble, one without quorum, one with two leaders and a member
//! still being probed, the fixture's zk-prod with a member restarting; plus
//! NO_COLOR, the empty pane, and plain assertions that still fail if the
//! snapshots are re-accepted without being read.

use crossterm::event::KeyCode;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};
use ratatui::Terminal;
use tugboat::app::views::{Overlay, Target};
use tugboat::app::{update, Pane};
use tugboat::config::Theme;

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

/// The column where `text` starts on row `y`.
fn find_x(terminal: &Terminal<TestBackend>, y: u16, text: &str) -> u16 {
    let buf = terminal.backend().buffer();
    let cells: Vec<&str> = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
    (0..cells.len())
        .find(|&x| cells[x..].concat().starts_with(text))
        .and_then(|x| u16::try_from(x).ok())
        .unwrap_or_else(|| panic!("no {text} on row {y}"))
}

#[test]
fn ensembles_members_and_warnings() {
    let theme = Theme::builtin_default();
    let mut screens = Vec::new();
    for size in SIZES {
        let s = zookeeper_state(size);
        assert_eq!(s.pane, Pane::Zookeeper);
        let terminal = draw(&s, &theme);
        insta::assert_snapshot!(
            format!("zookeeper_{}x{}", size.0, size.1),
            terminal.backend()
        );
        // Warnings are loud: drawn in the theme's "bad" style (the first
        // row, NO QUORUM, is under the selection).
        let row = find_row(&terminal, "⚠ TWO LEADERS").unwrap();
        let x = find_x(&terminal, row, "⚠ TWO LEADERS");
        let buf = terminal.backend().buffer();
        assert_eq!(buf[(x, row)].fg, theme.status_bad.fg.unwrap());
        assert!(buf[(x, row)].modifier.contains(Modifier::BOLD));
        // Followers not in sync, and an answer over a minute old, warn.
        let style_of = |text: &str| {
            let row = find_row(&terminal, text).unwrap();
            buf[(find_x(&terminal, row, text), row)].fg
        };
        assert_eq!(style_of("0/1"), theme.status_warn.fg.unwrap());
        if size.0 >= 122 {
            assert_eq!(style_of("1m ago"), theme.status_warn.fg.unwrap());
        }
        screens.push(terminal.backend().to_string());
    }
    let [small, large] = [&screens[0], &screens[1]];
    for screen in [small, large] {
        assert!(screen.contains("ZooKeeper · 4 ensembles"));
        assert!(screen.contains("leader orders-zk-2 · 3/3 up · quorum OK · tolerates 1"));
        assert!(screen.contains("leader zk2 · 2/3 up · quorum OK · tolerates 0"));
        assert!(screen.contains("⚠ TWO LEADERS: search-zk-1, search-zk-2"));
        assert!(screen.contains("0x3:0x2a") && screen.contains("0.3/12"));
        assert!(screen.contains("probing…") && screen.contains("not serving"));
        assert!(screen.contains("container restarting"));
        assert!(screen.contains("exec timed out after 5s"));
        assert!(screen.contains("Enter:detail") && !screen.contains("o:sort"));
    }
    assert!(!small.contains("HOST") && !small.contains("OUTST") && !small.contains("PROBED"));
    assert!(large.contains("HOST") && large.contains("OUTST") && large.contains("PROBED"));
    assert!(large.contains("1m ago") && large.contains("2s ago"));
    assert!(large.contains("⚠ search-zk-2 lags: epoch 0x4, leader at 0x5"));
    assert!(large.contains("NO QUORUM: 0 up, 2 needed — the ensemble refuses writes"));
}

#[test]
fn no_color_keeps_modes_and_warnings_visible() {
    for size in SIZES {
        let mut s = zookeeper_state(size);
        press(&mut s, "jjjjjj"); // orders-zk-2, the healthy ensemble's leader
        let terminal = draw(&s, &Theme::no_color());
        insta::assert_snapshot!(
            format!("zookeeper_no_color_{}x{}", size.0, size.1),
            terminal.backend()
        );
        let buf = terminal.backend().buffer();
        for cell in buf.content() {
            assert!(cell.fg == Color::Reset && cell.bg == Color::Reset);
        }
        let selected = find_row(&terminal, "2   orders-zk-2").unwrap();
        assert!(buf[(1, selected)].modifier.contains(Modifier::REVERSED));
        let warning = find_row(&terminal, "⚠ NO QUORUM").unwrap();
        let x = find_x(&terminal, warning, "⚠ NO QUORUM");
        let loud = Modifier::BOLD | Modifier::UNDERLINED;
        assert!(buf[(x, warning)].modifier.contains(loud));
        // Followers plain, the leader bold, unreachable loud.
        let leader = find_row(&terminal, "  zk2").unwrap();
        let x = find_x(&terminal, leader, "leader");
        assert!(buf[(x, leader)].modifier.contains(Modifier::BOLD));
        let down = find_row(&terminal, "  zk3").unwrap();
        let x = find_x(&terminal, down, "unreachable");
        assert!(buf[(x, down)].modifier.contains(loud));
    }
}

#[test]
fn empty_pane_says_where_roles_come_from() {
    for size in SIZES {
        let mut s = state(false, size);
        s.inventory
            .containers
            .retain(|_, c| !c.image.starts_with("zookeeper"));
        update(&mut s, key('3'));
        let terminal = draw(&s, &Theme::builtin_default());
        insta::assert_snapshot!(
            format!("zookeeper_empty_{}x{}", size.0, size.1),
            terminal.backend()
        );
        let text = "no ZooKeeper containers found (role detected from labels, image or command)";
        let row = find_row(&terminal, text).unwrap();
        assert_eq!(row, 1 + (s.height - 3) / 2, "centred in the pane");
        assert!(terminal
            .backend()
            .to_string()
            .contains("ZooKeeper · 0 ensembles"));
    }
    let mut s = zookeeper_state((80, 24));
    press(&mut s, "/kafka");
    update(&mut s, code(KeyCode::Enter));
    let terminal = draw(&s, &Theme::builtin_default());
    assert!(find_row(&terminal, "no ensembles match `kafka`").is_some());
}

#[test]
fn scrolled_to_the_last_member() {
    // 12 rows: 6 body rows for 16 table rows. The view is set directly:
    // drawing is a pure function of it, whatever keys led there.
    let mut s = zookeeper_state((80, 12));
    assert_eq!(s.table_height(), 6);
    s.zookeeper.selected = 15;
    s.zookeeper.offset = 10;
    let terminal = draw(&s, &Theme::builtin_default());
    let screen = terminal.backend().to_string();
    assert!(screen.contains("16/16") && screen.contains("MEMBER"));
    assert!(screen.contains("search-zk-3") && screen.contains("zk3"));
    assert!(!screen.contains("billing-zk") && !screen.contains("search-zk-1"));
    let selected = find_row(&terminal, "container restarting").unwrap();
    let buf = terminal.backend().buffer();
    assert_eq!(
        buf[(1, selected)].bg,
        Theme::builtin_default().selected.bg.unwrap()
    );
}

#[test]
fn enter_on_a_member_opens_its_container() {
    let mut s = zookeeper_state((80, 24));
    update(&mut s, key('G'));
    update(&mut s, code(KeyCode::Enter));
    let zk3 = s
        .inventory
        .containers
        .values()
        .find(|c| c.name == "zk3")
        .unwrap();
    assert!(matches!(
        s.overlays.last(),
        Some(Overlay::Detail { target: Target::Container { id, .. }, .. }) if *id == zk3.id
    ));
}

#[test]
fn tiny_terminals_do_not_panic() {
    for size in [
        (1, 1),
        (12, 3),
        (20, 5),
        (40, 10),
        (100, 12),
        (121, 30),
        (122, 8),
    ] {
        for keys in ["", "j", "G", "/zk\n", "?"] {
            let mut s = zookeeper_state(size);
            for c in keys.chars() {
                let msg = if c == '\n' {
                    code(KeyCode::Enter)
                } else {
                    key(c)
                };
                update(&mut s, msg);
            }
            draw(&s, &Theme::builtin_default());
        }
    }
}

/// Enter on an ensemble's row opens nothing: it says so, and where
/// details are (a member's row).
#[test]
fn enter_on_an_ensemble_row_says_where_the_details_are() {
    let mut s = zookeeper_state((80, 24));
    assert_eq!(s.pane, Pane::Zookeeper);
    s.zookeeper.selected = 0;
    update(&mut s, code(KeyCode::Enter));
    assert!(s.top_overlay().is_none());
    let said = &s.status.as_ref().expect("a message").text;
    assert!(said.contains("Enter on one of its members"), "{said}");
    press(&mut s, "j");
    update(&mut s, code(KeyCode::Enter));
    assert!(matches!(
        s.top_overlay(),
        Some(Overlay::Detail {
            target: Target::Container { .. },
            ..
        })
    ));
}
