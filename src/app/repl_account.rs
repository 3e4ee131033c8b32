//! `A` on a database cluster: the operator gives the replication account a
//! former primary connects with, when the cluster's servers name none and
//! store none tugboat can read (src/ops/base/db_account.rs). Asked as two
//! prompts, the password shown as `*`s; kept in this process's memory
//! only, never written, logged or shown again.

use crossterm::event::KeyEvent;

use super::line_editor::LineEditor;
use super::msg::Effect;
use super::state::{Level, State};
use super::views::{Overlay, Prompt, PromptFor};
use crate::ops::db_account::ReplAccount;

/// Longer input is not a user name or a password someone types.
const MAX_INPUT: usize = 256;

pub(super) fn ask(state: &mut State) {
    let Some(cluster) = state.selected_cluster() else {
        state.set_status(
            Level::Warn,
            "select a database cluster (or one of its servers) to give its replication account",
        );
        return;
    };
    state.overlays.push(Overlay::Prompt(Prompt {
        title: "Replication account".into(),
        question: format!(
            "The user {}'s replicas connect to their primary with (asked when none is found)?",
            cluster.name
        ),
        input: text_input(),
        about: PromptFor::ReplUser {
            cluster: cluster.name.clone(),
        },
    }));
}

/// Keys while the user or the password is typed.
pub(super) fn on_key(state: &mut State, key: KeyEvent, effects: &mut Vec<Effect>) {
    if super::prompt_edit::submitted(state, &key, "cancelled: no account kept") {
        submit(state, effects);
    }
}

/// Enter: the user, then the password; the account is handed over.
fn submit(state: &mut State, effects: &mut Vec<Effect>) {
    let Some(Overlay::Prompt(mut prompt)) = state.overlays.pop() else {
        return;
    };
    match prompt.about {
        PromptFor::ReplUser { cluster } if !prompt.input.is_empty() => {
            let user = prompt.input.take();
            state.overlays.push(Overlay::Prompt(Prompt {
                title: "Replication account".into(),
                question: format!("The password of {user} (not shown)?"),
                input: text_input().masked(),
                about: PromptFor::ReplPassword { cluster, user },
            }));
        }
        PromptFor::ReplPassword { cluster, user } => {
            state.set_status(
                Level::Ok,
                format!(
                    "replication account {user} kept for {cluster} (in memory, until tugboat exits)"
                ),
            );
            effects.push(Effect::GiveReplAccount {
                cluster,
                account: ReplAccount {
                    user,
                    password: prompt.input.take(),
                },
            });
        }
        about => {
            // Nothing typed yet: the prompt stays up for it.
            state.set_status(Level::Warn, "type the user's name");
            state
                .overlays
                .push(Overlay::Prompt(Prompt { about, ..prompt }));
        }
    }
}

/// A user name or a password.
fn text_input() -> LineEditor {
    LineEditor::new().with_limit(MAX_INPUT)
}
