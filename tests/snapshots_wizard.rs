//! The cluster wizard (`n`) driven by key events through `update` and drawn
//! with `TestBackend` at 80x24 (the review also at 200x50): every step of
//! each template, a field with its reason beside it, the review, progress
//! from job events, read-only refusal and NO_COLOR. Each snapshot comes
//! with plain assertions that fail if the screen stops saying what matters.

use crossterm::event::KeyCode;
use tugboat::app::{update, Msg, State};
use tugboat::config::Theme;
use tugboat::ops::job::{JobEvent, JobOutcome};
use tugboat::ops::plan::ContainerStep;
use tugboat::ops::plan::{Plan, PlanAction, PlanTarget, Step, StepOp};

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

const SMALL: (u16, u16) = (80, 24);

/// Snapshot the screen as `wizard_<name>`; returns its text.
fn snap(s: &State, name: &str) -> String {
    let terminal = draw(s, &Theme::builtin_default());
    insta::assert_snapshot!(
        format!("wizard_{name}_{}x{}", s.width, s.height),
        terminal.backend()
    );
    terminal.backend().to_string()
}

fn enter(s: &mut State) {
    update(s, code(KeyCode::Enter));
}

/// `n`, the template's number, Enter: the Name step.
fn open(template: char, size: (u16, u16)) -> State {
    let mut s = state(false, size);
    press(&mut s, "n");
    press(&mut s, &template.to_string());
    enter(&mut s);
    s
}

/// On to the Settings step with `name` and the default placement.
fn settings(template: char, name: &str) -> State {
    let mut s = open(template, SMALL);
    press(&mut s, name);
    enter(&mut s);
    enter(&mut s);
    s
}

fn review(template: char, name: &str, size: (u16, u16)) -> State {
    let mut s = open(template, size);
    press(&mut s, name);
    enter(&mut s);
    enter(&mut s);
    for _ in 0..8 {
        enter(&mut s);
    }
    s
}

#[test]
fn template_step() {
    let mut s = state(false, SMALL);
    press(&mut s, "n");
    let screen = snap(&s, "template");
    assert!(screen.contains("step 1/5: Template"), "{screen}");
    assert!(screen.contains("▸ 1  ZooKeeper ensemble"), "{screen}");
    assert!(screen.contains("3  App service: replicas behind HAProxy"));
    assert!(screen.contains("Enter:next"), "footer: {screen}");
}

#[test]
fn name_step_of_each_template_with_the_reason_beside_the_name() {
    for (t, name, taken) in [
        ('1', "orders", true),
        ('2', "shopdb", false),
        ('3', "web2", false),
    ] {
        let mut s = open(t, SMALL);
        press(&mut s, name);
        let screen = snap(&s, &format!("name_{t}"));
        assert!(screen.contains("step 2/5: Name"), "{screen}");
        if taken {
            assert!(
                screen.contains("✗ taken: container orders-db-primary on db2"),
                "a name in use on another host is refused: {screen}"
            );
        } else {
            assert!(screen.contains("✓ free on every host"), "{screen}");
        }
    }
}

#[test]
fn placement_step_of_each_template() {
    for t in ['1', '2', '3'] {
        let mut s = open(t, SMALL);
        press(&mut s, "newone");
        enter(&mut s);
        let screen = snap(&s, &format!("placement_{t}"));
        assert!(screen.contains("step 3/5: Placement"), "{screen}");
        assert!(screen.contains("▸ [x] local"), "{screen}");
        assert!(screen.contains("[ ] db2"), "{screen}");
        assert!(screen.contains("(default: newone)"), "{screen}");
    }
}

#[test]
fn a_spread_ensemble_has_no_network() {
    let mut s = open('1', SMALL);
    press(&mut s, "wide");
    enter(&mut s);
    update(&mut s, code(KeyCode::Down));
    press(&mut s, " ");
    let screen = snap(&s, "placement_spread");
    assert!(screen.contains("[x] db2"), "{screen}");
    assert!(screen.contains("network: none (spread"), "{screen}");
}

