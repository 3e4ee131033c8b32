//! The Balancer pane (placeholder until the full pane lands).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

use super::text::{put, row};
use crate::app::State;
use crate::config::Theme;

pub fn render(buf: &mut Buffer, area: Rect, state: &State, theme: &Theme) {
    for (i, b) in state.balancers().iter().enumerate() {
        let line = Line::styled(format!("{} {}", b.container, b.backends.len()), theme.base);
        put(buf, row(area, u16::try_from(i).unwrap_or(u16::MAX)), &line);
    }
}
