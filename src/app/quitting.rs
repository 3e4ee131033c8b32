//! Leaving tugboat while jobs run. A job dropped halfway (a database paused
//! for a backup, a server drained, a primary fenced) is worse than no job,
//! so `q` and Ctrl-C ask first: `y` stops every job at its next safe point
//! (each makes safe what it did) and quits when they have stopped, `w`
//! waits for them to finish, `n`/Esc stays. A signal (SIGHUP: the SSH
//! session is gone; SIGTERM) or a terminal that can no longer be drawn on
//! asks no one: the jobs are stopped safely, then tugboat quits.

use super::msg::Effect;
use super::state::{Level, State};
use super::views::{Confirm, Overlay};

/// Why jobs stopped when the operator quit.
const QUIT: &str = "stopped: tugboat was quit";

/// Ids of the jobs still running.
fn running(state: &State) -> Vec<u64> {
    state
        .jobs
        .iter()
        .filter(|j| j.outcome.is_none())
        .map(|j| j.id)
        .collect()
}

fn is_quit_question(overlay: Option<&Overlay>) -> bool {
    matches!(overlay, Some(Overlay::Confirm(c)) if matches!(c.on_yes, Effect::StopJobs { .. }))
}

impl State {
    /// The dialog on top asks whether to quit while jobs run.
    pub fn asks_to_quit(&self) -> bool {
        is_quit_question(self.overlays.last())
    }
}

/// `q` or Ctrl-C.
pub(super) fn quit(state: &mut State, effects: &mut Vec<Effect>) {
    let ids = running(state);
    if ids.is_empty() {
        state.quit = true;
        effects.push(Effect::Quit);
        return;
    }
    if is_quit_question(state.overlays.last()) {
        return;
    }
    let mut body: Vec<String> = state
        .jobs
        .iter()
        .filter(|j| j.outcome.is_none())
        .map(|j| {
            let step = j
                .step
                .map(|s| format!(", step {} of {}", s + 1, j.plan.steps.len()))
                .unwrap_or_default();
            format!("job {}: {} {}{step}", j.id, j.plan.action, j.plan.target)
        })
        .collect();
    body.push(String::new());
    body.push(
        "y: stop them at their next safe point (each makes safe what it did), then quit".into(),
    );
    body.push("w: let them finish, then quit".into());
    body.push("n, Esc: stay".into());
    state.overlays.push(Overlay::Confirm(Confirm {
        scroll: 0,
        title: format!("Quit while {} job(s) run?", ids.len()),
        body,
        on_yes: Effect::StopJobs {
            ids,
            why: QUIT.into(),
        },
    }));
}

/// `y` or `w` in the quit question; false when the dialog on top is not it.
pub(super) fn on_answer(state: &mut State, stop: bool, effects: &mut Vec<Effect>) -> bool {
    if !is_quit_question(state.overlays.last()) {
        return false;
    }
    state.overlays.pop();
    let ids = running(state);
    state.quit_when_idle = true;
    if stop {
        state.set_status(
            Level::Warn,
            format!(
                "stopping {} job(s) safely; tugboat quits when they have stopped",
                ids.len()
            ),
        );
        effects.push(Effect::StopJobs {
            ids,
            why: QUIT.into(),
        });
    } else {
        // Letting them finish means letting a paused one go on too.
        for job in state.jobs.iter_mut().filter(|j| j.outcome.is_none()) {
            if job.pausing() {
                job.pause = super::job_view::Pause::Running;
                effects.push(Effect::PauseJob {
                    id: job.id,
                    paused: false,
                });
            }
        }
        state.set_status(
            Level::Info,
            format!(
                "tugboat quits when {} job(s) finish (q asks again)",
                ids.len()
            ),
        );
    }
    quit_if_idle(state, effects);
    true
}

/// A signal arrived, or the terminal is gone: stop every job safely and
/// quit once they have stopped.
pub(super) fn on_interrupted(state: &mut State, why: &str, effects: &mut Vec<Effect>) {
    let ids = running(state);
    state.quit_when_idle = true;
    if !ids.is_empty() {
        state.set_status(
            Level::Warn,
            format!("{why}: stopping {} job(s) safely, then quitting", ids.len()),
        );
        let why = if why.starts_with("SIG") {
            format!("interrupted by {why}")
        } else {
            format!("interrupted: {why}")
        };
        effects.push(Effect::StopJobs { ids, why });
    }
    quit_if_idle(state, effects);
}

