use super::*;
use crate::model::testing::container;
use crate::model::{ContainerState, Host, HostUpdate, Inventory};
use crate::ops::cleanup_step::CleanupStep;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn fresh() -> State {
    let inv = Inventory::new(vec![Host::new("local", "unix:///sock", "flag")]);
    let mut s = State::new(inv, false, 1_700_000_000);
    update(
        &mut s,
        Msg::Resize {
            width: 80,
            height: 24,
        },
    );
    s
}

/// A storm: a listing, then containers dying and coming back.
fn storm() -> Vec<Msg> {
    let all: Vec<_> = (0..30)
        .map(|i| container("local", &format!("c{i}")))
        .collect();
    let mut msgs = vec![Msg::Host(HostUpdate::Listed {
        host: "local".into(),
        containers: all.clone(),
        volumes: Vec::new(),
    })];
    for (i, c) in all.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
        msgs.push(Msg::Host(HostUpdate::ContainerDied {
            host: "local".into(),
            id: c.id.clone(),
            exit_code: 1,
        }));
        if i % 2 == 0 {
            let mut back = c.clone();
            back.state = ContainerState::Running;
            msgs.push(Msg::Host(HostUpdate::ContainerChanged { container: back }));
        }
    }
    msgs
}

#[test]
fn a_batch_settled_once_ends_where_one_by_one_does() {
    let mut one_by_one = fresh();
    let mut effects = Vec::new();
    for msg in storm() {
        effects.extend(update(&mut one_by_one, msg).effects);
    }
    let mut batched = fresh();
    let out = update_all(&mut batched, storm());
    assert!(out.redraw);
    assert_eq!(
        batched.inventory.containers,
        one_by_one.inventory.containers
    );
    assert!(!batched.watched.is_empty());
    assert_eq!(batched.watched, one_by_one.watched);
    // The batch asks once for what the last of the single updates asked.
    let watch = |e: &Effect| matches!(e, Effect::WatchStats(_));
    assert_eq!(out.effects.iter().filter(|e| watch(e)).count(), 1);
    assert_eq!(
        out.effects.iter().rfind(|e| watch(e)),
        effects.iter().rfind(|e| watch(e))
    );
}

#[test]
fn an_empty_batch_draws_nothing() {
    let mut s = fresh();
    let out = update_all(&mut s, Vec::new());
    assert!(!out.redraw);
    assert!(out.effects.is_empty(), "{:?}", out.effects);
}

/// A lease of another tugboat's process, as an engine lists it.
fn foreign_lease(thing: &str) -> crate::model::lease::LeaseRecord {
    let labels = [
        ("io.tugboat.lease", thing),
        ("io.tugboat.lease.token", "theirs"),
        ("io.tugboat.lease.user", "alice"),
        ("io.tugboat.lease.machine", "bastion2"),
        ("io.tugboat.lease.machine-id", "another-machine"),
        ("io.tugboat.lease.boot-id", "b"),
        ("io.tugboat.lease.pid", "4242"),
        ("io.tugboat.lease.start-ticks", "7"),
        ("io.tugboat.lease.since", "2026-12-06T12:00:00Z"),
        ("io.tugboat.lease.job", "switchover cluster/shop"),
    ];
    crate::model::lease::LeaseRecord {
        name: crate::ops::leases::lease_name(thing),
        labels: labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

#[test]
fn confirming_a_plan_on_what_another_tugboat_holds_is_refused_naming_it() {
    use crate::app::views::{Confirm, Overlay};
    use crate::ops::plan::{Plan, Step, StepOp};
    let mut s = fresh();
    let plan = Plan {
        action: crate::ops::plan::PlanAction::Restart,
        host: "local".into(),
        target: crate::ops::plan::PlanTarget::Cluster("shop".into()),
        steps: vec![Step::new(
            "unpause db1",
            StepOp::Cleanup(CleanupStep::Unpause {
                id: "db1-id".into(),
                name: "db1".into(),
            }),
        )],
    };
    let ask = |s: &mut State| {
        s.overlays.push(Overlay::Confirm(Confirm {
            scroll: 0,
            title: "Rolling restart".into(),
            body: vec![],
            on_yes: Effect::RunPlan(plan.clone()),
        }));
        let y = crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char('y'),
            crossterm::event::KeyModifiers::NONE,
        );
        update(s, Msg::Key(y)).effects
    };
    // As the inbox hands a listing on: its holders read as it came in.
    let held = crate::ops::leases::held_of("local", &foreign_lease("cluster/shop"));
    update(
        &mut s,
        Msg::LeasesHeld {
            host: "local".into(),
            held: vec![held],
        },
    );
    // Nothing runs; the refusal goes to the audit log.
    let effects = ask(&mut s);
    assert!(
        matches!(&effects[..], [Effect::AuditRefusal { action, target, .. }]
            if action == "restart" && target == "cluster/shop"),
        "{effects:?}"
    );
    let said = &s.status.as_ref().expect("a status").text;
    assert!(
        said.starts_with(
            "refused: cluster/shop on local is held by another tugboat's job \
             (switchover cluster/shop) of alice@bastion2 (pid 4242)"
        ),
        "{said}"
    );
    // Given back: the same answer runs the plan.
    update(
        &mut s,
        Msg::LeasesHeld {
            host: "local".into(),
            held: vec![],
        },
    );
    assert!(matches!(ask(&mut s).as_slice(), [Effect::RunPlan(_)]));
}

fn press(s: &mut State, c: char) -> Vec<Effect> {
    let key = crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char(c),
        crossterm::event::KeyModifiers::NONE,
    );
    update(s, Msg::Key(key)).effects
}

