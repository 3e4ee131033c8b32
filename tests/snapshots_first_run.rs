//! The Nodes pane's first-run panel (ui::first_run): with no container on
//! any host, what to do next under the host rows, at 40x10, 80x24 and
//! 200x50, for an engine that does not answer and for one that answers
//! with nothing on it; and gone as soon as a container shows.

use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tugboat::app::keymap::{parse_key, Action, Context};
use tugboat::app::{update, Msg, State};
use tugboat::config::{Place, Theme};
use tugboat::model::testing::container;
use tugboat::model::{EngineInfo, Host, HostUpdate, Inventory};

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::{draw, find_row, NOW};

const SIZES: [(u16, u16); 3] = [(40, 10), (80, 24), (200, 50)];

const ERROR: &str = "cannot reach unix:///var/run/docker.sock: no such file or directory";

/// One local host, in the state `setup` puts it in, on a `size` screen.
fn one_host(size: (u16, u16), setup: impl Fn(&mut Inventory)) -> State {
    let mut inv = Inventory::new(vec![Host::new(
        "local",
        "unix:///var/run/docker.sock",
        "default",
    )
    .with_transport("unix")]);
    setup(&mut inv);
    let mut s = State::new(inv, false, NOW);
    update(
        &mut s,
        Msg::Resize {
            width: size.0,
            height: size.1,
        },
    );
    s
}

fn unreachable(inv: &mut Inventory) {
    inv.apply(HostUpdate::Unreachable {
        host: "local".into(),
        at: NOW - 5,
        error: ERROR.into(),
    });
}

fn empty(inv: &mut Inventory) {
    let engine = EngineInfo {
        engine_version: "27.5.1".into(),
        api_version: "1.47".into(),
        os: "linux".into(),
        swarm_role: None,
        swarm_id: None,
    };
    inv.apply(HostUpdate::Connected {
        host: "local".into(),
        engine,
    });
    inv.apply(HostUpdate::Listed {
        host: "local".into(),
        containers: Vec::new(),
        volumes: Vec::new(),
    });
}

fn screen(t: &Terminal<TestBackend>) -> String {
    t.backend().to_string()
}

/// Every size: a snapshot, and what the panel must say there.
fn snap(case: &str, setup: fn(&mut Inventory)) -> Vec<(u16, String)> {
    let theme = Theme::builtin_default();
    SIZES
        .iter()
        .map(|&size| {
            let s = one_host(size, setup);
            let t = draw(&s, &theme);
            insta::assert_snapshot!(
                format!("first_run_{case}_{}x{}", size.0, size.1),
                t.backend()
            );
            (size.0, screen(&t))
        })
        .collect()
}

#[test]
fn an_engine_that_does_not_answer_says_how_to_start_one() {
    for (width, text) in snap("unreachable", unreachable) {
        assert!(text.contains("No engine answered"), "{width}: {text}");
        assert!(
            text.contains("sudo systemctl start docker"),
            "{width}: {text}"
        );
        if width >= 80 {
            assert!(text.contains("scripts/testbed.sh"), "{text}");
            assert!(text.contains("tugboat --host NAME=URL"), "{text}");
            assert!(text.contains("[[hosts]]") && text.contains("DOCKER_HOST"));
            assert!(text.contains("docker context create NAME"), "{text}");
            // The error, whole, where the host's row cuts it.
            assert!(text.contains(&format!("local: {ERROR}")), "{text}");
            // Not what an empty engine is told.
            assert!(!text.contains("tugboat demo"), "{text}");
        }
    }
}

#[test]
fn an_empty_engine_offers_the_demo_and_the_wizards_key() {
    for (width, text) in snap("empty", empty) {
        assert!(text.contains("tugboat demo"), "{width}: {text}");
        assert!(
            text.contains("n: new cluster") || text.contains("  n  "),
            "{text}"
        );
        assert!(!text.contains("systemctl"), "{width}: {text}");
        if width >= 80 {
            assert!(text.contains("new cluster here: a guided wizard"), "{text}");
            assert!(text.contains("tugboat --host NAME=URL"), "{text}");
        }
    }
}