/// After any message: quit once the jobs we wait for are done.
pub(super) fn quit_if_idle(state: &mut State, effects: &mut Vec<Effect>) {
    if state.quit_when_idle && !state.quit && running(state).is_empty() {
        state.quit = true;
        effects.push(Effect::Quit);
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::app::{update, Msg};
    use crate::model::Inventory;
    use crate::ops::job::{JobEvent, JobOutcome};
    use crate::ops::plan::restart_plan;

    fn with_running_job() -> State {
        let mut state = State::new(Inventory::new(Vec::new()), false, 0);
        update(
            &mut state,
            Msg::Job(JobEvent::Started {
                id: 7,
                plan: restart_plan("local", "abc", "db1", 10),
                at_ms: 0,
            }),
        );
        state
    }

    fn key(c: char) -> Msg {
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
    }

    fn finished(id: u64) -> Msg {
        Msg::Job(JobEvent::Finished {
            id,
            outcome: JobOutcome::Done,
            millis: 1,
        })
    }

    #[test]
    fn q_with_no_job_running_quits_at_once() {
        let mut state = State::new(Inventory::new(Vec::new()), false, 0);
        let out = update(&mut state, key('q'));
        assert!(out.effects.contains(&Effect::Quit));
    }

    #[test]
    fn q_while_a_job_runs_asks_and_n_stays() {
        let mut state = with_running_job();
        let out = update(&mut state, key('q'));
        assert!(!out.effects.contains(&Effect::Quit));
        let Some(Overlay::Confirm(c)) = state.overlays.last() else {
            panic!("no question: {:?}", state.overlays)
        };
        assert_eq!(c.title, "Quit while 1 job(s) run?");
        assert!(c.body[0].starts_with("job 7: restart"), "{:?}", c.body);
        // Ctrl-C again does not stack a second question.
        let ctrl_c = Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
        update(&mut state, ctrl_c);
        assert_eq!(state.overlays.len(), 1);
        let out = update(&mut state, key('n'));
        assert!(state.overlays.is_empty());
        assert!(!out.effects.contains(&Effect::Quit));
        let out = update(&mut state, finished(7));
        assert!(
            !out.effects.contains(&Effect::Quit),
            "staying means staying"
        );
    }

    #[test]
    fn y_stops_the_jobs_and_quits_only_once_they_have_stopped() {
        let mut state = with_running_job();
        update(&mut state, key('q'));
        let out = update(&mut state, key('y'));
        assert!(out.effects.contains(&Effect::StopJobs {
            ids: vec![7],
            why: QUIT.into()
        }));
        assert!(!out.effects.contains(&Effect::Quit));
        let out = update(&mut state, finished(7));
        assert!(out.effects.contains(&Effect::Quit));
    }

    #[test]
    fn w_waits_for_the_jobs_without_stopping_them() {
        let mut state = with_running_job();
        update(&mut state, key('q'));
        let out = update(&mut state, key('w'));
        assert!(!out
            .effects
            .iter()
            .any(|e| matches!(e, Effect::StopJobs { .. } | Effect::Quit)));
        let out = update(&mut state, finished(7));
        assert!(out.effects.contains(&Effect::Quit));
    }

    #[test]
    fn w_lets_a_paused_job_go_on_so_that_it_can_finish() {
        let mut state = with_running_job();
        update(
            &mut state,
            Msg::Job(JobEvent::Paused {
                id: 7,
                index: 1,
                paused: true,
            }),
        );
        update(&mut state, key('q'));
        let out = update(&mut state, key('w'));
        assert!(out.effects.contains(&Effect::PauseJob {
            id: 7,
            paused: false
        }));
        assert!(!state.jobs[0].pausing());
    }

    #[test]
    fn a_signal_stops_the_jobs_without_asking_then_quits() {
        let mut state = with_running_job();
        let out = update(&mut state, Msg::Interrupted("SIGHUP".into()));
        assert!(out.effects.contains(&Effect::StopJobs {
            ids: vec![7],
            why: "interrupted by SIGHUP".into()
        }));
        assert!(state.overlays.is_empty());
        assert!(!out.effects.contains(&Effect::Quit));
        let out = update(&mut state, finished(7));
        assert!(out.effects.contains(&Effect::Quit));
        // With nothing running, a signal quits at once.
        let mut idle = State::new(Inventory::new(Vec::new()), false, 0);
        let out = update(&mut idle, Msg::Interrupted("SIGTERM".into()));
        assert!(out.effects.contains(&Effect::Quit));
    }
}
