//! `I` on a cluster deployed as swarm services (one service per member):
//! the image to put them on, typed over the one they run now, then the
//! rolling update's plan put up for confirmation (ops/plans/rolling.rs).
//! What the update refuses (plain containers, members behind HAProxy
//! servers, a leader not known yet) is said before anything is typed.

use crossterm::event::KeyEvent;

use super::confirm::PlanQuestion;
use super::line_editor::LineEditor;
use super::state::{Level, State};
use super::views::{Overlay, Prompt, PromptFor};
use crate::model::ClusterKey;
use crate::ops::rolling::{members_of, rolling_update_plan, Member};

/// Longer input is not an image reference.
const MAX_IMAGE: usize = 256;

/// The cluster's members, or why it cannot be updated (said as a refusal).
fn members(state: &mut State, cluster: &ClusterKey) -> Option<Vec<Member>> {
    let members = match members_of(&state.inventory, &state.probes, cluster) {
        Ok(m) => m,
        Err(e) => {
            state.plan_refused(e);
            return None;
        }
    };
    // The same refusals the plan makes, before an image is typed for it.
    if let Err(e) = rolling_update_plan(&cluster.name, &members, "the image") {
        state.plan_refused(e);
        return None;
    }
    Some(members)
}

pub(super) fn ask(state: &mut State) {
    let Some(cluster) = state.selected_cluster() else {
        state.set_status(
            Level::Warn,
            "select a cluster (or one of its members) to update its services' image in turn",
        );
        return;
    };
    let Some(members) = members(state, &cluster) else {
        return;
    };
    let now = members
        .first()
        .and_then(|m| {
            state
                .inventory
                .containers
                .get(&(m.host.clone(), m.id.clone()))
        })
        .map(|c| c.image.to_string())
        .unwrap_or_default();
    state.overlays.push(Overlay::Prompt(Prompt {
        title: "Rolling update".into(),
        question: format!(
            "Image for the {} services of {}, updated one at a time (now {now})?",
            members.len(),
            cluster.label()
        ),
        input: LineEditor::with_text(&now).with_limit(MAX_IMAGE),
        about: PromptFor::UpdateImage { cluster },
    }));
}

/// Keys while the image is typed.
pub(super) fn on_key(state: &mut State, key: KeyEvent) {
    if super::prompt_edit::submitted(state, &key, "cancelled: nothing was changed") {
        submit(state);
    }
}

/// Whether `image` can be a reference to an image (name, tag, digest):
/// anything else is a typing slip, refused before it reaches a plan.
fn is_image_reference(image: &str) -> bool {
    !image.is_empty()
        && !image.starts_with(['-', ':', '@', '/'])
        && image
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-/:@".contains(c))
}

/// Enter: the plan for the typed image, put up for confirmation; a typed
/// image refused leaves the prompt up.
fn submit(state: &mut State) {
    let Some(Overlay::Prompt(prompt)) = state.overlays.pop() else {
        return;
    };
    let PromptFor::UpdateImage { cluster } = &prompt.about else {
        return;
    };
    let image = prompt.input.text().trim().to_string();
    if !is_image_reference(&image) {
        state.set_status(
            Level::Warn,
            "type an image reference (name[:tag] or name@digest)",
        );
        state.overlays.push(Overlay::Prompt(prompt));
        return;
    }
    let cluster = cluster.clone();
    let Some(members) = members(state, &cluster) else {
        return;
    };
    match rolling_update_plan(&cluster.name, &members, &image) {
        Err(e) => state.plan_refused(e),
        Ok(plan) => {
            let question = format!(
                "Update the {} services of {} to {image}, one at a time?",
                members.len(),
                cluster.label()
            );
            PlanQuestion::new("Rolling update", question, plan).ask(state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_image_reference;

    #[test]
    fn an_image_reference_is_a_name_with_a_tag_or_digest_and_nothing_else() {
        for ok in [
            "zookeeper:3.9",
            "registry.example.com:5000/team/zk:3.9-next",
            "mariadb@sha256:0123abcd",
        ] {
            assert!(is_image_reference(ok), "{ok}");
        }
        for slip in ["", "zk 3.9", "-zk", ":3.9", "zk;rm", "zk:3.9\n"] {
            assert!(!is_image_reference(slip), "{slip:?}");
        }
    }
}
