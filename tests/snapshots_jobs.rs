//! Snapshots of the Jobs pane (key `5`) at 80x24 and 200x50: a job running
//! its second step, one done, one failed and one refused; and the empty pane.

use crossterm::event::KeyCode;
use tugboat::app::{update, Effect, Msg};
use tugboat::config::Theme;
use tugboat::ops::haproxy_command::{RuntimeCommand, ServerState};
use tugboat::ops::job::{JobEvent, JobOutcome};
use tugboat::ops::plan::BalancerStep;
use tugboat::ops::plan::{Plan, PlanAction, PlanTarget, Step, StepOp};

#[path = "common/ui_fixture.rs"]
mod fixture;

use fixture::*;

fn plan(state: ServerState, server: &str) -> Plan {
    let action = state.as_str();
    let step = |what: String| {
        Step::new(
            what,
            StepOp::Balancer(BalancerStep::Command {
                container_id: "abc".into(),
                socket: "/var/run/haproxy.sock".into(),
                command: RuntimeCommand::set_state("be_app", server, state),
            }),
        )
    };
    Plan {
        action: PlanAction::Server(state),
        host: "local".into(),
        target: PlanTarget::Server {
            host: "local".into(),
            balancer: "edge-lb".into(),
            backend: "be_app".into(),
            server: server.into(),
        },
        steps: vec![
            step(format!(
                "set server be_app/{server} state {action} on edge-lb (local)"
            )),
            step(format!(
                "wait until be_app/{server} shows {}",
                action.to_uppercase()
            )),
        ],
    }
}

fn with_jobs(size: (u16, u16)) -> tugboat::app::State {
    let mut s = state(false, size);
    let now = s.now;
    let jobs = [
        (1, plan(ServerState::Drain, "app1"), Some(JobOutcome::Done)),
        (
            2,
            plan(ServerState::Maint, "app3"),
            Some(JobOutcome::Failed {
                step: 2,
                error: "be_app/app3 still shows UP after 10s".into(),
            }),
        ),
        (
            3,
            plan(ServerState::Ready, "app1"),
            Some(JobOutcome::Refused {
                reason: "another job is already working on local/edge-lb/be_app/app1".into(),
            }),
        ),
        (4, plan(ServerState::Drain, "app2"), None),
    ];
    for (id, plan, outcome) in jobs {
        update(
            &mut s,
            Msg::Job(JobEvent::Started {
                id,
                plan: plan.clone(),
                at_ms: (now - 75) * 1000,
            }),
        );
        if !matches!(outcome, Some(JobOutcome::Refused { .. })) {
            update(
                &mut s,
                Msg::Job(JobEvent::Step {
                    id,
                    index: 1,
                    detail: plan.steps[1].what.clone(),
                }),
            );
        }
        if let Some(outcome) = outcome {
            update(
                &mut s,
                Msg::Job(JobEvent::Finished {
                    id,
                    outcome,
                    millis: 2300,
                }),
            );
        }
    }
    update(&mut s, key('5'));
    s
}

#[test]
fn running_and_finished_jobs() {
    for size in SIZES {
        let s = with_jobs(size);
        let terminal = draw(&s, &Theme::builtin_default());
        insta::assert_snapshot!(format!("jobs_{}x{}", size.0, size.1), terminal.backend());
        let screen = terminal.backend().to_string();
        assert!(screen.contains("Jobs · 4 jobs"));
        assert!(
            screen.contains("[##########] 2/2"),
            "a done job's gauge is full"
        );
        assert!(screen.contains("x:cancel job"));
        if size.0 >= 200 {
            assert!(screen.contains("step 2/2: wait until be_app/app2 shows DRAIN"));
            assert!(screen.contains("failed at step 2 of 2: be_app/app3 still shows UP after 10s"));
        }
    }
}

#[test]
fn empty_jobs_pane_says_what_shows_there() {
    let mut s = state(false, (80, 24));
    update(&mut s, key('5'));
    let terminal = draw(&s, &Theme::builtin_default());
    insta::assert_snapshot!("jobs_empty_80x24", terminal.backend());
    // Every action's jobs, not only the balancer's: no keys named.
    assert!(find_row(&terminal, "no jobs yet: restarts, drains, backups").is_some());
    assert!(find_row(&terminal, "d / a / m").is_none());
}

