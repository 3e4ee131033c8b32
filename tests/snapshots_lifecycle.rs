//! Marks and lifecycle actions on the Nodes pane, at 80x24 and 200x50:
//! Space, a range and a role mark; the confirmation lists every target
//! and what is left out; stopping two followers of three is refused for
//! the quorum before any dialog; read-only refuses before any plan.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tugboat::app::views::Overlay;
use tugboat::app::{update, Effect, Msg, State};
use tugboat::config::Theme;
use tugboat::model::probed::ProbeResult;
use tugboat::ops::plan::{ContainerStep, StepOp, ZkStep};

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

/// The fixture with its ensembles, every HAProxy answered (the plain one
/// failed: no stats socket), so a plan knows which servers point where.
fn fixture(size: (u16, u16)) -> State {
    let mut s = state(false, size);
    add_zookeeper(&mut s);
    let haproxies = tugboat::model::probed::haproxy_targets(&s.inventory);
    for k in haproxies {
        s.probes.record(
            k,
            NOW,
            ProbeResult::Haproxy(Err("no stats socket answered".into())),
        );
    }
    s
}

fn confirm_body(s: &State) -> String {
    match s.top_overlay() {
        Some(Overlay::Confirm(c)) => c.body.join("\n"),
        other => panic!("no confirmation: {other:?}"),
    }
}

