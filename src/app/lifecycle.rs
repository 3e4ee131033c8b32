//! Start, stop, kill, pause, unpause or remove the chosen containers (see
//! `marks::targets`): the plan, guarded in `ops`, shown with every target
//! and every one left out before anything runs.

use crate::ops::lifecycle::{lifecycle_plan, Lifecycle};

use super::confirm::PlanQuestion;
use super::marks;
use super::state::{Level, State};

fn capitalized(verb: &str) -> String {
    let mut chars = verb.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// Ask before `action` on the chosen containers, or say why not.
pub(super) fn confirm(state: &mut State, action: Lifecycle) {
    let keys = marks::targets(state);
    if keys.is_empty() {
        state.set_status(
            Level::Warn,
            format!(
                "select a container (or mark some with Space) to {} it",
                action.verb()
            ),
        );
        return;
    }
    let planned = match lifecycle_plan(&state.inventory, &state.probes, action, &keys) {
        Ok(p) => p,
        Err(e) => return state.plan_refused(e),
    };
    let n = planned.targets.len();
    let noun = if n == 1 { "container" } else { "containers" };
    let verb = capitalized(action.verb());
    let removal = (action == Lifecycle::Remove).then(|| {
        "Removal cannot be undone: the containers and their anonymous volumes are deleted. \
         Stopped (q, Ctrl-C), the job ends after the removal in flight."
            .to_string()
    });
    PlanQuestion::new(
        format!("{verb} {n} {noun}"),
        format!("{verb} {n} {noun}?"),
        planned.plan,
    )
    .listing(planned.targets.iter().map(|t| format!("  {t}")))
    .left_out(&planned.left_out)
    .listing(removal)
    .ask(state);
}
