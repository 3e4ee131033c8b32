//! Placeholder until the UI lands (the UI helper replaces this file).

use crate::app::State;
use crate::config::Theme;

pub fn render(frame: &mut ratatui::Frame, state: &State, theme: &Theme) {
    let _ = (frame, state, theme);
}
