//! The one confirmation of a plan: every operation puts its plan up the
//! same way — a question naming what and where, what it lists first (the
//! targets, what it leaves out and why), the plan's steps with their undo
//! and point of no return, its notes and warnings — and `y` runs exactly
//! the plan shown.

use super::msg::{Confirm, Effect};
use super::state::State;
use super::views::Overlay;
use crate::ops::plan::Plan;

/// A plan put up for a yes or no.
#[derive(Debug, Clone)]
pub struct PlanQuestion {
    title: String,
    question: String,
    before: Vec<String>,
    plan: Plan,
    after: Vec<String>,
    again: Option<(String, Vec<String>)>,
}

impl PlanQuestion {
    /// `question` names the plan's target and host ("Restart container
    /// web on host local?").
    pub fn new(title: impl Into<String>, question: impl Into<String>, plan: Plan) -> Self {
        Self {
            title: title.into(),
            question: question.into(),
            before: Vec::new(),
            plan,
            after: Vec::new(),
            again: None,
        }
    }

    /// Lines between the question and the plan (the targets one by one).
    pub fn listing(mut self, lines: impl IntoIterator<Item = String>) -> Self {
        self.before.extend(lines);
        self
    }

    /// What the plan leaves out, each with why: listed before the plan.
    pub fn left_out(mut self, items: &[String]) -> Self {
        if !items.is_empty() {
            self.before.push("Left out:".into());
            self.before.extend(items.iter().map(|i| format!("  {i}")));
        }
        self
    }

    /// What the plan's maker wants read with it, after the steps.
    pub fn notes(mut self, notes: impl IntoIterator<Item = String>) -> Self {
        self.after
            .extend(notes.into_iter().map(|n| format!("Note: {n}")));
        self
    }

    /// Lines after the steps, as they are (a choice made, a warning).
    pub fn after(mut self, lines: impl IntoIterator<Item = String>) -> Self {
        self.after.extend(lines);
        self
    }

    /// A second question before anything runs (`y` to the first asks it).
    pub fn asking_again(mut self, title: impl Into<String>, body: Vec<String>) -> Self {
        self.again = Some((title.into(), body));
        self
    }

    /// The dialog: the question ends in "Plan:" when nothing comes
    /// between it and the steps.
    pub fn into_confirm(self) -> Confirm {
        let mut body = Vec::new();
        if self.before.is_empty() {
            body.push(format!("{} Plan:", self.question));
        } else {
            body.push(self.question);
            body.extend(self.before);
            body.push("Plan:".into());
        }
        body.extend(self.plan.lines());
        body.extend(self.after);
        let run = Effect::RunPlan(self.plan);
        let on_yes = match self.again {
            None => run,
            Some((title, body)) => Effect::Ask(Box::new(Confirm {
                scroll: 0,
                title,
                body,
                on_yes: run,
            })),
        };
        Confirm {
            scroll: 0,
            title: self.title,
            body,
            on_yes,
        }
    }

    /// Put it up.
    pub fn ask(self, state: &mut State) {
        state.overlays.push(Overlay::Confirm(self.into_confirm()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::plan::restart_plan;

    #[test]
    fn the_question_the_listing_the_steps_and_the_notes_in_that_order() {
        let plan = restart_plan("local", "abc", "web", 10);
        let steps = plan.lines();
        let c = PlanQuestion::new("Restart container", "Restart web on local?", plan.clone())
            .into_confirm();
        assert_eq!(c.body[0], "Restart web on local? Plan:");
        assert_eq!(c.body[1..], steps[..]);
        assert_eq!(c.on_yes, Effect::RunPlan(plan.clone()));

        let c = PlanQuestion::new("Stop", "Stop 1 container?", plan.clone())
            .listing(["  web on local".to_string()])
            .left_out(&["db on local: does not run".to_string()])
            .notes(["the balancer was not seen".to_string()])
            .into_confirm();
        assert_eq!(
            c.body[..5],
            [
                "Stop 1 container?",
                "  web on local",
                "Left out:",
                "  db on local: does not run",
                "Plan:"
            ]
        );
        assert_eq!(c.body.last().unwrap(), "Note: the balancer was not seen");
    }

    #[test]
    fn a_second_question_runs_the_plan_only_from_its_own_yes() {
        let plan = restart_plan("local", "abc", "web", 10);
        let c = PlanQuestion::new("First", "Sure?", plan.clone())
            .asking_again("Second", vec!["Really?".into()])
            .into_confirm();
        let Effect::Ask(second) = c.on_yes else {
            panic!("asks again: {:?}", c.on_yes)
        };
        assert_eq!(second.title, "Second");
        assert_eq!(second.on_yes, Effect::RunPlan(plan));
    }
}