/// A lease as an engine keeps it for a job of another tugboat.
fn lease(thing: &str, machine_id: &str, pid: u32) -> tugboat::model::lease::LeaseRecord {
    let labels = [
        ("io.tugboat.lease", thing),
        ("io.tugboat.lease.token", "t0k3n"),
        ("io.tugboat.lease.user", "alice"),
        ("io.tugboat.lease.machine", "bastion2"),
        ("io.tugboat.lease.machine-id", machine_id),
        ("io.tugboat.lease.boot-id", "b00t"),
        ("io.tugboat.lease.start-ticks", "12345"),
        ("io.tugboat.lease.since", "2026-12-06T12:00:00Z"),
        ("io.tugboat.lease.job", "switchover cluster/shop"),
    ];
    let mut labels: std::collections::BTreeMap<String, String> = labels
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    labels.insert("io.tugboat.lease.pid".into(), pid.to_string());
    tugboat::model::lease::LeaseRecord {
        name: format!("tugboat-lease-{thing}"),
        labels,
    }
}

#[test]
fn another_tugboats_job_shows_under_this_ones_jobs() {
    for size in SIZES {
        let mut s = state(false, size);
        let host = s.inventory.hosts[0].name.clone();
        let leases = [
            lease("cluster/shop", "another-machine", 4242),
            lease("container/db1", "another-machine", 4242),
        ];
        // As the inbox hands a listing on: its holders read as it came in.
        let held = leases
            .iter()
            .map(|l| tugboat::ops::leases::held_of(&host, l))
            .collect();
        update(&mut s, Msg::LeasesHeld { host, held });
        update(&mut s, key('5'));
        let terminal = draw(&s, &Theme::builtin_default());
        let screen = terminal.backend().to_string();
        assert!(screen.contains("Jobs · 1 job"), "{screen}");
        let row = screen
            .lines()
            .find(|l| l.contains("other"))
            .unwrap_or_else(|| panic!("a row for the other job:\n{screen}"));
        assert!(row.contains("elsewhere"), "{row}");
        assert!(
            row.contains("switchover cluster/shop · alice@bastion2"),
            "{row}"
        );
        if size.0 >= 200 {
            assert!(
                row.contains("alice@bastion2 (pid 4242) · holds 2 · since 2026-12-06T12:00:00Z"),
                "{row}"
            );
        }
    }
}

/// Enter on a job: its plan with how far it got and its outcome in full,
/// which the row cuts at 80 columns; `c` copies the outcome.
#[test]
fn enter_on_a_job_shows_its_plan_and_whole_outcome() {
    for size in SIZES {
        let mut s = with_jobs(size);
        update(&mut s, key('j'));
        update(&mut s, code(KeyCode::Enter));
        let terminal = draw(&s, &Theme::builtin_default());
        insta::assert_snapshot!(
            format!("job_detail_{}x{}", size.0, size.1),
            terminal.backend()
        );
        let screen = terminal.backend().to_string();
        assert!(screen.contains("Job 2"), "{screen}");
        assert!(screen.contains("✓ 1."), "{screen}");
        assert!(screen.contains("✗ 2."), "{screen}");
        let flat = screen.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("failed at step 2 of 2: be_app/app3 still shows UP after 10s"),
            "{screen}"
        );
        let effects = update(&mut s, key('c')).effects;
        let [Effect::Copy { what, text }] = effects.as_slice() else {
            panic!("{effects:?}");
        };
        assert_eq!(what, "the job's outcome");
        assert!(text.ends_with("failed at step 2 of 2: be_app/app3 still shows UP after 10s"));
    }
}

/// `q` while a job runs asks; its hints name all three answers.
#[test]
fn the_quit_question_hints_every_answer() {
    let mut s = with_jobs((80, 24));
    update(&mut s, key('q'));
    let screen = draw(&s, &Theme::builtin_default()).backend().to_string();
    let footer = screen.lines().last().unwrap_or_default().to_string();
    for hint in [
        "y:stop them safely, quit",
        "w:quit when done",
        "n:keep working",
    ] {
        assert!(footer.contains(hint), "{hint}: {footer}");
    }
}

