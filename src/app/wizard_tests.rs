//! The wizard's state machine driven through `update` with key events:
//! next, back (answers kept), validation as typed, the reviewed plan, the
//! effects of confirming and saving, and progress from job events.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::state::{Level, Pane, State};
use super::views::Overlay;
use super::wizard::{Wizard, WizardStep};
use super::{update, Effect, Msg};
use crate::create::spec::Template;
use crate::model::testing::{container, volume};
use crate::model::{Host, HostUpdate, Inventory, PortMapping, LABEL_TUGBOAT_CLUSTER};
use crate::ops::job::{JobEvent, JobOutcome};
use crate::ops::plan::{ContainerStep, Plan, PlanAction, PlanTarget, Step, StepOp};

fn inventory() -> Inventory {
    let mut inv = Inventory::new(vec![
        Host::new("local", "unix:///var/run/docker.sock", "flag"),
        Host::new("db2", "tcp://10.0.0.12:2376", "config"),
    ]);
    let mut member = container("local", "oldbox");
    member
        .labels
        .insert(LABEL_TUGBOAT_CLUSTER.into(), "legacy".into());
    inv.apply(HostUpdate::Listed {
        host: "local".into(),
        containers: vec![web(), member],
        volumes: vec![volume("local", "orders-data")],
    });
    inv
}

/// A running container publishing host port 8081.
fn web() -> crate::model::Container {
    let mut web = container("local", "web");
    web.ports = vec![PortMapping {
        ip: Some("0.0.0.0".into()),
        private_port: 80,
        public_port: Some(8081),
        protocol: "tcp".into(),
    }];
    web
}

fn state(read_only: bool) -> State {
    State::new(inventory(), read_only, 0)
}

fn key(s: &mut State, code: KeyCode) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))).effects
}

fn typed(s: &mut State, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| key(s, KeyCode::Char(c)))
        .collect()
}

fn wizard(s: &State) -> &Wizard {
    match s.top_overlay() {
        Some(Overlay::Wizard(w)) => w,
        other => panic!("no wizard on top: {other:?}"),
    }
}

/// `n`, a template by number, a name, the default placement: Settings.
fn to_settings(s: &mut State, template: char, name: &str) {
    typed(s, "n");
    typed(s, &template.to_string());
    key(s, KeyCode::Enter);
    typed(s, name);
    key(s, KeyCode::Enter);
    key(s, KeyCode::Enter);
    assert_eq!(
        wizard(s).step,
        WizardStep::Settings,
        "{:?}",
        wizard(s).error
    );
}

/// Enter through every field to the Review.
fn to_review(s: &mut State) {
    for _ in 0..wizard(s).fields().len() {
        key(s, KeyCode::Enter);
    }
    assert_eq!(wizard(s).step, WizardStep::Review, "{:?}", wizard(s).error);
}

#[test]
fn n_opens_the_wizard_and_read_only_refuses_it_with_the_reason() {
    let mut s = state(false);
    typed(&mut s, "n");
    assert_eq!(wizard(&s).step, WizardStep::Template);
    let mut ro = state(true);
    typed(&mut ro, "n");
    assert!(ro.top_overlay().is_none());
    let status = ro.status.expect("a reason");
    assert_eq!(status.level, Level::Warn);
    assert!(status.text.contains("read-only"), "{}", status.text);
}

#[test]
fn typed_keys_go_to_the_wizard_not_the_keymap() {
    let mut s = state(false);
    typed(&mut s, "n");
    key(&mut s, KeyCode::Enter);
    // q would quit and 2 would switch panes, were they not text here.
    let effects = typed(&mut s, "q2");
    assert!(effects.is_empty() && !s.quit);
    assert_eq!(s.pane, Pane::Nodes);
    assert_eq!(wizard(&s).spec.name, "q2");
}

