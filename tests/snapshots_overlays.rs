//! Snapshots of the overlays (help, confirmation, details, logs, inspect)
//! at 80x24 and 200x50, opened through `update` with the keys a user
//! presses, plus plain assertions on what each must show.

use crossterm::event::KeyCode;
use ratatui::style::Modifier;
use tugboat::app::{update, Effect, Msg, State};
use tugboat::config::Theme;
use tugboat::model::InspectSection;

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

/// Snapshot the screens of `both_sizes` as `<name>_<size>`; returns their text.
fn snap(name: &str, setup: impl Fn(&mut State), read_only: bool) -> Vec<String> {
    both_sizes(setup, read_only)
        .into_iter()
        .map(|(size, terminal)| {
            insta::assert_snapshot!(format!("{name}_{size}"), terminal.backend());
            terminal.backend().to_string()
        })
        .collect()
}

#[test]
fn help_overlay() {
    let [small, large]: [String; 2] = snap("help", |s| drop(press(s, "?")), false)
        .try_into()
        .unwrap();
    assert!(small.contains("Help — every key") && small.contains("q/Ctrl-c"));
    assert!(large.contains("Tables") && large.contains("Balancer pane"));
}

#[test]
fn help_overlay_scrolled_to_the_end() {
    let screens = snap("help_end", |s| drop(press(s, "?G")), false);
    assert!(screens[0].contains("no, cancel") && screens[0].contains("next match"));
}

#[test]
fn confirm_restart() {
    let screens = snap(
        "confirm",
        |s| {
            select(s, "shop-db-1");
            press(s, "r");
        },
        false,
    );
    for screen in &screens {
        assert!(screen.contains("Restart container shop-db-1 on host local?"));
        assert!(screen.contains("2. wait until shop-db-1 runs and passes its healthcheck"));
        assert!(screen.contains("y: yes    n / Esc: no"));
        assert!(screen.contains("y:yes  n:no"), "footer");
    }
}

#[test]
fn container_detail_groups_mounts_by_kind() {
    let screens = snap(
        "detail",
        |s| {
            select(s, "shop-db-1");
            update(s, code(KeyCode::Enter));
        },
        false,
    );
    for screen in &screens {
        for text in [
            "Volumes:",
            "Binds:",
            "Tmpfs:",
            "shop-data → /var/lib/mysql (rw)",
            "(ro)",
            "Esc:back",
        ] {
            assert!(screen.contains(text), "{text}");
        }
    }
    assert!(screens[1].contains("com.docker.compose.project=shop"));
}

/// What compose really puts on a container: ten labels, more than 80x24 shows.
fn compose_labels(s: &mut State) {
    let db = s
        .inventory
        .containers
        .values_mut()
        .find(|c| c.name == "shop-db-1")
        .unwrap();
    let labels = [
        ("config-hash", "9d2c0c4e1f7b"),
        ("container-number", "1"),
        ("depends_on", ""),
        ("image", "sha256:5b1a3c0e"),
        ("oneoff", "False"),
        ("project.config_files", "/srv/shop/compose.yaml"),
        ("project.working_dir", "/srv/shop"),
        ("version", "2.24.6"),
    ];
    for (key, value) in labels {
        let key = format!("com.docker.compose.{key}");
        db.labels.insert(key.into(), value.into());
    }
}

#[test]
fn container_detail_scrolls_to_its_last_label() {
    let screens = snap(
        "detail_end",
        |s| {
            compose_labels(s);
            select(s, "shop-db-1");
            update(s, code(KeyCode::Enter));
            press(s, "G");
        },
        false,
    );
    for screen in &screens {
        assert!(screen.contains("com.docker.compose.version=2.24.6"));
        assert!(!screen.contains("more lines"));
    }
    // 32 rows in 20 (with the database's replication lines, CPU and
    // memory): the last 20, and the keys to scroll back.
    assert!(screens[0].contains(" 13-32 of 32 ") && screens[0].contains("↑:up"));
    assert!(!screens[0].contains("name        shop-db-1"));
    // Two columns fit it all: nothing to scroll.
    assert!(screens[1].contains("name        shop-db-1") && !screens[1].contains("↑:up"));
}

