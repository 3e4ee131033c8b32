//! Start, stop, kill, pause, unpause or remove the chosen containers (see
//! `marks::targets`): the plan, guarded in `ops`, shown with every target
//! and every one left out before anything runs.

use crate::ops::lifecycle::{lifecycle_plan, Lifecycle};

use super::marks;
use super::msg::{Confirm, Effect};
use super::state::{Level, State};
use super::views::Overlay;

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
    let mut body = vec![format!("{} {n} {noun}?", capitalized(action.verb()))];
    body.extend(planned.targets.iter().map(|t| format!("  {t}")));
    if !planned.left_out.is_empty() {
        body.push("Left out:".into());
        body.extend(planned.left_out.iter().map(|t| format!("  {t}")));
    }
    if action == Lifecycle::Remove {
        body.push(
            "Removal cannot be undone: the containers and their anonymous volumes are deleted. \
             Stopped (q, Ctrl-C), the job ends after the removal in flight."
                .into(),
        );
    }
    body.push("Plan:".into());
    body.extend(planned.plan.lines());
    state.overlays.push(Overlay::Confirm(Confirm {
        scroll: 0,
        title: format!("{} {n} {noun}", capitalized(action.verb())),
        body,
        on_yes: Effect::RunPlan(planned.plan),
    }));
}