#[test]
fn settings_step_of_each_template_shows_the_defaults() {
    for (t, expect) in [
        ('1', "zookeeper:3.9"),
        ('2', "mariadb:11.4"),
        ('3', "nginx:1.27"),
    ] {
        let s = settings(t, "newone");
        let screen = snap(&s, &format!("settings_{t}"));
        assert!(
            screen.contains("step 4/5: Sizes, ports, images"),
            "{screen}"
        );
        assert!(screen.contains(expect), "{screen}");
    }
}

#[test]
fn a_field_shows_why_its_value_is_refused_or_warned() {
    let mut s = settings('1', "zk");
    update(&mut s, code(KeyCode::Backspace));
    press(&mut s, "4");
    update(&mut s, code(KeyCode::Tab));
    update(&mut s, code(KeyCode::Tab));
    for _ in 0..4 {
        update(&mut s, code(KeyCode::Backspace));
    }
    press(&mut s, "x1");
    let screen = snap(&s, "settings_invalid");
    assert!(
        screen.contains("! 4 members tolerate no more failures than 3"),
        "{screen}"
    );
    // "x1", the cursor's cell, then the reason.
    assert!(screen.contains("x1   ✗ a port from 1 to 65535"), "{screen}");
}

#[test]
fn review_shows_the_plan_at_both_sizes() {
    let s = review('1', "orders-zk", SMALL);
    let screen = snap(&s, "review");
    assert!(screen.contains("step 5/5: Review the plan"), "{screen}");
    assert!(
        screen.contains("create network orders-zk on local"),
        "{screen}"
    );
    assert!(
        screen.contains("create container orders-zk-zk1 on local"),
        "{screen}"
    );
    assert!(screen.contains("y:create") && screen.contains("s:save spec"));
    let large = review('1', "orders-zk", (200, 50));
    let screen = snap(&large, "review");
    assert!(
        screen.contains("verify: 3 members serve and one leads"),
        "{screen}"
    );
}

#[test]
fn review_of_the_database_scrolled_masks_secrets() {
    let mut s = review('2', "shopdb", SMALL);
    update(&mut s, code(KeyCode::PageDown));
    let screen = snap(&s, "review_database_scrolled");
    assert!(screen.contains("from 11"), "{screen}");
    assert!(!screen.contains("generated-at-apply"), "{screen}");
}

#[test]
fn review_of_the_app_template() {
    let s = review('3', "web2", SMALL);
    let screen = snap(&s, "review_app");
    assert!(screen.contains("create container web2-"), "{screen}");
}

#[test]
fn progress_follows_the_create_job() {
    let mut s = review('1', "orders-zk", SMALL);
    let effects = press(&mut s, "y");
    assert!(
        matches!(effects.first(), Some(tugboat::app::Effect::CreateCluster(spec)) if spec.name == "orders-zk"),
        "{effects:?}"
    );
    let step = |what: &str| {
        Step::new(
            what,
            StepOp::Container(ContainerStep::Restart { id: "x".into() }),
        )
    };
    let plan = Plan {
        action: PlanAction::Create,
        host: "local".into(),
        target: PlanTarget::Cluster("orders-zk".into()),
        steps: vec![
            step("create network orders-zk on local"),
            step("create container orders-zk-zk1 on local"),
            step("create container orders-zk-zk2 on local"),
            step("verify: 2 members serve and one leads"),
        ],
    };
    update(
        &mut s,
        Msg::Job(JobEvent::Started {
            id: 3,
            plan,
            at_ms: NOW * 1000,
        }),
    );
    update(
        &mut s,
        Msg::Job(JobEvent::Step {
            id: 3,
            index: 2,
            detail: "starting orders-zk-zk2".into(),
        }),
    );
    let screen = snap(&s, "progress_running");
    assert!(screen.contains("running step 3 of 4"), "{screen}");
    assert!(
        screen.contains("✓ create container orders-zk-zk1 on local"),
        "{screen}"
    );
    assert!(
        screen.contains("▸ create container orders-zk-zk2 on local"),
        "{screen}"
    );
    update(
        &mut s,
        Msg::Job(JobEvent::Finished {
            id: 3,
            outcome: JobOutcome::Failed {
                step: 4,
                error: "no leader after 60 s".into(),
            },
            millis: 61_000,
        }),
    );
    let screen = snap(&s, "progress_failed");
    assert!(
        screen.contains("failed at step 4 of 4: no leader after 60 s"),
        "{screen}"
    );
    assert!(screen.contains("✗ verify"), "{screen}");
}