#[test]
fn the_name_is_checked_as_typed_against_every_host() {
    let mut s = state(false);
    typed(&mut s, "n");
    key(&mut s, KeyCode::Enter);
    assert_eq!(wizard(&s).name_problem.as_deref(), Some("a name is needed"));
    typed(&mut s, "Web");
    assert_eq!(
        wizard(&s).name_problem.as_deref(),
        Some("must start with a lower-case letter")
    );
    for _ in 0..3 {
        key(&mut s, KeyCode::Backspace);
    }
    typed(&mut s, "web");
    assert_eq!(
        wizard(&s).name_problem.as_deref(),
        Some("taken: container web on local")
    );
    key(&mut s, KeyCode::Enter);
    assert_eq!(wizard(&s).step, WizardStep::Name, "a taken name stops here");
    for _ in 0..3 {
        key(&mut s, KeyCode::Backspace);
    }
    typed(&mut s, "orders");
    assert!(wizard(&s)
        .name_problem
        .as_deref()
        .unwrap()
        .contains("volume orders-data"));
    for _ in 0..6 {
        key(&mut s, KeyCode::Backspace);
    }
    typed(&mut s, "legacy");
    assert!(
        wizard(&s)
            .name_problem
            .as_deref()
            .unwrap()
            .contains("oldbox"),
        "a cluster's label counts"
    );
    for _ in 0..6 {
        key(&mut s, KeyCode::Backspace);
    }
    typed(&mut s, "fresh");
    assert_eq!(wizard(&s).name_problem, None);
    key(&mut s, KeyCode::Enter);
    assert_eq!(wizard(&s).step, WizardStep::Placement);
}

#[test]
fn esc_goes_back_a_step_keeping_every_answer() {
    let mut s = state(false);
    to_settings(&mut s, '3', "shop");
    key(&mut s, KeyCode::Enter);
    typed(&mut s, "3");
    assert_eq!(wizard(&s).spec.app.replicas, 23);
    for step in [
        WizardStep::Placement,
        WizardStep::Name,
        WizardStep::Template,
    ] {
        key(&mut s, KeyCode::Esc);
        assert_eq!(wizard(&s).step, step);
    }
    assert_eq!(wizard(&s).template, 2, "the template chosen is kept");
    key(&mut s, KeyCode::Enter);
    assert_eq!(wizard(&s).spec.name, "shop");
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Enter);
    let w = wizard(&s);
    assert_eq!((w.step, w.field), (WizardStep::Settings, 1));
    assert_eq!(w.field_text("app.replicas"), "23");
    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::Esc);
    assert!(s.top_overlay().is_none(), "Esc on the first step closes");
    assert!(s.status.unwrap().text.contains("nothing was created"));
}

#[test]
fn fields_are_validated_as_typed_with_the_reason_beside_them() {
    let mut s = state(false);
    to_settings(&mut s, '1', "zk");
    // members: 3 → 4 warns, 0 refuses, "x" does not parse.
    key(&mut s, KeyCode::Backspace);
    typed(&mut s, "4");
    let (msg, fatal) = wizard(&s).field_message("zookeeper.members").unwrap();
    assert!(!fatal && msg.contains("no more failures than 3"), "{msg}");
    key(&mut s, KeyCode::Backspace);
    typed(&mut s, "x");
    assert_eq!(
        wizard(&s).field_message("zookeeper.members"),
        Some(("a whole number".into(), true))
    );
    key(&mut s, KeyCode::Backspace);
    typed(&mut s, "0");
    assert!(wizard(&s).field_message("zookeeper.members").unwrap().1);
    // Enter through the rest: the blocking field is focused again.
    to_fields_end(&mut s);
    key(&mut s, KeyCode::Enter);
    let w = wizard(&s);
    assert_eq!((w.step, w.field), (WizardStep::Settings, 0));
    key(&mut s, KeyCode::Backspace);
    typed(&mut s, "5");
    to_fields_end(&mut s);
    key(&mut s, KeyCode::Enter);
    assert_eq!(wizard(&s).step, WizardStep::Review);
}

fn to_fields_end(s: &mut State) {
    while wizard(s).field + 1 < wizard(s).fields().len() {
        key(s, KeyCode::Tab);
    }
}

