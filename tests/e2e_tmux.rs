//! The real binary in a real terminal (tmux, 80x24): it starts, shows a test
//! container, opens help, restarts the container after confirming, quits,
//! and leaves the terminal as it found it. A second run walks the cluster
//! wizard (`n`) to its review and back.

mod common;
#[path = "common/tmux.rs"]
mod tmux;

use std::time::{Duration, Instant};

use common::*;
use tmux::Tmux;

#[test]
fn real_binary_shows_restarts_and_restores_the_terminal() {
    require_engine();
    let run = unique("e2e");
    let _cleanup = Cleanup::new(&run);
    let name = format!("{run}-app");
    // Exits promptly on SIGTERM, so the restart does not wait out the grace period.
    run_busybox(
        &run,
        &name,
        &[],
        &["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"],
    );
    let before = started_at(&name);
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "stty -a > {d}/stty-before; TUGBOAT_CONFIG_DIR={d} TUGBOAT_DATA_DIR={d}/data {bin} --host local={LOCAL_URL}; \
         echo EXITED=$?; stty -a > {d}/stty-after; sleep 30",
        d = dir.path().display(),
        bin = env!("CARGO_BIN_EXE_tugboat"),
    );
    let tmux = Tmux::start(&unique("tugboat-e2e"), &script);

    tmux.wait_for("the host row", Duration::from_secs(10), |s| {
        s.contains("running · up")
    });
    // Narrow the table to this test's container; other tests run beside it.
    tmux.keys(&["/"]);
    for c in run.chars() {
        tmux.keys(&[&c.to_string()]);
    }
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the test container", Duration::from_secs(5), |s| {
        s.contains(&name)
    });
    assert!(screen.contains("running"), "{screen}");

    tmux.keys(&["?"]);
    let help = tmux.wait_for("help", Duration::from_secs(2), |s| {
        s.contains("Help — every key")
    });
    assert!(help.contains("next pane"), "{help}");
    // End shows the last key; a page up moves away from it again.
    tmux.keys(&["End"]);
    tmux.wait_for("help's last keys", Duration::from_secs(2), |s| {
        s.contains("no, cancel")
    });
    tmux.keys(&["PPage"]);
    tmux.wait_for("help a page up", Duration::from_secs(2), |s| {
        s.contains("Help — every key") && !s.contains("no, cancel")
    });
    tmux.keys(&["Escape"]);
    tmux.wait_for("help closed", Duration::from_secs(2), |s| {
        !s.contains("Help — every key")
    });

    // Host row, cluster row, then the container.
    tmux.keys(&["j", "j", "r"]);
    let confirm = tmux.wait_for("the confirmation", Duration::from_secs(2), |s| {
        s.contains("Restart container")
    });
    assert!(
        confirm.contains(&format!("Restart container {name} on host local? Plan:")),
        "{confirm}"
    );
    assert_eq!(started_at(&name), before, "nothing happens before y");
    tmux.keys(&["y"]);
    tmux.wait_for("the restart result", Duration::from_secs(20), |s| {
        s.contains(&format!("restart local/{name}: done"))
    });
    assert_ne!(
        started_at(&name),
        before,
        "the container was really restarted"
    );

    tmux.keys(&["q"]);
    let after = tmux.wait_for("tugboat to exit", Duration::from_secs(5), |s| {
        s.contains("EXITED=")
    });
    assert!(after.contains("EXITED=0"), "{after}");
    assert!(
        !after.contains("Nodes"),
        "the alternate screen is gone: {after}"
    );
    let read = |f: &str| {
        let path = dir.path().join(f);
        let limit = Instant::now() + Duration::from_secs(3);
        while !path.exists() && Instant::now() < limit {
            std::thread::sleep(Duration::from_millis(50));
        }
        std::fs::read_to_string(path).unwrap()
    };
    assert_eq!(
        read("stty-after"),
        read("stty-before"),
        "terminal modes restored"
    );
    assert_eq!(
        tmux.run(&["display", "-p", "-t", "t", "#{cursor_flag}"])
            .trim(),
        "1",
        "cursor shown again"
    );

    let audit = std::fs::read_to_string(dir.path().join("data/audit.jsonl")).unwrap();
    assert!(
        audit.contains(&format!("\"target\":\"local/{name}\""))
            && audit.contains("\"outcome\":\"done\""),
        "{audit}"
    );
}

