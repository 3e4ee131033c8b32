//! The Timeline pane (`6`) at 80x24 and 200x50: engine events as the host
//! tasks pass them on (an OOM kill, a crash, a failing healthcheck), a
//! host that stops answering, a probe's change (a new ZooKeeper leader)
//! and a job of this tugboat's, in time order, the bad ones marked; the
//! filter narrows it; Enter on a container's entry jumps to its row.

use crossterm::event::KeyCode;
use tugboat::app::rows::NodeRow;
use tugboat::app::{update, Msg, Pane, State};
use tugboat::config::Theme;
use tugboat::model::timeline::EngineEvent;
use tugboat::model::HostUpdate;
use tugboat::ops::job::{JobEvent, JobOutcome};

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

fn event(secs: i64, action: &str, name: &str, attrs: &[(&str, &str)]) -> EngineEvent {
    let mut attributes: std::collections::BTreeMap<String, String> = attrs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    attributes.insert("name".into(), name.into());
    EngineEvent {
        at: i128::from(secs) * 1_000_000_000,
        kind: "container".into(),
        action: action.into(),
        id: "0".repeat(64),
        attributes,
    }
}

/// What the host task sends for these events (the exec is left out).
fn entries(events: Vec<EngineEvent>) -> Vec<tugboat::model::timeline::TimelineEntry> {
    events
        .iter()
        .filter_map(|e| tugboat::model::timeline::from_engine("local", e))
        .collect()
}

fn timeline(size: (u16, u16)) -> State {
    let mut s = state(false, size);
    let events = vec![
        event(NOW - 30, "oom", "shop-db-1", &[]),
        event(NOW - 29, "die", "shop-db-1", &[("exitCode", "137")]),
        event(NOW - 20, "health_status: unhealthy", "shop-cache-1", &[]),
        event(NOW - 10, "exec_start: sh", "shop-db-1", &[]),
    ];
    update(
        &mut s,
        Msg::Host(HostUpdate::Events {
            host: "local".into(),
            batch: 1,
            entries: entries(events),
        }),
    );
    // A late batch: its event is older, and goes first.
    let late = vec![event(NOW - 40, "start", "shop-web-1", &[])];
    update(
        &mut s,
        Msg::Host(HostUpdate::Events {
            host: "local".into(),
            batch: 2,
            entries: entries(late),
        }),
    );
    let plan = tugboat::ops::plan::restart_plan("local", "abc", "shop-db-1", 10);
    update(
        &mut s,
        Msg::Job(JobEvent::Started {
            id: 7,
            plan,
            at_ms: NOW * 1000,
        }),
    );
    update(
        &mut s,
        Msg::Job(JobEvent::Finished {
            id: 7,
            outcome: JobOutcome::Done,
            millis: 4200,
        }),
    );
    update(&mut s, key('6'));
    s
}

fn shown(s: &State) -> Vec<String> {
    s.timeline
        .matching(s.timeline_view.active_filter())
        .iter()
        .map(|e| format!("{} {}", e.object, e.what))
        .collect()
}

#[test]
fn the_timeline_orders_and_marks_what_happened() {
    for size in SIZES {
        let s = timeline(size);
        assert_eq!(s.pane, Pane::Timeline);
        assert_eq!(
            shown(&s),
            [
                "container shop-web-1 start",
                "container shop-db-1 out of memory: the kernel killed a process (OOM)",
                "container shop-db-1 exited with 137",
                "container shop-cache-1 healthcheck failing: unhealthy",
                "job restart local/shop-db-1 started",
                "job restart local/shop-db-1 done",
            ]
        );
        let terminal = draw(&s, &Theme::builtin_default());
        insta::assert_snapshot!(
            format!("timeline_{}x{}", size.0, size.1),
            terminal.backend()
        );
        let screen = terminal.backend().to_string();
        assert!(
            screen.contains("!! local"),
            "the OOM kill is marked: {screen}"
        );
    }
}

#[test]
fn the_filter_narrows_and_enter_jumps_to_the_container() {
    let mut s = timeline((80, 24));
    press(&mut s, "/");
    for c in "cache".chars() {
        update(&mut s, key(c));
    }
    update(&mut s, code(KeyCode::Enter));
    assert_eq!(
        shown(&s),
        ["container shop-cache-1 healthcheck failing: unhealthy"]
    );
    update(&mut s, code(KeyCode::Enter));
    assert_eq!(s.pane, Pane::Nodes);
    let Some(NodeRow::Container { host, id }) = s.selected_node() else {
        panic!("{:?}", s.selected_node());
    };
    assert_eq!(s.inventory.containers[&(host, id)].name, "shop-cache-1");
}
