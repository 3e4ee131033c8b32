//! Snapshots of the Balancer pane (key `4`) at 80x24 and 200x50: a probed
//! HAProxy with a drained server, one not probed yet, one without a stats
//! socket, and one on an unreachable host with a server failing its
//! checks; plus NO_COLOR, the empty pane, and plain assertions that still
//! fail if the snapshots are re-accepted without being read.

use crossterm::event::KeyCode;
use ratatui::backend::TestBackend;
use ratatui::style::{Color, Modifier};
use ratatui::Terminal;
use tugboat::app::{update, Pane};
use tugboat::config::Theme;

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

const NO_SOCKET: &str = "no stats socket in /usr/local/etc/haproxy/haproxy.cfg; add to its \
                         global section: stats socket ipv4@127.0.0.1:9999 level admin";

/// The column where `text` starts on row `y`.
fn find_x(terminal: &Terminal<TestBackend>, y: u16, text: &str) -> u16 {
    let buf = terminal.backend().buffer();
    let cells: Vec<&str> = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
    (0..cells.len())
        .find(|&x| cells[x..].concat().starts_with(text))
        .and_then(|x| u16::try_from(x).ok())
        .unwrap_or_else(|| panic!("no {text} on row {y}"))
}

/// The text of row `y`, trailing blanks and border aside (and a wide
/// screen's side panel, whose border meets the table's: `││`).
fn row_text(terminal: &Terminal<TestBackend>, y: u16) -> String {
    let buf = terminal.backend().buffer();
    let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
    let table = line.split("││").next().unwrap_or(&line);
    table
        .trim_end()
        .trim_end_matches('│')
        .trim_end()
        .to_string()
}

#[test]
fn balancers_backends_and_servers() {
    let theme = Theme::builtin_default();
    let mut screens = Vec::new();
    for size in SIZES {
        let s = balancer_state(size);
        assert_eq!(s.pane, Pane::Balancer);
        let terminal = draw(&s, &theme);
        insta::assert_snapshot!(
            format!("balancer_{}x{}", size.0, size.1),
            terminal.backend()
        );
        let buf = terminal.backend().buffer();
        let style_of = |text: &str| {
            let row = find_row(&terminal, text).unwrap();
            buf[(find_x(&terminal, row, text), row)].fg
        };
        // The drained server warns; its container is named.
        let app2 = find_row(&terminal, "    app2").unwrap();
        assert_eq!(
            buf[(find_x(&terminal, app2, "DRAIN"), app2)].fg,
            theme.status_warn.fg.unwrap()
        );
        assert!(row_text(&terminal, app2).ends_with("shop-app-2"));
        assert_eq!(style_of("OPEN"), theme.status_ok.fg.unwrap());
        assert_eq!(style_of("no stats socket"), theme.status_bad.fg.unwrap());
        assert_eq!(style_of("probing…"), theme.muted.fg.unwrap());
        screens.push(terminal.backend().to_string());
    }
    let [small, large] = [&screens[0], &screens[1]];
    for screen in [small, large] {
        assert!(screen.contains("Balancer · 6 balancers"));
        assert!(
            screen.contains("▼ edge-lb on local · socket /var/run/haproxy.sock · probed 2s ago")
        );
        assert!(screen.contains("  frontend fe_app     OPEN  sessions 0  rate 0/s"));
        assert!(screen.contains("  backend  be_app     UP  2 active · 0 backup  sessions 0"));
        assert!(screen.contains("▼ haproxy-edge-with-a-rather-long-name on local · probing…"));
        assert!(screen.contains("SERVER") && screen.contains("CONTAINER"));
        assert!(screen.contains("shop-app-1") && screen.contains("shop-app-3"));
        assert!(screen.contains("no check") && screen.contains("L7OK"));
        assert!(screen.contains("Enter:go to node"));
    }
    // At 80 the missing-socket line is cut, visibly.
    let cut = "▼ web-lb on local · no stats socket in /usr/local/etc/haproxy/haproxy.cfg; ad…";
    assert!(small.contains(cut));
    // Names this short leave room at 80 for every column, addresses too.
    assert!(small.contains("ADDRESS") && small.contains("CHANGED"));
    assert!(small.contains("172.18.0.2:8080"));
    // At 200 all of it reads, and the host that went away shows its last stats.
    assert!(large.contains(&format!("▼ web-lb on local · {NO_SOCKET} · probed 5s ago")));
    assert!(large.contains("ADDRESS") && large.contains("CHANGED"));
    assert!(large.contains("172.18.0.4:8080"));
    assert!(large.contains("▼ orders-lb on db2 · socket /var/run/haproxy.sock · probed 10m ago"));
    assert!(large.contains("UP 1/2") && large.contains("L4TOUT"));
}