#[test]
fn choices_cycle_with_space_and_ignore_typing() {
    let mut s = state(false);
    to_settings(&mut s, '2', "db");
    typed(&mut s, "zz");
    assert_eq!(wizard(&s).field_text("database.flavor"), "mariadb");
    typed(&mut s, " ");
    assert_eq!(wizard(&s).field_text("database.flavor"), "mysql");
    assert_eq!(
        wizard(&s).spec.database.flavor,
        crate::create::spec::DbFlavor::Mysql
    );
}

#[test]
fn review_shows_the_full_plan_with_warnings() {
    let mut s = state(false);
    to_settings(&mut s, '1', "orders-zk");
    key(&mut s, KeyCode::Backspace);
    typed(&mut s, "4");
    to_review(&mut s);
    let review = &wizard(&s).review;
    assert_eq!(review[0], "create network orders-zk on local");
    assert!(review
        .iter()
        .any(|l| l.starts_with("create container orders-zk-zk1 on local: zookeeper:3.9")));
    assert!(review
        .iter()
        .any(|l| l.starts_with("create container orders-zk-zk4 on local")));
    assert!(review
        .iter()
        .any(|l| l == "verify: 4 members serve and one leads"));
    assert!(review
        .last()
        .unwrap()
        .starts_with("warning: zookeeper.members: 4 members"));
    // Scrolling stays within the plan.
    key(&mut s, KeyCode::End);
    assert_eq!(wizard(&s).scroll, review_len(&s) - 1);
    key(&mut s, KeyCode::Down);
    assert_eq!(wizard(&s).scroll, review_len(&s) - 1);
    key(&mut s, KeyCode::Home);
    key(&mut s, KeyCode::PageDown);
    assert_eq!(wizard(&s).scroll, 10);
}

/// Enter through the fields without insisting the Review is reached.
fn to_review_attempt(s: &mut State) {
    for _ in 0..wizard(s).fields().len() {
        key(s, KeyCode::Enter);
    }
}

fn review_len(s: &State) -> usize {
    wizard(s).review.len()
}

#[test]
fn the_database_review_masks_the_generated_secrets() {
    let mut s = state(false);
    to_settings(&mut s, '2', "shopdb");
    to_review(&mut s);
    let text = wizard(&s).review.join("\n");
    assert!(
        text.contains("create container shopdb-db1 on local"),
        "{text}"
    );
    assert!(!text.contains("generated-at-apply"), "{text}");
}

#[test]
fn a_ensemble_spreads_over_several_hosts_other_templates_do_not() {
    let mut s = state(false);
    typed(&mut s, "n");
    key(&mut s, KeyCode::Enter);
    typed(&mut s, "wide");
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Down);
    typed(&mut s, " ");
    assert_eq!(wizard(&s).chosen_hosts(), ["local", "db2"]);
    key(&mut s, KeyCode::Enter);
    to_review(&mut s);
    assert!(wizard(&s)
        .review
        .iter()
        .any(|l| l.starts_with("create container wide-zk2 on db2")));
    // Back to Template, switch to App: one host only.
    for _ in 0..4 {
        key(&mut s, KeyCode::Esc);
    }
    typed(&mut s, "3");
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Enter);
    key(&mut s, KeyCode::Enter);
    let w = wizard(&s);
    assert_eq!(w.step, WizardStep::Placement);
    assert!(w.placement_problem().unwrap().contains("one host"));
    typed(&mut s, " ");
    assert_eq!(wizard(&s).chosen_hosts(), ["db2"], "a radio choice");
}

#[test]
fn a_plan_error_sends_the_user_back_to_its_step() {
    let mut s = state(false);
    to_settings(&mut s, '1', "late");
    // The name is taken meanwhile (another user, another terminal).
    update(
        &mut s,
        Msg::Host(HostUpdate::Listed {
            host: "local".into(),
            containers: vec![container("local", "late-zk1")],
            volumes: vec![],
        }),
    );
    to_review_attempt(&mut s);
    let w = wizard(&s);
    assert_eq!(w.step, WizardStep::Name, "{:?}", w.error);
    assert!(w.error.as_deref().unwrap().contains("late-zk1"));
}