/// The wizard in the real binary at 80x24: `n`, the ZooKeeper template to
/// the review (which shows the plan), Esc back to the first step keeping
/// the answers, out without creating anything, and the terminal restored.
#[test]
fn real_binary_walks_the_wizard_to_the_review_and_back() {
    require_engine();
    let run = unique("wz");
    let _cleanup = Cleanup::new(&run);
    let dir = tempfile::tempdir().unwrap();
    let script = format!(
        "stty -a > {d}/stty-before; TUGBOAT_CONFIG_DIR={d} TUGBOAT_DATA_DIR={d}/data {bin} --host local={LOCAL_URL}; \
         echo EXITED=$?; stty -a > {d}/stty-after; sleep 30",
        d = dir.path().display(),
        bin = env!("CARGO_BIN_EXE_tugboat"),
    );
    let tmux = Tmux::start(&unique("tugboat-e2e-wizard"), &script);
    tmux.wait_for("the host row", Duration::from_secs(10), |s| {
        s.contains("running · up")
    });

    tmux.keys(&["n"]);
    tmux.wait_for("the template step", Duration::from_secs(2), |s| {
        s.contains("step 1/5: Template") && s.contains("▸ 1  ZooKeeper ensemble")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for("the name step", Duration::from_secs(2), |s| {
        s.contains("step 2/5: Name")
    });
    // Typed literally: the letters must reach the wizard, not the keymap.
    tmux.run(&["send-keys", "-t", "t", "-l", &run]);
    tmux.wait_for("the name checked free", Duration::from_secs(2), |s| {
        s.contains(&run) && s.contains("✓ free on every host")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for("the placement step", Duration::from_secs(2), |s| {
        s.contains("step 3/5: Placement") && s.contains("[x] local")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for("the settings step", Duration::from_secs(2), |s| {
        s.contains("step 4/5") && s.contains("zookeeper:3.9")
    });
    // Through the seven ZooKeeper fields, keeping the defaults.
    tmux.keys(&["Enter"; 7]);
    let review = tmux.wait_for("the review", Duration::from_secs(2), |s| {
        s.contains("step 5/5: Review the plan")
    });
    assert!(
        review.contains(&format!("create container {run}-zk1 on local")),
        "{review}"
    );
    assert!(review.contains("y:create"), "{review}");
    // s saves the answers as a spec in the config directory.
    tmux.keys(&["s"]);
    tmux.wait_for("the spec saved", Duration::from_secs(3), |s| {
        s.contains("spec saved to")
    });
    let saved = std::fs::read_to_string(dir.path().join(format!("specs/{run}.toml"))).unwrap();
    let spec = tugboat::create::spec::ClusterSpec::from_toml(&saved).unwrap();
    assert_eq!(spec.name, run);
    assert_eq!(spec.placement.hosts, ["local"]);
    assert_eq!(spec.zookeeper.members, 3, "{saved}");

    tmux.keys(&["Escape", "Escape", "Escape", "Escape"]);
    let first = tmux.wait_for("back on the first step", Duration::from_secs(3), |s| {
        s.contains("step 1/5: Template")
    });
    assert!(first.contains("▸ 1  ZooKeeper ensemble"), "{first}");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the name kept", Duration::from_secs(2), |s| {
        s.contains("step 2/5: Name") && s.contains(&run)
    });
    tmux.keys(&["Escape", "Escape"]);
    tmux.wait_for("the wizard closed", Duration::from_secs(3), |s| {
        s.contains("nothing was created") && !s.contains("New cluster")
    });
    assert_eq!(
        docker(&["ps", "-aq", "--filter", &format!("name={run}")]).trim(),
        "",
        "nothing is created before y"
    );

    // Again, and this time `y`: the test bed has no `zookeeper:3.9` (the
    // default), which the review shows first and `y` refuses, naming the
    // pull to run; nothing is created.
    tmux.keys(&["n", "Enter"]);
    tmux.wait_for("the name step again", Duration::from_secs(2), |s| {
        s.contains("step 2/5: Name")
    });
    let second = format!("{run}y");
    tmux.run(&["send-keys", "-t", "t", "-l", &second]);
    tmux.keys(&["Enter", "Enter"]);
    tmux.keys(&["Enter"; 7]);
    let review = tmux.wait_for(
        "the review flagging the image",
        Duration::from_secs(5),
        |s| {
            s.contains("step 5/5: Review the plan")
                && s.contains("error: image zookeeper:3.9 is not on host local")
        },
    );
    assert!(review.contains("docker pull"), "{review}");
    tmux.keys(&["y"]);
    tmux.wait_for(
        "y refused with the pull to run",
        Duration::from_secs(5),
        |s| s.contains("step 5/5") && s.contains("not created: pull first, then y again"),
    );
    assert_eq!(
        docker(&["ps", "-aq", "--filter", &format!("name={second}")]).trim(),
        "",
        "a refused create creates nothing"
    );
    tmux.keys(&["Escape"; 5]);
    tmux.wait_for("the wizard closed again", Duration::from_secs(3), |s| {
        !s.contains("New cluster")
    });

    tmux.keys(&["q"]);
    let after = tmux.wait_for("tugboat to exit", Duration::from_secs(5), |s| {
        s.contains("EXITED=")
    });
    assert!(after.contains("EXITED=0"), "{after}");
    let read = |f: &str| {
        let path = dir.path().join(f);
        let limit = Instant::now() + Duration::from_secs(3);
        while !path.exists() && Instant::now() < limit {
            std::thread::sleep(Duration::from_millis(50));
        }
        std::fs::read_to_string(path).unwrap()
    };
    assert_eq!(
        read("stty-after"),
        read("stty-before"),
        "terminal modes restored"
    );
}
