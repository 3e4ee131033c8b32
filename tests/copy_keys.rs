//! `c` and `C` in the TUI's core: what is copied where (a container's
//! name, the marked names, a log line, a server's address, an id in the
//! details), and a container's diagnostics block; hostile text in a log
//! line reaches the copy sanitized.

use crossterm::event::KeyCode;
use tugboat::app::{update, Effect, Msg, State};

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

fn copied(effects: &[Effect]) -> String {
    match effects {
        [Effect::Copy { text, .. }] => text.clone(),
        other => panic!("no copy: {other:?}"),
    }
}

fn fixture() -> State {
    state(false, (80, 24))
}

#[test]
fn c_copies_the_name_or_every_marked_name() {
    let mut s = fixture();
    select(&mut s, "shop-db-1");
    assert_eq!(copied(&press(&mut s, "c")), "shop-db-1");
    press(&mut s, " ");
    select(&mut s, "shop-web-2");
    press(&mut s, " ");
    let names = copied(&press(&mut s, "c"));
    let mut lines: Vec<&str> = names.lines().collect();
    lines.sort_unstable();
    assert_eq!(lines, ["shop-db-1", "shop-web-2"]);
}

#[test]
fn c_in_the_details_copies_the_id_and_in_logs_the_bottom_line() {
    let mut s = fixture();
    select(&mut s, "shop-db-1");
    update(&mut s, code(KeyCode::Enter));
    let id = copied(&press(&mut s, "c"));
    assert_eq!(id.len(), 64, "{id}");
    update(&mut s, code(KeyCode::Esc));

    let effects = press(&mut s, "l");
    let Some(Effect::OpenLogs { session, .. }) = effects.first() else {
        panic!("{effects:?}");
    };
    update(
        &mut s,
        Msg::LogLines {
            session: *session,
            lines: vec![
                "first".into(),
                "hostile \u{1b}]52;c;cHduZWQ=\u{7} \u{1b}[2J end".into(),
            ],
            skipped: 0,
        },
    );
    let line = copied(&press(&mut s, "c"));
    assert!(
        line.starts_with("hostile ") && line.ends_with(" end"),
        "{line:?}"
    );
    assert!(
        !line.contains('\u{1b}') && !line.contains('\u{7}'),
        "{line:?}"
    );
}

#[test]
fn capital_c_builds_a_diagnostics_block_of_the_container_and_its_cluster() {
    let mut s = fixture();
    select(&mut s, "shop-db-1");
    let effects = press(&mut s, "C");
    let [Effect::CopyDiagnostics { host, text, .. }] = effects.as_slice() else {
        panic!("{effects:?}");
    };
    assert_eq!(host, "local");
    for want in [
        "container shop-db-1 (3f9a1c2e7b5d) on host local",
        "image: mariadb:10.11",
        "state: running — Up 58 minutes (healthy)",
        "mount: volume shop-data -> /var/lib/mysql",
        "cluster: shop (compose)",
        "  shop-web-2 on local: nginx exited",
    ] {
        assert!(text.contains(want), "{want:?} not in:\n{text}");
    }
    // On a host row, C says what it needs.
    update(&mut s, key('g'));
    assert!(press(&mut s, "C").is_empty());
    let status = s.status.as_ref().map(|m| m.text.as_str()).unwrap_or("");
    assert_eq!(status, "select a container for its diagnostics");
}
