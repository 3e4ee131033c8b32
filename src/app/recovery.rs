//! `U`: make safe what jobs cut off by a crash left (journal entries read
//! at start), after a confirmation that shows every step.

use super::msg::Effect;
use super::state::{Level, State};
use super::views::{Confirm, Overlay};

pub(super) fn offer(state: &mut State) {
    if state.recoveries.is_empty() {
        state.set_status(Level::Info, "nothing to recover: no job was cut off");
        return;
    }
    let mut body = Vec::new();
    for r in &state.recoveries {
        body.push(format!("{}:", r.plan.target));
        body.extend(r.plan.lines().into_iter().map(|l| format!("  {l}")));
    }
    state.overlays.push(Overlay::Confirm(Confirm {
        scroll: 0,
        title: format!(
            "Make safe what {} cut-off job(s) left?",
            state.recoveries.len()
        ),
        body,
        on_yes: Effect::Recover(state.recoveries.clone()),
    }));
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::app::{update, Msg};
    use crate::model::{Host, Inventory};
    use crate::ops::cleanup_step::CleanupStep;
    use crate::ops::journal::Recovery;
    use crate::ops::plan::{Plan, PlanAction, PlanTarget, Step, StepOp};

    fn state(read_only: bool) -> State {
        let inv = Inventory::new(vec![Host::new("local", "unix:///x.sock", "flag")]);
        let mut s = State::new(inv, read_only, 0);
        s.recoveries = vec![Recovery {
            entry: "/data/journal/41-3.json".into(),
            plan: Plan {
                action: PlanAction::Recover,
                host: "local".into(),
                target: PlanTarget::Recovery {
                    job: 3,
                    pid: 41,
                    action: "backup".into(),
                    target: "local/db-data".into(),
                },
                steps: vec![Step::new(
                    "unpause db on local if it is still paused",
                    StepOp::Cleanup(CleanupStep::Unpause {
                        id: "db-id".into(),
                        name: "db".into(),
                    }),
                )],
            },
        }];
        s
    }

    fn key(s: &mut State, c: char) -> Vec<Effect> {
        update(
            s,
            Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
        )
        .effects
    }

    #[test]
    fn u_shows_every_step_and_y_runs_them_once() {
        let mut s = state(false);
        assert!(key(&mut s, 'U').is_empty());
        let Some(Overlay::Confirm(c)) = s.top_overlay() else {
            panic!("a confirmation");
        };
        assert_eq!(
            c.body,
            [
                "job 3 of process 41 (backup local/db-data):",
                "  1. unpause db on local if it is still paused",
            ]
        );
        let effects = key(&mut s, 'y');
        assert!(
            matches!(effects.as_slice(), [Effect::Recover(r)] if r.len() == 1),
            "{effects:?}"
        );
        assert!(s.recoveries.is_empty());
        // Nothing left to offer.
        key(&mut s, 'U');
        assert!(s.top_overlay().is_none());
        assert!(s
            .status
            .as_ref()
            .unwrap()
            .text
            .contains("nothing to recover"));
    }

    #[test]
    fn n_keeps_them_and_read_only_refuses() {
        let mut s = state(false);
        key(&mut s, 'U');
        assert!(key(&mut s, 'n').is_empty());
        assert_eq!(s.recoveries.len(), 1);
        let mut ro = state(true);
        key(&mut ro, 'U');
        assert!(ro.top_overlay().is_none());
        assert!(ro.status.as_ref().unwrap().text.contains("read-only"));
    }
}
