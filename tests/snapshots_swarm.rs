//! Swarm nodes under their manager in the Nodes pane at 80x24, and `d` on
//! one: a confirmation that names the node and the manager.

use tugboat::app::update;
use tugboat::app::views::Overlay;
use tugboat::app::Msg;
use tugboat::config::Theme;
use tugboat::model::swarm::SwarmNode;
use tugboat::model::HostUpdate;

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

fn node(id: &str, hostname: &str, role: &str, availability: &str, state: &str) -> SwarmNode {
    SwarmNode {
        id: id.into(),
        hostname: hostname.into(),
        role: role.into(),
        availability: availability.into(),
        state: state.into(),
        leader: role == "manager",
        addr: "10.0.0.1".into(),
        reachability: if role == "manager" { "reachable" } else { "" }.into(),
    }
}

#[test]
fn swarm_nodes_listed_and_drained_with_d() {
    let mut s = state(false, (80, 24));
    let nodes = vec![
        node("n1", "mgr-1", "manager", "active", "ready"),
        node("n2", "worker-2", "worker", "drain", "ready"),
        node("n3", "worker-3", "worker", "active", "down"),
    ];
    update(
        &mut s,
        Msg::Host(HostUpdate::SwarmNodes {
            host: "local".into(),
            nodes,
        }),
    );
    let terminal = draw(&s, &Theme::builtin_default());
    insta::assert_snapshot!("swarm_nodes_80x24", terminal.backend());
    let screen = terminal.backend().to_string();
    assert!(screen.contains("◆ node mgr-1 · manager (leader) · active · ready"));
    assert!(screen.contains("◆ node worker-3 · worker · active · down"));

    // The third row is worker-3; `d` asks before draining it.
    press(&mut s, "jjj");
    press(&mut s, "d");
    let body = match s.top_overlay() {
        Some(Overlay::Confirm(c)) => c.body.join("\n"),
        other => panic!("no confirmation: {other:?}"),
    };
    assert!(
        body.contains(
            "Drain swarm node worker-3 (its tasks move to other nodes), through manager local"
        ),
        "{body}"
    );
    assert!(
        body.contains("set swarm node worker-3 availability to drain"),
        "{body}"
    );
}
