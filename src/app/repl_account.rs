//! `A` on a database cluster: the operator gives the replication account a
//! former primary connects with, when the cluster's servers name none and
//! store none tugboat can read (src/ops/base/db_account.rs). Asked as two
//! prompts, the password shown as `*`s; kept in this process's memory
//! only, never written, logged or shown again.

use crossterm::event::{KeyCode, KeyEvent};

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
        input: String::new(),
        about: PromptFor::ReplUser {
            cluster: cluster.name.clone(),
        },
    }));
}

/// Keys while the user or the password is typed.
pub(super) fn on_key(state: &mut State, key: KeyEvent, effects: &mut Vec<Effect>) {
    let Some(Overlay::Prompt(prompt)) = state.overlays.last_mut() else {
        return;
    };
    match key.code {
        KeyCode::Char(c) if !c.is_control() && prompt.input.chars().count() < MAX_INPUT => {
            prompt.input.push(c);
        }
        KeyCode::Backspace => {
            prompt.input.pop();
        }
        KeyCode::Esc => {
            state.overlays.pop();
            state.set_status(Level::Info, "cancelled: no account kept");
        }
        KeyCode::Enter => {
            let Some(Overlay::Prompt(prompt)) = state.overlays.pop() else {
                return;
            };
            match prompt.about {
                PromptFor::ReplUser { cluster } if !prompt.input.is_empty() => {
                    state.overlays.push(Overlay::Prompt(Prompt {
                        title: "Replication account".into(),
                        question: format!("The password of {} (not shown)?", prompt.input),
                        input: String::new(),
                        about: PromptFor::ReplPassword {
                            cluster,
                            user: prompt.input,
                        },
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
                            password: prompt.input,
                        },
                    });
                }
                _ => state.set_status(Level::Warn, "type the user's name"),
            }
        }
        _ => {}
    }
}