/// While a job runs the Jobs pane counts its time in tenths: each tick
/// redraws it there (and only there: elsewhere uptimes show minutes).
#[test]
fn a_running_jobs_time_counts_in_tenths() {
    let mut s = state(false, (80, 24));
    let plan = plan(ServerState::Drain, "app2");
    let at_ms = NOW * 1000 + 250;
    update(&mut s, Msg::Job(JobEvent::Started { id: 9, plan, at_ms }));
    assert!(
        !update(&mut s, Msg::Tick(at_ms + 1_000)).redraw,
        "Nodes pane"
    );
    update(&mut s, key('5'));
    for (ms, shown) in [(300, "0.3s"), (4_700, "4.7s"), (12_000, "12s")] {
        assert!(update(&mut s, Msg::Tick(at_ms + ms)).redraw, "{shown}");
        let screen = draw(&s, &Theme::builtin_default()).backend().to_string();
        let row = screen.lines().find(|l| l.contains("drain")).unwrap();
        assert!(row.contains(&format!(" {shown} ")), "{row}");
    }
    let outcome = JobOutcome::Done;
    update(
        &mut s,
        Msg::Job(JobEvent::Finished {
            id: 9,
            outcome,
            millis: 12_345,
        }),
    );
    assert!(
        !update(&mut s, Msg::Tick(at_ms + 13_000)).redraw,
        "done: no more ticks"
    );
    let screen = draw(&s, &Theme::builtin_default()).backend().to_string();
    assert!(screen.contains(" 12s "), "{screen}");
}

/// A rolling restart of three members: each member's first step after the
/// first is where a paused job waits.
fn rolling_plan() -> Plan {
    let steps = ["zk1", "zk3", "zk2"]
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let step = Step::new(
                format!("restart {name} on local"),
                StepOp::Container(tugboat::ops::plan::ContainerStep::Restart {
                    id: (*name).into(),
                }),
            );
            if i > 0 {
                step.pause_point()
            } else {
                step
            }
        })
        .collect();
    Plan {
        action: PlanAction::RollingRestart,
        host: "local".into(),
        target: PlanTarget::Cluster("orders-zk".into()),
        steps,
    }
}

#[test]
fn p_pauses_a_rolling_restart_before_its_next_member_and_continues_it() {
    let mut s = state(false, (80, 24));
    let now = s.now;
    let plan = rolling_plan();
    update(
        &mut s,
        Msg::Job(JobEvent::Started {
            id: 9,
            plan: plan.clone(),
            at_ms: (now - 5) * 1000,
        }),
    );
    update(
        &mut s,
        Msg::Job(JobEvent::Step {
            id: 9,
            index: 0,
            detail: plan.steps[0].what.clone(),
        }),
    );
    update(&mut s, key('5'));
    let out = update(&mut s, key('p'));
    assert!(out.effects.contains(&Effect::PauseJob {
        id: 9,
        paused: true
    }));
    let said = s
        .status
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(said.contains("pauses before its next member"), "{said}");
    let screen = draw(&s, &Theme::builtin_default()).backend().to_string();
    assert!(screen.contains("step 1/3 (then pauses)"), "{screen}");
    // The runner reached the next member's first step and waits there.
    update(
        &mut s,
        Msg::Job(JobEvent::Paused {
            id: 9,
            index: 1,
            paused: true,
        }),
    );
    let terminal = draw(&s, &Theme::builtin_default());
    insta::assert_snapshot!("jobs_paused_80x24", terminal.backend());
    let screen = terminal.backend().to_string();
    assert!(screen.contains("paused before step 2/3"), "{screen}");
    assert!(screen.contains("p:pause"), "{screen}");
    let out = update(&mut s, key('p'));
    assert!(out.effects.contains(&Effect::PauseJob {
        id: 9,
        paused: false
    }));
    update(
        &mut s,
        Msg::Job(JobEvent::Paused {
            id: 9,
            index: 1,
            paused: false,
        }),
    );
    let screen = draw(&s, &Theme::builtin_default()).backend().to_string();
    assert!(!screen.contains("paused before"), "{screen}");

    // A job with no point to pause at says so and is left alone.
    let mut drain = with_jobs((80, 24));
    let last = drain.jobs.len() - 1;
    drain.jobs_view.selected = last;
    let out = update(&mut drain, key('p'));
    assert!(!out
        .effects
        .iter()
        .any(|e| matches!(e, Effect::PauseJob { .. })));
    let said = drain
        .status
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(said.contains("no point to pause at"), "{said}");
}