#[test]
fn a_key_that_does_nothing_here_says_where_it_works() {
    let mut s = fresh();
    // On the Nodes pane, `x` cancels a job only in the Jobs pane.
    assert!(press(&mut s, 'x').is_empty());
    let said = &s.status.as_ref().expect("a status").text;
    assert!(
        said.starts_with("x does nothing here; Jobs pane: cancel the job"),
        "{said}"
    );
    // A key bound nowhere says so (app::unbound_key).
    s.status = None;
    press(&mut s, '%');
    let said = &s.status.as_ref().expect("a status").text;
    assert_eq!(said, "% does nothing here (? lists every key)");
}

#[test]
fn g_and_capital_g_go_to_the_ends_of_a_long_confirmation() {
    use crate::app::views::{Confirm, Overlay};
    let mut s = fresh();
    s.overlays.push(Overlay::Confirm(Confirm {
        scroll: 0,
        title: "Long".into(),
        body: (0..60).map(|i| format!("line {i}")).collect(),
        on_yes: Effect::Copy {
            what: "x".into(),
            text: "x".into(),
        },
    }));
    let scroll = |s: &State| match s.top_overlay() {
        Some(Overlay::Confirm(c)) => c.scroll,
        other => panic!("{other:?}"),
    };
    press(&mut s, 'G');
    assert_eq!(scroll(&s), 59);
    press(&mut s, 'g');
    assert_eq!(scroll(&s), 0);
}

