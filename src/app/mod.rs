//! The application core: one `State`, one `Msg` enum, one `update`, and the
//! keymap table that turns keys into actions.

mod db_operations;
pub mod detail;
pub mod help;
pub mod keymap;
pub mod msg;
mod operations;
pub mod rows;
pub mod scroll;
pub mod state;
pub mod update;
pub mod views;

pub use msg::{Effect, Msg};
pub use state::{Level, Pane, State, StatusMessage, TableView};
pub use update::{update, Outcome};
