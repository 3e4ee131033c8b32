//! Snapshots of the panes and the frame around them (tabs, status line,
//! footer) at 80x24 and 200x50, driven through `update` as a user would,
//! plus plain assertions that still fail if snapshots are re-accepted
//! without being read.

use crossterm::event::KeyCode;
use ratatui::style::{Color, Modifier};
use tugboat::app::{update, State};
use tugboat::config::Theme;
use tugboat::model::{EngineInfo, HostUpdate};

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

/// Snapshot the screens of `both_sizes` as `<name>_<size>`; returns their text.
fn snap(name: &str, setup: impl Fn(&mut State), read_only: bool) -> Vec<String> {
    both_sizes(setup, read_only)
        .into_iter()
        .map(|(size, terminal)| {
            insta::assert_snapshot!(format!("{name}_{size}"), terminal.backend());
            terminal.backend().to_string()
        })
        .collect()
}

#[test]
fn nodes_pane_scrolled_with_a_selection() {
    let [small, large]: [String; 2] = snap("nodes", |s| select(s, "orders-db-replica"), false)
        .try_into()
        .unwrap();
    assert!(small.contains("orders-db-replica"));
    assert!(small.contains("2 Volumes"));
    assert!(small.contains("1/2 up"), "hosts count");
    assert!(small.contains("unreachable since"));
    assert!(
        !small.contains("PORTS") && !small.contains("HEALTH"),
        "hidden at 80 columns"
    );
    assert!(large.contains("PORTS") && large.contains("8080->80"));
    assert!(large.contains("▼ local · unix  Engine 20.10.24 API 1.41 · swarm manager"));
    assert!(small.contains("▼ db2 · tls  unreachable since"));
    assert!(large.contains("unhealthy"));
}

/// db2 up over TLS that does not check the engine's certificate: its row
/// says so in words and in the warn colour, never as plain `tls`, also at
/// 80 columns where the engine version gives way so `· up` still shows.
#[test]
fn unverified_tls_host_row_is_marked() {
    let setup = |s: &mut State| {
        let db2 = s.inventory.hosts.iter_mut().find(|h| h.name == "db2");
        db2.unwrap().transport = "tls (unverified)";
        s.inventory.apply(HostUpdate::Connected {
            host: "db2".into(),
            engine: EngineInfo {
                engine_version: "26.1.5".into(),
                api_version: "1.45".into(),
                os: "linux".into(),
                swarm_role: Some("manager".into()),
                swarm_id: Some("swarm-1".into()),
            },
        });
        select(s, "orders-db-replica");
    };
    let theme = Theme::builtin_default();
    for (size, terminal) in both_sizes(setup, false) {
        insta::assert_snapshot!(format!("unverified_tls_{size}"), terminal.backend());
        let screen = terminal.backend().to_string();
        let row = find_row(&terminal, "▼ db2").expect("db2's row");
        let line = screen.lines().nth(usize::from(row)).unwrap();
        assert!(
            line.contains("▼ db2 · tls unverified  ") && line.contains("running · up"),
            "{size}: {line}"
        );
        assert_eq!(size == "80x24", !line.contains("Engine 26.1.5"), "{line}");
        let buf = terminal.backend().buffer();
        let x = (0..buf.area.width)
            .find(|&x| buf[(x, row)].symbol() == "u" && buf[(x + 1, row)].symbol() == "n")
            .unwrap();
        assert_eq!(buf[(x, row)].fg, theme.status_warn.fg.unwrap(), "{size}");
    }
}

#[test]
fn volumes_pane() {
    let [small, large]: [String; 2] = snap("volumes", |s| drop(press(s, "2")), false)
        .try_into()
        .unwrap();
    assert!(small.contains("shop-data") && small.contains("1.2G"));
    assert!(small.contains("shop-db-1,shop-web-1") && large.contains("shop-web-2(stopped)"));
    assert!(!small.contains("MOUNTPOINT"));
    assert!(
        large.contains("MOUNTPOINT")
            && large.contains("LABELS")
            && large.contains("backup=nightly")
    );
}