#[test]
fn the_wizards_key_is_the_one_in_effect_and_read_only_offers_no_wizard() {
    let mut s = one_host((80, 24), empty);
    let mut keymap = (*s.keymap).clone();
    let place = Place {
        path: "config.toml".into(),
        line: 1,
        column: 1,
    };
    let key = parse_key("N").unwrap();
    assert!(keymap.set_keys(Action::NewCluster, Context::Table, vec![key], place));
    s.keymap = std::sync::Arc::new(keymap);
    let text = screen(&draw(&s, &Theme::builtin_default()));
    let row = find_row(&draw(&s, &Theme::builtin_default()), "new cluster here").unwrap();
    let line = text.lines().nth(usize::from(row)).unwrap();
    assert!(line.contains("  N  "), "{line}");
    s.read_only = true;
    let text = screen(&draw(&s, &Theme::builtin_default()));
    assert!(!text.contains("new cluster") && text.contains("tugboat demo"));
}

#[test]
fn the_panel_goes_once_a_container_shows_and_waits_for_every_host() {
    let theme = Theme::builtin_default();
    let mut s = one_host((80, 24), empty);
    assert!(screen(&draw(&s, &theme)).contains("tugboat demo"));
    update(
        &mut s,
        Msg::Host(HostUpdate::ContainerChanged {
            container: container("local", "web-1"),
        }),
    );
    let text = screen(&draw(&s, &theme));
    assert!(
        text.contains("web-1") && !text.contains("tugboat demo"),
        "{text}"
    );
    // A start still connecting shows nothing yet (no flash of advice).
    let connecting = one_host((80, 24), |_| {});
    let text = screen(&draw(&connecting, &theme));
    assert!(text.contains("connecting…") && !text.contains("tugboat demo"));
    assert!(!text.contains("No engine answered"), "{text}");
}

#[test]
fn one_host_down_and_one_empty_say_both() {
    let theme = Theme::builtin_default();
    let mut inv = Inventory::new(vec![
        Host::new("local", "unix:///var/run/docker.sock", "default"),
        Host::new("db2", "ssh://admin@db2", "flag"),
    ]);
    empty(&mut inv);
    inv.apply(HostUpdate::Unreachable {
        host: "db2".into(),
        at: NOW - 5,
        error: "ssh: connect to host db2 port 22: Connection refused".into(),
    });
    let mut s = State::new(inv, false, NOW);
    update(
        &mut s,
        Msg::Resize {
            width: 80,
            height: 24,
        },
    );
    let text = screen(&draw(&s, &theme));
    assert!(text.contains("db2: ssh: connect to host db2"), "{text}");
    assert!(text.contains("sudo systemctl start docker"), "{text}");
    assert!(text.contains("tugboat demo"), "{text}");
    // The panel starts under both host rows.
    let hosts = find_row(&draw(&s, &theme), "▼ db2").unwrap();
    let first = find_row(&draw(&s, &theme), "No engine answered").unwrap();
    assert!(first > hosts, "{text}");
}

#[test]
fn commands_are_drawn_in_the_key_style() {
    let theme = Theme::builtin_default();
    let s = one_host((80, 24), unreachable);
    let t = draw(&s, &theme);
    let row = find_row(&t, "sudo systemctl").unwrap();
    let buf = t.backend().buffer();
    let cells: Vec<&str> = (0..80).map(|x| buf[(x, row)].symbol()).collect();
    let x = (0..cells.len())
        .find(|&x| cells[x..].concat().starts_with("sudo"))
        .unwrap();
    assert_eq!(
        buf[(u16::try_from(x).unwrap(), row)].fg,
        theme.key.fg.unwrap()
    );
}

#[test]
fn a_long_error_is_wrapped_whole_under_its_host() {
    let theme = Theme::builtin_default();
    let error = "no engine at /var/run/docker.sock (is dockerd running? `sudo systemctl \
                 start docker`; or is DOCKER_HOST pointing at the wrong place?)";
    let s = one_host((80, 24), |inv| {
        inv.apply(HostUpdate::Unreachable {
            host: "local".into(),
            at: NOW - 5,
            error: error.into(),
        });
    });
    let t = draw(&s, &theme);
    let first = find_row(&t, "local: no engine at").unwrap();
    let buf = t.backend().buffer();
    let words: Vec<String> = (first..first + 3)
        .map(|y| (0..80).map(|x| buf[(x, y)].symbol()).collect::<String>())
        .flat_map(|l| {
            l.trim_matches(|c| c == '│' || c == ' ')
                .split_whitespace()
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect();
    let said = words.join(" ");
    assert_eq!(said, format!("local: {error}"), "{}", screen(&t));
}
