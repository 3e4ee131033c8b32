//! User actions through `update`: bound to their keys, offered by the
//! palette, planned with the selection's values as whole arguments,
//! confirmed or started, refused read-only when dangerous, and their
//! output shown in the job's detail as it comes.

use std::path::Path;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::rows::NodeRow;
use crate::app::state::{Pane, State};
use crate::app::views::{Overlay, Target};
use crate::app::{update, Effect, Msg};
use crate::config::parse_config;
use crate::model::testing::{container, volume};
use crate::model::{Host, HostUpdate, Inventory, LABEL_TUGBOAT_CLUSTER};
use crate::ops::job::JobEvent;

const CONFIG: &str = r#"
[[actions]]
name = "zk-stat"
description = "the member's own status"
key = "Z"
scope = "container"
roles = ["zookeeper"]
command = ["docker", "exec", "{container}", "zkServer.sh", "status"]
confirm = false

[[actions]]
name = "members"
key = "F5"
scope = "cluster"
command = ["echo", "{cluster}", "{members}"]

[[actions]]
name = "wipe"
key = "Y"
scope = "volume"
command = ["wipe", "--volume={volume}", "--on={host}"]
dangerous = true
"#;

fn state(read_only: bool) -> State {
    let mut inv = Inventory::new(vec![Host::new("local", "unix:///run/docker.sock", "flag")]);
    let zk = |name: &str| {
        let mut c = container("local", name);
        c.image = "zookeeper:3.9".into();
        c.labels
            .insert(LABEL_TUGBOAT_CLUSTER.into(), "orders zk".into());
        c
    };
    inv.apply(HostUpdate::Listed {
        host: "local".into(),
        containers: vec![zk("zk-1; rm -rf /"), zk("zk-2"), container("local", "web")],
        volumes: vec![volume("local", "orders-data")],
    });
    let mut s = State::new(inv, read_only, 1_700_000_000);
    let file = parse_config(Path::new("/c/config.toml"), CONFIG).unwrap();
    let built = build_keymap(&file.keys, &file.actions);
    assert!(built.errors.is_empty(), "{:?}", built.errors);
    s.keymap = Arc::new(built.keymap);
    s.user_actions = file.actions.into();
    update(
        &mut s,
        Msg::Resize {
            width: 120,
            height: 30,
        },
    );
    s
}

fn press(s: &mut State, code: KeyCode) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))).effects
}

fn select(s: &mut State, name: &str) {
    let rows = s.node_rows();
    let at = rows
        .iter()
        .position(|r| match r {
            NodeRow::Container { host, id } => {
                s.inventory.containers[&(host.clone(), id.clone())]
                    .name
                    .as_str()
                    == name
            }
            _ => false,
        })
        .unwrap();
    s.nodes.selected = at;
}

fn user_step(effects: &[Effect]) -> (&Plan, &UserStep) {
    let plan = effects
        .iter()
        .find_map(|e| match e {
            Effect::RunPlan(p) => Some(p),
            _ => None,
        })
        .expect("a plan started");
    let StepOp::User(step) = &plan.steps[0].op else {
        panic!("{plan:?}")
    };
    (plan, step)
}

#[test]
fn a_key_runs_the_action_with_the_values_as_whole_arguments() {
    let mut s = state(false);
    select(&mut s, "zk-1; rm -rf /");
    let effects = press(&mut s, KeyCode::Char('Z'));
    assert!(s.overlays.is_empty(), "confirm = false: no question");
    let (plan, UserStep::Run { argv, env, .. }) = user_step(&effects);
    assert_eq!(
        argv,
        &["docker", "exec", "zk-1; rm -rf /", "zkServer.sh", "status"]
    );
    assert!(env.contains(&("DOCKER_HOST".into(), "unix:///run/docker.sock".into())));
    assert_eq!(plan.action, PlanAction::User("zk-stat".into()));
    assert_eq!(plan.target.to_string(), "local/zk-1; rm -rf /");
    // The plan shows the odd name quoted, as one argument.
    assert!(
        plan.steps[0].what.contains("'zk-1; rm -rf /'"),
        "{}",
        plan.steps[0].what
    );
    // Its detail opens when the job starts, and shows the output as it comes.
    update(
        &mut s,
        Msg::Job(JobEvent::Started {
            id: 7,
            plan: plan.clone(),
            at_ms: 0,
        }),
    );
    for text in ["Mode: follower", "Zookeeper version: 3.9"] {
        update(
            &mut s,
            Msg::Job(JobEvent::Progress {
                id: 7,
                index: 0,
                text: text.into(),
            }),
        );
    }
    assert!(matches!(
        s.overlays.last(),
        Some(Overlay::Detail {
            target: Target::Job(7),
            ..
        })
    ));
    let detail = crate::app::detail::detail_lines(&s, &Target::Job(7));
    let text = format!("{detail:?}");
    assert!(text.contains("Output (2 lines)"), "{text}");
    assert!(text.contains("Mode: follower"), "{text}");
}

