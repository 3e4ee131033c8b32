use super::*;
use crate::model::log_time::MergedLine;

fn plain(lines: &[&str]) -> LogView {
    let mut v = LogView {
        follow: true,
        ..Default::default()
    };
    v.push_lines(lines.iter().map(|l| l.to_string()).collect());
    v
}

fn text_of(v: &LogView, rows: usize) -> Vec<&str> {
    v.window(rows)
        .into_iter()
        .map(|i| v.lines[i].as_str())
        .collect()
}

#[test]
fn log_view_keeps_a_bounded_tail() {
    let mut v = LogView {
        follow: true,
        ..Default::default()
    };
    v.push_lines((0..LOG_CAPACITY + 10).map(|i| i.to_string()).collect());
    assert_eq!(v.lines.len(), LOG_CAPACITY);
    assert_eq!(v.meta.len(), LOG_CAPACITY);
    assert_eq!(v.lines.front().unwrap(), "10");
    assert_eq!(v.dropped, 10);
    // A chunk bigger than the view: only its newest lines are kept.
    v.push_lines((0..LOG_CAPACITY * 2).map(|i| format!("n{i}")).collect());
    assert_eq!(v.lines.len(), LOG_CAPACITY);
    assert_eq!(v.meta.len(), LOG_CAPACITY);
    assert_eq!(v.lines.front().unwrap(), &format!("n{LOG_CAPACITY}"));
    assert_eq!(v.dropped, 10 + LOG_CAPACITY * 2);
}

#[test]
fn skipped_lines_leave_a_visible_mark_in_place() {
    let mut v = plain(&[]);
    v.push_skipped(0);
    v.push_lines(vec!["a".into()]);
    v.push_skipped(1234);
    v.push_lines(vec!["b".into()]);
    assert_eq!(v.lines, ["a", skipped_line(1234).as_str(), "b"]);
    assert_eq!(v.skipped, 1234);
}

#[test]
fn search_finds_next_and_previous() {
    let mut v = plain(&["x", "ERROR one", "y", "error two"]);
    v.set_search(Some("error".into()));
    assert_eq!(v.find(true, 0), Some(1));
    assert_eq!(v.find(true, 1), Some(3));
    assert_eq!(v.find(false, 3), Some(1));
    assert_eq!(v.find(true, 3), None);
    // Lines that arrive later are matched as they come.
    v.push_lines(vec!["an Error three".into()]);
    assert_eq!(v.find(true, 3), Some(4));
}

/// ZooKeeper's own lines (see tests/fixtures/logs): a WARN with its stack
/// trace under it is kept whole by the level filter.
#[test]
fn the_level_filter_keeps_warnings_with_their_stack_traces() {
    let mut v = plain(&[
        "2026-12-07 01:19:02,671 - INFO  [QuorumPeer[myid=1]:FastLeaderElection@946] - New election",
        "2026-12-07 01:19:02,684 - WARN  [QuorumConnectionThread-[myid=1]-1:QuorumCnxManager@401] - Cannot open channel to 2",
        "java.net.UnknownHostException: lzmissing",
        "\tat java.base/java.lang.Thread.run(Thread.java:840)",
        "2026-12-07 01:19:03,001 - INFO  [main:QuorumPeer@1] - back",
        "2026-12-07 01:19:03,002 - ERROR [main:QuorumPeer@2] - broke",
    ]);
    v.change_filter(3, |f| f.level = Some(LogLevel::Warn));
    assert_eq!(v.shown_len(), 4);
    assert_eq!(
        text_of(&v, 10),
        [
            v.lines[1].as_str(),
            "java.net.UnknownHostException: lzmissing",
            "\tat java.base/java.lang.Thread.run(Thread.java:840)",
            v.lines[5].as_str(),
        ]
    );
    v.change_filter(3, |f| f.level = Some(LogLevel::Error));
    assert_eq!(v.shown_len(), 1);
    v.change_filter(3, |f| f.level = None);
    assert_eq!(v.shown_len(), 6);
}

#[test]
fn scrolling_counts_shown_lines_and_a_filter_change_keeps_the_bottom_line() {
    let lines: Vec<String> = (0..20)
        .map(|i| {
            let level = if i % 2 == 0 { "WARN" } else { "INFO" };
            format!("t - {level} [main] line {i}")
        })
        .collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let mut v = plain(&refs);
    v.change_filter(3, |f| f.level = Some(LogLevel::Warn));
    // Three shown lines up: the bottom line is line 14 (16 and 18 below).
    v.follow = false;
    v.scroll_from_bottom = 2;
    assert_eq!(
        v.lines[v.current_index().unwrap()],
        "t - WARN [main] line 14"
    );
    // New lines below a paused view: only the shown ones move it.
    v.push_lines(vec![
        "t - INFO [main] line 20".into(),
        "t - WARN [main] line 21".into(),
    ]);
    assert_eq!(
        v.lines[v.current_index().unwrap()],
        "t - WARN [main] line 14"
    );
    // Every level again: still on line 14, now 7 lines from the bottom.
    v.change_filter(3, |f| f.level = None);
    assert_eq!(
        v.lines[v.current_index().unwrap()],
        "t - WARN [main] line 14"
    );
    assert_eq!(v.scroll_from_bottom, 7);
}

#[test]
fn matches_only_shows_the_search_hits() {
    let mut v = plain(&["a GET /", "b POST /x", "c GET /y"]);
    v.set_search(Some("get".into()));
    v.change_filter(3, |f| f.matches_only = true);
    assert_eq!(text_of(&v, 5), ["a GET /", "c GET /y"]);
    // A new search re-marks every line.
    v.set_search(Some("post".into()));
    assert_eq!(text_of(&v, 5), ["b POST /x"]);
}