#[test]
fn server_rows_line_up_under_the_header() {
    let s = balancer_state((200, 50));
    let terminal = draw(&s, &Theme::builtin_default());
    let header = find_row(&terminal, "SERVER").unwrap();
    let app2 = find_row(&terminal, "    app2").unwrap();
    for (title, value) in [
        ("STATUS", "DRAIN"),
        ("CHECK", "L7OK"),
        ("ADDRESS", "172.18.0.3"),
    ] {
        assert_eq!(
            find_x(&terminal, header, title),
            find_x(&terminal, app2, value),
            "{value} under {title}"
        );
    }
    let container = find_x(&terminal, header, "CONTAINER");
    assert_eq!(find_x(&terminal, app2, "shop-app-2"), container);
    // On db2 no container has the servers' addresses.
    let orders_app1 = (0..s.height)
        .rev()
        .find(|&y| row_text(&terminal, y).contains("    app1"))
        .unwrap();
    let buf = terminal.backend().buffer();
    assert_eq!(buf[(container, orders_app1)].symbol(), "-");
    // db2 is unreachable: its balancer's last stats are dimmed, even a warning.
    let muted = Theme::builtin_default().muted.fg.unwrap();
    let x = find_x(&terminal, orders_app1, "UP 1/2");
    assert_eq!(buf[(x, orders_app1)].fg, muted);
    let edge = find_row(&terminal, "▼ edge-lb").unwrap();
    assert_ne!(buf[(3, edge)].fg, muted);
}

#[test]
fn backup_servers_are_marked() {
    let mut s = balancer_state((200, 50));
    // Only edge-lb on local answered.
    let probe = s
        .probes
        .haproxy
        .iter_mut()
        .find_map(|((host, _), p)| p.result.as_mut().ok().filter(|_| host == "local"))
        .unwrap();
    let static2 = probe.rows.iter_mut().find(|r| r.name == "static2").unwrap();
    static2.backup = true;
    let terminal = draw(&s, &Theme::builtin_default());
    assert!(find_row(&terminal, "    static2 (backup)").is_some());
}

#[test]
fn no_color_keeps_states_visible() {
    for size in SIZES {
        let mut s = balancer_state(size);
        update(&mut s, code(KeyCode::Down)); // fe_app
        let terminal = draw(&s, &Theme::no_color());
        insta::assert_snapshot!(
            format!("balancer_no_color_{}x{}", size.0, size.1),
            terminal.backend()
        );
        let buf = terminal.backend().buffer();
        for cell in buf.content() {
            assert!(cell.fg == Color::Reset && cell.bg == Color::Reset);
        }
        let selected = find_row(&terminal, "frontend fe_app").unwrap();
        assert!(buf[(1, selected)].modifier.contains(Modifier::REVERSED));
        let app2 = find_row(&terminal, "    app2").unwrap();
        let drain = buf[(find_x(&terminal, app2, "DRAIN"), app2)].modifier;
        assert!(drain.contains(Modifier::BOLD) && !drain.contains(Modifier::UNDERLINED));
        let web = find_row(&terminal, "no stats socket").unwrap();
        let error = buf[(find_x(&terminal, web, "no stats socket"), web)].modifier;
        assert!(error.contains(Modifier::BOLD | Modifier::UNDERLINED));
        let checking = find_row(&terminal, "no check").unwrap();
        let x = find_x(&terminal, checking, "no check");
        assert!(buf[(x, checking)].modifier.contains(Modifier::DIM));
    }
}

