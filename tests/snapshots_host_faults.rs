//! The host row of a host cut off mid-session, at 80x24 and 200x50: it
//! says unreachable, since when and why in words that fit the row. The
//! host task's error as a reconnect attempt words it ("could not connect
//! to db2 at tcp://… — list containers: Error in the hyper legacy client:
//! …") used to push the reason off the edge at 80 columns.

use tugboat::app::State;
use tugboat::model::HostUpdate;

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

/// db2's outage as its host task reports it: the ping that found it
/// gone, then a reconnect attempt refused.
fn cut_off(s: &mut State, error: &str) {
    s.inventory.apply(HostUpdate::Unreachable {
        host: "db2".into(),
        at: NOW - 5,
        error: error.into(),
    });
    select(s, "orders-db-replica");
}

const REFUSED: &str = "could not connect to db2 at tcp://10.0.0.7:2376 — list containers: Error \
                       in the hyper legacy client: client error (Connect) (Connection refused (os \
                       error 111))";

#[test]
fn a_cut_off_hosts_row_says_why_in_words_that_fit() {
    for (size, terminal) in both_sizes(|s| cut_off(s, REFUSED), false) {
        insta::assert_snapshot!(format!("host_cut_off_{size}"), terminal.backend());
        let screen = terminal.backend().to_string();
        let row = find_row(&terminal, "▼ db2").expect("db2's row");
        let line = screen.lines().nth(usize::from(row)).unwrap();
        assert!(line.contains("▼ db2 · tls  unreachable since "), "{line}");
        assert!(line.contains("connection refused"), "{size}: {line}");
        assert!(
            !line.contains("hyper") && !line.contains('…'),
            "{size}: {line}"
        );
        // Where there is room, the request that failed too.
        assert_eq!(
            line.contains("list containers: connection refused"),
            size == "200x50",
            "{size}: {line}"
        );
    }
}

#[test]
fn a_ping_with_no_answer_is_said_as_such() {
    for (size, terminal) in both_sizes(|s| cut_off(s, "ping: no answer within 5s"), false) {
        let screen = terminal.backend().to_string();
        let row = find_row(&terminal, "▼ db2").expect("db2's row");
        let line = screen.lines().nth(usize::from(row)).unwrap();
        assert!(
            line.contains(": ping: no answer within 5s"),
            "{size}: {line}"
        );
    }
}