#[test]
fn read_only_refuses_n_with_the_reason() {
    let mut s = state(true, SMALL);
    press(&mut s, "n");
    let screen = snap(&s, "read_only");
    assert!(!screen.contains("New cluster"), "{screen}");
    assert!(screen.contains("read-only"), "{screen}");
}

#[test]
fn no_color_keeps_the_reason_and_the_focus_visible() {
    let mut s = open('1', SMALL);
    press(&mut s, "Bad");
    let terminal = draw(&s, &Theme::no_color());
    insta::assert_snapshot!("wizard_no_color_80x24", terminal.backend());
    let screen = terminal.backend().to_string();
    assert!(
        screen.contains("▸ name") && screen.contains("✗ must start with a lower-case letter"),
        "{screen}"
    );
}

#[test]
fn progress_done_says_where_the_cluster_is() {
    let mut s = review('3', "web2", SMALL);
    press(&mut s, "y");
    let plan = Plan {
        action: PlanAction::Create,
        host: "local".into(),
        target: PlanTarget::Cluster("web2".into()),
        steps: vec![
            Step::new(
                "create network web2 on local",
                StepOp::Container(ContainerStep::Restart { id: "x".into() }),
            ),
            Step::new(
                "verify: all 2 servers in service on web2-lb are UP",
                StepOp::Container(ContainerStep::Restart { id: "x".into() }),
            ),
        ],
    };
    for event in [
        JobEvent::Started {
            id: 9,
            plan,
            at_ms: NOW * 1000,
        },
        JobEvent::Finished {
            id: 9,
            outcome: JobOutcome::Done,
            millis: 12_345,
        },
    ] {
        update(&mut s, Msg::Job(event));
    }
    let screen = snap(&s, "progress_done");
    assert!(
        screen.contains("done in 12.3 s: web2 is up. Enter selects it in the Nodes pane."),
        "{screen}"
    );
    assert!(screen.contains("✓ verify: all 2 servers in service on web2-lb are UP"));
}

#[test]
fn every_step_draws_in_a_tiny_terminal_without_panicking() {
    for size in [(20, 5), (1, 1), (40, 8)] {
        let mut s = review('1', "orders-zk", SMALL);
        update(
            &mut s,
            Msg::Resize {
                width: size.0,
                height: size.1,
            },
        );
        for _ in 0..5 {
            draw(&s, &Theme::builtin_default());
            update(&mut s, code(KeyCode::Esc));
        }
    }
}

#[test]
fn an_image_missing_on_the_host_is_flagged_on_its_field_and_the_review() {
    let mut s = settings('1', "orders-zk");
    let images = vec!["zookeeper:3.8".to_string()];
    update(
        &mut s,
        Msg::HostImages {
            host: "local".into(),
            images,
        },
    );
    enter(&mut s);
    let screen = snap(&s, "settings_missing_image");
    assert!(
        screen.contains("not on host local: run `docker pull zookeeper:3.9`"),
        "{screen}"
    );
    for _ in 0..8 {
        enter(&mut s);
    }
    let screen = snap(&s, "review_missing_image");
    assert!(
        screen.contains("error: image zookeeper:3.9 is not on host local"),
        "{screen}"
    );
}
