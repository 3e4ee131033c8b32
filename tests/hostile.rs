//! A hostile test bed: containers whose labels, environment, logs and
//! probe answers (a fake ZooKeeper answering `srvr`, a fake HAProxy whose
//! `show stat` rows and runtime answers carry them, a MariaDB replica whose
//! source host and replication error do) hold CSI, OSC 0 and 52, DCS, C1,
//! bidi overrides, zero-width and tag characters and an unterminated OSC.
//! None of it reaches a terminal: `status`, `status --json`, an
//! operation's outcome, `audit` and `export` contain none of those
//! characters, and the TUI in tmux keeps its pane title, its clipboard
//! buffer empty with `set-clipboard on`, and its screen.

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use std::time::Duration;

use common::*;
use tmux::Tmux;
use tugboat::model::sanitize::is_dangerous;

/// Every kind of sequence a container may send a terminal.
const HOSTILE: &str = "\u{1b}]0;PWNED-TITLE\u{7}\u{1b}]52;c;cHduZWQ=\u{7}\u{1b}[2J\u{1b}[H\
                       \u{1b}Pq#0;2;0;0;0\u{1b}\\\u{9b}31m\u{9d}0;c1-title\u{9c}\u{202e}drow\
                       \u{200b}\u{2060}\u{feff}\u{61c}\u{ad}\u{e0041}\u{e007f}tail\u{1b}]0;unterminated";

/// The characters of `text` that must not reach a terminal (newlines and
/// tabs are layout).
fn dangerous(text: &str) -> Vec<String> {
    text.chars()
        .filter(|c| *c != '\n' && *c != '\t' && is_dangerous(*c))
        .map(|c| format!("U+{:04X}", c as u32))
        .collect()
}

fn assert_clean(what: &str, text: &str) {
    let found = dangerous(text);
    assert!(found.is_empty(), "{what} holds {found:?}:\n{text}");
    assert!(
        !text.contains("PWNED-TITLE"),
        "{what} holds the title:\n{text}"
    );
}

/// A ZooKeeper `srvr` answer with the hostile text in its fields.
fn srvr() -> String {
    format!(
        "Zookeeper version: 3.8.0-{HOSTILE}, built on 2024-12-29\nLatency min/avg/max: 0/0.0/0\nReceived: 2\n\
         Sent: 1\nConnections: 1\nOutstanding: 0\nZxid: 0x100000000\nMode: leader{HOSTILE}\nNode count: 5\n"
    )
}

/// `show stat` from the fixture, a backend and server named with it.
fn show_stat() -> String {
    let csv =
        std::fs::read_to_string(repo_root().join("tests/fixtures/haproxy/show-stat-all-up.csv"))
            .expect("fixture");
    csv.replace(",app1,", &format!(",app1{HOSTILE},"))
        .replace("Layer7 check passed", &format!("Layer7 {HOSTILE}"))
}

/// A busybox container answering every connection on `port` with `$ANSWER`.
fn fake_server(run: &str, name: &str, role: &str, port: u16, answer: &str, setup: &str) {
    let answer_env = format!("ANSWER={answer}");
    let role_label = format!("io.tugboat.role={role}");
    let note = format!("io.tugboat.note={HOSTILE}");
    let hostile_env = format!("HOSTILE={HOSTILE}");
    let script = format!(
        "printf '%s' \"$ANSWER\" > /answer; printf '#!/bin/sh\\ncat /answer\\n' > /serve; chmod +x /serve; {setup} \
         printf '%s\\n' \"$HOSTILE\"; exec nc -ll -p {port} -e /serve"
    );
    run_busybox(
        run,
        name,
        &[
            "--label",
            &role_label,
            "--label",
            &note,
            "-e",
            &answer_env,
            "-e",
            &hostile_env,
        ],
        &["sh", "-c", &script],
    );
}

