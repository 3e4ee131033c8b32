//! `L` on a cluster: every member's log in one view, in time order — a
//! line that arrives late (a slower host) lands where its time puts it —
//! each member named in its own colour, searchable; at 80x24 and 200x50.

use tugboat::app::views::Overlay;
use tugboat::app::{update, Effect, Msg, State};
use tugboat::config::Theme;
use tugboat::model::log_time::{parse_rfc3339, MergedLine};

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

fn line(stamp: &str, member: usize, text: &str) -> MergedLine {
    MergedLine {
        at: parse_rfc3339(stamp).unwrap(),
        member,
        text: text.into(),
    }
}

fn log_lines(s: &State) -> Vec<String> {
    match s.top_overlay() {
        Some(Overlay::Logs(v)) => v.lines.iter().cloned().collect(),
        other => panic!("no log view: {other:?}"),
    }
}

/// The zk-prod cluster's merged view, fed lines out of order.
fn merged(size: (u16, u16)) -> State {
    let mut s = state(false, size);
    select(&mut s, "zk2");
    let effects = press(&mut s, "L");
    let [Effect::OpenClusterLogs { session, members }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    let names: Vec<&str> = members.iter().map(|m| m.2.as_str()).collect();
    assert_eq!(names, ["zk1", "zk2", "zk3"]);
    let session = *session;
    let batch = |note: Option<&str>, lines| Msg::ClusterLog {
        session,
        note: note.map(Into::into),
        lines,
    };
    update(
        &mut s,
        batch(
            Some("clock offsets corrected: local +0.002s (±0.001s)"),
            vec![
                line("2023-11-14T23:13:01.000Z", 0, "zk1 starting"),
                line(
                    "2023-11-14T23:13:03.000Z",
                    1,
                    "LEADING - LEADER ELECTION TOOK - 212 MS",
                ),
            ],
        ),
    );
    // zk3's host answered later: its line from 23:13:02 goes between.
    update(
        &mut s,
        batch(
            None,
            vec![
                line(
                    "2023-11-14T23:13:02.500Z",
                    2,
                    "FOLLOWING - LEADER ELECTION TOOK - 209 MS",
                ),
                line(
                    "2023-11-14T23:13:04.000Z",
                    0,
                    "FOLLOWING - LEADER ELECTION TOOK - 230 MS",
                ),
            ],
        ),
    );
    s
}

#[test]
fn lines_from_every_member_sort_by_time_whenever_they_arrive() {
    for size in SIZES {
        let s = merged(size);
        assert_eq!(
            log_lines(&s),
            [
                "23:13:01.000 zk1 | zk1 starting",
                "23:13:02.500 zk3 | FOLLOWING - LEADER ELECTION TOOK - 209 MS",
                "23:13:03.000 zk2 | LEADING - LEADER ELECTION TOOK - 212 MS",
                "23:13:04.000 zk1 | FOLLOWING - LEADER ELECTION TOOK - 230 MS",
            ]
        );
        let status = s
            .status
            .as_ref()
            .map(|m| m.text.clone())
            .unwrap_or_default();
        assert!(status.starts_with("clock offsets corrected"), "{status}");
        let terminal = draw(&s, &Theme::builtin_default());
        insta::assert_snapshot!(
            format!("cluster_logs_{}x{}", size.0, size.1),
            terminal.backend()
        );
        // Each member's name in its own colour: zk1 and zk3 differ.
        let buf = terminal.backend().buffer();
        let cell_of = |text: &str| {
            let y = find_row(&terminal, text).unwrap();
            let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
            let x = line.find(text).unwrap() + 13;
            buf[(u16::try_from(line[..x].chars().count()).unwrap(), y)].fg
        };
        assert_ne!(cell_of("23:13:01.000 zk1"), cell_of("23:13:02.500 zk3"));
    }
}

#[test]
fn a_search_highlights_its_match_in_any_member_s_line() {
    let mut s = merged((80, 24));
    press(&mut s, "/");
    for c in "leading".chars() {
        update(&mut s, key(c));
    }
    update(&mut s, code(crossterm::event::KeyCode::Enter));
    let Some(Overlay::Logs(v)) = s.top_overlay() else {
        panic!()
    };
    assert_eq!(v.search.as_deref(), Some("leading"));
    let terminal = draw(&s, &Theme::builtin_default());
    let buf = terminal.backend().buffer();
    // The first letter of the text on the match's row and on another's.
    let style_at = |row_text: &str| {
        let y = find_row(&terminal, row_text).unwrap();
        buf[(19, y)].style()
    };
    assert_ne!(
        style_at("zk2 | LEADING"),
        style_at("zk3 | FOLLOWING"),
        "the match is highlighted"
    );
}

fn status(s: &State) -> String {
    s.status
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

fn view(s: &State) -> &tugboat::app::views::LogView {
    match s.top_overlay() {
        Some(Overlay::Logs(v)) => v,
        other => panic!("no log view: {other:?}"),
    }
}

/// The lines on screen, as drawn.
fn screen(s: &State) -> String {
    format!("{}", draw(s, &Theme::builtin_default()).backend())
}

/// ZooKeeper's own log forms (tests/fixtures/logs): INFO, a WARN with its
/// stack trace under it, an ERROR; `l` keeps warnings with their traces,
/// `m` one member, `@` goes to a time, Space marks lines and `c` copies them.
#[test]
fn level_and_member_filters_a_time_jump_and_marked_lines() {
    let mut s = merged((80, 24));
    let session = view(&s).session;
    let zk = |t: &str, m: usize, text: &str| line(t, m, text);
    update(
        &mut s,
        Msg::ClusterLog {
            session,
            note: None,
            lines: vec![
                zk("2023-11-14T23:13:05.000Z", 1, "2023-11-14 23:13:05,000 - WARN  [QuorumCnxManager@401] - Cannot open channel to 3"),
                zk("2023-11-14T23:13:05.001Z", 1, "java.net.ConnectException: Connection refused"),
                zk("2023-11-14T23:13:05.002Z", 1, "    at java.base/java.net.Socket.connect(Socket.java:633)"),
                zk("2023-11-14T23:13:06.000Z", 2, "2023-11-14 23:13:06,000 - INFO  [Follower@1] - following zk2"),
                zk("2023-11-14T23:13:07.000Z", 0, "2023-11-14 23:13:07,000 - ERROR [Learner@3] - Exception when following the leader"),
            ],
        },
    );
    // l: warnings and errors, the stack trace kept under its WARN.
    press(&mut s, "l");
    assert!(
        status(&s).starts_with("showing warn and worse: 4 of 9 lines"),
        "{}",
        status(&s)
    );
    let text = screen(&s);
    insta::assert_snapshot!("cluster_logs_warn_80x24", text);
    assert!(text.contains("[warn+]"));
    assert!(text.contains("Socket.connect"));
    assert!(!text.contains("following zk2"));
    // m, m: only zk2 (members are zk1, zk2, zk3), still warn+.
    press(&mut s, "mm");
    assert_eq!(view(&s).shown_len(), 3);
    assert!(screen(&s).contains("[warn+ zk2]"));
    press(&mut s, "l"); // errors only: zk2 has none
    assert!(screen(&s).contains("no line matches what is shown"));
    press(&mut s, "lmm"); // every level; zk3, then every member
    assert_eq!(view(&s).shown_len(), 9);
    // @ 23:13:03: the line at 23:13:03 on top.
    press(&mut s, "@");
    assert!(screen(&s).contains("go to time"));
    press(&mut s, "23:13:03");
    update(&mut s, code(crossterm::event::KeyCode::Enter));
    assert_eq!(status(&s), "at 23:13:03.000");
    // All nine lines fit on screen: it is the current line (drawn
    // selected), where it stands.
    let v = view(&s);
    assert!(!v.follow);
    let current = &v.lines[v.current_index().unwrap()];
    assert!(current.starts_with("23:13:03.000 zk2"), "{current}");
    press(&mut s, "@");
    press(&mut s, "9:99");
    update(&mut s, code(crossterm::event::KeyCode::Enter));
    assert!(status(&s).contains("is not a time"), "{}", status(&s));
    // Space on the bottom line marks it and moves down; c copies the marks.
    press(&mut s, "G"); // bottom: follow again
    press(&mut s, "kk"); // the WARN's trace frame is now the current line
    press(&mut s, " kk ");
    assert_eq!(view(&s).marked_count(), 2);
    let effects = press(&mut s, "c");
    let [Effect::Copy { what, text }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(what, "2 marked log lines");
    assert_eq!(text.lines().count(), 2);
    assert!(
        text.contains("Connection refused") || text.contains("Socket.connect"),
        "{text}"
    );
    assert!(screen(&s).contains("* 23:13:0"));
    press(&mut s, "M");
    assert_eq!(view(&s).marked_count(), 0);
}

#[test]
fn l_outside_a_cluster_says_what_it_needs() {
    let mut s = state(false, (80, 24));
    select(&mut s, "tools");
    assert!(press(&mut s, "L").is_empty());
    let status = s.status.as_ref().map(|m| m.text.as_str()).unwrap_or("");
    assert_eq!(
        status,
        "select a cluster (or one of its members) for its logs"
    );
}
