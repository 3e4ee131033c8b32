//! Charts and pictures (issue 21) at 80x24 and 200x50: each HAProxy
//! server's sessions over the last probe rounds (a SESSIONS column where
//! there is room for every other column), a database replica's lag over time
//! (its detail, the LAG column, the side panel), the pictures of a
//! ZooKeeper ensemble and a replication tree, and the side panel a screen
//! of 160 columns and more has. Probe rounds are recorded here, on top of
//! the shared fixture; plain assertions beside each snapshot fail if the
//! charts break even when the snapshots are re-accepted unread.

use ratatui::backend::TestBackend;
use ratatui::style::Color;
use ratatui::Terminal;
use tugboat::app::rows::NodeRow;
use tugboat::app::{update, Msg, State};
use tugboat::config::Theme;
use tugboat::model::answers::mysql::{DbProbe, ReplicaStatus, ThreadState};
use tugboat::model::probed::ProbeResult;
use tugboat::model::testing::container;
use tugboat::model::{ContainerKey, SafeText, LABEL_TUGBOAT_CLUSTER};

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

fn text(t: &Terminal<TestBackend>) -> String {
    t.backend().to_string()
}

fn key_of(s: &State, name: &str) -> ContainerKey {
    s.inventory
        .containers
        .iter()
        .find(|(_, c)| c.name == name)
        .map(|(k, _)| k.clone())
        .unwrap_or_else(|| panic!("no container {name}"))
}

/// One probe answer, through `update` as the probe loop sends it.
fn probed(s: &mut State, name: &str, result: ProbeResult) {
    let key = key_of(s, name);
    update(
        s,
        Msg::Probed {
            key,
            at: NOW,
            result,
        },
    );
}

