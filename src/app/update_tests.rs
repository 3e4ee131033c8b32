use super::*;
use crate::model::testing::container;
use crate::model::{ContainerState, Host, HostUpdate, Inventory};

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