#[test]
fn a_role_the_action_is_not_for_is_said_and_nothing_runs() {
    let mut s = state(false);
    select(&mut s, "web");
    let effects = press(&mut s, KeyCode::Char('Z'));
    assert!(effects.iter().all(|e| !matches!(e, Effect::RunPlan(_))));
    let said = s.status.as_ref().unwrap().text.clone();
    assert_eq!(said, "zk-stat: for zookeeper containers only; web is other");
}

#[test]
fn a_cluster_action_gets_one_argument_per_member_after_a_confirmation() {
    let mut s = state(false);
    select(&mut s, "zk-2");
    press(&mut s, KeyCode::F(5));
    let Some(Overlay::Confirm(c)) = s.overlays.last() else {
        panic!("asks first: {:?}", s.overlays)
    };
    assert_eq!(c.title, "Run members");
    let Effect::RunPlan(plan) = &c.on_yes else {
        panic!()
    };
    let StepOp::User(UserStep::Run { argv, .. }) = &plan.steps[0].op else {
        panic!()
    };
    assert_eq!(argv, &["echo", "orders zk", "zk-1; rm -rf /", "zk-2"]);
    assert_eq!(plan.target, PlanTarget::Cluster("orders zk".into()));
}

#[test]
fn a_dangerous_action_is_refused_read_only_and_says_it_cannot_be_undone() {
    let mut s = state(true);
    s.pane = Pane::Volumes;
    let effects = press(&mut s, KeyCode::Char('Y'));
    assert!(effects.iter().all(|e| !matches!(e, Effect::RunPlan(_))));
    assert!(s.overlays.is_empty());
    assert!(s.status.as_ref().unwrap().text.starts_with("read-only"));
    let mut s = state(false);
    s.pane = Pane::Volumes;
    press(&mut s, KeyCode::Char('Y'));
    let Some(Overlay::Confirm(c)) = s.overlays.last() else {
        panic!("asks first")
    };
    let body = c.body.join("\n");
    assert!(
        body.contains("`wipe --volume=orders-data --on=local`"),
        "{body}"
    );
    assert!(body.contains("tugboat cannot undo it"), "{body}");
    // On the Nodes pane it says where it works.
    let mut s = state(false);
    press(&mut s, KeyCode::Char('Y'));
    assert!(s.overlays.is_empty());
    assert!(s
        .status
        .as_ref()
        .unwrap()
        .text
        .contains("select a volume on the Volumes pane"));
}

#[test]
fn the_palette_offers_user_actions_by_name_with_their_key() {
    let mut s = state(false);
    for c in ":zk-stat".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    let Some(Overlay::Palette(p)) = s.overlays.last() else {
        panic!("palette open")
    };
    let chosen = p.chosen().unwrap();
    assert!(
        chosen.name.starts_with("zk-stat: the member's own status"),
        "{}",
        chosen.name
    );
    assert_eq!(chosen.key.as_deref(), Some("Z"));
}

#[test]
fn keys_and_roles_are_checked_and_a_clash_names_the_user_action() {
    let src = r#"
[[actions]]
name = "mine"
key = "r"
scope = "container"
roles = ["zookeper"]
command = ["true"]

[[actions]]
name = "nuke"
key = "j"
scope = "container"
dangerous = true
command = ["true"]

[[actions]]
name = "other"
key = "r"
scope = "container"
command = ["true"]
"#;
    let file = parse_config(Path::new("/c/config.toml"), src).unwrap();
    let errors: Vec<String> = build_keymap(&file.keys, &file.actions)
        .errors
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.iter().any(|e| e.starts_with("/c/config.toml:6:")
            && e.contains("[[actions]] mine: no such role `zookeper`")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("\"nuke\" (nodes) changes things") && e.contains("\"down\"")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("key r: \"restart\" (nodes) and \"other\" (nodes)")),
        "{errors:?}"
    );
}