fn code(s: &mut State, code: KeyCode) {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn typed(s: &mut State, text: &str) {
    text.chars().for_each(|c| code(s, KeyCode::Char(c)));
}

fn ctrl(s: &mut State, c: char) {
    update(
        s,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    );
}

fn listed(names: &[&str]) -> State {
    let mut s = fresh();
    update(
        &mut s,
        Msg::Host(HostUpdate::Listed {
            host: "local".into(),
            containers: names.iter().map(|n| container("local", n)).collect(),
            volumes: Vec::new(),
        }),
    );
    s
}

#[test]
fn slash_opens_an_empty_filter_and_up_recalls_the_one_in_force() {
    let mut s = listed(&["zk-1", "zk-2", "db-1"]);
    typed(&mut s, "/zk");
    assert_eq!(s.nodes.active_filter(), "zk", "filtered as typed");
    code(&mut s, KeyCode::Enter);
    assert_eq!(s.nodes.filter, "zk");
    assert!(s.nodes.filter_input.is_none());
    // Reopened: empty, so what is typed replaces the filter, not appends.
    typed(&mut s, "/");
    assert_eq!(s.nodes.active_filter(), "");
    typed(&mut s, "db");
    code(&mut s, KeyCode::Enter);
    assert_eq!(s.nodes.filter, "db");
    // ↑ brings back the filter in force, then the one before it.
    typed(&mut s, "/");
    code(&mut s, KeyCode::Up);
    assert_eq!(s.nodes.active_filter(), "db");
    code(&mut s, KeyCode::Up);
    assert_eq!(s.nodes.active_filter(), "zk");
    typed(&mut s, "-2");
    code(&mut s, KeyCode::Home);
    code(&mut s, KeyCode::Delete);
    assert_eq!(s.nodes.active_filter(), "k-2", "edited at the cursor");
    // Ctrl-W, Ctrl-U, then Enter on nothing: no filter.
    ctrl(&mut s, 'e');
    ctrl(&mut s, 'w');
    assert_eq!(s.nodes.active_filter(), "k-");
    ctrl(&mut s, 'u');
    code(&mut s, KeyCode::Enter);
    assert_eq!((s.nodes.filter.as_str(), s.nodes.active_filter()), ("", ""));
    // Each pane keeps its own.
    typed(&mut s, "2/");
    code(&mut s, KeyCode::Up);
    assert_eq!(s.volumes.active_filter(), "");
}

#[test]
fn esc_in_the_filter_drops_the_filter() {
    let mut s = listed(&["zk-1", "db-1"]);
    typed(&mut s, "/zk");
    code(&mut s, KeyCode::Enter);
    typed(&mut s, "/d");
    code(&mut s, KeyCode::Esc);
    assert!(s.nodes.filter_input.is_none());
    assert_eq!(s.nodes.active_filter(), "");
    // Still remembered for ↑.
    typed(&mut s, "/");
    code(&mut s, KeyCode::Up);
    assert_eq!(s.nodes.active_filter(), "zk");
}

#[test]
fn log_searches_are_remembered_across_log_views() {
    use crate::app::views::{LogView, Overlay};
    let mut s = fresh();
    let view = |session| {
        let mut v = LogView {
            session,
            follow: true,
            ..Default::default()
        };
        v.push_lines(vec!["x".into(), "ERROR one".into(), "y".into()]);
        Overlay::Logs(Box::new(v))
    };
    let input = |s: &State| match s.top_overlay() {
        Some(Overlay::Logs(v)) => v.input.as_ref().map(|i| i.editor.text().to_string()),
        other => panic!("{other:?}"),
    };
    s.overlays.push(view(1));
    typed(&mut s, "/timeout");
    ctrl(&mut s, 'w');
    typed(&mut s, "error");
    assert_eq!(input(&s).as_deref(), Some("error"));
    code(&mut s, KeyCode::Enter);
    assert_eq!(input(&s), None);
    match s.top_overlay() {
        Some(Overlay::Logs(v)) => assert_eq!(v.search.as_deref(), Some("error")),
        other => panic!("{other:?}"),
    }
    s.overlays.pop();
    s.overlays.push(view(2));
    typed(&mut s, "/");
    assert_eq!(input(&s).as_deref(), Some(""));
    code(&mut s, KeyCode::Up);
    assert_eq!(input(&s).as_deref(), Some("error"));
    code(&mut s, KeyCode::Esc);
    assert_eq!(input(&s), None);
}

#[test]
fn information_is_dropped_on_another_pane_but_warnings_stay() {
    let mut s = fresh();
    s.set_status(Level::Info, "3 of 12 lines match");
    press(&mut s, '2');
    assert_eq!(s.status, None, "a search's result is about the last pane");
    s.set_status(Level::Warn, "refused: another job holds zk");
    press(&mut s, '3');
    assert!(s.status.is_some(), "a warning is read where it is");
    // The same pane again is no move.
    s.set_status(Level::Info, "copied");
    press(&mut s, '3');
    assert!(s.status.is_some());
}

/// A reason cut at the screen's width is read in full later: `!` opens
/// every message said, newest first, in a viewer that wraps.
#[test]
fn the_message_log_keeps_what_the_status_line_cut() {
    let mut s = fresh();
    let long = format!("refused: {}", "a very long reason ".repeat(10));
    s.set_status(Level::Warn, long.clone());
    s.set_status(Level::Info, "3 marked");
    update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('!'), KeyModifiers::NONE)),
    );
    assert!(matches!(
        s.overlays.last(),
        Some(Overlay::Detail {
            target: Target::Messages,
            ..
        })
    ));
    let detail = crate::app::detail::detail_lines(&s, &Target::Messages);
    let texts: Vec<String> = detail.fields.iter().map(|l| l.text()).collect();
    assert!(texts[0].ends_with("3 marked"), "newest first: {texts:?}");
    assert!(texts[1].ends_with(long.as_str()), "in full: {texts:?}");
    assert!(detail.title.starts_with("Messages · 2"), "{}", detail.title);
}

/// A stats sample moves only numbers, unless the rows are sorted by them:
/// then the busiest container comes on screen and its stats are watched.
#[test]
fn a_stats_sample_under_the_cpu_sort_watches_the_container_it_brings_on_screen() {
    use crate::app::rows::SortKey;
    use crate::model::Stats;
    let sample = |cpu_percent: f64| {
        let busy = container("local", "c29");
        Msg::Host(HostUpdate::Stats {
            host: "local".into(),
            id: busy.id,
            stats: Stats {
                cpu_percent,
                memory_bytes: 1,
                memory_limit: 100,
            },
        })
    };
    let watches = |out: &Outcome| {
        out.effects
            .iter()
            .any(|e| matches!(e, Effect::WatchStats(_)))
    };
    for (key, resettled) in [(SortKey::Name, false), (SortKey::Cpu, true)] {
        let mut s = fresh();
        update_all(&mut s, storm());
        s.nodes.sort.key = key;
        update(&mut s, Msg::Tick(1_700_000_001_000));
        let out = update(&mut s, sample(90.0));
        assert_eq!(watches(&out), resettled, "{key:?}");
        assert!(out.redraw, "the new figure is drawn: {key:?}");
    }
}