/// The balancer fixture, and eight more rounds of edge-lb: app1 busier
/// and busier (1 to 8 sessions), app3 steady at 4, app2 drained to 0.
fn balancer_with_rounds(size: (u16, u16)) -> State {
    use tugboat::model::answers::haproxy::HaproxyProbe;
    let mut s = balancer_state(size);
    let path = format!(
        "{}/tests/fixtures/haproxy/show-stat-drain.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let csv = std::fs::read_to_string(path).unwrap();
    let rows = tugboat::probes::haproxy::parse_show_stat(&csv).unwrap();
    for round in 1..=8u64 {
        let mut rows = rows.clone();
        for r in &mut rows {
            r.current_sessions = match r.name.as_str() {
                "app1" => round,
                "app2" => 8 - round,
                "app3" => 4,
                _ => r.current_sessions,
            };
        }
        let answer = HaproxyProbe {
            socket: "/var/run/haproxy.sock".into(),
            rows,
        };
        probed(&mut s, "edge-lb", ProbeResult::Haproxy(Ok(answer)));
    }
    s
}

fn db_answer(source: Option<&str>, lag: Option<u64>, replicas: &[&str]) -> ProbeResult {
    ProbeResult::Mysql(Ok(DbProbe {
        server_id: Some(1),
        read_only: source.is_some(),
        version: SafeText::from_foreign("11.4.2-MariaDB"),
        gtid: SafeText::from_foreign("0-1-4711"),
        replica: source.map(|s| ReplicaStatus {
            source_host: SafeText::from_foreign(s),
            source_port: Some(3306),
            io_running: ThreadState::Yes,
            sql_running: if lag.is_some() {
                ThreadState::Yes
            } else {
                ThreadState::No
            },
            seconds_behind: lag,
            gtid_position: SafeText::from_foreign("0-1-4711"),
            last_io_error: SafeText::default(),
            last_sql_error: SafeText::default(),
        }),
        replicas: replicas.iter().map(|r| SafeText::from_foreign(r)).collect(),
    }))
}

/// The fixture with a `ledger` cluster on local: ledger-db-1 the primary,
/// ledger-db-2 its replica falling behind over eight rounds (0 to 42 s),
/// ledger-db-3 chained on ledger-db-2 with its SQL thread stopped since
/// the fifth round, ledger-db-4 a replica of the primary in step.
fn with_replication(size: (u16, u16)) -> State {
    let mut s = state(false, size);
    for n in 1..=4 {
        let mut c = container("local", &format!("ledger-db-{n}"));
        c.image = "mariadb:11.4".into();
        c.labels
            .insert(LABEL_TUGBOAT_CLUSTER.into(), "ledger".into());
        c.started_at = Some(NOW - 7_200);
        s.inventory
            .containers
            .insert((c.host.clone(), c.id.clone()), c);
    }
    let lags = [0, 0, 2, 5, 9, 17, 30, 42];
    for (round, lag) in lags.into_iter().enumerate() {
        let primary = db_answer(None, None, &["ledger-db-2", "ledger-db-4"]);
        probed(&mut s, "ledger-db-1", primary);
        let two = db_answer(Some("ledger-db-1"), Some(lag), &["ledger-db-3"]);
        probed(&mut s, "ledger-db-2", two);
        let three_lag = (round < 4).then_some(lag + 1);
        probed(
            &mut s,
            "ledger-db-3",
            db_answer(Some("ledger-db-2"), three_lag, &[]),
        );
        probed(
            &mut s,
            "ledger-db-4",
            db_answer(Some("ledger-db-1"), Some(0), &[]),
        );
    }
    s
}

#[test]
fn balancer_sessions_over_time() {
    for size in SIZES {
        let mut s = balancer_with_rounds(size);
        press(&mut s, "jjjj"); // edge-lb's app1
        let t = draw(&s, &Theme::builtin_default());
        insta::assert_snapshot!(
            format!("charts_balancer_{}x{}", size.0, size.1),
            t.backend()
        );
        let screen = text(&t);
        // No side panel on this pane: its rows need the width.
        assert!(!screen.contains("Sessions —") && !screen.contains("││"));
        if size.0 < 160 {
            // Narrow: the sparkline column is the first to go.
            assert!(!screen.contains("SESSIONS"));
            continue;
        }
        // app1 rose 1..8, app2 fell 7..0, app3 held 4 (of a top of 8),
        // the first round (from the fixture, all 0) before them.
        assert!(screen.contains("SESSIONS"));
        let row = |name: &str| {
            let y = find_row(&t, &format!("    {name}")).unwrap();
            let buf = t.backend().buffer();
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
        };
        assert!(row("app1").contains("▁▁▂▃▄▅▆▇█"), "{}", row("app1"));
        assert!(row("app3").contains("▁▄▄▄▄▄▄▄▄"));
        assert!(row("app2").contains("0 ▁▇▆▅▄▃▂▁▁"));
        // orders-lb was probed once: a figure (SESS), no trend yet.
        let orders = find_row(&t, "orders-lb").unwrap();
        let buf = t.backend().buffer();
        let below: String = (orders..buf.area.height)
            .flat_map(|y| (0..buf.area.width).map(move |x| (x, y)))
            .map(|p| buf[p].symbol())
            .collect();
        assert!(!below.contains('▁'));
    }
}

#[test]
fn replica_lag_in_nodes_and_its_side_panel() {
    for size in SIZES {
        let mut s = with_replication(size);
        select(&mut s, "ledger-db-2");
        let t = draw(&s, &Theme::builtin_default());
        insta::assert_snapshot!(
            format!("charts_nodes_lag_{}x{}", size.0, size.1),
            t.backend()
        );
        let screen = text(&t);
        if size.0 < 160 {
            assert!(!screen.contains("LAG") && !screen.contains("Replication"));
            assert!(screen.contains("repl +42s"));
            continue;
        }
        // LAG column: the last ten rounds (eight here), to 42 s at the top.
        assert!(screen.contains("LAG"));
        assert!(screen.contains("▁▁▁▁▂▄▆█"));
        // The side panel: the row's figures, its lag, the tree with the
        // chained replica under its source and this one marked.
        assert!(screen.contains("ledger-db-2 ─"));
        assert!(screen.contains("lag         42s"));
        assert!(screen.contains("  ledger-db-1  primary"));
        assert!(screen.contains("├─▸ ledger-db-2  io yes sql yes  lag 42s ▁▁▁▁▂▄▆█ ◂"));
        assert!(screen.contains("│   └─▸ ledger-db-3  io yes sql no  lag - ▁▁▁▂····"));
        assert!(screen.contains("└─▸ ledger-db-4"));
        // The stopped thread's rounds are gaps, not zero.
        assert!(screen.contains("▁▁▁▂····"));
    }
}

#[test]
fn replica_detail_draws_the_tree_and_the_lag() {
    for size in SIZES {
        let mut s = with_replication(size);
        select(&mut s, "ledger-db-3");
        update(&mut s, fixture::code(crossterm::event::KeyCode::Enter));
        let t = draw(&s, &Theme::builtin_default());
        insta::assert_snapshot!(
            format!("charts_db_detail_{}x{}", size.0, size.1),
            t.backend()
        );
        let screen = text(&t);
        assert!(screen.contains("Replication — ledger (tugboat)"));
        assert!(screen.contains("lag 42s ▁▁▁▁▂▄▆█"));
        assert!(screen.contains("└─▸ ledger-db-3"));
    }
}

#[test]
fn zookeeper_pictures_in_the_panel_and_a_members_detail() {
    for size in SIZES {
        let mut s = zookeeper_state(size);
        press(&mut s, "jjjjjj"); // orders-zk-2, the healthy ensemble's leader
        let t = draw(&s, &Theme::builtin_default());
        insta::assert_snapshot!(
            format!("charts_zookeeper_{}x{}", size.0, size.1),
            t.backend()
        );
        let screen = text(&t);
        if size.0 >= 160 {
            assert!(screen.contains("Ensemble — orders-zk"));
            assert!(screen.contains("◆ orders-zk-2 #2 leader ◂"));
            assert!(screen.contains("├─● orders-zk-1 #1 follower"));
        } else {
            assert!(!screen.contains("Ensemble —"));
        }
        // A member's detail has the picture at every size.
        update(&mut s, fixture::code(crossterm::event::KeyCode::Enter));
        let t = draw(&s, &Theme::builtin_default());
        insta::assert_snapshot!(
            format!("charts_zookeeper_detail_{}x{}", size.0, size.1),
            t.backend()
        );
        let screen = text(&t);
        assert!(screen.contains("Ensemble:"));
        assert!(screen.contains("  orders-zk  3/3 up · quorum OK · tolerates 1"));
    }
    // Down members are crossed out, not only coloured.
    let mut s = zookeeper_state((200, 50));
    press(&mut s, "j"); // billing-zk's first member
    let screen = text(&draw(&s, &Theme::builtin_default()));
    assert!(screen.contains("⚠ no leader"), "{screen}");
    assert!(screen.contains("✗ billing-zk-2"));
}

#[test]
fn a_zookeeper_member_row_on_nodes_shows_its_ensemble() {
    let mut s = state(false, (200, 50));
    fixture::add_zookeeper(&mut s);
    select(&mut s, "zk3");
    let t = draw(&s, &Theme::builtin_default());
    insta::assert_snapshot!("charts_nodes_zookeeper_200x50", t.backend());
    let screen = text(&t);
    assert!(screen.contains("  zk-prod  2/3 up · quorum OK · tolerates 0"));
    assert!(screen.contains("◆ zk2 #2 leader"));
    assert!(screen.contains("└─✗ zk3 unreachable: container restarting ◂"));
}

#[test]
fn a_host_row_shows_its_engine_and_narrow_screens_have_no_panel() {
    let s = state(false, (200, 50));
    assert!(matches!(s.selected_node(), Some(NodeRow::Host(_))));
    let screen = text(&draw(&s, &Theme::builtin_default()));
    assert!(screen.contains("Host — local"));
    assert!(screen.contains("engine      20.10.24"));
    // 159 columns: the table keeps the whole width.
    let s = state(false, (159, 50));
    let screen = text(&draw(&s, &Theme::builtin_default()));
    assert!(!screen.contains("Host — local"));
}

#[test]
fn no_color_charts_are_characters() {
    let mut s = with_replication((200, 50));
    select(&mut s, "ledger-db-2");
    let t = draw(&s, &Theme::no_color());
    insta::assert_snapshot!("charts_nodes_lag_no_color_200x50", t.backend());
    let buf = t.backend().buffer();
    assert!(buf
        .content()
        .iter()
        .all(|c| c.fg == Color::Reset && c.bg == Color::Reset));
    let screen = text(&t);
    assert!(screen.contains("▁▁▁▁▂▄▆█") && screen.contains("····"));
    assert!(screen.contains("◂"));
}

#[test]
fn a_relist_keeps_the_lag_of_replicas_still_there() {
    let mut s = with_replication((80, 24));
    let (two, three) = (key_of(&s, "ledger-db-2"), key_of(&s, "ledger-db-3"));
    let containers: Vec<_> = s
        .inventory
        .containers
        .values()
        .filter(|c| c.host == "local" && c.name != "ledger-db-3")
        .cloned()
        .collect();
    let volumes = Vec::new();
    let host = "local".to_string();
    let listed = tugboat::model::HostUpdate::Listed {
        host,
        containers,
        volumes,
    };
    update(&mut s, Msg::Host(listed));
    let history = &s.probes.history;
    assert_eq!(history.lag(&two).map(|l| l.len()), Some(8));
    assert!(history.lag(&three).is_none(), "gone with its container");
}
