//! Long lines in the help overlay and the detail view at 80x24: wrapped
//! (`w`), or cut and scrolled sideways (→), as in the log and inspect
//! viewers; a failed job's long outcome read in full.

use crossterm::event::KeyCode;
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tugboat::app::{update, Msg, State};
use tugboat::config::Theme;
use tugboat::ops::haproxy_command::{RuntimeCommand, ServerState};
use tugboat::ops::job::{JobEvent, JobOutcome};
use tugboat::ops::plan::{BalancerStep, Plan, PlanAction, PlanTarget, Step, StepOp};

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

/// The error the failed job ends with: longer than 80 columns twice over.
const ERROR: &str = "be_app/app3 still shows UP after 10s: the runtime API answered \
    'Server be_app/app3 is in maintenance mode, its health checks are disabled and the \
    drain could not start' (check edge-lb's stats page)";

fn maint_plan() -> Plan {
    let step = |what: &str| {
        Step::new(
            what.to_string(),
            StepOp::Balancer(BalancerStep::Command {
                container_id: "abc".into(),
                socket: "/var/run/haproxy.sock".into(),
                command: RuntimeCommand::set_state("be_app", "app3", ServerState::Maint),
            }),
        )
    };
    Plan {
        action: PlanAction::Server(ServerState::Maint),
        host: "local".into(),
        target: PlanTarget::Server {
            host: "local".into(),
            balancer: "edge-lb".into(),
            backend: "be_app".into(),
            server: "app3".into(),
        },
        steps: vec![
            step("set server be_app/app3 state maint on edge-lb (local)"),
            step("wait until be_app/app3 shows MAINT"),
        ],
    }
}

/// A failed job's detail open at 80x24.
fn failed_job_detail() -> State {
    let mut s = state(false, (80, 24));
    let (id, plan) = (2, maint_plan());
    let at_ms = (s.now - 75) * 1000;
    update(&mut s, Msg::Job(JobEvent::Started { id, plan, at_ms }));
    let detail = "wait until be_app/app3 shows MAINT".into();
    update(
        &mut s,
        Msg::Job(JobEvent::Step {
            id,
            index: 1,
            detail,
        }),
    );
    let outcome = JobOutcome::Failed {
        step: 2,
        error: ERROR.into(),
    };
    let millis = 2300;
    update(
        &mut s,
        Msg::Job(JobEvent::Finished {
            id,
            outcome,
            millis,
        }),
    );
    update(&mut s, key('5'));
    update(&mut s, code(KeyCode::Enter));
    s
}

fn screen(s: &State, name: &str) -> (Terminal<TestBackend>, String) {
    let terminal = draw(s, &Theme::builtin_default());
    insta::assert_snapshot!(name, terminal.backend());
    let text = terminal.backend().to_string();
    (terminal, text)
}

/// The screen's text in columns `from..to` (where a view's text is), its
/// rows run together and its spaces collapsed: what a wrapped line reads
/// as.
fn flat(text: &str, from: usize, to: usize) -> String {
    let rows: Vec<String> = text
        .lines()
        .map(|l| l.trim_matches('"').chars().take(to).skip(from).collect())
        .collect();
    rows.concat()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_failed_jobs_long_outcome_wraps_in_full() {
    let mut s = failed_job_detail();
    let (_, cut) = screen(&s, "job_detail_long_outcome_cut_80x24");
    assert!(!cut.contains("stats page"), "cut: the end is off screen");
    press(&mut s, "w");
    let (terminal, wrapped) = screen(&s, "job_detail_long_outcome_wrapped_80x24");
    assert!(wrapped.contains("[wrap]"), "{wrapped}");
    let whole = format!("failed at step 2 of 2: {ERROR}");
    let whole = whole.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat(&wrapped, 1, 80).contains(&whole), "{wrapped}");
    // The outcome's rows run on from its label's row.
    let first = find_row(&terminal, "outcome").expect("outcome on screen");
    let last = find_row(&terminal, "stats page").expect("its end on screen");
    assert!(last > first + 1, "{first}..{last}");
}

#[test]
fn a_cut_job_detail_scrolls_sideways() {
    let mut s = failed_job_detail();
    for _ in 0..3 {
        update(&mut s, code(KeyCode::Right));
    }
    let (_, shifted) = screen(&s, "job_detail_long_outcome_shifted_80x24");
    assert!(shifted.contains("→ col 25"), "{shifted}");
    // The first 24 columns (the fields' labels) are off to the left.
    assert!(!shifted.contains("action      maint"), "{shifted}");
    assert!(shifted.contains("still shows UP after 10s"), "{shifted}");
}

#[test]
fn help_wraps_its_long_lines_and_ends_at_its_real_bottom() {
    let mut s = state(false, (80, 24));
    press(&mut s, "?");
    let (_, cut) = screen(&s, "help_cut_80x24");
    assert!(!cut.contains("all replicas)"), "cut: the end is off screen");
    press(&mut s, "w");
    update(&mut s, code(KeyCode::End));
    let (_, wrapped) = screen(&s, "help_wrapped_end_80x24");
    assert!(wrapped.contains("[wrap]"), "{wrapped}");
    assert!(!wrapped.contains("↓ more"), "the bottom: {wrapped}");
    // Three pages down from the top: the longest line whole.
    update(&mut s, code(KeyCode::Home));
    for _ in 0..3 {
        update(&mut s, code(KeyCode::PageDown));
    }
    let (_, paged) = screen(&s, "help_wrapped_paged_80x24");
    let whole = "mark every member of the cluster in the selected one's role \
        (all followers, all replicas)";
    let whole = whole.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat(&paged, 2, 79).contains(&whole), "{paged}");
}