#[test]
fn filter_being_typed() {
    let screens = snap("filter", |s| drop(press(s, "/zk")), false);
    for screen in &screens {
        assert!(screen.contains("/zk ") && screen.contains("filter: zk"));
        assert!(screen.contains("zk3") && !screen.contains("shop-db-1"));
        assert!(screen.contains("Enter:apply"));
    }
    // The cursor: a reversed cell after what is typed.
    let mut s = state(false, (80, 24));
    press(&mut s, "/zk");
    let terminal = draw(&s, &Theme::builtin_default());
    let cell = &terminal.backend().buffer()[(3, 22)];
    assert_eq!(cell.symbol(), " ");
    assert!(cell.modifier.contains(Modifier::REVERSED), "{cell:?}");
}

/// A filter no container matches says so, as the other panes do, under
/// the host rows (which are not filtered); with matches it is not said.
#[test]
fn a_filter_matching_no_container_says_so() {
    for size in SIZES {
        let mut s = state(false, size);
        press(&mut s, "/a[(%");
        update(&mut s, code(KeyCode::Enter));
        let terminal = draw(&s, &Theme::builtin_default());
        let said = find_row(&terminal, "no containers match `a[(%`");
        let host = find_row(&terminal, "▼ local").expect("the host row stays");
        assert!(said.is_some_and(|y| y > host), "{:?}", terminal.backend());
        let mut s = state(false, size);
        press(&mut s, "/zk");
        update(&mut s, code(KeyCode::Enter));
        let terminal = draw(&s, &Theme::builtin_default());
        assert!(find_row(&terminal, "no containers match").is_none());
    }
}

/// Enter on a cluster's row opens nothing: it says so, and where details are.
#[test]
fn enter_on_a_cluster_row_says_where_the_details_are() {
    let mut s = state(false, (80, 24));
    while !matches!(
        s.selected_node(),
        Some(tugboat::app::rows::NodeRow::Cluster { .. })
    ) {
        press(&mut s, "j");
    }
    update(&mut s, code(KeyCode::Enter));
    assert!(s.top_overlay().is_none());
    let said = &s.status.as_ref().expect("a message").text;
    assert!(said.contains("Enter on one of its members"), "{said}");
}

#[test]
fn read_only_badge_and_refusal() {
    let screens = snap(
        "read_only",
        |s| {
            select(s, "zk1");
            press(s, "r");
        },
        true,
    );
    for screen in &screens {
        assert!(screen.contains("READ-ONLY") && screen.contains("read-only: tugboat was started"));
        assert!(
            !screen.contains("r:restart"),
            "no restart hint when read-only"
        );
    }
}

#[test]
fn no_color_keeps_selection_and_errors_visible() {
    for size in SIZES {
        let mut s = state(false, size);
        select(&mut s, "shop-web-2");
        let terminal = draw(&s, &Theme::no_color());
        insta::assert_snapshot!(
            format!("no_color_{}x{}", size.0, size.1),
            terminal.backend()
        );
        let buf = terminal.backend().buffer();
        // The table's row (a wide screen's side panel is titled by it too).
        let selected = find_row(&terminal, "    shop-web-2").unwrap();
        assert!(
            buf[(6, selected)].modifier.contains(Modifier::REVERSED),
            "selection reversed"
        );
        for cell in buf.content() {
            assert!(
                cell.fg == Color::Reset && cell.bg == Color::Reset,
                "no colour"
            );
        }
        let unreachable = find_row(&terminal, "unreachable since").unwrap();
        let x = (0..buf.area.width)
            .find(|&x| buf[(x, unreachable)].symbol() == "u")
            .unwrap();
        assert!(buf[(x, unreachable)].modifier.contains(Modifier::BOLD));
    }
}

#[test]
fn tiny_terminals_do_not_panic() {
    // Every pane and overlay: keys from the top row (a host) down to a container.
    let setups = [
        "", "?", "jjjr", "jjjl", "jjji", "jjj\n", "\n", "2", "2\n", "/zk",
    ];
    for size in [
        (1, 1),
        (12, 3),
        (20, 5),
        (40, 10),
        (100, 12),
        (119, 30),
        (160, 40),
    ] {
        for keys in setups {
            let mut s = state(false, size);
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
