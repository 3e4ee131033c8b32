//! A key typed into the prompt on top (a count, a weight, a user, an
//! image): the text edited, the prompt closed by Esc (saying `cancelled`),
//! or the text submitted, which its own module then takes.

use crossterm::event::KeyEvent;

use super::line_editor::Edit;
use super::state::{Level, State};
use super::views::Overlay;

/// Whether `key` submitted the prompt on top.
pub(super) fn submitted(state: &mut State, key: &KeyEvent, cancelled: &str) -> bool {
    let Some(Overlay::Prompt(prompt)) = state.overlays.last_mut() else {
        return false;
    };
    match prompt.input.on_key(key) {
        Edit::Changed | Edit::Ignored => false,
        Edit::Cancel => {
            state.overlays.pop();
            state.set_status(Level::Info, cancelled);
            false
        }
        Edit::Submit => true,
    }
}
