//! The command palette, themes, remapped keys and user actions in the
//! real binary (tmux, 80x24): a theme file with a mistake names its line
//! and key and tugboat starts on the default theme; `:theme light` redraws
//! in other colours; `:restart` on a container asks, then restarts it on
//! the engine. A config that moves restart from `r` to `X` and defines a
//! user action: `r` restarts nothing, `X` does; the action's key runs its
//! command with the container as one argument and shows its output, the
//! palette finds it by name and runs it again, and the audit log has both.

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use std::time::Duration;

use common::*;
use tmux::Tmux;

fn started_at(name: &str) -> String {
    docker(&["inspect", "-f", "{{.State.StartedAt}}", name])
        .trim()
        .to_string()
}

/// The screen with its colours (SGR sequences) as tmux holds it.
fn coloured(tmux: &Tmux) -> String {
    tmux.run(&["capture-pane", "-e", "-p", "-t", "t"])
}

#[test]
fn palette_switches_theme_and_restarts_a_container() {
    require_engine();
    let run = unique("pal");
    let _cleanup = Cleanup::new(&run);
    let name = format!("{run}-web");
    run_busybox(&run, &name, &[], &["sleep", "600"]);
    let cfg = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(cfg.path().join("themes")).unwrap();
    std::fs::write(
        cfg.path().join("themes/broken.toml"),
        "[header]\nbold = true\nblink = true\n",
    )
    .unwrap();
    let tmux = Tmux::tugboat_on(
        cfg.path(),
        &["local=unix:///var/run/docker.sock", "--theme=broken"],
        &[],
    );
    let start = tmux.wait_for("the theme's warning", Duration::from_secs(5), |s| {
        s.contains("broken.toml:3") && s.contains("blink")
    });
    assert!(
        start.contains("theme broken not used, default instead"),
        "{start}"
    );

    let before = coloured(&tmux);
    tmux.keys(&[":"]);
    tmux.wait_for("the palette", Duration::from_secs(5), |s| {
        s.contains("Commands:")
    });
    for c in "theme light".chars() {
        tmux.keys(&[&c.to_string()]);
    }
    tmux.wait_for("the theme entry", Duration::from_secs(5), |s| {
        s.contains("› theme light")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for("the switch said", Duration::from_secs(5), |s| {
        s.contains("theme light") && !s.contains("Commands:")
    });
    let after = coloured(&tmux);
    assert_ne!(before, after, "the colours changed");
    assert_eq!(
        strip_sgr(&before).lines().nth(1),
        strip_sgr(&after).lines().nth(1),
        "the same screen in other colours"
    );

    tmux.filter(&name);
    tmux.keys(&["G"]);
    let was = started_at(&name);
    tmux.keys(&[":"]);
    for c in "restart".chars() {
        tmux.keys(&[&c.to_string()]);
    }
    tmux.wait_for("the restart entry", Duration::from_secs(5), |s| {
        s.contains("› restart the container")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for("the confirmation", Duration::from_secs(5), |s| {
        s.contains(&format!("Restart container {name}"))
    });
    tmux.keys(&["y"]);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while started_at(&name) == was {
        assert!(
            std::time::Instant::now() < deadline,
            "{name} was not restarted:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    tmux.wait_for("the job done", Duration::from_secs(60), |s| {
        s.contains(&format!("restart local/{name}: done"))
    });
    tmux.keys(&["q"]);
    tmux.wait_for("tugboat to exit", Duration::from_secs(20), |s| {
        s.contains("EXITED=0")
    });
}

const REMAP_AND_ACTION: &str = r#"
[keys.nodes]
restart = "X"

[[actions]]
name = "say-state"
description = "what the engine says of it"
key = "F6"
scope = "container"
command = ["sh", "-c", "echo \"asked for <$1>\"; docker inspect -f '{{{{.State.Status}}}}' \"$1\"", "sh", "{container}"]
confirm = false
"#;

#[test]
fn a_remapped_key_and_a_user_action_by_key_and_by_palette() {
    require_engine();
    let run = unique("ua");
    let _cleanup = Cleanup::new(&run);
    let name = format!("{run}-web");
    run_busybox(&run, &name, &[], &["sleep", "600"]);
    let cfg = tempfile::tempdir().unwrap();
    std::fs::write(cfg.path().join("config.toml"), REMAP_AND_ACTION).unwrap();
    let tmux = Tmux::tugboat(cfg.path());
    tmux.filter(&name);
    tmux.keys(&["G"]);

    // `r` no longer restarts; `X` does.
    tmux.keys(&["r"]);
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        !tmux.screen().contains("Restart container"),
        "{}",
        tmux.screen()
    );
    let was = started_at(&name);
    tmux.keys(&["X"]);
    tmux.wait_for("the confirmation", Duration::from_secs(5), |s| {
        s.contains(&format!("Restart container {name}"))
    });
    tmux.keys(&["y"]);
    tmux.wait_for("the restart done", Duration::from_secs(60), |s| {
        s.contains(&format!("restart local/{name}: done"))
    });
    assert_ne!(started_at(&name), was, "X restarted it");

    // The user action by its key: its output in the job's detail.
    tmux.keys(&["F6"]);
    let screen = tmux.wait_for("the action's output", Duration::from_secs(20), |s| {
        s.contains(&format!("asked for <{name}>")) && s.contains("running")
    });
    assert!(screen.contains("Output (2 lines)"), "{screen}");
    tmux.keys(&["Escape"]);

    // And by the palette, by its name.
    tmux.keys(&[":"]);
    for c in "say-state".chars() {
        tmux.keys(&[&c.to_string()]);
    }
    tmux.wait_for("the action's entry", Duration::from_secs(5), |s| {
        s.contains("› say-state: what the engine says")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for("its output again", Duration::from_secs(20), |s| {
        s.contains(&format!("asked for <{name}>")) && s.contains("Output (2 lines)")
    });
    tmux.keys(&["Escape", "q"]);
    tmux.wait_for("tugboat to exit", Duration::from_secs(20), |s| {
        s.contains("EXITED=0")
    });
    let audit = std::fs::read_to_string(cfg.path().join("data/audit.jsonl")).unwrap();
    let runs = audit
        .lines()
        .filter(|l| l.contains("\"user action say-state\"") && l.contains("\"outcome\":\"done\""))
        .count();
    assert_eq!(runs, 2, "{audit}");
}

/// The text of a capture with its SGR sequences taken out.
fn strip_sgr(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