#[test]
fn no_byte_a_container_sends_reaches_the_terminal() {
    require_engine();
    let run = unique("hostile");
    let _cleanup = Cleanup::new(&run);
    let (zk, lb, logger) = (
        format!("{run}-zk"),
        format!("{run}-lb"),
        format!("{run}-logger"),
    );
    fake_server(&run, &zk, "zookeeper", 2181, &srvr(), "");
    let cfg = "mkdir -p /usr/local/etc/haproxy; \
               printf 'global\\n    stats socket ipv4@127.0.0.1:9999 level admin\\n' > /usr/local/etc/haproxy/haproxy.cfg;";
    fake_server(&run, &lb, "haproxy", 9999, &show_stat(), cfg);
    // A "created" member of a cluster, as export reads it, that logs the
    // hostile text without end.
    let cluster = format!("io.tugboat.cluster={run}");
    let note = format!("io.tugboat.note={HOSTILE}");
    let env = format!("HOSTILE={HOSTILE}");
    run_busybox(
        &run,
        &logger,
        &[
            "--label",
            &cluster,
            "--label",
            "io.tugboat.created-by=tugboat",
            "--label",
            &note,
            "-e",
            &env,
        ],
        &[
            "sh",
            "-c",
            "while :; do printf '%s\\n' \"$HOSTILE\"; sleep 0.2; done",
        ],
    );
    // A MariaDB replica whose source host (so its IO error too) is hostile.
    let db = format!("{run}-db");
    let label = format!("{TEST_LABEL}={run}");
    docker(&[
        "run",
        "-d",
        "--name",
        &db,
        "--label",
        &label,
        "-e",
        "MARIADB_ROOT_PASSWORD=hostile-pw",
        "tugboat-test/mariadb:10.11",
    ]);
    let source = format!("CHANGE MASTER TO MASTER_HOST='src{HOSTILE}', MASTER_USER='repl', MASTER_CONNECT_RETRY=1; START SLAVE");
    let start = std::time::Instant::now();
    while !std::process::Command::new("docker")
        .args([
            "exec",
            "-e",
            "MYSQL_PWD=hostile-pw",
            &db,
            "mariadb",
            "--protocol=tcp",
            "-h127.0.0.1",
            "-uroot",
        ])
        .args(["-e", &source])
        .status()
        .is_ok_and(|s| s.success())
    {
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "{db} never answered"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let host = format!("local={LOCAL_URL}");

    // status, as a table and as JSON: the fakes are seen, their text inert.
    let (_, out, err) = run_tugboat(dir.path(), &[], &["--host", &host, "status"]);
    assert!(out.contains(&zk) && out.contains(&lb), "{out}");
    assert_clean("status", &format!("{out}{err}"));
    let (_, out, err) = run_tugboat(dir.path(), &[], &["--host", &host, "status", "--json"]);
    assert_clean("status --json", &format!("{out}{err}"));
    let json: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    let replication = json["replication"].to_string();
    assert!(
        replication.contains("src"),
        "the replica's source: {replication}"
    );
    assert!(
        json.to_string().contains("drow"),
        "the text is kept, made inert"
    );

    // An operation whose outcome quotes HAProxy's answer (the fake answers
    // every command with its hostile CSV), then the audit log replaying it.
    // (A server named with control characters is refused as a target.)
    let server = "be_app/app2";
    let (code, out, err) = run_tugboat(
        dir.path(),
        &[],
        &[
            "--host", &host, "drain", &lb, server, "--state", "maint", "--yes",
        ],
    );
    assert_ne!(code, 0, "the fake refuses: {out}{err}");
    assert_clean("drain's outcome", &format!("{out}{err}"));
    let (_, out, err) = run_tugboat(dir.path(), &[], &["--host", &host, "audit"]);
    assert!(out.contains("be_app/app2"), "{out}");
    assert_clean("audit", &format!("{out}{err}"));
    let audit = std::fs::read_to_string(dir.path().join("data/audit.jsonl")).unwrap_or_default();
    assert_clean("the audit file", &audit);

    // export of the logger's cluster.
    let (code, out, err) = run_tugboat(
        dir.path(),
        &[],
        &["--host", &host, "export", "--compose", &run],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("io.tugboat.note"), "{out}");
    // The compose file keeps the value, escaped (`\u001b`): inert text.
    let found = dangerous(&format!("{out}{err}"));
    assert!(found.is_empty(), "export holds {found:?}:\n{out}");
    assert!(out.contains("\\u001b]0;PWNED-TITLE"), "{out}");

    // The TUI: the nodes list, the logger's details and its followed logs,
    // the ZooKeeper and Balancer panes. The terminal keeps its title, its
    // clipboard and its screen.
    let tmux = Tmux::tugboat(dir.path());
    tmux.run(&["set-option", "-s", "set-clipboard", "on"]);
    let title = tmux.run(&["display-message", "-p", "-t", "t", "#{pane_title}"]);
    tmux.filter(&logger);
    tmux.wait_for("the logger's row", Duration::from_secs(10), |s| {
        s.contains("1 containers")
    });
    tmux.keys(&["G", "Enter"]);
    std::thread::sleep(Duration::from_secs(1));
    tmux.keys(&["Escape"]);
    tmux.keys(&["l"]);
    tmux.wait_for("the hostile log lines", Duration::from_secs(15), |s| {
        s.contains("drow")
    });
    std::thread::sleep(Duration::from_secs(2));
    tmux.keys(&["Escape", "3"]);
    std::thread::sleep(Duration::from_secs(2));
    tmux.keys(&["4"]);
    let screen = tmux.wait_for("the fake balancer's rows", Duration::from_secs(20), |s| {
        s.contains("be_app")
    });
    assert!(
        screen.contains("Balancer"),
        "the screen was not cleared:\n{screen}"
    );
    assert_eq!(
        tmux.run(&["display-message", "-p", "-t", "t", "#{pane_title}"]),
        title,
        "the pane title changed"
    );
    let buffers = tmux.run(&["list-buffers"]);
    assert!(
        buffers.trim().is_empty(),
        "the clipboard was written: {buffers}"
    );
    assert_clean("the screen", &screen);
}
