//! The wizard's last step: the create job followed as it runs, and the
//! cluster selected in Nodes once it is made.

use super::rows::NodeRow;
use super::state::{Level, Pane, State};
use super::views::Overlay;
use super::wizard_form::{Wizard, WizardStep};
use crate::model::cluster_of;
use crate::ops::job::JobEvent;
use crate::ops::plan::PlanAction;

/// The create job's events, for the Progress screen (the Jobs pane gets
/// them too).
pub fn on_job(state: &mut State, event: &JobEvent) {
    let Some(wizard) = wizard_of(&mut state.overlays) else {
        return;
    };
    if wizard.step != WizardStep::Progress {
        return;
    }
    let p = &mut wizard.progress;
    match event {
        JobEvent::Started { id, plan, .. }
            if p.job.is_none()
                && plan.action == PlanAction::Create
                && plan.target.cluster() == Some(wizard.spec.name.as_str()) =>
        {
            p.job = Some(*id);
            p.steps = plan.steps.iter().map(|s| s.what.clone()).collect();
            p.detail = "started".into();
        }
        JobEvent::Step { id, index, detail } if p.job == Some(*id) => {
            p.current = Some(*index);
            p.detail = detail.clone();
        }
        JobEvent::Progress { id, text, .. } if p.job == Some(*id) => {
            p.detail = text.clone();
        }
        JobEvent::Finished {
            id,
            outcome,
            millis,
        } if p.job == Some(*id) => {
            p.outcome = Some(outcome.clone());
            p.millis = Some(*millis);
        }
        _ => {}
    }
}

/// The wizard among the overlays (it may be under a dialog).
pub(super) fn wizard_of(overlays: &mut [Overlay]) -> Option<&mut Wizard> {
    overlays.iter_mut().find_map(|o| match o {
        Overlay::Wizard(w) => Some(&mut **w),
        _ => None,
    })
}

/// After a successful create: the Nodes pane with the cluster's first row
/// selected (its cluster row, or its first member).
pub(super) fn select_cluster(state: &mut State, name: &str) {
    state.pane = Pane::Nodes;
    state.nodes.filter.clear();
    let inv = &state.inventory;
    let found = state.node_rows().iter().position(|row| match row {
        NodeRow::Cluster { cluster, .. } => cluster.name == name,
        NodeRow::Container { host, id } => inv
            .containers
            .get(&(host.clone(), id.clone()))
            .is_some_and(|c| cluster_of(c).name == name),
        _ => false,
    });
    match found {
        Some(i) => {
            state.nodes.selected = i;
            state.set_status(Level::Ok, format!("cluster {name} created"));
        }
        None => state.set_status(
            Level::Ok,
            format!("cluster {name} created; it shows in Nodes once the host reports it"),
        ),
    }
}
