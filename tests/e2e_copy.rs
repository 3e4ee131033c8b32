//! `c` and `C` in the TUI (tmux, 80x24, `set-clipboard on`): the OSC 52
//! copy lands in tmux's paste buffer — a container's name, the line at
//! the bottom of its log (a hostile one arrives without its escapes), and
//! its diagnostics with its last log lines.

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use std::time::Duration;

use common::*;
use tmux::Tmux;

#[test]
fn c_and_capital_c_reach_tmux_s_buffer_sanitized() {
    require_engine();
    let run = unique("tcp");
    let _cleanup = Cleanup::new(&run);
    let name = format!("{run}-noisy");
    let script =
        r#"echo calm line; printf 'hostile \033]0;pwned\007 \033[2J end\n'; exec sleep 600"#;
    run_busybox(&run, &name, &[], &["sh", "-c", script]);
    let cfg = tempfile::tempdir().unwrap();
    let tmux = Tmux::tugboat(cfg.path());
    tmux.run(&["set", "-s", "set-clipboard", "on"]);
    tmux.filter(&name);
    tmux.keys(&["G", "c"]);
    tmux.buffer_becomes("the name", |b| b == name);
    tmux.wait_for("the status", Duration::from_secs(5), |s| {
        s.contains("copied the name")
    });

    tmux.keys(&["l"]);
    tmux.wait_for("the log", Duration::from_secs(10), |s| {
        s.contains("hostile")
    });
    tmux.keys(&["c"]);
    let line = tmux.buffer_becomes("the log line", |b| b.starts_with("hostile"));
    assert!(line.ends_with(" end"), "{line:?}");
    assert!(!line.contains('\x1b') && !line.contains('\x07'), "{line:?}");
    tmux.keys(&["Escape", "C"]);
    let block = tmux.buffer_becomes("the diagnostics", |b| b.starts_with("container "));
    assert!(block.contains(&format!("container {name} (")), "{block}");
    assert!(
        block.contains("image: tugboat-test/busybox:latest"),
        "{block}"
    );
    assert!(
        block.contains("last 20 log lines:\ncalm line\nhostile "),
        "{block}"
    );
    assert!(!block.contains('\x1b'), "{block:?}");
}