#[test]
fn y_on_the_review_creates_and_follows_the_job_to_done() {
    let mut s = state(false);
    to_settings(&mut s, '1', "orders-zk");
    to_review(&mut s);
    let effects = typed(&mut s, "y");
    let Some(Effect::CreateCluster(spec)) = effects.first() else {
        panic!("{effects:?}");
    };
    assert_eq!(spec.name, "orders-zk");
    assert_eq!(spec.template, Template::Zookeeper);
    assert_eq!(spec.placement.hosts, ["local"]);
    assert_eq!(wizard(&s).step, WizardStep::Progress);

    let plan = Plan {
        action: PlanAction::Create,
        host: "local".into(),
        target: PlanTarget::Cluster("orders-zk".into()),
        steps: vec![
            Step::new(
                "create network orders-zk",
                StepOp::Container(ContainerStep::Restart { id: "x".into() }),
            ),
            Step::new(
                "create container orders-zk-zk1",
                StepOp::Container(ContainerStep::Restart { id: "x".into() }),
            ),
        ],
    };
    let other = Plan {
        action: PlanAction::Restart,
        ..plan.clone()
    };
    update(
        &mut s,
        Msg::Job(JobEvent::Started {
            id: 7,
            plan: other,
            at_ms: 0,
        }),
    );
    assert_eq!(wizard(&s).progress.job, None, "not a create job");
    let neighbour = Plan {
        target: PlanTarget::Cluster("orders-zk2".into()),
        ..plan.clone()
    };
    update(
        &mut s,
        Msg::Job(JobEvent::Started {
            id: 6,
            plan: neighbour,
            at_ms: 0,
        }),
    );
    assert_eq!(wizard(&s).progress.job, None, "another cluster's create");
    update(
        &mut s,
        Msg::Job(JobEvent::Started {
            id: 8,
            plan,
            at_ms: 0,
        }),
    );
    update(
        &mut s,
        Msg::Job(JobEvent::Step {
            id: 8,
            index: 1,
            detail: "creating orders-zk-zk1".into(),
        }),
    );
    let p = &wizard(&s).progress;
    assert_eq!((p.job, p.current), (Some(8), Some(1)));
    assert_eq!(s.jobs.len(), 3, "the Jobs pane sees every job");

    // The cluster appears, the job finishes: closing selects it in Nodes.
    let mut member = container("local", "orders-zk-zk1");
    member
        .labels
        .insert(LABEL_TUGBOAT_CLUSTER.into(), "orders-zk".into());
    update(
        &mut s,
        Msg::Host(HostUpdate::Listed {
            host: "local".into(),
            containers: vec![web(), member],
            volumes: vec![],
        }),
    );
    update(
        &mut s,
        Msg::Job(JobEvent::Finished {
            id: 8,
            outcome: JobOutcome::Done,
            millis: 4200,
        }),
    );
    assert_eq!(wizard(&s).progress.outcome, Some(JobOutcome::Done));
    s.pane = Pane::Volumes;
    key(&mut s, KeyCode::Enter);
    assert!(s.top_overlay().is_none());
    assert_eq!(s.pane, Pane::Nodes);
    match s.selected_node() {
        Some(crate::app::rows::NodeRow::Cluster { cluster, .. }) => {
            assert_eq!(cluster.name, "orders-zk")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn s_on_the_review_saves_the_answers_as_a_spec() {
    let mut s = state(false);
    to_settings(&mut s, '3', "web2");
    to_review(&mut s);
    let effects = typed(&mut s, "s");
    let Some(Effect::SaveSpec { path, text }) = effects.first() else {
        panic!("{effects:?}");
    };
    assert_eq!(path, &std::path::PathBuf::from("specs/web2.toml"));
    let spec = crate::create::spec::ClusterSpec::from_toml(text).unwrap();
    assert_eq!(&spec, &wizard(&s).spec);
    assert_eq!(wizard(&s).step, WizardStep::Review, "saving does not leave");
}

#[test]
fn a_published_port_in_use_sends_the_user_back_to_that_field() {
    let mut s = state(false);
    to_settings(&mut s, '3', "shop");
    while wizard(&s).fields()[wizard(&s).field].key != "app.published_port" {
        key(&mut s, KeyCode::Tab);
    }
    typed(&mut s, "8081");
    key(&mut s, KeyCode::Enter);
    let w = wizard(&s);
    assert_eq!(w.step, WizardStep::Settings);
    assert_eq!(w.fields()[w.field].key, "app.published_port");
    assert!(
        w.error
            .as_deref()
            .unwrap()
            .contains("port 8081 is already published on local"),
        "{:?}",
        w.error
    );
    key(&mut s, KeyCode::Backspace);
    typed(&mut s, "2");
    key(&mut s, KeyCode::Enter);
    let w = wizard(&s);
    assert_eq!((w.step, w.error.as_deref()), (WizardStep::Review, None));
    assert!(
        w.review.iter().any(|l| l.contains("ports 8082->8080")),
        "{:?}",
        w.review
    );
}

#[test]
fn esc_on_a_running_create_closes_the_wizard_the_job_goes_on() {
    let mut s = state(false);
    to_settings(&mut s, '1', "bg");
    to_review(&mut s);
    typed(&mut s, "y");
    key(&mut s, KeyCode::Esc);
    assert!(s.top_overlay().is_none());
    // Its events still reach the Jobs pane, and nothing panics.
    let plan = Plan {
        action: PlanAction::Create,
        host: "local".into(),
        target: PlanTarget::Cluster("bg".into()),
        steps: vec![],
    };
    update(
        &mut s,
        Msg::Job(JobEvent::Started {
            id: 1,
            plan,
            at_ms: 0,
        }),
    );
    assert_eq!(s.jobs.len(), 1);
}

#[test]
fn an_image_the_host_lacks_is_flagged_and_blocks_the_create_until_pulled() {
    let mut s = state(false);
    let effects = typed(&mut s, "n");
    assert!(
        effects.contains(&Effect::ListImages(vec!["local".into(), "db2".into()])),
        "the hosts are asked for their images: {effects:?}"
    );
    let images = |s: &mut State, tags: &[&str]| {
        let images = tags.iter().map(|t| t.to_string()).collect();
        update(
            s,
            Msg::HostImages {
                host: "local".into(),
                images,
            },
        );
    };
    s.overlays.pop();
    to_settings(&mut s, '1', "orders-zk");
    // local answers; db2 never does, so it is not judged.
    images(&mut s, &["zookeeper:3.8"]);
    let pull = "not on host local: run `docker pull zookeeper:3.9` on local first";
    assert_eq!(
        wizard(&s).field_message("zookeeper.image"),
        Some((pull.to_string(), false))
    );
    to_review(&mut s);
    let first = &wizard(&s).review[0];
    assert!(
        first.starts_with("error: image zookeeper:3.9 is not on host local: run `docker pull"),
        "{first}"
    );
    let effects = typed(&mut s, "y");
    assert_eq!(effects, [Effect::ListImages(vec!["local".into()])]);
    assert_eq!(wizard(&s).step, WizardStep::Review);
    let status = s.status.clone().expect("why not");
    assert!(
        status.text.contains("docker pull zookeeper:3.9"),
        "{}",
        status.text
    );

    // Pulled meanwhile: the answer clears the review, and y creates.
    images(&mut s, &["zookeeper:3.8", "zookeeper:3.9"]);
    assert!(!wizard(&s).review[0].starts_with("error:"));
    let effects = typed(&mut s, "y");
    assert!(
        matches!(effects.first(), Some(Effect::CreateCluster(_))),
        "{effects:?}"
    );
}

/// Typing in the wizard's inputs, and its list keys.
#[path = "wizard_input_tests.rs"]
mod input;
