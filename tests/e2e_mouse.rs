//! The real binary in tmux, on a host that does not answer (no engine
//! needed): the first-run panel says what to do; the mouse is off at
//! start (the terminal keeps its text selection), `F2` turns mouse
//! reports on (buttons and wheel in SGR form, no motion) and off, and
//! quitting with it on leaves the terminal without them. Against the
//! real engine: a shell opened with the mouse on gets a terminal without
//! mouse reports, and tugboat turns them back on when it returns.

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use std::time::Duration;

use common::*;
use tmux::Tmux;

/// tmux's idea of the pane's mouse modes: (any, standard, sgr, every motion).
fn mouse_flags(t: &Tmux) -> String {
    t.run(&[
        "display",
        "-p",
        "-t",
        "t",
        "#{mouse_any_flag} #{mouse_standard_flag} #{mouse_sgr_flag} #{mouse_all_flag}",
    ])
    .trim()
    .to_string()
}

fn flags_become(t: &Tmux, want: &str) {
    let start = std::time::Instant::now();
    loop {
        let flags = mouse_flags(t);
        if flags == want {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "mouse flags {flags:?}, want {want:?}; screen:\n{}",
            t.screen()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn first_run_panel_and_the_mouse_toggle_in_a_real_terminal() {
    let cfg = tempfile::tempdir().unwrap();
    let script = format!(
        "TUGBOAT_CONFIG_DIR={d} TUGBOAT_DATA_DIR={d}/data {bin} \
         --host gone=unix://{d}/no-such.sock; echo EXITED=$?; sleep 30",
        d = cfg.path().display(),
        bin = env!("CARGO_BIN_EXE_tugboat"),
    );
    let name = format!("tugboat-mouse-{}", std::process::id());
    let t = Tmux::start(&name, &script);
    let screen = t.wait_for("the first-run panel", Duration::from_secs(20), |s| {
        s.contains("No engine answered") && s.contains("sudo systemctl start docker")
    });
    assert!(screen.contains("tugboat --host NAME=URL"), "{screen}");
    assert_eq!(mouse_flags(&t), "0 0 0 0", "off at start");
    t.keys(&["F2"]);
    t.wait_for("mouse on", Duration::from_secs(5), |s| {
        s.contains("mouse on:")
    });
    flags_become(&t, "1 1 1 0");
    t.keys(&["F2"]);
    t.wait_for("mouse off", Duration::from_secs(5), |s| {
        s.contains("mouse off")
    });
    flags_become(&t, "0 0 0 0");
    // On when quitting: the terminal gets its selection back.
    t.keys(&["F2"]);
    flags_become(&t, "1 1 1 0");
    t.keys(&["q"]);
    t.wait_for("the exit", Duration::from_secs(10), |s| {
        s.contains("EXITED=0")
    });
    flags_become(&t, "0 0 0 0");
}

#[test]
fn a_shell_gets_the_terminal_without_mouse_reports_and_gives_them_back() {
    require_engine();
    let run = unique("tms");
    let _cleanup = Cleanup::new(&run);
    let name = format!("{run}-box");
    docker(&[
        "run",
        "-d",
        "--name",
        &name,
        "--label",
        &format!("{TEST_LABEL}={run}"),
        BUSYBOX,
        "sleep",
        "600",
    ]);
    let cfg = tempfile::tempdir().unwrap();
    let t = Tmux::tugboat(cfg.path());
    t.keys(&["F2"]);
    flags_become(&t, "1 1 1 0");
    t.filter(&name);
    t.keys(&["G", "e"]);
    t.wait_for("the shell", Duration::from_secs(20), |s| {
        s.contains(&format!("a shell in {name}"))
    });
    flags_become(&t, "0 0 0 0");
    t.run(&["send-keys", "-t", "t", "-l", "exit"]);
    t.keys(&["Enter"]);
    t.wait_for("tugboat again", Duration::from_secs(10), |s| {
        s.contains("the shell exited with 0") && s.contains("Nodes ·")
    });
    flags_become(&t, "1 1 1 0");
    t.keys(&["q"]);
    t.wait_for("the exit", Duration::from_secs(10), |s| {
        s.contains("EXITED=0")
    });
    flags_become(&t, "0 0 0 0");
}