fn merged(names: &[&str]) -> LogView {
    LogView {
        follow: true,
        merged: Some(MergedView::new(
            names.iter().map(|n| n.to_string()).collect(),
        )),
        ..Default::default()
    }
}

fn line(at_secs: i128, member: usize, text: &str) -> MergedLine {
    MergedLine {
        at: at_secs * 1_000_000_000,
        member,
        text: text.into(),
    }
}

#[test]
fn a_merged_view_filters_by_member_and_carries_levels_per_member() {
    let mut v = merged(&["zk-1", "zk-2"]);
    v.push_merged(vec![
        line(10, 0, "x - WARN [a] one"),
        line(12, 1, "x - INFO [b] two"),
        line(13, 0, "\tat frame of one"),
        // Late: lands before the line at 12, and is zk-2's.
        line(11, 1, "x - ERROR [b] late"),
    ]);
    let texts: Vec<&str> = v.lines.iter().map(|l| &l[13..]).collect();
    assert_eq!(
        texts,
        [
            "zk-1 | x - WARN [a] one",
            "zk-2 | x - ERROR [b] late",
            "zk-2 | x - INFO [b] two",
            "zk-1 | \tat frame of one",
        ]
    );
    // The frame carries zk-1's WARN, not zk-2's INFO that came between.
    assert_eq!(v.meta[3].level, Some(LogLevel::Warn));
    v.change_filter(3, |f| f.member = Some(1));
    assert_eq!(v.shown_len(), 2);
    v.change_filter(3, |f| f.level = Some(LogLevel::Warn));
    assert_eq!(text_of(&v, 5).len(), 1);
    assert!(text_of(&v, 5)[0].ends_with("late"));
}

#[test]
fn jump_to_time_puts_the_first_line_at_or_after_it_on_top() {
    let mut v = merged(&["a", "b"]);
    v.push_merged(
        (0..30)
            .map(|s| line(100 + s, (s % 2) as usize, "x"))
            .collect(),
    );
    // Five rows: the line at 110 on top, 111..114 under it.
    assert_eq!(
        v.jump_to_time(110 * 1_000_000_000, 5),
        TimeJump::Jumped(110 * 1_000_000_000)
    );
    let window = v.window(5);
    assert_eq!(v.time_of(window[0]), Some(110 * 1_000_000_000));
    assert!(!v.follow);
    // Filtered to member b (odd seconds): the first of b's lines after 110.
    v.change_filter(3, |f| f.member = Some(1));
    assert_eq!(
        v.jump_to_time(110 * 1_000_000_000, 5),
        TimeJump::Jumped(111 * 1_000_000_000)
    );
    assert_eq!(v.time_of(v.window(5)[0]), Some(111 * 1_000_000_000));
    assert_eq!(
        v.jump_to_time(50 * 1_000_000_000, 5),
        TimeJump::OldestKept(101 * 1_000_000_000)
    );
    assert_eq!(
        v.jump_to_time(200 * 1_000_000_000, 5),
        TimeJump::AfterNewest
    );
    assert_eq!(plain(&["x"]).jump_to_time(0, 5), TimeJump::NoTimes);
}

#[test]
fn marked_lines_are_copied_in_order_and_follow_their_lines() {
    let mut v = plain(&["one", "two", "three", "four"]);
    // Nothing marked: the bottom line.
    assert_eq!(v.copy_text().unwrap().1, "four");
    v.follow = false;
    v.scroll_from_bottom = 2; // "two" at the bottom
    assert!(v.toggle_mark(2)); // marks "two", moves down to "three"
    assert_eq!(v.lines[v.current_index().unwrap()], "three");
    v.scroll_from_bottom = 3;
    assert!(v.toggle_mark(2)); // "one"
    assert_eq!(
        v.copy_text().unwrap(),
        ("2 marked log lines".into(), "one\ntwo".into())
    );
    // Older lines dropping out take their marks with them, not others'.
    v.push_lines((0..LOG_CAPACITY - 3).map(|i| format!("n{i}")).collect());
    assert_eq!(v.lines.front().unwrap(), "two");
    assert_eq!(
        v.copy_text().unwrap(),
        ("the marked log line".into(), "two".into())
    );
    v.clear_marks();
    assert_eq!(v.marked_count(), 0);
}

#[test]
fn the_current_line_moves_inside_the_window_once_it_cannot_scroll() {
    // Six lines, a window of four: the window scrolls two lines up, then
    // the current line climbs inside it to the first line.
    let mut v = plain(&["0", "1", "2", "3", "4", "5"]);
    v.move_current(1, 4);
    assert_eq!((v.scroll_from_bottom, v.cursor, v.follow), (1, 0, false));
    v.move_current(1, 4);
    v.move_current(1, 4);
    assert_eq!((v.scroll_from_bottom, v.cursor), (2, 1));
    v.move_current(isize::MAX, 4);
    assert_eq!((v.scroll_from_bottom, v.cursor), (2, 3));
    assert_eq!(v.lines[v.current_index().unwrap()], "0");
    // Down: the cursor comes down first, then the window.
    v.move_current(-3, 4);
    assert_eq!((v.scroll_from_bottom, v.cursor), (2, 0));
    v.move_current(-1, 4);
    assert_eq!((v.scroll_from_bottom, v.cursor), (1, 0));
    v.move_current(-1, 4);
    assert_eq!((v.scroll_from_bottom, v.cursor, v.follow), (0, 0, true));
    // A log shorter than the window: only the cursor moves.
    let mut short = plain(&["a", "b", "c"]);
    short.move_current(2, 10);
    assert_eq!((short.scroll_from_bottom, short.cursor), (0, 2));
    assert_eq!(short.copy_text().unwrap().1, "a");
}
