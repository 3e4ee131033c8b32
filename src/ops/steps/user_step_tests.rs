//! A user action's program, run for real (`sh` from the base system).

use std::sync::{Arc, Mutex};

use super::*;

fn step(argv: &[&str], timeout_secs: u64) -> UserStep {
    UserStep::Run {
        action: "t".into(),
        argv: argv.iter().map(|a| a.to_string()).collect(),
        env: vec![("TUGBOAT_CONTAINER".into(), "zk 1".into())],
        timeout_secs,
        dangerous: false,
        touches: None,
    }
}

async fn run_it(step: &UserStep, stop: Option<Duration>) -> (StepResult, Vec<String>) {
    let said = Arc::new(Mutex::new(Vec::new()));
    let to = said.clone();
    let say = move |line: String| to.lock().unwrap().push(line);
    let (tx, rx) = watch::channel(false);
    if let Some(after) = stop {
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            tx.send_replace(true);
        });
    } else {
        std::mem::forget(tx);
    }
    let result = run(step, &rx, &say).await;
    let lines = said.lock().unwrap().clone();
    (result, lines)
}

#[tokio::test]
async fn values_stay_one_argument_and_output_comes_back_sanitized() {
    // A value a shell would split or expand reaches the program whole.
    let s = step(
        &[
            "sh",
            "-c",
            "echo \"arg=$1\"; echo \"env=$TUGBOAT_CONTAINER\"; printf 'bad\\033[2Jline\\n' >&2",
            "sh",
            "a; rm -rf / $(id)",
        ],
        10,
    );
    let (result, lines) = run_it(&s, None).await;
    assert!(result.is_ok(), "{result:?}");
    assert!(
        lines.contains(&"arg=a; rm -rf / $(id)".to_string()),
        "{lines:?}"
    );
    assert!(lines.contains(&"env=zk 1".to_string()), "{lines:?}");
    let bad = lines.iter().find(|l| l.starts_with("bad")).unwrap();
    assert!(!bad.contains('\u{1b}'), "{bad:?}");
}

#[tokio::test]
async fn a_failing_program_a_missing_one_and_a_timeout_fail_the_step() {
    let (result, _) = run_it(&step(&["sh", "-c", "exit 3"], 10), None).await;
    assert!(
        result
            .unwrap_err()
            .to_string()
            .contains("exited with code 3"),
        "exit code said"
    );
    let (result, _) = run_it(&step(&["/no/such/program"], 10), None).await;
    assert!(result
        .unwrap_err()
        .to_string()
        .contains("could not run /no/such/program"));
    let (result, _) = run_it(&step(&["sleep", "30"], 1), None).await;
    assert!(result.unwrap_err().to_string().contains("after 1s"));
}

#[tokio::test]
async fn a_stop_ends_the_whole_group_a_script_started() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("pid");
    let script = format!(
        "sleep 60 & echo $! > {}; echo started; wait",
        pid_file.display()
    );
    let s = step(&["sh", "-c", &script], 60);
    let (result, lines) = run_it(&s, Some(Duration::from_millis(500))).await;
    assert!(matches!(result, Err(StepError::Stopped(_))), "{result:?}");
    assert_eq!(lines, ["started"]);
    let pid: i32 = std::fs::read_to_string(&pid_file)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // The grandchild got the group's SIGTERM: gone (or a zombie being
    // reaped) within moments, not after its 60 s.
    let alive = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|s| !s.contains(") Z "))
            .unwrap_or(false)
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while alive() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!alive(), "sleep {pid} still runs");
}

#[test]
fn only_a_dangerous_action_holds_its_container_and_none_is_undone() {
    let mut s = step(&["true"], 1);
    assert!(s.claims("h").is_empty());
    assert_eq!(s.undo(), Undo::Nothing);
    assert!(s.reads_only());
    let UserStep::Run {
        dangerous, touches, ..
    } = &mut s;
    *dangerous = true;
    *touches = Some("c1".into());
    assert_eq!(s.claims("h"), vec![On("h").container("c1")]);
    assert!(matches!(s.undo(), Undo::Not(_)));
    assert!(!s.reads_only());
    assert!(s.leftovers().is_empty());
}
