//! Drawing: a pure function of `State` and `Theme`. No I/O, no clock, no
//! state changes; every style comes from the theme.
//!
//! Screen, top to bottom: tab bar (1 row), the active pane's table in a
//! bordered block, status line, footer of key hints. Overlays stack over
//! the body, bottom first.

mod balancer;
mod chrome;
mod detail;
mod dialog;
mod first_run;
mod flow;
mod help;
mod hints;
mod jobs;
mod key_labels;
mod line_input;
pub mod mouse_spot;
mod nodes;
mod palette;
mod services;
mod side_panel;
mod table;
mod text;
mod timeline;
mod viewers;
mod volumes;
mod wizard;
mod zookeeper;

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::Frame;

use crate::app::views::Overlay;
use crate::app::{Pane, State};
use crate::config::Theme;

/// Draw the whole screen. Call as `terminal.draw(|f| ui::render(f, &state, &theme))`
/// after `update` reports a redraw. The frame's size should match
/// `state.width` x `state.height` (the runtime sends `Msg::Resize`), since
/// the state pages and scrolls by those.
pub fn render(frame: &mut Frame, state: &State, theme: &Theme) {
    let area = frame.area();
    let buf = frame.buffer_mut();
    buf.set_style(area, theme.base);
    let [tabs, body, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);

    chrome::tab_bar(buf, tabs, state, theme);
    match state.pane {
        Pane::Nodes => nodes::render(buf, body, state, theme),
        Pane::Volumes => volumes::render(buf, body, state, theme),
        Pane::Zookeeper => zookeeper::render(buf, body, state, theme),
        Pane::Balancer => balancer::render(buf, body, state, theme),
        Pane::Jobs => jobs::render(buf, body, state, theme),
        Pane::Timeline => timeline::render(buf, body, state, theme),
        Pane::Services => services::render(buf, body, state, theme),
    }
    for overlay in &state.overlays {
        draw_overlay(buf, body, state, overlay, theme);
    }
    // The footer's row is the status line's second when a warning needs it.
    chrome::status_line(buf, status, footer, state, theme);
}

fn draw_overlay(
    buf: &mut ratatui::buffer::Buffer,
    body: Rect,
    state: &State,
    overlay: &Overlay,
    theme: &Theme,
) {
    match overlay {
        Overlay::Help { scroll, flow } => help::render(buf, body, state, *scroll, *flow, theme),
        Overlay::Confirm(confirm) => dialog::confirm(buf, body, confirm, &state.keymap, theme),
        Overlay::Detail {
            target,
            scroll,
            flow,
        } => detail::render(buf, body, state, target, *scroll, *flow, theme),
        Overlay::Logs(view) => viewers::logs(buf, body, view, theme),
        Overlay::Inspect(view) => viewers::inspect(buf, body, state, view, theme),
        Overlay::Prompt(prompt) => dialog::prompt(buf, body, prompt, theme),
        Overlay::Wizard(w) => wizard::render(buf, body, w, theme),
        Overlay::Palette(p) => palette::render(buf, body, p, theme),
    }
}
