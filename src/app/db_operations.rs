//! `f` on a database cluster (or one of its servers) in the Nodes pane:
//! the switchover plan when the primary answers, the failover plan when it
//! is down, put up for confirmation with what it leaves to the operator;
//! `J` on a server: its rejoin as a replica of the primary.

use super::confirm::PlanQuestion;
use super::state::{Level, State};
use crate::ops::db_failover::{db_cluster, failover_plan, FailoverAsk, FailoverKind};
use crate::ops::db_rejoin::rejoin_plan;

pub(super) fn failover(state: &mut State) {
    let Some(cluster) = state.selected_cluster() else {
        state.set_status(
            Level::Warn,
            "select a database cluster (or one of its servers) to switch its primary",
        );
        return;
    };
    let Some(c) = db_cluster(&state.inventory, &state.probes, &cluster.name) else {
        state.set_status(
            Level::Warn,
            format!(
                "{} has no MySQL or MariaDB server to fail over",
                cluster.label()
            ),
        );
        return;
    };
    let stated = FailoverAsk {
        primary_is_gone: true,
        ..FailoverAsk::default()
    };
    match failover_plan(&c, &FailoverAsk::default()) {
        // Refused only because the primary may not be gone: the operator
        // may know better, once told what happens if it is not.
        Err(e) => match failover_plan(&c, &stated) {
            Ok(p) if p.kind == FailoverKind::Failover => {
                ask_primary_gone(state, &c.name, &e.to_string(), p)
            }
            _ => state.set_status(Level::Warn, format!("fail over {}: {e}", c.name)),
        },
        Ok(p) => {
            let (title, question) = match p.kind {
                FailoverKind::Switchover => (
                    "Database switchover",
                    format!(
                        "Switch the primary of {} from {} to {} (no acknowledged write lost)?",
                        c.name, p.primary, p.candidate
                    ),
                ),
                FailoverKind::Failover => (
                    "Database failover",
                    format!(
                        "{} is down: promote {} in {}?",
                        p.primary, p.candidate, c.name
                    ),
                ),
            };
            PlanQuestion::new(title, question, p.plan)
                .notes(p.notes)
                .ask(state);
        }
    }
}

/// `J`: the selected server rejoins its cluster's primary.
pub(super) fn rejoin(state: &mut State, server: &str) {
    let Some(cluster) = state.selected_cluster() else {
        state.set_status(
            Level::Warn,
            "select a server of a database cluster to rejoin",
        );
        return;
    };
    let plan = db_cluster(&state.inventory, &state.probes, &cluster.name)
        .ok_or_else(|| format!("{} has no MySQL or MariaDB server", cluster.label()))
        .and_then(|c| rejoin_plan(&c, server).map_err(|e| e.to_string()));
    match plan {
        Err(e) => state.set_status(Level::Warn, format!("rejoin {server}: {e}")),
        Ok(plan) => {
            let question = format!(
                "Make {server} a replica of {}'s primary again?",
                cluster.name
            );
            PlanQuestion::new("Rejoin database server", question, plan).ask(state);
        }
    }
}

/// A failover of a primary tugboat cannot see is gone: the plan first, then
/// a second question that says what happens if it is not.
fn ask_primary_gone(
    state: &mut State,
    cluster: &str,
    why: &str,
    p: crate::ops::db_failover::FailoverPlan,
) {
    let question = format!("tugboat does not fail over {cluster} by itself: {why}");
    let anyway = format!(
        "Fail over anyway, promoting {}? (a second question follows)",
        p.candidate
    );
    let second = vec![
        format!(
            "Only if {} is gone for good (its host lost, its container removed).",
            p.primary
        ),
        format!(
            "If it is not, it may still take writes, or come back as a second primary beside {}: \
             the two then split the data, each missing the other's writes, and clients may be told \
             writes were committed that the new primary never sees.",
            p.candidate
        ),
        format!("Say y only if {} cannot come back.", p.primary),
    ];
    let again = format!("Is {} gone for good?", p.primary);
    PlanQuestion::new(
        "Database failover (primary not surely gone)",
        question,
        p.plan,
    )
    .listing([anyway])
    .notes(p.notes)
    .asking_again(again, second)
    .ask(state);
}