#[test]
fn host_and_volume_detail() {
    let screens = snap(
        "host_detail",
        |s| drop(update(s, code(KeyCode::Enter))),
        false,
    );
    assert!(screens[0].contains("unix:///var/run/docker.sock") && screens[0].contains("manager"));
    let screens = snap(
        "volume_detail",
        |s| {
            press(s, "2j");
            update(s, code(KeyCode::Enter));
        },
        false,
    );
    for screen in &screens {
        assert!(
            screen.contains("Used by:") && screen.contains("shop-web-2 → /srv/static (stopped)")
        );
    }
}

fn open_logs(s: &mut State) {
    select(s, "shop-db-1");
    let session = press(s, "l")
        .into_iter()
        .find_map(|e| match e {
            Effect::OpenLogs { session, .. } => Some(session),
            _ => None,
        })
        .expect("logs opened");
    // Every 7th line an error; the rest long enough to be cut at 80 columns.
    let lines: Vec<String> = (0..60)
        .map(|i| match i % 7 {
            3 => format!("23:{i:02}:00 [ERROR] Aborted connection {i} to db: 'shop' user: 'app'"),
            _ => format!(
                "23:{i:02}:00 [Note] InnoDB: flushed {i} pages; {}",
                "more detail ".repeat(8)
            ),
        })
        .collect();
    let skipped = 0;
    update(
        s,
        Msg::LogLines {
            session,
            lines,
            skipped,
        },
    );
    press(s, "/error");
    update(s, code(KeyCode::Enter));
    press(s, "G");
    update(
        s,
        Msg::LogEnded {
            session,
            reason: "container stopped".into(),
        },
    );
}

#[test]
fn logs_with_search_and_ended_stream() {
    let screens = snap("logs", open_logs, false);
    for screen in &screens {
        assert!(screen.contains("Logs — shop-db-1 on local"));
        assert!(screen.contains("search: error"));
        assert!(screen.contains("— stream ended: container stopped —"));
        assert!(
            screen.contains("Aborted connection 59"),
            "bottom-anchored: the last line shows"
        );
    }
    let screens = snap(
        "logs_paused",
        |s| {
            open_logs(s);
            press(s, "kkk/warn");
        },
        false,
    );
    assert!(screens[0].contains("[paused, 3 lines below]") && screens[0].contains("/warn "));
}

#[test]
fn search_match_is_highlighted() {
    let mut s = state(false, (80, 24));
    open_logs(&mut s);
    let terminal = draw(&s, &Theme::builtin_default());
    let buf = terminal.backend().buffer();
    let theme = Theme::builtin_default();
    let row = find_row(&terminal, "Aborted connection 59").expect("match on screen");
    // The whole line in accent, the matched word also in the filter style.
    assert_eq!(buf[(0, row)].style().fg, theme.accent.fg);
    let word = (0..buf.area.width)
        .find(|&x| buf[(x, row)].symbol() == "E")
        .unwrap();
    assert_eq!(buf[(word, row)].style().fg, theme.filter.fg);
    assert!(buf[(word, row)].modifier.contains(Modifier::UNDERLINED));
}

#[test]
fn inspect_view() {
    let screens = snap(
        "inspect",
        |s| {
            select(s, "shop-db-1");
            press(s, "i");
            let Some(tugboat::app::views::Overlay::Inspect(view)) = s.top_overlay() else {
                panic!("inspect opened")
            };
            let (host, id) = (view.host.clone(), view.id.clone());
            let sections = vec![
                InspectSection {
                    title: "Config",
                    lines: (0..30).map(|i| format!("Env[{i}]=VAR_{i}=value")).collect(),
                },
                InspectSection {
                    title: "Network",
                    lines: vec!["IPAddress: 172.18.0.4".into()],
                },
            ];
            update(
                s,
                Msg::Inspected {
                    host,
                    id,
                    result: Ok(sections),
                },
            );
            press(s, "G");
        },
        false,
    );
    assert!(
        screens[0].contains("Inspect — shop-db-1") && screens[0].contains("IPAddress: 172.18.0.4")
    );
    assert!(screens[1].contains("Config:"));
}