#[test]
fn empty_pane_says_where_roles_come_from() {
    for size in SIZES {
        let mut s = state(false, size);
        s.inventory
            .containers
            .retain(|_, c| !c.image.starts_with("haproxy") && !c.image.starts_with("nginx"));
        update(&mut s, key('4'));
        let terminal = draw(&s, &Theme::builtin_default());
        insta::assert_snapshot!(
            format!("balancer_empty_{}x{}", size.0, size.1),
            terminal.backend()
        );
        let text = "no HAProxy or nginx containers found (role from labels, image or command)";
        let row = find_row(&terminal, text).unwrap();
        assert_eq!(row, 1 + (s.height - 3) / 2, "centred in the pane");
        let buf = terminal.backend().buffer();
        let x = find_x(&terminal, row, text);
        assert_eq!(buf[(x, row)].fg, Theme::builtin_default().muted.fg.unwrap());
        assert!(terminal
            .backend()
            .to_string()
            .contains("Balancer · 0 balancers"));
    }
    let mut s = balancer_state((80, 24));
    press(&mut s, "/nginx");
    update(&mut s, code(KeyCode::Enter));
    let terminal = draw(&s, &Theme::builtin_default());
    assert!(find_row(&terminal, "no balancers match `nginx`").is_some());
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
        for keys in ["", "j", "G", "/lb\n", "?"] {
            let mut s = balancer_state(size);
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

#[test]
fn w_asks_a_weight_then_shows_its_plan_and_keeps_one_out_of_range_to_correct() {
    let mut s = balancer_state((80, 24));
    // Down to the first server row.
    while !matches!(
        s.balancer_rows().get(s.balancer.selected),
        Some(tugboat::app::rows::BalancerRow::Server { .. })
    ) {
        press(&mut s, "j");
    }
    press(&mut s, "w");
    let screen = draw(&s, &Theme::builtin_default()).backend().to_string();
    assert!(screen.contains("Weight of be_app/"), "{screen}");
    press(&mut s, "7");
    update(&mut s, code(KeyCode::Enter));
    let body = match s.top_overlay() {
        Some(tugboat::app::views::Overlay::Confirm(c)) => c.body.join("\n"),
        other => panic!("no confirmation: {other:?}"),
    };
    assert!(body.contains(") to 7? Plan:"), "{body}");
    assert!(
        body.contains("set weight be_app/app1 7 on edge-lb"),
        "{body}"
    );
    update(&mut s, code(KeyCode::Esc));
    press(&mut s, "w999");
    update(&mut s, code(KeyCode::Enter));
    // Refused: the prompt stays up as typed, the reason on the status line.
    match s.top_overlay() {
        Some(tugboat::app::views::Overlay::Prompt(p)) => assert_eq!(p.input.text(), "999"),
        other => panic!("the prompt should stay up: {other:?}"),
    }
    let status = s.status.as_ref().unwrap();
    assert_eq!(status.level, tugboat::app::Level::Warn);
    assert!(status.text.contains("out of range"), "{}", status.text);
    // Corrected, not typed again: 99.
    update(&mut s, code(KeyCode::Backspace));
    update(&mut s, code(KeyCode::Enter));
    match s.top_overlay() {
        Some(tugboat::app::views::Overlay::Confirm(c)) => {
            assert!(c.body.join("\n").contains(") to 99? Plan:"))
        }
        other => panic!("no confirmation: {other:?}"),
    }
}

/// Enter on a server goes to its container and Esc comes back, but only
/// until another pane is chosen: after that Esc no longer jumps to the
/// Balancer pane (it did, from any pane, long after). Enter on a row that
/// is no server says what it does.
#[test]
fn esc_comes_back_from_a_server_jump_only_until_another_pane_is_chosen() {
    let server = |s: &tugboat::app::State| {
        matches!(
            s.balancer_rows().get(s.balancer.selected),
            Some(tugboat::app::rows::BalancerRow::Server { .. })
        )
    };
    let mut s = balancer_state((80, 24));
    update(&mut s, code(KeyCode::Enter));
    assert_eq!(s.pane, Pane::Balancer);
    let said = &s.status.as_ref().expect("a message").text;
    assert!(
        said.contains("Enter on a server's row goes to its container"),
        "{said}"
    );
    while !server(&s) {
        press(&mut s, "j");
    }
    update(&mut s, code(KeyCode::Enter));
    assert_eq!(s.pane, Pane::Nodes);
    update(&mut s, code(KeyCode::Esc));
    assert_eq!(
        s.pane,
        Pane::Balancer,
        "Esc right after the jump comes back"
    );
    update(&mut s, code(KeyCode::Enter));
    assert_eq!(s.pane, Pane::Nodes);
    press(&mut s, "51");
    update(&mut s, code(KeyCode::Esc));
    assert_eq!(
        s.pane,
        Pane::Nodes,
        "the jump is forgotten once panes change"
    );
}