fn status(s: &State) -> String {
    s.status
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

/// The marked containers' names, sorted.
fn marked_names(s: &State) -> Vec<String> {
    let mut names: Vec<String> = s
        .marks
        .keys
        .iter()
        .map(|k| s.inventory.containers[k].name.to_string())
        .collect();
    names.sort();
    names
}

/// A member the probes have not answered for yet is named as not marked,
/// first on the status line: "every follower" must not silently mean
/// fewer (a stop of the one marked would then pass the quorum check).
#[test]
fn a_role_mark_names_the_members_not_probed_yet() {
    let mut s = fixture((80, 24));
    let zk3 = s
        .inventory
        .containers
        .iter()
        .find(|(_, c)| c.name.as_str() == "orders-zk-3")
        .map(|(k, _)| k.clone())
        .unwrap();
    s.probes.zookeeper.remove(&zk3);
    select(&mut s, "orders-zk-1");
    press(&mut s, "*");
    assert_eq!(marked_names(&s), ["orders-zk-1"]);
    let said = status(&s);
    assert!(
        said.starts_with("not probed yet, so not marked: orders-zk-3; marked every follower"),
        "{said}"
    );
}

#[test]
fn marking_all_followers_then_stopping_them_is_refused_for_the_quorum() {
    for size in SIZES {
        let mut s = fixture(size);
        select(&mut s, "orders-zk-1");
        press(&mut s, "*");
        assert_eq!(marked_names(&s), ["orders-zk-1", "orders-zk-3"]);
        assert!(
            status(&s).contains("marked every follower of orders-zk"),
            "{}",
            status(&s)
        );
        let effects = press(&mut s, "S");
        assert!(s.top_overlay().is_none(), "no dialog for a refused plan");
        assert!(
            effects.iter().any(|e| matches!(e,
                Effect::AuditRefusal { action, target, reason }
                    if action == "stop" && target == "2 marked containers"
                        && reason.contains("would lose its quorum"))),
            "the refusal is audited: {effects:?}"
        );
        let why = status(&s);
        assert!(
            why.starts_with("refused: ensemble orders-zk would lose its quorum"),
            "{why}"
        );
        assert!(
            why.contains("stop orders-zk-1, orders-zk-3 leaves 1 of its 3 members"),
            "{why}"
        );
        let terminal = draw(&s, &Theme::builtin_default());
        insta::assert_snapshot!(
            format!("lifecycle_quorum_refused_{}x{}", size.0, size.1),
            terminal.backend()
        );
        // At 80 columns the reason takes the footer's row too, to be read
        // whole; the next key gives the footer back, the message stays.
        let screen = terminal.backend().to_string();
        assert!(screen.contains("nothing was done"), "{screen}");
        assert_eq!(screen.contains("?:help"), size.0 >= 200, "{screen}");
        press(&mut s, "k");
        let screen = draw(&s, &Theme::builtin_default()).backend().to_string();
        assert!(screen.contains("?:help"), "{screen}");
        assert!(screen.contains("refused: ensemble orders-zk"), "{screen}");
    }
}

#[test]
fn stopping_one_follower_is_guarded_by_the_quorum_asked_again() {
    let mut s = fixture((80, 24));
    select(&mut s, "orders-zk-3");
    press(&mut s, "S");
    let body = confirm_body(&s);
    assert!(
        body.starts_with("Stop 1 container?\n  orders-zk-3 on local"),
        "{body}"
    );
    let effects = press(&mut s, "y");
    let [Effect::RunPlan(plan)] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert!(matches!(
        &plan.steps[0].op,
        StepOp::Zk(ZkStep::GuardQuorum { voters: 3, .. })
    ));
    assert!(matches!(
        &plan.steps[1].op,
        StepOp::Container(ContainerStep::Stop { .. })
    ));
}

#[test]
fn space_and_a_range_mark_and_the_dialog_lists_every_target_and_what_is_left_out() {
    for size in SIZES {
        let mut s = fixture(size);
        // Space marks and moves down; a range marks up to the selection.
        select(&mut s, "shop-db-1");
        press(&mut s, " ");
        select(&mut s, "shop-web-2");
        press(&mut s, "v");
        let marked = marked_names(&s);
        for name in ["shop-db-1", "shop-web-1", "shop-web-2"] {
            assert!(marked.contains(&name.to_string()), "{marked:?}");
        }
        // Ctrl-Space does what v does.
        press(&mut s, "M");
        assert!(s.marks.is_empty());
        select(&mut s, "backup-agent");
        press(&mut s, " ");
        press(&mut s, "j");
        let ctrl_space = KeyEvent::new(KeyCode::Char(' '), KeyModifiers::CONTROL);
        update(&mut s, Msg::Key(ctrl_space));
        assert_eq!(
            marked_names(&s),
            [
                "backup-agent",
                "batch-job",
                "haproxy-edge-with-a-rather-long-name"
            ]
        );
        // One of them stopped: a start acts on it and leaves the others out.
        let key = s
            .marks
            .keys
            .iter()
            .find(|k| s.inventory.containers[*k].name == "batch-job")
            .cloned()
            .unwrap();
        s.inventory.containers.get_mut(&key).unwrap().state =
            tugboat::model::ContainerState::Exited;
        let terminal = draw(&s, &Theme::builtin_default());
        insta::assert_snapshot!(
            format!("lifecycle_marks_{}x{}", size.0, size.1),
            terminal.backend()
        );
        press(&mut s, "t");
        let body = confirm_body(&s);
        assert!(body.starts_with("Start 1 container?"), "{body}");
        assert!(body.contains("  batch-job on local\nLeft out:"), "{body}");
        assert!(
            body.contains("backup-agent on local: already runs"),
            "{body}"
        );
        let terminal = draw(&s, &Theme::builtin_default());
        insta::assert_snapshot!(
            format!("lifecycle_confirm_{}x{}", size.0, size.1),
            terminal.backend()
        );
    }
}

#[test]
fn removing_names_every_target_and_says_it_cannot_be_undone() {
    let mut s = fixture((80, 24));
    select(&mut s, "backup-agent");
    press(&mut s, " ");
    press(&mut s, "j ");
    press(&mut s, "D");
    let body = confirm_body(&s);
    assert!(body.starts_with("Remove 2 containers?"), "{body}");
    assert!(body.contains("Removal cannot be undone"), "{body}");
    assert!(body.contains("ends after the removal in flight"), "{body}");
    assert_eq!(body.matches("remove ").count(), 2, "{body}");
}

#[test]
fn read_only_refuses_every_lifecycle_key_before_any_plan() {
    let mut s = state(true, (80, 24));
    select(&mut s, "tools");
    for (k, action) in [
        ("t", "start"),
        ("S", "stop"),
        ("K", "kill"),
        ("p", "pause"),
        ("P", "unpause"),
        ("D", "remove"),
    ] {
        let effects = press(&mut s, k);
        assert!(s.top_overlay().is_none(), "{k}");
        assert!(status(&s).starts_with("read-only"), "{k}: {}", status(&s));
        // Refused here, before any job: audited all the same.
        let audited = effects.iter().find_map(|e| match e {
            Effect::AuditRefusal {
                action,
                target,
                reason,
            } => Some((action.as_str(), target.as_str(), reason.as_str())),
            _ => None,
        });
        let (said, target, reason) = audited.unwrap_or_else(|| panic!("{k}: {effects:?}"));
        assert_eq!((said, target), (action, "local/tools"), "{k}");
        assert!(reason.starts_with("read-only"), "{reason}");
    }
    // Marking changes nothing on a host: allowed.
    press(&mut s, " ");
    assert_eq!(s.marks.len(), 1);
}
