//! The real binary in a real terminal: a private tmux server, keys sent
//! to it and its screen read back (TESTBED.md §7).
#![allow(dead_code)]

use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// A tmux server of its own running `sh -c script` at 80x24.
    pub fn start(socket: &str, script: &str) -> Tmux {
        let tmux = Tmux {
            socket: socket.to_string(),
        };
        tmux.run(&[
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "80",
            "-y",
            "24",
            "sh",
            "-c",
            script,
        ]);
        tmux
    }

    pub fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux runs (scripts/testbed.sh installs it)");
        String::from_utf8_lossy(&out.stdout).into()
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "t"])
    }

    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", "t", k]);
            // A lone Esc followed at once by a key reads as Alt-key.
            std::thread::sleep(Duration::from_millis(120));
        }
    }

    pub fn wait_for(&self, what: &str, limit: Duration, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < limit,
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Tmux {
    /// tmux's newest paste buffer once it is `want` (the copy is written
    /// between frames, a moment after the key).
    pub fn buffer_becomes(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = std::time::Instant::now();
        loop {
            let buffer = self.run(&["show-buffer"]);
            if pred(&buffer) {
                return buffer;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "{what}: buffer is {buffer:?}; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Press `key` until the screen shows `pred`, as a person would while
    /// tugboat says "try again in a moment": a plan made from probes that
    /// have not answered yet is refused (or made to wait), never guessed.
    pub fn press_until(&self, key: &str, what: &str, limit: Duration, pred: impl Fn(&str) -> bool) {
        let start = Instant::now();
        loop {
            self.keys(&[key]);
            let pressed = Instant::now();
            while pressed.elapsed() < Duration::from_secs(2) {
                if pred(&self.screen()) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let screen = self.screen();
            assert!(
                start.elapsed() < limit,
                "timed out waiting for {what}; screen:\n{screen}"
            );
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        self.run(&["kill-server"]);
    }
}

impl Tmux {
    /// tugboat's TUI on the local engine with `config` as its config and
    /// data directory; the shell prints `EXITED=<code>` when it ends.
    pub fn tugboat(config: &std::path::Path) -> Tmux {
        Tmux::tugboat_on(config, &["local=unix:///var/run/docker.sock"], &[])
    }

    /// `tugboat`, on `hosts` (`name=url` each; an item starting with `--`
    /// is an option, such as `--read-only`), with `env` set.
    pub fn tugboat_on(config: &std::path::Path, hosts: &[&str], env: &[(&str, &str)]) -> Tmux {
        let env: String = env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
        let hosts: String = hosts
            .iter()
            .map(|h| match h.starts_with("--") {
                true => format!(" {h}"),
                false => format!(" --host {h}"),
            })
            .collect();
        let script = format!(
            "{env}TUGBOAT_CONFIG_DIR={d} TUGBOAT_DATA_DIR={d}/data {bin}{hosts}; \
             echo EXITED=$?; sleep 30",
            d = config.display(),
            bin = env!("CARGO_BIN_EXE_tugboat"),
        );
        // A server of its own each time: one started right after another
        // of the same name was killed can find that one still going away.
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("tugboat-{}-{n}-{}", std::process::id(), config.display())
            .replace(['/', '.'], "-");
        let tmux = Tmux::start(&name, &script);
        tmux.wait_for("the host row", Duration::from_secs(15), |s| {
            s.contains("running · up")
        });
        tmux
    }

    /// `e` on `container` (filtered to, then selected: the only match): a command typed in
    /// the shell answers on the screen, `exit` gives tugboat the terminal
    /// back, which says how the shell ended and answers keys again.
    pub fn shell_round_trip(&self, container: &str) {
        self.filter(container);
        // Its row is the last one the filter leaves.
        self.keys(&["G", "e"]);
        self.wait_for("the shell", Duration::from_secs(20), |s| {
            // The prompt (tmux trims the space after it).
            let prompt = s.lines().any(|l| l.trim_end().ends_with('#'));
            s.contains(&format!("a shell in {container}")) && prompt
        });
        self.run(&[
            "send-keys",
            "-t",
            "t",
            "-l",
            "echo shell-$((6*7)) $(hostname)",
        ]);
        self.keys(&["Enter"]);
        let screen = self.wait_for("the command's answer", Duration::from_secs(10), |s| {
            s.contains("shell-42 ")
        });
        assert!(
            !screen.contains("Nodes ·"),
            "tugboat drew over the shell: {screen}"
        );
        self.run(&["send-keys", "-t", "t", "-l", "exit"]);
        self.keys(&["Enter"]);
        self.wait_for("tugboat again", Duration::from_secs(10), |s| {
            s.contains("the shell exited with 0") && s.contains("Nodes ·")
        });
        // Keys reach tugboat again: help opens and closes.
        self.keys(&["?"]);
        self.wait_for("the help", Duration::from_secs(5), |s| {
            s.contains("every key")
        });
        self.keys(&["Escape"]);
    }

    /// Type `/TEXT` Enter in the pane on screen.
    pub fn filter(&self, text: &str) {
        self.keys(&["/"]);
        for c in text.chars() {
            self.keys(&[&c.to_string()]);
        }
        self.keys(&["Enter"]);
    }

    /// Confirm the question on screen, show the Jobs pane and wait until
    /// its job runs step `step` or a later one (steps can be brief).
    pub fn confirm_and_wait_for_step(&self, step: usize) {
        self.keys(&["y", "5"]);
        self.wait_for_step(step);
    }

    /// On the Jobs pane: wait until its job runs step `step` or a later one.
    pub fn wait_for_step(&self, step: usize) {
        // Either the progress column, `[###-------] DONE/ALL`, or, where
        // the column has no room, the step text, `step RUNNING/ALL:`; step
        // `step` runs once `step - 1` are done.
        let counts = |t: &str| {
            let mut counts = t.split_whitespace().next().unwrap_or("").split('/');
            let a = counts.next().and_then(|n| n.parse::<usize>().ok());
            let b = counts
                .next()
                .map(|n| n.trim_end_matches(':'))
                .and_then(|n| n.parse::<usize>().ok());
            a.zip(b)
        };
        self.wait_for(
            &format!("step {step} or later"),
            Duration::from_secs(60),
            |s| {
                let by_bar = s.split("] ").skip(1).filter_map(counts);
                let by_text = s
                    .split("step ")
                    .skip(1)
                    .filter_map(counts)
                    .map(|(running, all)| (running.saturating_sub(1), all));
                by_bar
                    .chain(by_text)
                    .any(|(done, all)| done + 1 >= step && done < all)
            },
        );
    }

    /// `q` while a job runs: the question, `y` (stop it safely), and the
    /// exit, with code 0.
    pub fn quit_stopping_jobs(&self) {
        self.keys(&["q"]);
        self.wait_for("the quit question", Duration::from_secs(10), |s| {
            s.contains("Quit while")
        });
        self.keys(&["y"]);
        let after = self.wait_for("tugboat to exit", Duration::from_secs(60), |s| {
            s.contains("EXITED=")
        });
        assert!(after.contains("EXITED=0"), "{after}");
    }
}
