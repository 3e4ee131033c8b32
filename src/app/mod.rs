//! The application core: one `State`, one `Msg` enum, one `update`, and the
//! keymap that turns keys into actions.

pub mod backups;
pub mod backups_view;
pub mod confirm;
pub mod copy;
mod db_operations;
pub mod detail;
mod detail_text;
mod failover_probes;
pub mod help;
mod job_detail;
pub mod key_syntax;
pub mod keymap;
pub mod keymap_doc;
pub mod keymap_load;
pub mod keymap_names;
pub mod keymap_spec;
pub mod keymap_text;
mod lifecycle;
pub mod line_editor;
mod log_keys;
pub mod log_view;
pub mod mark_set;
mod marks;
pub mod msg;
mod opening;
mod operations;
pub mod palette;
mod palette_keys;
mod quitting;
mod recovery;
mod refusals;
mod repl_account;
pub mod rows;
mod scaling;
pub mod scroll;
pub mod state;
mod timeline;
pub mod timeline_view;
pub mod update;
pub mod user_actions;
pub mod views;
pub mod wizard;
pub mod wizard_checks;
pub mod wizard_fields;
pub mod wizard_form;
pub mod wizard_progress;
#[cfg(test)]
mod wizard_tests;

pub use msg::{Effect, Msg};
pub use state::{Level, Pane, State, StatusMessage, TableView};
pub use update::{update, update_all, Outcome};
